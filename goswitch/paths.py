"""Where goswitch keeps things, computed without platformdirs.

The hook imports this under ``python -I -S`` where platformdirs is too slow to
import, so the platformdirs rules for Linux and macOS are restated here;
``tests/unit/test_paths.py`` checks they agree with platformdirs.
"""

from __future__ import annotations

import posix
import sys

from . import fs

APP = "goswitch"


def _env(environ):
    return fs.environ() if environ is None else environ


def _home_dir(environ) -> str:
    return environ.get("HOME") or fs.expanduser("~")


def _user_dir(environ, xdg_var: str, xdg_default: str, mac: str) -> str:
    environ = _env(environ)
    if sys.platform == "darwin":
        return fs.join(_home_dir(environ), "Library", mac, APP)
    value = environ.get(xdg_var, "")
    # The XDG spec: a relative value is invalid and ignored (as the systemd writer and
    # systemd itself do); platformdirs ignores empty and blank values.
    if not value.strip() or not value.startswith("/"):
        value = fs.expanduser(xdg_default, environ)
    return fs.join(value, APP)


def user_data_dir(environ=None) -> str:
    return _user_dir(environ, "XDG_DATA_HOME", "~/.local/share", "Application Support")


def user_config_dir(environ=None) -> str:
    return _user_dir(environ, "XDG_CONFIG_HOME", "~/.config", "Application Support")


def user_cache_dir(environ=None) -> str:
    return _user_dir(environ, "XDG_CACHE_HOME", "~/.cache", "Caches")


# The variables naming where goswitch keeps things; each must be absolute.
LOCATION_VARS = ("GOSWITCH_HOME", "GOSWITCH_CONFIG", "GOSWITCH_CACHE_DIR")


def location(environ, name: str) -> str:
    """``$name`` with ``~/`` expanded, or "" when unset or relative.

    A relative value would mean a different place after every ``cd``; it is
    ignored here (the default applies) and reported by settings.load.
    """
    value = fs.expanduser(environ.get(name, ""), environ)
    return value if value.startswith(fs.sep) else ""


def home(environ=None) -> str:
    """Root of goswitch's own data (``$GOSWITCH_HOME``)."""
    environ = _env(environ)
    return location(environ, "GOSWITCH_HOME") or user_data_dir(environ)


def locks_dir(environ=None) -> str:
    """Per-version install/uninstall locks (beside the versions they guard)."""
    return fs.join(home(environ), "locks")


def versions_dir(environ=None) -> str:
    return fs.join(home(environ), "versions")


def config_file(environ=None) -> str:
    environ = _env(environ)
    return location(environ, "GOSWITCH_CONFIG") or fs.join(
        user_config_dir(environ), "config.toml"
    )


def cache_dir(environ=None) -> str:
    environ = _env(environ)
    return location(environ, "GOSWITCH_CACHE_DIR") or user_cache_dir(environ)


def trust_file(environ=None) -> str:
    return fs.join(home(environ), "trust.txt")


def usage_dir(environ=None) -> str:
    """One empty marker file per version; its mtime is the last day it was used."""
    return fs.join(home(environ), "used")


def runtime_dir(environ=None) -> str:
    """Per-login scratch space for hook stamps; falls back to the cache.

    Only a runtime directory we may write counts: after `su` (not `su -`) it is still
    the other user's, and a stamp that cannot be written runs the hook at every prompt.
    """
    run = _env(environ).get("XDG_RUNTIME_DIR", "")
    if run.strip() and fs.isdir(run) and posix.access(run, posix.W_OK | posix.X_OK):
        return fs.join(run, APP)
    return fs.join(cache_dir(environ), "run")


def default_gobin(environ=None) -> str:
    """Where ``go install`` writes, worked out without running go.

    ``$GOBIN``, else the first ``$GOPATH`` entry's ``bin``, else ``~/go/bin``
    (Go's own default GOPATH is ``$HOME/go``).
    """
    environ = _env(environ)
    gobin = environ.get("GOBIN", "")
    if gobin:
        return gobin
    gopath = environ.get("GOPATH", "")
    first = gopath.split(fs.pathsep)[0] if gopath else ""
    if first:
        return fs.join(first, "bin")
    home = environ.get("HOME", "")
    if not home.startswith(fs.sep):
        return ""  # as go itself: no HOME, no default GOPATH (not /go/bin, someone else's)
    return fs.join(home, "go", "bin")
