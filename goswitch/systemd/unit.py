"""The optional ``goswitch-env.service`` user unit.

A oneshot that runs ``goswitch systemd refresh`` at login (``WantedBy=`` under
``[Install]``, where systemd reads it; under ``[Unit]`` it is ignored with a
warning).  Unit files have their own quoting: ``%`` starts a specifier
(``%%`` is a literal one), and double-quoted words take C escapes.
"""

from __future__ import annotations

import os
import sys

from ..errors import GoswitchError
from ..selfcommand import absolute_pythonpath
from . import owned

# Variables that change where goswitch looks; the login session may not have
# them, so the unit carries the values the enabling shell had.
CARRIED = (
    "GOSWITCH_HOME",
    "GOSWITCH_CONFIG",
    "GOSWITCH_STORES",
    "GOSWITCH_CACHE_DIR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    # Where a `pip install --target` goswitch (and its dependencies) is found; only its
    # absolute entries (an empty or relative one means the unit's working directory).
    "PYTHONPATH",
)

HEADER = [
    "# Written by goswitch (`goswitch systemd enable --unit`), which owns this file.",
    "# At login it runs `goswitch systemd refresh`: if the Go your session should get",
    "# has changed, the environment.d file (60-goswitch.conf) is rewritten and the",
    "# running session is told.  Undo: `goswitch systemd disable`.",
]


def _unit_word(text: str, what: str) -> str:
    for ch in text:
        if ord(ch) < 32 or ord(ch) == 127:
            raise GoswitchError(what, f"{text!r} contains a control character", "move it")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    if escaped != text or any(c in text for c in " \t'\";"):
        return f'"{escaped}"'
    return text


def goswitch_command(environ) -> list[str]:
    """An absolute command line that runs this goswitch: its script when it was started
    so, else its interpreter with -m -- never the first `goswitch` on PATH, which may be
    another installation or a project's ./goswitch (with `.` on PATH)."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) == "goswitch" and os.access(argv0, os.X_OK):
        return [os.path.abspath(argv0)]
    return [os.path.abspath(sys.executable), "-m", "goswitch"]


def check_executable(exe: str) -> None:
    """systemd refuses to start an ExecStart= program whose path holds any of these, quoted
    or not ("Executable name contains special characters"): say so before writing anything."""
    bad = [c for c in "$\"'\\" if c in exe]
    if bad:
        raise GoswitchError(
            f"ExecStart={exe}",
            f"systemd cannot run a program whose path contains {' or '.join(map(repr, bad))}",
            "install goswitch in a directory without them, or leave out --unit",
        )


def render(command: list[str], environ, made_dirs: list[str] | None = None) -> str:
    check_executable(command[0])
    words = [_unit_word(w, "goswitch's path") for w in [*command, "systemd", "refresh"]]
    lines = [
        "[Unit]",
        "Description=Keep goswitch's Go environment for the user session up to date",
        "Documentation=man:environment.d(5)",
        "",
        "[Service]",
        "Type=oneshot",
        # Not the home directory (a user unit's default): `python -m goswitch` would
        # import a ~/goswitch/ or ~/click.py before goswitch's own.
        "WorkingDirectory=/",
        "ExecStart=" + " ".join(words),
    ]
    for name in CARRIED:
        value = environ.get(name, "")
        if name == "PYTHONPATH":
            value = absolute_pythonpath(value)
        if value.strip():
            lines.append("Environment=" + _unit_word(f"{name}={value}", name))
    lines += ["", "[Install]", "WantedBy=default.target", ""]
    body = "\n".join(lines)
    meta = {"v": 1, "command": command, "made_dirs": made_dirs or []}
    return owned.stamp(HEADER, meta, body)
