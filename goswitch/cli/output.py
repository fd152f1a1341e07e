"""What every command prints, in one place: data, hints, errors, JSON, colour.

Rules (docs/commands.md, "Output"):

- stdout carries only the data a command was asked for (a version, a path,
  shell code, JSON).  Everything else -- notes, hints, progress, warnings --
  goes to stderr, prefixed ``goswitch:``, so ``$(goswitch ...)`` and pipes
  see data only.
- Errors are :class:`~goswitch.errors.GoswitchError`; the app prints them as
  ``goswitch: <what>: <why> (<what to do>)`` and exits with their code.
- ``--json`` output is one JSON document on stdout, keys documented in
  docs/commands.md; keys may be added later, never renamed or removed.
- Colour only on a terminal, never when ``NO_COLOR`` is set to anything
  non-empty (https://no-color.org) or ``TERM=dumb``.
"""

from __future__ import annotations

import json
import os
import sys

import click

from .. import settings as settings_mod
from ..errors import EXIT_USAGE, GoswitchError
from ..masking import redact, redact_value
from ..shells import printable
from ..tomlread import TomlError


def color_enabled(stream=None, environ=None) -> bool:
    environ = os.environ if environ is None else environ
    stream = sys.stdout if stream is None else stream
    if environ.get("NO_COLOR", "") != "":
        return False
    if environ.get("TERM", "") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def style(text: str, stream=None, **styles) -> str:
    """``click.style`` when colour is allowed on ``stream``, else the plain text."""
    if not color_enabled(stream):
        return text
    return click.style(text, **styles)


def data(text: str = "", nl: bool = True) -> None:
    """Data for scripts: stdout, byte for byte (colour only where :func:`style` added it).

    Written as bytes: a path that is not UTF-8 (kept with surrogateescape)
    comes out as the bytes it was, whatever the locale says stdout is.
    """
    raw = text.encode("utf-8", "surrogateescape")
    if _interactive(sys.stdout):
        click.echo(raw, nl=nl, color=True)
        return
    # Into a pipe or a file: kept, and written in one go when the command ends
    # (flush_data), so a reader that leaves early (`goswitch list-remote | head -1`
    # under pipefail) never meets a half-written output.  click.echo flushes each line,
    # and PYTHONUNBUFFERED would too.
    _pending.extend(raw + (b"\n" if nl else b""))
    if len(_pending) > _PENDING_MAX:
        flush_data()


_pending = bytearray()
_PENDING_MAX = 1 << 20


def flush_data() -> None:
    """Write what :func:`data` kept; OSError (a closed pipe, a full disk) to the caller."""
    if not _pending:
        return
    chunk = bytes(_pending)
    _pending.clear()
    sys.stdout.flush()  # anything written through the text layer goes first
    sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()


