"""Read TOML fast on the hook path, exactly via tomllib when in doubt.

Importing ``tomllib`` costs about twice the whole budget of a hook run, yet
the files goswitch reads at every ``cd`` (``goswitch.toml``, the user config)
are almost always flat: ``[table]`` headers and ``key = "value"`` lines.  So
this module parses that plain subset by hand and hands anything it does not
fully understand (escapes, multi-line values, inline tables, dotted keys,
dates, floats ...) to the real parser.  It never guesses: either the line is
in the subset, or the whole file goes to tomllib/tomli.
"""

from __future__ import annotations


class TomlError(ValueError):
    def __init__(self, path: str, line: int, why: str):
        super().__init__(f"{path}:{line}: {why}" if line else f"{path}: {why}")
        self.path, self.line, self.why = path, line, why


class _NotSimple(Exception):
    """The text leaves the subset; use the full parser."""


_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _bare_key(text: str) -> str:
    key = text.strip()
    if not key or not all(c in _BARE for c in key):
        raise _NotSimple
    return key


def _scalar(text: str):
    """A value in the subset: "str" without escapes, 'literal', bool, int, [..] of those."""
    t = text.strip()
    if not t:
        raise _NotSimple
    c = t[0]
    if c == '"' or c == "'":
        if len(t) < 2 or t[-1] != c or t.startswith(c * 3):
            raise _NotSimple
        body = t[1:-1]
        if c in body or (c == '"' and "\\" in body):
            raise _NotSimple
        for ch in body:  # control characters are errors in TOML; let tomllib say so
            if ch < " " and ch != "\t" or ch == "\x7f":
                raise _NotSimple
        return body
    if t == "true":
        return True
    if t == "false":
        return False
    if c == "[":
        if t[-1] != "]":
            raise _NotSimple
        inner = t[1:-1].strip()
        if not inner:
            return []
        if inner.endswith(","):
            inner = inner[:-1]
        items = []
        for part in inner.split(","):
            if part.lstrip().startswith("["):  # nested: tomllib's (and no recursion here)
                raise _NotSimple
            items.append(_scalar(part))
        return items
    digits = t[1:] if c in "+-" else t
    if digits.isascii() and digits.isdigit() and (digits == "0" or digits[0] != "0"):
        return int(t)
    raise _NotSimple


def _strip_comment(line: str) -> str:
    # Only safe when no quote precedes the '#'; otherwise leave the subset.
    hash_at = line.find("#")
    if hash_at == -1:
        return line
    before = line[:hash_at]
    if '"' in before or "'" in before:
        # A '#' after a closed string is a comment: "x" # note
        quote = before.lstrip().split("=", 1)[-1].strip()[:1]
        if quote and before.count(quote) == 2:
            return before
        raise _NotSimple
    return before


def _parse_simple(text: str) -> dict:
    root: dict = {}
    table = root
    seen_tables = set()
    for raw in text.split("\n"):
        line = _strip_comment(raw.rstrip("\r")).strip()
        if not line:
            continue
        if line[0] == "[":
            if line.startswith("[[") or line[-1] != "]":
                raise _NotSimple
            name = _bare_key(line[1:-1])
            if name in seen_tables or name in root:
                raise _NotSimple  # let tomllib report the duplicate
            seen_tables.add(name)
            table = root[name] = {}
            continue
        key, eq, value = line.partition("=")
        if not eq:
            raise _NotSimple
        key = _bare_key(key)
        if key in table:
            raise _NotSimple
        table[key] = _scalar(value)
    return root


def _full_parser():
    try:
        import tomllib  # Python >= 3.11
    except ImportError:  # pragma: no cover - exercised on 3.9/3.10 in CI
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib


def loads(text: str, path: str = "<string>") -> dict:
    """Parse TOML text; raises :class:`TomlError` naming ``path`` and the line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return _parse_simple(text)
    except _NotSimple:
        pass
    tomllib = _full_parser()
    try:
        return tomllib.loads(text)
    except RecursionError:
        # tomllib and tomli recurse once per nested array or inline table: a value nested a
        # few hundred deep (`x = [[[[...`) exhausts Python's stack.  No real file does that.
        raise TomlError(path, _deepest_line(text), "nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        line = 0
        marker = "(at line "
        at = msg.find(marker)
        if at != -1:
            num = msg[at + len(marker) :].split(",", 1)[0].rstrip(")")
            if num.isdigit():
                line = int(num)
            msg = msg[:at].strip()
        raise TomlError(path, line, msg) from None


def _deepest_line(text: str) -> int:
    """The line where arrays and inline tables are nested deepest (for the message; quotes
    are not followed, which is good enough for a file that nests thousands deep)."""
    depth = deepest = where = 0
    for num, line in enumerate(text.split("\n"), 1):
        for c in line:
            if c in "[{":
                depth += 1
                if depth > deepest:
                    deepest, where = depth, num
            elif c in "]}":
                depth -= 1
    return where


def load_file(path: str) -> dict | None:
    """Parse a TOML file; None when it does not exist."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TomlError(path, 0, "not UTF-8 text") from None
    return loads(text, path)
