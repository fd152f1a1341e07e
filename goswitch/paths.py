"""Where goswitch keeps things, computed without platformdirs.

The hook imports this under ``python -I -S`` where platformdirs is too slow to
import, so the platformdirs rules for Linux and macOS are restated here;
``tests/unit/test_paths.py`` checks they agree with platformdirs.
"""

from __future__ import annotations

import os
import sys

APP = "goswitch"


def _xdg(environ, var: str, fallback: str) -> str:
    value = environ.get(var, "")
    if not value.strip():  # platformdirs ignores empty and blank values
        value = os.path.expanduser(fallback)
    return os.path.join(value, APP)


def _home_dir(environ) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def user_data_dir(environ=os.environ) -> str:
    if sys.platform == "darwin":
        return os.path.join(_home_dir(environ), "Library", "Application Support", APP)
    return _xdg(environ, "XDG_DATA_HOME", "~/.local/share")


def user_config_dir(environ=os.environ) -> str:
    if sys.platform == "darwin":
        return os.path.join(_home_dir(environ), "Library", "Application Support", APP)
    return _xdg(environ, "XDG_CONFIG_HOME", "~/.config")


def user_cache_dir(environ=os.environ) -> str:
    if sys.platform == "darwin":
        return os.path.join(_home_dir(environ), "Library", "Caches", APP)
    return _xdg(environ, "XDG_CACHE_HOME", "~/.cache")


def home(environ=os.environ) -> str:
    """Root of goswitch's own data (``$GOSWITCH_HOME``)."""
    return environ.get("GOSWITCH_HOME") or user_data_dir(environ)


def versions_dir(environ=os.environ) -> str:
    return os.path.join(home(environ), "versions")


def config_file(environ=os.environ) -> str:
    return environ.get("GOSWITCH_CONFIG") or os.path.join(user_config_dir(environ), "config.toml")


def cache_dir(environ=os.environ) -> str:
    return environ.get("GOSWITCH_CACHE_DIR") or user_cache_dir(environ)


def trust_file(environ=os.environ) -> str:
    return os.path.join(home(environ), "trust.txt")


def usage_dir(environ=os.environ) -> str:
    """One empty marker file per version; its mtime is the last day it was used."""
    return os.path.join(home(environ), "used")


def runtime_dir(environ=os.environ) -> str:
    """Per-login scratch space for hook stamps; falls back to the cache."""
    run = environ.get("XDG_RUNTIME_DIR", "")
    if run.strip() and os.path.isdir(run):
        return os.path.join(run, APP)
    return os.path.join(cache_dir(environ), "run")


def default_gobin(environ=os.environ) -> str:
    """Where ``go install`` writes, worked out without running go.

    ``$GOBIN``, else the first ``$GOPATH`` entry's ``bin``, else ``~/go/bin``
    (Go's own default GOPATH is ``$HOME/go``).
    """
    gobin = environ.get("GOBIN", "")
    if gobin:
        return gobin
    gopath = environ.get("GOPATH", "")
    first = gopath.split(os.pathsep)[0] if gopath else ""
    if first:
        return os.path.join(first, "bin")
    return os.path.join(_home_dir(environ), "go", "bin")
