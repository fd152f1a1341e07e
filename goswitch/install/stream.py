"""A file one thread writes while another reads it as it grows.

The downloader appends to ``<archive>.part`` and, after each chunk, says how many bytes are
valid; the extractor reads the same file behind it.  The network never waits for the disk
work of extraction (the page cache holds what was just written), memory stays bounded, and
extraction is done about when the last byte arrives.  A restart (the server ignored our
``Range`` and sent the whole file again) or an abort (Ctrl-C, failure) wakes the reader up
with an exception so it stops at once.
"""

from __future__ import annotations

import os
import threading


class Aborted(Exception):
    """The writer gave up; the reader must stop."""


class Restarted(Exception):
    """The writer started the file over from byte 0; this reader's data is void."""


class GrowingFile:
    def __init__(self, path: str):
        self.path = path
        self._cond = threading.Condition()
        self._size = 0
        self._done = False
        self._aborted = False
        self._generation = 0

    # ---- writer side ------------------------------------------------------------------

    def advanced(self, size: int) -> None:
        """Bytes ``[0, size)`` of the file are written and final."""
        with self._cond:
            self._size = size
            self._cond.notify_all()

    def finish(self, size: int) -> None:
        with self._cond:
            self._size, self._done = size, True
            self._cond.notify_all()

    def reset(self) -> None:
        """The file was truncated to 0: readers of the old content are void."""
        with self._cond:
            self._size, self._done = 0, False
            self._generation += 1
            self._cond.notify_all()

    def abort(self) -> None:
        with self._cond:
            self._aborted = True
            self._cond.notify_all()

    # ---- reader side ------------------------------------------------------------------

    def reader(self) -> GrowingReader:
        return GrowingReader(self)


class GrowingReader:
    """``read(n)`` returns as soon as some bytes are there; ``b""`` only at the real end."""

    def __init__(self, growing: GrowingFile):
        self._g = growing
        self._generation = growing._generation
        self._pos = 0
        self._fd = os.open(growing.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))

    def read(self, n: int) -> bytes:
        g = self._g
        with g._cond:
            while True:
                if g._aborted:
                    raise Aborted()
                if g._generation != self._generation:
                    raise Restarted()
                if g._size > self._pos:
                    avail = g._size - self._pos
                    break
                if g._done:
                    return b""
                g._cond.wait()
        data = os.pread(self._fd, min(n, avail), self._pos)
        self._pos += len(data)
        return data

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> GrowingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
