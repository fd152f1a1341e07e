"""Persist a Go environment for the systemd user session (environment.d).

``goswitch systemd enable`` writes ``$XDG_CONFIG_HOME/environment.d/60-goswitch.conf``
(GOROOT, GOTOOLCHAIN, PATH through ``${PATH}``) so programs started by the
user manager -- IDEs launched from the desktop, user services, timers -- get
Go too; see ``docs/systemd.md``.  Modules:

- :mod:`.envfile`: environment.d syntax (quoting as systemd's parser reads it)
- :mod:`.owned`: atomic writes and the stamp that detects user edits
- :mod:`.locations`: the directories systemd reads, by systemd's rules
- :mod:`.generator`: running systemd's real environment.d generator
- :mod:`.manager`: ``systemctl --user`` (when a user manager answers)
- :mod:`.unit`: the optional ``goswitch-env.service``
- :mod:`.writer`: enable / disable / refresh;  :mod:`.status`: status

Other commands use the two functions below.
"""

from __future__ import annotations

import os

from ..errors import GoswitchError
from ..versions import GoVersion, try_parse_version
from . import locations, owned

__all__ = ["FILE_SETTINGS", "refresh_if_enabled", "version_in_use", "env_file_path"]


def env_file_path(environ=os.environ) -> str:
    """Where the environment.d file lives (whether or not it exists)."""
    return locations.env_file(environ)


def version_in_use(environ=os.environ) -> GoVersion | None:
    """The Go version the environment.d file points at, or None when there is no file.

    ``goswitch uninstall`` refuses to remove this version without ``--force``:
    the next login would get a GOROOT that does not exist.  A file the user
    edited still counts (its recorded version, else its GOROOT's last part).
    """
    insp = owned.inspect(locations.env_file(environ))
    if not insp.exists:
        return None
    version = insp.meta.get("version")
    if isinstance(version, str):
        parsed = try_parse_version(version)
        if parsed is not None:
            return parsed
    goroot = insp.meta.get("goroot")
    if not isinstance(goroot, str):
        goroot = _goroot_line(insp.text or "")
    if goroot:
        return try_parse_version(os.path.basename(goroot.rstrip("/")))
    return None


def _goroot_line(text: str) -> str | None:
    for line in text.splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name.strip() == "GOROOT":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            return value
    return None


# Settings the environment.d file is made from, besides the systemd.* keys:
# changing one rewrites the file (when the integration is on).
FILE_SETTINGS = ("default_version", "gopath", "gobin", "stores")


def refresh_if_enabled(settings, environ=os.environ, key: str = "default_version") -> str | None:
    """After a setting the file is made from changed (``key``, the global default unless
    said): rewrite the file; a changed default only when the file follows it.

    Returns a message for the user, or None when the integration is off or
    the file already points at the right Go.
    Never raises for systemd trouble: the default has already been changed,
    so a problem here is reported, not fatal.  The config is read again, so
    ``settings`` loaded before the change is fine.
    """
    from .. import settings as settings_mod
    from .writer import refresh

    try:
        fresh = settings_mod.load(environ)
    except Exception:  # a broken config: fall back to what the caller had
        fresh = settings
    if not fresh.systemd_enabled:
        path = env_file_path(environ)
        if key == "systemd.enabled" and owned.inspect(path).exists:
            shown = locations.display(path, environ)
            return (f"systemd: {shown} stays and still applies at each login, no longer "
                    "updated; `goswitch systemd disable` removes it.")
        return None
    if key == "default_version" and fresh.systemd_version:
        return (
            f"systemd: the session keeps Go {fresh.systemd_version} (pinned by systemd.version; "
            "`goswitch systemd enable --version default` makes it follow the default)."
        )
    shown = locations.display(env_file_path(environ), environ)
    try:
        report = refresh(environ, settings=fresh)
    except GoswitchError as exc:
        # The error names the file itself most of the time: do not say it twice.
        said = exc.message.split(": ", 1)[1] if exc.what in (
            shown, env_file_path(environ)) else exc.message
        return f"systemd: {shown} not rewritten: {said}"
    except OSError as exc:
        return f"systemd: {shown} not rewritten: {exc}"
    if not report.data.get("changed"):
        return None  # already pointed at that version
    return "systemd: " + " ".join(report.lines)
