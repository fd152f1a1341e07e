"""Which go is this: a go binary's version and tree, read without ever letting it
download or switch toolchains.

A Go tree's version comes from its ``VERSION`` file when it has one (no process
started); otherwise ``go env GOVERSION GOROOT`` is run with GOTOOLCHAIN=local,
GOENV=off and GOWORK=off from ``/``.  A go that does not answer is remembered, so
the doctor waits for it once, not at every row.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ...goenvfile import read_text
from ...versions import GoVersion, try_parse_version

PROBE_TIMEOUT = 20  # seconds for one go command; a first `go env` may read a cold disk
TIMED_OUT = 124  # Commands.run's status for "no answer within the timeout"


@dataclass
class GoTree:
    """What one go binary is."""

    path: str  # as found
    real: str  # symlinks resolved
    tree: str | None  # its GOROOT, when recognisable
    raw: str | None  # "go1.21.6", "devel go1.23-abc ...", None when unknown
    version: GoVersion | None
    how: str  # "VERSION file" | "go env" | why it is unknown

    def describe(self) -> str:
        return f"{self.raw or 'unknown version'} at {self.path}"


def version_of(raw: str | None) -> GoVersion | None:
    if not raw:
        return None
    word = raw.split()[0]  # "go1.22.0 X:rangefunc" carries experiments after a space
    if not word.startswith("go"):
        return None
    return try_parse_version(word.split("-", 1)[0])  # go1.21.6-custom suffixes


def _read_first_line(path: str) -> str | None:
    text = read_text(path, 4096)
    return (text.split("\n", 1)[0].strip() or None) if text else None


def is_exe(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def probe_env(environ) -> dict:
    env = {k: v for k, v in environ.items() if k not in ("GOROOT", "GOFLAGS")}
    env.update(GOTOOLCHAIN="local", GOENV="off", GOWORK="off")
    return env


class GoProbe:
    """Identifies go binaries and trees, caching by real path."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._cache: dict[str, GoTree] = {}
        self.hung: set[str] = set()  # real paths of gos that did not answer: not asked again
        # Real paths of gos found through an empty or relative PATH entry: they live in
        # the directory examined (a project, with -C), so they are never run.
        self.no_run: set[str] = set()

    def may_run(self, real: str) -> bool:
        return real not in self.hung and real not in self.no_run

    def binary(self, path: str) -> GoTree:
        real = os.path.realpath(path)
        if real in self._cache:
            return self._cache[real]
        bindir = os.path.dirname(real)
        tree = os.path.dirname(bindir) if os.path.basename(bindir) == "bin" else None
        raw = _read_first_line(os.path.join(tree, "VERSION")) if tree else None
        if raw and raw.startswith(("go", "devel")):
            result = GoTree(path, real, tree, raw, version_of(raw), "VERSION file")
        elif real in self.no_run:
            result = GoTree(path, real, tree, None, None, "not run: found through a relative "
                            "PATH entry, and the doctor runs no program from there")
        else:
            # A wrapper, shim or source build: ask the binary itself.
            done = self.ctx.commands.run([real, "env", "GOVERSION", "GOROOT"],
                                         timeout=PROBE_TIMEOUT,
                                         env=probe_env(self.ctx.environ), cwd="/")
            if done.returncode == TIMED_OUT:
                self.hung.add(real)
            lines = [line.strip() for line in done.stdout.splitlines()]
            raw = lines[0] if lines else ""
            goroot = lines[1] if len(lines) > 1 else ""
            # A wrapper printing something else is not a Go, whatever its exit status.
            if done.returncode == 0 and raw.startswith(("go", "devel")) and (
                not goroot or (goroot.startswith("/") and os.path.isdir(goroot))
            ):
                result = GoTree(path, real, goroot or tree, raw, version_of(raw), "go env")
            else:
                if done.returncode == 0:
                    err = f"printed {ascii(done.stdout[:60])}, not a Go version and GOROOT"
                else:
                    err = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
                    err = ascii(err)[1:-1]  # a terminal-safe, ASCII message
                result = GoTree(path, real, tree, None, None, f"`go env` failed: {err}")
        self._cache[real] = result
        return result

    def tree(self, goroot: str) -> GoTree | None:
        go = os.path.join(goroot, "bin", "go")
        if not is_exe(go):
            return None
        found = self.binary(go)
        return GoTree(found.path, found.real, goroot, found.raw, found.version, found.how)
