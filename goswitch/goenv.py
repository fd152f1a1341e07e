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


def gobin_for(settings, environ, extra: dict | None = None) -> str:
    """The directory ``go install`` writes to, shared by every Go version; "" if none.

    Worked out from what the shell ends up with: the environment, then the
    settings (gopath, gobin), then a trusted ``[env]`` (``extra``) setting
    GOBIN or GOPATH.  A relative result is no directory at all (go refuses
    it), so nothing goes on PATH for it.
    """
    view = {name: environ.get(name, "") for name in ("GOBIN", "GOPATH", "HOME")}
    if settings.gopath:
        view["GOPATH"] = fs.expanduser(settings.gopath, environ)
    if settings.gobin:
        view["GOBIN"] = fs.expanduser(settings.gobin, environ)
    for name in ("GOBIN", "GOPATH"):
        if extra and name in extra:
            view[name] = extra[name]
    return _absolute_gobin(view)


def shell_gobin(environ) -> str:
    """Where ``go install`` writes as the environment's own $GOBIN or $GOPATH say, without
    goswitch's settings; "" when neither is set (Go's default then, ~/go/bin)."""
    if not (environ.get("GOBIN") or environ.get("GOPATH")):
        return ""
    return _absolute_gobin({name: environ.get(name, "") for name in ("GOBIN", "GOPATH", "HOME")})


def _absolute_gobin(view: dict) -> str:
    gobin = paths.default_gobin(view)
    if len(gobin) > 1:
        gobin = gobin.rstrip(fs.sep)  # GOROOT/bin/ is GOROOT/bin: one PATH entry
    return gobin if gobin.startswith(fs.sep) else ""


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
    gobin = gobin_for(settings, environ, extra)
    if gobin and gobin != goroot_bin:
        env.path.append(gobin)
    for name, value in (extra or {}).items():
        env.set[name] = value
    return env
