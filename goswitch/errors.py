"""Errors a user sees, and the exit codes scripts can rely on.

Every message has the shape ``goswitch: <what>: <why> (<what to do>)`` so a
user reading it knows the file or value at fault and the fix.
"""

from __future__ import annotations

# Documented in docs/commands.md ("Exit codes"); scripts depend on these numbers.
EXIT_OK = 0
EXIT_ERROR = 1  # generic failure
EXIT_USAGE = 2  # bad command line (click's own code too)
EXIT_NOT_FOUND = 3  # version not installed / not in the index / nothing pinned
EXIT_VERIFY = 4  # checksum or signature mismatch
EXIT_NETWORK = 5  # no mirror could serve the request
EXIT_INTERRUPTED = 130  # Ctrl-C


class GoswitchError(Exception):
    """A failure with a user-facing explanation and a fix."""

    exit_code = EXIT_ERROR
    # Set by discovery and resolve: the paths looked at before the failure (Discovery's
    # `watched` and `future`), so the shell hook watches them as it would after a success
    # and sees the fix of a broken pin file at the next prompt.
    watched: list[str] | tuple = ()
    future: list[str] | tuple = ()

    def __init__(self, what: str, why: str, fix: str | None = None, exit_code: int | None = None):
        self.what, self.why, self.fix = what, why, fix
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = f"{self.what}: {self.why}"
        if self.fix:
            text += f" ({self.fix})"
        return text


class NotFoundError(GoswitchError):
    exit_code = EXIT_NOT_FOUND


class VerifyError(GoswitchError):
    exit_code = EXIT_VERIFY


class NetworkError(GoswitchError):
    exit_code = EXIT_NETWORK


class PinError(GoswitchError):
    """A project file names something that is not a Go version."""

    def __init__(self, path: str, line: int, value: str, why: str, fix: str | None = None):
        """``fix`` None: ``value`` stands where a version should (the fix says how one looks).

        Otherwise the problem is the file itself (unreadable, not TOML, a bad
        ``[env]`` entry) and ``fix`` says what to change.
        """
        self.path, self.line, self.value = path, line, value
        where = f"{path}:{line}" if line else path
        shown = shorten(value)  # a 200 KB line, say
        if fix is None:
            super().__init__(
                where,
                f"{shown!r} is not a Go version: {why}",
                "write e.g. 1.22.10, 1.22, 1.23rc1 or latest",
            )
        else:
            super().__init__(where, f"{shown!r}: {why}" if value else why, fix)


def shorten(value: str, head: int = 40, tail: int = 20) -> str:
    """A value for a one-line message: a long one as its first ``head`` and last ``tail``
    characters, so what is wrong at its end shows too (``1.21.13`` and 100000 spaces then
    ``x``)."""
    if len(value) <= head + 3 + tail:
        return value
    return value[:head] + "..." + value[-tail:]
