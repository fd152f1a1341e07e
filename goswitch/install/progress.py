"""What the installer tells the user: messages and a progress bar, on stderr only.

stdout stays clean (the shell hook runs ``python -m goswitch install``); the bar is drawn
only when stderr is a terminal, so logs and CI output get plain lines instead of ``\\r``
noise (one every ten seconds during a download, so a slow one never looks hung).
:class:`Reporter` is the silent default of the API (``progress=None``).
"""

from __future__ import annotations

import shutil
import sys
import time

from ..shells import printable


class Reporter:
    """Silent: the interface, and what ``install(..., progress=None)`` uses."""

    def message(self, text: str) -> None:
        pass

    def start(self, label: str, total: int | None, done: int = 0) -> None:
        pass

    def update(self, done: int) -> None:
        pass

    def resume(self, done: int) -> None:
        """A new connection (a retry, the next mirror) continues from ``done`` bytes."""

    def done(self) -> None:
        pass


def _size(n: float) -> str:
    if n < 1e6:
        return f"{n / 1e3:.0f} kB"
    return f"{n / 1e6:.1f} MB"


class StderrReporter(Reporter):
    """Lines on ``stream`` (stderr); a live bar when ``bar`` (default: stream is a TTY)."""

    interval = 0.1  # bar redraws
    log_interval = 10.0  # without a bar: one line per this many seconds

    def __init__(self, stream=None, bar: bool | None = None, prefix: str = "goswitch: ",
                 clock=time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        if bar is None:
            try:
                bar = self.stream.isatty()
            except (AttributeError, ValueError):
                bar = False
        self.bar = bar
        self.prefix = prefix
        self._label = ""
        self._total: int | None = None
        self._done = 0
        self._t0 = 0.0
        self._base = 0
        # The rate is that of the current connection: bytes and time since it began,
        # not since the first mirror (whose stalls, or a restart from byte 0, would skew it).
        self._rate_t0 = 0.0
        self._last = 0.0
        self._drawn = False
        self._clock = clock

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed stderr must not fail an install

    def _clear(self) -> None:
        if self._drawn:
            self._write("\r\x1b[K")
            self._drawn = False

    def message(self, text: str) -> None:
        self._clear()
        # Mirrors and indexes put text here (HTTP reasons, file names): escape what
        # could drive the terminal, as the final error line does.
        self._write(f"{self.prefix}{printable(text)}\n")
        if self._label and self.bar:
            self._draw(force=True)

    def start(self, label: str, total: int | None, done: int = 0) -> None:
        label = printable(label)
        self._label, self._total, self._done, self._base = label, total, done, done
        self._t0 = self._rate_t0 = self._clock()
        self._last = 0.0
        if self.bar:
            self._draw(force=True)

    def resume(self, done: int) -> None:
        self._done = self._base = done
        self._rate_t0 = self._clock()

    def update(self, done: int) -> None:
        if done < self._done:  # started over from byte 0 (no Range support)
            self.resume(done)
        self._done = done
        if self.bar:
            self._draw()
        elif self._clock() - max(self._last, self._t0) >= self.log_interval:
            self._log_line()  # a CI log: a plain line now and then, so it never looks hung

    def _rate(self, now: float) -> str:
        elapsed = max(now - self._rate_t0, 1e-6)
        return f"{_size(max(self._done - self._base, 0) / elapsed)}/s"

    def _log_line(self) -> None:
        self._last = self._clock()
        of = f" of {_size(self._total)}" if self._total else ""
        rate = self._rate(self._last)
        self._write(f"{self.prefix}{self._label}: {_size(self._done)}{of} ({rate})\n")

    def _draw(self, force: bool = False) -> None:
        now = self._clock()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        rate = self._rate(now)
        cols = shutil.get_terminal_size((80, 24)).columns
        if self._total:
            pct = min(100, int(self._done * 100 / self._total))
            tail = f" {_size(self._done)}/{_size(self._total)} {pct:3d}% {rate}"
            width = max(10, min(30, cols - len(self._label) - len(tail) - 6))
            fill = int(width * pct / 100)
            text = f"  {self._label} [{'#' * fill}{'-' * (width - fill)}]{tail}"
        else:
            text = f"  {self._label} {_size(self._done)} {rate}"
        self._write("\r\x1b[K" + text[: max(10, cols - 1)])
        self._drawn = True

    def done(self) -> None:
        if self.bar and self._label:
            self._draw(force=True)
            self._write("\n")
            self._drawn = False
        self._label = ""


def reporter_for_cli(quiet: bool = False) -> Reporter:
    """The CLI's reporter: stderr lines, a bar on a TTY; silent with ``quiet``."""
    return Reporter() if quiet else StderrReporter()
