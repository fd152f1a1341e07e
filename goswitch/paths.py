"""Where goswitch keeps things, computed without platformdirs.

The hook imports this under ``python -I -S`` where platformdirs is too slow to
import, so the platformdirs rules for Linux and macOS are restated here;
``tests/unit/test_paths.py`` checks they agree with platformdirs.
"""

from __future__ import annotations

import sys

from . import fs

APP = "goswitch"


def _xdg(environ, var: str, fallback: str) -> str:
    value = environ.get(var, "")
    if not value.strip():  # platformdirs ignores empty and blank values
        value = fs.expanduser(fallback, environ)
    return fs.join(value, APP)


def _home_dir(environ) -> str:
    return environ.get("HOME") or fs.expanduser("~")


def user_data_dir(environ=None) -> str:
    environ = fs.environ() if environ is None else environ
    if sys.platform == "darwin":
        return fs.join(_home_dir(environ), "Library", "Application Support", APP)
    return _xdg(environ, "XDG_DATA_HOME", "~/.local/share")


def user_config_dir(environ=None) -> str:
    environ = fs.environ() if environ is None else environ
    if sys.platform == "darwin":
        return fs.join(_home_dir(environ), "Library", "Application Support", APP)
    return _xdg(environ, "XDG_CONFIG_HOME", "~/.config")


def user_cache_dir(environ=None) -> str:
    environ = fs.environ() if environ is None else environ
    if sys.platform == "darwin":
        return fs.join(_home_dir(environ), "Library", "Caches", APP)
    return _xdg(environ, "XDG_CACHE_HOME", "~/.cache")


def home(environ=None) -> str:
    """Root of goswitch's own data (``$GOSWITCH_HOME``)."""
    environ = fs.environ() if environ is None else environ
    return environ.get("GOSWITCH_HOME") or user_data_dir(environ)


def versions_dir(environ=None) -> str:
    environ = fs.environ() if environ is None else environ
    return fs.join(home(environ), "versions")


def config_file(environ=None) -> str:
    environ = fs.environ() if environ is None else environ
    return environ.get("GOSWITCH_CONFIG") or fs.join(user_config_dir(environ), "config.toml")


def cache_dir(environ=None) -> str:
    environ = fs.environ() if environ is None else environ
    return environ.get("GOSWITCH_CACHE_DIR") or user_cache_dir(environ)


def trust_file(environ=None) -> str:
    environ = fs.environ() if environ is None else environ
    return fs.join(home(environ), "trust.txt")


def usage_dir(environ=None) -> str:
    """One empty marker file per version; its mtime is the last day it was used."""
    environ = fs.environ() if environ is None else environ
    return fs.join(home(environ), "used")


def runtime_dir(environ=None) -> str:
    """Per-login scratch space for hook stamps; falls back to the cache."""
    environ = fs.environ() if environ is None else environ
    run = environ.get("XDG_RUNTIME_DIR", "")
    if run.strip() and fs.isdir(run):
        return fs.join(run, APP)
    return fs.join(cache_dir(environ), "run")


def default_gobin(environ=None) -> str:
    """Where ``go install`` writes, worked out without running go.

    ``$GOBIN``, else the first ``$GOPATH`` entry's ``bin``, else ``~/go/bin``
    (Go's own default GOPATH is ``$HOME/go``).
    """
    environ = fs.environ() if environ is None else environ
    gobin = environ.get("GOBIN", "")
    if gobin:
        return gobin
    gopath = environ.get("GOPATH", "")
    first = gopath.split(fs.pathsep)[0] if gopath else ""
    if first:
        return fs.join(first, "bin")
    return fs.join(_home_dir(environ), "go", "bin")