def _interactive(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def note(text: str) -> None:
    """A message for the human at the terminal; stderr."""
    click.echo(f"goswitch: {printable(text)}", err=True, color=False)


def hint(text: str) -> None:
    """Advice (what to run next); stderr, yellow on a terminal."""
    prefix = style("goswitch:", sys.stderr, fg="yellow", bold=True)
    click.echo(f"{prefix} {printable(text)}", err=True, color=color_enabled(sys.stderr))


def emit_json(obj) -> None:
    """One JSON document on stdout (ASCII-safe, stable key order as given)."""
    data(json.dumps(obj, indent=2, ensure_ascii=True))


def load_settings(environ=None, strict: bool = True):
    """Settings for a command; a bad config file or variable becomes a GoswitchError."""
    environ = os.environ if environ is None else environ
    try:
        settings = settings_mod.load(environ, strict=strict)
    except TomlError as exc:
        raise GoswitchError(
            exc.path + (f":{exc.line}" if exc.line else ""),
            f"invalid TOML: {exc.why}",
            "fix the file, or see `goswitch config list`",
        ) from None
    except settings_mod.SettingError as exc:
        fix = (
            f"fix or unset {exc.where}"
            if exc.where.startswith("GOSWITCH_")
            else f"run `goswitch config set {exc.key} VALUE` or `goswitch config unset {exc.key}`"
        )
        what = exc.where if exc.key == exc.where else f"{exc.where}: {exc.key}"
        raise GoswitchError(what, f"{redact_value(exc.value)!r}: {exc.why}", fix) from None
    if strict:  # non-strict callers (config list) show settings.errors themselves
        for problem in settings.errors:  # type: ignore[attr-defined]
            note(redact(problem))
    return settings


def usage_error(what: str, why: str, fix: str | None = None) -> GoswitchError:
    return GoswitchError(what, why, fix, exit_code=EXIT_USAGE)


def untrusted_hint(env_file: str | None) -> None:
    """The one hint for a goswitch.toml whose [env] is not (or no longer) trusted."""
    if env_file:
        hint(
            f"{env_file}: [env] is not trusted, its variables are not applied; "
            f"the version still is (review it, then run `goswitch trust {_shell_word(env_file)}`)"
        )


def _shell_word(path: str) -> str:
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+,:@%")
    if path and all(c in safe for c in path):
        return path
    return "'" + path.replace("'", "'\\''") + "'"


def cwd(writing: bool = False) -> str:
    """The working directory; deleted under us, the shell's $PWD (as the hook sees it:
    the pins of the directories above it still count), else a clear error.

    ``writing``: the command writes a file here, so a directory deleted under us is an
    error (writing to $PWD would create it again, a tree the user removed).
    """
    try:
        return os.getcwd()
    except OSError as exc:
        pwd = os.environ.get("PWD", "")
        if pwd.startswith("/") and not writing:
            return pwd
        if isinstance(exc, FileNotFoundError):
            raise GoswitchError(
                f"current directory {pwd}" if pwd.startswith("/") else "current directory",
                "it no longer exists (it was deleted while this shell was in it)",
                "cd to an existing directory and run this again; `cd \"$PWD\"` enters it "
                "if it was made again",
            ) from None
        raise GoswitchError(
            "current directory", f"cannot be read: {exc.strerror}", "cd to an existing directory"
        ) from None


def from_os_error(exc: OSError) -> GoswitchError:
    """A file-system failure nothing else explained, as one line naming the file and the fix.

    Which setting points at the file is named too, so that a read-only or full
    ``$GOSWITCH_HOME`` says how to move it rather than only that it failed.
    """
    import errno

    from .. import paths

    name = exc.filename
    why = (exc.strerror or str(exc)).lower()
    if name is None:
        return GoswitchError("cannot write the output", why)
    name = name if isinstance(name, str) else name.decode("utf-8", "surrogateescape")
    setting = ""
    for var, where in (
        ("GOSWITCH_CONFIG", paths.config_file()),
        ("GOSWITCH_CACHE_DIR", paths.cache_dir()),
        ("GOSWITCH_HOME", paths.home()),
    ):
        if name == where or _inside(name, where) or _inside(where, name):
            setting = f", or set {var} to a place you can write"
            break
    blocker = _not_a_directory(name) if exc.errno == errno.ENOTDIR else None
    if exc.errno == errno.EEXIST and os.path.lexists(name) and not os.path.isdir(name):
        if os.path.islink(name):  # makedirs() through a link to nothing
            return GoswitchError(name, f"a symlink to {os.readlink(name)}, which does not "
                                 "exist", "create that directory, or remove the link")
        blocker = name  # makedirs() where a file is
    if blocker:  # "x/y/file: not a directory" named the wrong thing: y is a file
        return GoswitchError(blocker, "a file where goswitch needs a directory",
                             f"move that file away{setting}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        fix = f"check the permissions of it and the directories above it{setting}"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = f"free some space on that file system{setting}"
    elif exc.errno == errno.EROFS:
        fix = f"that file system is mounted read-only{setting}"
    else:
        fix = setting[2:] or None
    return GoswitchError(name, why, fix)


def _not_a_directory(path: str) -> str | None:
    """The nearest existing ancestor of ``path`` that is not a directory, if any."""
    parent = os.path.dirname(path)
    while parent and parent != "/":
        if os.path.lexists(parent):
            return None if os.path.isdir(parent) else parent
        parent = os.path.dirname(parent)
    return None


def _inside(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip("/") + "/")
