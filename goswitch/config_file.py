"""Edit the user config file with tomlkit, so the user's comments and layout survive.

Reading for decisions goes through :mod:`goswitch.settings` (fast, stdlib);
this module is only for writes (``config set``, ``use --global``,
``systemd enable``).  Writes are atomic: temp file + rename.
"""

from __future__ import annotations

import os

import tomlkit

from .atomic import write_atomic
from .errors import EXIT_USAGE, GoswitchError
from .masking import redact_value
from .paths import config_file
from .settings import KEYS_BY_NAME, SettingError, coerce


def _load(path: str) -> tomlkit.TOMLDocument:
    try:
        with open(path, encoding="utf-8") as f:
            return tomlkit.parse(f.read())
    except FileNotFoundError:
        return tomlkit.document()
    except tomlkit.exceptions.ParseError as exc:
        raise GoswitchError(path, f"invalid TOML: {exc}", "fix the file by hand") from None


def _save(path: str, doc: tomlkit.TOMLDocument) -> None:
    write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))


def key_named(name: str):
    key = KEYS_BY_NAME.get(name)
    if key is None:
        raise GoswitchError(
            f"config key {name!r}",
            "unknown key",
            "see `goswitch config list` for the keys",
            exit_code=EXIT_USAGE,
        )
    return key


def set_value(name: str, value, environ=os.environ) -> object:
    """Validate and store ``name = value``; returns the stored (typed) value."""
    key = key_named(name)
    path = config_file(environ)
    try:
        typed = coerce(key, value, path)
    except SettingError as exc:
        raise GoswitchError(  # the offending item of a list, not the whole list
            f"config {name}", f"{redact_value(exc.value)!r}: {exc.why}", exit_code=EXIT_USAGE
        ) from None
    doc = _load(path)
    parts = name.split(".")
    table = doc
    for part in parts[:-1]:
        if part not in table:
            table[part] = tomlkit.table()
        table = table[part]
    if typed is None:
        table.pop(parts[-1], None)
    else:
        if key.kind == "choice" and typed in ("0", "1"):
            typed = typed == "1"
        table[parts[-1]] = typed
    _save(path, doc)
    return typed


def unset_value(name: str, environ=os.environ) -> bool:
    key_named(name)
    path = config_file(environ)
    if not os.path.exists(path):
        return False
    doc = _load(path)
    parts = name.split(".")
    table = doc
    for part in parts[:-1]:
        if part not in table:
            return False
        table = table[part]
    if parts[-1] not in table:
        return False
    del table[parts[-1]]
    _save(path, doc)
    return True
