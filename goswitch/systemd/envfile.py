"""environment.d(5) syntax, written the way systemd's own parser reads it.

systemd reads these files in two steps (``src/basic/env-file.c``):

1. ``parse_env_file_internal`` splits ``KEY=VALUE`` lines.  Inside double
   quotes only ``\\`` is special: ``\\"``, ``\\\\``, ``\\$`` and ``\\```
   lose the backslash, any other ``\\x`` keeps it, and a backslash-newline
   is a line continuation.  Outside quotes whitespace is trimmed and ``#``
   starts a comment at the start of a line.
2. ``merge_env_file_push`` runs ``replace_env`` on the result with braceless
   (``$PATH``) and extended (``${PATH:+...}``) expansion.  ``$$`` is the one
   way to get a literal ``$`` (``\\$`` in quotes is gone after step 1).

So a literal value is written as ``"..."`` with ``\\`` → ``\\\\``, ``"`` →
``\\"`` and ``$`` → ``$$``.  Control characters (a newline would end the
assignment) and text that is not UTF-8 (systemd ignores such values) are
refused instead of being written, and so is an empty value: ``NAME=""``
is "invalid syntax" to the parser (no value was ever started).

The generator prints its result with ``shell_maybe_quote`` (double quotes,
``\\`` before ``"\\`$``, C escapes for control characters) and
``systemctl show-environment`` with POSIX ``$'...'`` quoting;
:func:`parse_assignments` reads both.
"""

from __future__ import annotations

from ..errors import GoswitchError

# The variables goswitch may write; nothing else is ever touched.
MANAGED = ("GOROOT", "GOTOOLCHAIN", "GOPATH", "GOBIN", "PATH")

# What the PATH line does with the session's PATH.  ``${PATH:+...}`` (not a
# bare ``:${PATH}``) so that an empty or unset PATH does not leave a trailing
# empty entry, which would put the current directory on PATH.
_PREPEND_TAIL = "${PATH:+:${PATH}}"
_APPEND_HEAD = "${PATH:+${PATH}:}"


class UnsafeValue(GoswitchError):
    """A value that environment.d cannot carry intact."""


def check_value(name: str, value: str, path_entry: bool = False) -> None:
    if value == "":
        # `NAME=""` leaves systemd's parser without a value: "invalid syntax, ignoring".
        raise UnsafeValue(f"{name}", "is empty, which environment.d cannot express", None)
    for ch in value:
        if ord(ch) < 32 or ord(ch) == 127:
            raise UnsafeValue(
                f"{name}={value!r}",
                "contains a control character (newline, tab, ...) that environment.d cannot hold",
                "use a directory name without control characters",
            )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeValue(
            f"{name}={value!r}",
            "is not valid UTF-8, and systemd ignores such values",
            "use a directory whose name is valid UTF-8",
        ) from None
    if path_entry and ":" in value:
        raise UnsafeValue(
            f"{name}={value!r}",
            "contains ':' and would split into two PATH entries",
            "use a directory without ':' in its name",
        )
    if path_entry and not value.startswith("/"):
        raise UnsafeValue(
            f"{name}={value!r}",
            "is not an absolute path",
            "use an absolute directory",
        )


def _inner(literal: str) -> str:
    out = []
    for ch in literal:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "$":
            out.append("$$")
        else:
            out.append(ch)
    return "".join(out)


def quote(literal: str) -> str:
    """The right-hand side that environment.d turns back into ``literal``."""
    return '"' + _inner(literal) + '"'


def path_value(entries: list[str], mode: str) -> str:
    """``PATH`` right-hand side: ``entries`` before (prepend) or after (append) ``${PATH}``."""
    joined = _inner(":".join(entries))
    if mode == "append":
        return '"' + _APPEND_HEAD + joined + '"'
    return '"' + joined + _PREPEND_TAIL + '"'


def compose_path(entries: list[str], base: str | None, mode: str) -> str:
    """What :func:`path_value` expands to for a session PATH ``base`` (for set-environment)."""
    joined = ":".join(entries)
    if not base:
        return joined
    return f"{base}:{joined}" if mode == "append" else f"{joined}:{base}"


_C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unescape(body: str) -> str:
    out: list[str] = []
    raw = bytearray()

    def flush() -> None:
        if raw:
            out.append(raw.decode("utf-8", "surrogateescape"))
            raw.clear()

    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "x" and _is_hex(body[i + 2 : i + 4]):
                raw.append(int(body[i + 2 : i + 4], 16))
                i += 4
                continue
            if nxt in "01234567" and _is_oct(body[i + 1 : i + 4]):
                raw.append(int(body[i + 1 : i + 4], 8) & 0xFF)
                i += 4
                continue
            flush()
            out.append(_C_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        flush()
        out.append(ch)
        i += 1
    flush()
    return "".join(out)


def _is_hex(text: str) -> bool:
    return len(text) == 2 and all(c in "0123456789abcdefABCDEF" for c in text)


def _is_oct(text: str) -> bool:
    return len(text) == 3 and all(c in "01234567" for c in text)


def parse_assignments(text: str) -> dict[str, str]:
    """Read ``NAME=value`` lines as printed by the generator or ``systemctl show-environment``."""
    result: dict[str, str] = {}
    for line in text.split("\n"):  # not splitlines(): U+2028 etc. may be inside a value
        name, sep, value = line.partition("=")
        if not sep or not name:
            continue
        if len(value) >= 3 and value.startswith("$'") and value.endswith("'"):
            value = _unescape(value[2:-1])
        elif len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            value = _unescape(value[1:-1])
        result[name] = value
    return result


def render_body(assignments: list[tuple[str, str]]) -> str:
    return "".join(f"{name}={rhs}\n" for name, rhs in assignments)
