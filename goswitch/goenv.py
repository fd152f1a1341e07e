"""The environment a Go tree needs: what to set and what to put on PATH.

Shared by the hook, ``goswitch env``/``exec`` and the systemd writer so all
three agree.  Stdlib only.
"""

from __future__ import annotations

from . import fs, paths


class GoEnv:
    """``set``: variables to export; ``path``: entries to put first on PATH, in order."""

    __slots__ = ("set", "path")

    def __init__(self):
        self.set: dict[str, str] = {}
        self.path: list[str] = []


def gobin_for(settings, environ) -> str:
    """The directory ``go install`` writes to, shared by every Go version."""
    if settings.gobin:
        return fs.expanduser(settings.gobin, environ)
    if settings.gopath and not environ.get("GOBIN"):
        first = fs.expanduser(settings.gopath, environ).split(fs.pathsep)[0]
        return fs.join(first, "bin")
    return paths.default_gobin(environ)


def go_environment(
    goroot: str, settings, environ, toolchain: str = "local", extra: dict | None = None
) -> GoEnv:
    env = GoEnv()
    env.set["GOROOT"] = goroot
    if toolchain in ("local", "auto"):
        env.set["GOTOOLCHAIN"] = toolchain
    if settings.gopath:
        env.set["GOPATH"] = fs.expanduser(settings.gopath, environ)
    if settings.gobin:
        env.set["GOBIN"] = fs.expanduser(settings.gobin, environ)
    goroot_bin = fs.join(goroot, "bin")
    env.path.append(goroot_bin)
    gobin = gobin_for(settings, environ)
    if gobin and gobin != goroot_bin:
        env.path.append(gobin)
    for name, value in (extra or {}).items():
        env.set[name] = value
    return env
