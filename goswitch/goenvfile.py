"""Go's own settings files, read exactly as the go command reads them: the `go env -w`
file (``$GOENV``, else os.UserConfigDir()/go/env) and ``$GOROOT/go.env``.

For the CLI side (doctor, the systemd writer); the shell hook reads neither.
"""

from __future__ import annotations

import os
import sys

from . import fs

MAX_ENV_FILE = 1 << 20  # go env -w writes a few lines; a bigger file is read this far


def home(environ) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def read_text(path: str, limit: int) -> str | None:
    """The text of a regular file (never a named pipe or a device), None if unreadable."""
    try:
        return fs.read_regular(path, limit).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def user_go_env_file(environ) -> str | None:
    """Where `go env -w` writes (os.UserConfigDir()/go/env), or None with GOENV=off."""
    value = environ.get("GOENV", "")
    if value == "off":
        return None
    if value:
        return value
    if sys.platform == "darwin":
        base = os.path.join(home(environ), "Library", "Application Support")
    else:
        base = environ.get("XDG_CONFIG_HOME") or os.path.join(home(environ), ".config")
    return os.path.join(base, "go", "env")


def read_env_file(path: str | None) -> dict[str, str]:
    """A `go env -w` file or go.env, read exactly as go reads it (cmd/go/internal/cfg):
    lines split at \n only, a line counts only when it starts with A-Z and holds "=",
    and nothing is trimmed -- ` GOFLAGS=-x` is ignored and `GOTOOLCHAIN=local\r` is
    the value "local\r", as go sees them."""
    values: dict[str, str] = {}
    text = read_text(path, MAX_ENV_FILE) if path else None
    for line in (text or "").split("\n"):
        key, sep, value = line.partition("=")
        if sep and "A" <= line[0] <= "Z":
            values[key] = value
    return values
