"""What decides a Go binary's resolver besides the files: GODEBUG=netdns, and whether
`go build` here links cgo at all (cmd/go's CGO_ENABLED default and the C compiler)."""

from __future__ import annotations

import os
import shlex

from .goenv import GoSettings, gos_on_path
from .resolvconf import int_option


def godebug_netdns(environ) -> tuple[str | None, str | None, int]:
    """(raw value, mode "go"/"cgo"/other/None, debug level) from GODEBUG=netdns=..."""
    raw = None
    for item in environ.get("GODEBUG", "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "netdns":
            raw = value  # later settings override earlier ones
    if raw is None:
        return None, None, 0
    mode, level = None, 0
    for part in raw.split("+"):
        if part and part[0] in "0123456789":  # Go: an ASCII digit, not any Unicode one
            level = int_option(part)
        elif part:
            mode = part
    return raw, mode, level


DEFAULT_CC = "gcc"  # cmd/go's DefaultCC on Linux (zdefaultcc.go of go.dev builds)


def _go_settings(ctx):
    """CGO_ENABLED and CC as the go command finds them: the environment, the `go env -w`
    file, then $GOROOT/go.env of the go on PATH (no process started)."""
    goroot = ctx.environ.get("GOROOT") or None
    if goroot is None:
        found = gos_on_path(ctx.environ, ctx.cwd)
        bindir = os.path.dirname(os.path.realpath(found[0])) if found else ""
        goroot = os.path.dirname(bindir) if os.path.basename(bindir) == "bin" else None
    return GoSettings(ctx.environ, goroot)


def _compiler_word(cc: str) -> str:
    """The program of a CC value (`gcc -m64`, quoted paths), as cmd/go splits it."""
    try:
        words = shlex.split(cc)
    except ValueError:
        words = cc.split()
    return words[0] if words else ""


def _find_compiler(ctx, word: str) -> bool:
    """exec.LookPath: a name with a slash is checked as a path (from the build's
    directory), any other is searched on PATH."""
    if "/" in word:
        path = os.path.join(ctx.cwd, word)
        return os.path.isfile(path) and os.access(path, os.X_OK)
    return bool(word) and ctx.commands.which(word) is not None


def cgo_default(ctx) -> tuple[bool, str, tuple[str, str] | None]:
    """Would `go build` here link with cgo, why, and what breaks it: (on, reason,
    (the CC setting, the missing compiler) or None).

    cmd/go (Go 1.20 and later, cmd/go/internal/cfg): CGO_ENABLED=0/1 from the
    environment, the `go env -w` file or $GOROOT/go.env decides.  Unset, cgo is on
    when CC is set in the process environment (os.Getenv: the go env file does not
    count here), found or not; otherwise only when the default compiler, gcc, is on
    PATH (clang alone leaves it off).  With cgo on, builds run CC from any of the
    three places, else gcc; if that is missing, every build of a package that needs
    runtime/cgo (anything importing net or os/user) fails.
    """
    settings = _go_settings(ctx)
    value, source = settings.get("CGO_ENABLED")
    cc, cc_source = settings.get("CC")
    where = "" if source == "environment" else f" in {source}"
    if value in ("0", "1"):
        on, why = value == "1", f"CGO_ENABLED={value}{where}"
    elif ctx.environ.get("CC"):
        on, why = True, f"CGO_ENABLED unset, CC={ctx.environ['CC']} set"
    elif _find_compiler(ctx, DEFAULT_CC):
        on, why = True, f"CGO_ENABLED unset, C compiler {DEFAULT_CC} found"
    else:
        on, why = False, f"CGO_ENABLED unset, no C compiler ({DEFAULT_CC}) on PATH"
    if not on:
        return on, why, None
    word = _compiler_word(cc) if cc else DEFAULT_CC
    if _find_compiler(ctx, word):
        return on, why, None
    named = f"CC={cc}" + ("" if cc_source == "environment" else f" in {cc_source}") \
        if cc else f"the default C compiler {DEFAULT_CC}"
    return on, why, (named, word)
