"""The Go environment: which go runs, from which tree, and whether it stays the pinned one.

This check reads the real files named by the environment (PATH, GOROOT, GOPATH,
go.mod), not the doctor's root prefix.  A Go tree's version comes from its
``VERSION`` file when it has one (no process started); otherwise ``go env
GOVERSION GOROOT`` is run with GOTOOLCHAIN=local, GOENV=off and GOWORK=off from
``/`` so that probing a go can never make it download or switch toolchains.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass

from ... import fs
from ...discovery import MAX_GO_MOD, go_directives
from ...versions import GoVersion, try_parse_version
from ..model import FAIL, NA, OK, WARN, Check, Finding

TOOLCHAIN_SWITCHING = GoVersion(1, 21, 0)  # GOTOOLCHAIN and go.mod toolchain lines exist since


@dataclass
class GoTree:
    """What one go binary is."""

    path: str  # as found
    real: str  # symlinks resolved
    tree: str | None  # its GOROOT, when recognisable
    raw: str | None  # "go1.21.6", "devel go1.23-abc ...", None when unknown
    version: GoVersion | None
    how: str  # "VERSION file" | "go env" | why it is unknown

    def describe(self) -> str:
        return f"{self.raw or 'unknown version'} at {self.path}"


def _version_of(raw: str | None) -> GoVersion | None:
    if not raw:
        return None
    word = raw.split()[0]  # "go1.22.0 X:rangefunc" carries experiments after a space
    if not word.startswith("go"):
        return None
    return try_parse_version(word.split("-", 1)[0])  # go1.21.6-custom suffixes


def _read_first_line(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.readline().strip() or None
    except OSError:
        return None


def _is_exe(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def probe_env(environ) -> dict:
    env = {k: v for k, v in environ.items() if k not in ("GOROOT", "GOFLAGS")}
    env.update(GOTOOLCHAIN="local", GOENV="off", GOWORK="off")
    return env


class GoProbe:
    """Identifies go binaries and trees, caching by real path."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._cache: dict[str, GoTree] = {}

    def binary(self, path: str) -> GoTree:
        real = os.path.realpath(path)
        if real in self._cache:
            return self._cache[real]
        bindir = os.path.dirname(real)
        tree = os.path.dirname(bindir) if os.path.basename(bindir) == "bin" else None
        raw = _read_first_line(os.path.join(tree, "VERSION")) if tree else None
        if raw and raw.startswith(("go", "devel")):
            result = GoTree(path, real, tree, raw, _version_of(raw), "VERSION file")
        else:
            # A wrapper, shim or source build: ask the binary itself.
            done = self.ctx.commands.run([real, "env", "GOVERSION", "GOROOT"], timeout=20,
                                         env=probe_env(self.ctx.environ), cwd="/")
            lines = [line.strip() for line in done.stdout.splitlines()]
            raw = lines[0] if lines else ""
            goroot = lines[1] if len(lines) > 1 else ""
            # A wrapper printing something else is not a Go, whatever its exit status.
            if done.returncode == 0 and raw.startswith(("go", "devel")) and (
                not goroot or (goroot.startswith("/") and os.path.isdir(goroot))
            ):
                result = GoTree(path, real, goroot or tree, raw, _version_of(raw), "go env")
            else:
                if done.returncode == 0:
                    err = f"printed {ascii(done.stdout[:60])}, not a Go version and GOROOT"
                else:
                    err = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
                    err = ascii(err)[1:-1]  # a terminal-safe, ASCII message
                result = GoTree(path, real, tree, None, None, f"`go env` failed: {err}")
        self._cache[real] = result
        return result

    def tree(self, goroot: str) -> GoTree | None:
        go = os.path.join(goroot, "bin", "go")
        if not _is_exe(go):
            return None
        found = self.binary(go)
        return GoTree(found.path, found.real, goroot, found.raw, found.version, found.how)


def _path_entries(environ) -> list[str]:
    # Unset PATH: the shell's and execvp's default, not "the current directory".
    return environ.get("PATH", os.defpath).split(os.pathsep)


def gos_on_path(environ, cwd: str) -> list[str]:
    """Every executable named go on PATH, in PATH order, as absolute paths.

    An empty entry means the current directory and a relative entry is taken
    from it, as the shell does: both against ``cwd`` (the directory examined),
    not the doctor's own working directory.
    """
    found = []
    for entry in _path_entries(environ):
        candidate = os.path.join(cwd, entry or ".", "go") if not os.path.isabs(entry) \
            else os.path.join(entry, "go")
        candidate = os.path.normpath(candidate)
        if _is_exe(candidate) and candidate not in found:
            found.append(candidate)
    return found


def relative_path_entry(environ, go_path: str, cwd: str) -> str | None:
    """The first empty or relative PATH entry that finds ``go_path``, if any absolute one
    does not find it first: then which go runs depends on the directory."""
    for entry in _path_entries(environ):
        if os.path.isabs(entry):
            if os.path.normpath(os.path.join(entry, "go")) == go_path:
                return None
        elif os.path.normpath(os.path.join(cwd, entry or ".", "go")) == go_path:
            return entry
    return None


def _home(environ) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def user_go_env_file(environ) -> str | None:
    """Where `go env -w` writes (os.UserConfigDir()/go/env), or None with GOENV=off."""
    value = environ.get("GOENV", "")
    if value == "off":
        return None
    if value:
        return value
    if sys.platform == "darwin":
        base = os.path.join(_home(environ), "Library", "Application Support")
    else:
        base = environ.get("XDG_CONFIG_HOME") or os.path.join(_home(environ), ".config")
    return os.path.join(base, "go", "env")


def read_env_file(path: str | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path:
        return values
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    key, _, value = line.partition("=")
                    values[key.strip()] = value.strip()
    except OSError:
        pass
    return values


class GoSettings:
    """Go's own precedence: environment, then `go env -w` file, then $GOROOT/go.env."""

    def __init__(self, environ, goroot: str | None):
        self.environ = environ
        self.user_file = user_go_env_file(environ)
        self.user = read_env_file(self.user_file)
        self.goroot_file = os.path.join(goroot, "go.env") if goroot else None
        self.goroot = read_env_file(self.goroot_file)

    def get(self, name: str, default: str = "") -> tuple[str, str]:
        value = self.environ.get(name, "")
        if value:
            return value, "environment"
        if self.user.get(name):
            return self.user[name], str(self.user_file)
        if self.goroot.get(name):
            return self.goroot[name], str(self.goroot_file)
        return default, "default"


def parse_go_directives(text: str) -> dict:
    """go.mod/go.work top-level ``go`` and ``toolchain`` lines with line numbers, read the
    way the hook reads them."""
    go_line, toolchain = go_directives(text)
    return {"go": go_line, "toolchain": toolchain}


def find_module_file(cwd: str, environ) -> str | None:
    """The file Go takes its go/toolchain lines from: go.work (workspace mode) or go.mod."""
    gowork = environ.get("GOWORK", "")
    if gowork and gowork != "off":
        return gowork if os.path.isfile(gowork) else None
    names = ("go.mod",) if gowork == "off" else ("go.work", "go.mod")
    for name in names:
        for directory in fs.ancestors(cwd):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                return path
    return None


def _writable(path: str) -> bool:
    return os.access(path, os.W_OK)


def _same_dir(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return os.path.realpath(a) == os.path.realpath(b)


class GoEnvCheck(Check):
    name = "go"
    title = "Go environment"
    summary = ("go on PATH vs the pinned version, GOROOT, GOTOOLCHAIN switching, GOPATH, GOBIN, "
               "GOFLAGS")

    def run(self, ctx) -> list[Finding]:
        probe = GoProbe(ctx)
        res = ctx.resolution()
        paths = gos_on_path(ctx.environ, ctx.cwd)
        first = probe.binary(paths[0]) if paths else None
        pinned = res is not None and res.source in ("override", "file", "global")
        pin_v = res.version if pinned else None
        pin_root = res.goroot if pinned else None
        # The tree whose go.env and standard library the go command will use.
        env_goroot = ctx.environ.get("GOROOT", "")
        running_root = env_goroot or (first.tree if first else None) or pin_root
        settings = GoSettings(ctx.environ, pin_root or (first.tree if first else None))
        return [
            self._pin(ctx, res),
            self._path(ctx, probe, res, paths, first, pinned),
            self._goroot(ctx, probe, first, pin_v, pin_root),
            self._toolchain(ctx, settings, first, pin_v if pin_root else None, res),
            self._gopath(ctx, settings, running_root),
            self._gobin(ctx, settings),
            self._goflags(ctx, settings, self._go_to_try(first, pin_root)),
        ]

    @staticmethod
    def _go_to_try(first: GoTree | None, pin_root: str | None) -> str | None:
        """The go a build would run: the first on PATH, else the pinned tree's."""
        if first is not None:
            return first.real
        go = os.path.join(pin_root, "bin", "go") if pin_root else None
        return go if go and _is_exe(go) else None

    # ---------------------------------------------------------------- pin

    def _pin(self, ctx, res) -> Finding:
        title = "pinned version"
        explain = ("What goswitch resolves for this directory: GOSWITCH_GO_VERSION, then the "
                   "nearest goswitch.toml, .go-version, .tool-versions or go.mod, then the "
                   "global default.")
        settings_errors = list(getattr(ctx.settings, "errors", []) or [])
        err = ctx.resolve_error
        if err is not None:
            message = getattr(err, "message", None) or str(err)
            fix = getattr(err, "fix", None) or "Fix the file named above."
            return Finding("pin", title, FAIL, message, explain, fix,
                           {"error": message, "source": None})
        if res is None:
            return Finding("pin", title, NA, "not resolved", explain, data={"source": None})
        data = res.to_dict()
        where = res.describe_source
        if res.source == "none":
            value = f"nothing pins a version in {ctx.cwd} or above, and no global default"
            status = OK
        elif res.source == "system":
            value = f"`system` from {where}: the shell's own go is used"
            status = OK
        elif res.missing:
            spec = res.install_spec or (str(res.version) if res.version else "?")
            value = f"{spec} from {where}, not installed"
            status = WARN
        else:
            value = f"{res.version} from {where} -> {res.goroot}"
            status = OK
        fix = ""
        if status == WARN:
            spec = res.install_spec or str(res.version)
            fix = (f"`goswitch install {spec}` (the shell hook does it on the next cd when "
                   "auto_install is on).")
        if settings_errors:
            status = WARN if status == OK else status
            value += "; config problems: " + "; ".join(settings_errors)
            fix = (fix + " " if fix else "") + "Fix the config (`goswitch config list`)."
        return Finding("pin", title, status, value, explain, fix, data)

    # --------------------------------------------------------------- PATH

    def _path(self, ctx, probe, res, paths, first, pinned) -> Finding:
        title = "go on PATH"
        explain = ("The first go on PATH is the one `go build` runs. goswitch's shell hook puts "
                   "the pinned version's bin first; another go ahead of it (a distro package, "
                   "/usr/local/go, another version manager) means builds use the wrong version.")
        others = [probe.binary(p) for p in paths[1:4]]
        data = {
            "path": first.path if first else None, "real": first.real if first else None,
            "goroot": first.tree if first else None, "version": first.raw if first else None,
            "how": first.how if first else None,
            "shadowed": [{"path": o.path, "version": o.raw} for o in others],
            "pinned": str(res.version) if pinned and res.version else None,
        }
        hook_fix = ("Activate the shell hook (`eval \"$(goswitch init bash)\"` in ~/.bashrc, "
                    "then a new shell), or run builds through `goswitch exec -- go ...`; "
                    "remove other Go directories from PATH in your shell startup files.")
        shadow = ""
        if others:
            shadow = "; also on PATH: " + ", ".join(o.describe() for o in others)
        if first is None:
            if pinned and not res.missing:
                return Finding("go-path", title, FAIL,
                               f"no go on PATH, but {res.version} is pinned and installed",
                               explain, hook_fix, data)
            return Finding("go-path", title, WARN if not pinned else FAIL, "no go on PATH",
                           explain, "Install a Go (`goswitch install latest`) and pin it "
                           "(`goswitch use --global latest`).", data)
        value = first.describe()
        if first.tree and first.tree != os.path.dirname(os.path.dirname(first.path)):
            value += f" (tree {first.tree})"
        relative = relative_path_entry(ctx.environ, first.path, ctx.cwd)
        if relative is not None:
            data["relative_entry"] = relative
            what = ("an empty PATH entry (it means the current directory)" if not relative
                    else f"the relative PATH entry {relative!r}")
            value += f", found through {what}: which go runs changes with the directory"
            fix = ("Remove empty (`::`, a leading or trailing `:`) and relative entries from "
                   "PATH in your shell startup files; put absolute directories instead.")
            if not pinned or (first.version is not None and first.version == res.version):
                return Finding("go-path", title, WARN, value + shadow, explain, fix, data)
        if not pinned:
            status = OK if first.version or first.raw else WARN
            return Finding("go-path", title, status, value + shadow, explain,
                           "" if status == OK else f"`{first.path} version` cannot be read: "
                           f"{first.how}.", data)
        if first.version is None:
            return Finding("go-path", title, FAIL if first.raw is None else WARN,
                           value + f" ({first.how}); {res.version} is pinned" + shadow,
                           explain, hook_fix, data)
        if first.version != res.version:
            return Finding("go-path", title, FAIL,
                           f"{value}, but {res.version} is pinned" + shadow, explain, hook_fix,
                           data)
        if res.goroot and not _same_dir(first.tree, res.goroot):
            value += f" (same version as the pin, but not goswitch's tree {res.goroot})"
        return Finding("go-path", title, OK, value + shadow, explain, data=data)

    # -------------------------------------------------------------- GOROOT

    def _goroot(self, ctx, probe, first, pin_v, pin_root) -> Finding:
        title = "GOROOT"
        goroot = ctx.environ.get("GOROOT", "")
        explain = ("GOROOT tells the go command where its standard library and compiler are. "
                   "Unset, go uses the tree it was started from. Set to another version's "
                   "tree, builds fail with `compile: version \"go1.X\" does not match go tool "
                   "version \"go1.Y\"`; set to a missing directory, with `cannot find GOROOT "
                   "directory`.")
        data = {"goroot": goroot or None, "exists": None, "version": None,
                "go_on_path_version": first.raw if first else None}
        if not goroot:
            value = "unset; go uses its own tree"
            if first and first.tree:
                value += f" ({first.tree})"
            return Finding("goroot", title, OK, value, explain, data=data)
        unset_fix = ("Unset it (`unset GOROOT`, and remove it from shell startup files and "
                     "`go env -u GOROOT`), or let goswitch's hook set it.")
        if not os.path.isdir(goroot):
            data["exists"] = False
            return Finding("goroot", title, FAIL, f"{goroot} does not exist", explain,
                           unset_fix, data)
        data["exists"] = True
        tree = probe.tree(goroot)
        if tree is None:
            return Finding("goroot", title, FAIL, f"{goroot} has no bin/go: not a Go tree",
                           explain, unset_fix, data)
        data["version"] = tree.raw
        value = f"{goroot} ({tree.raw or 'unknown version'})"
        if first is not None and first.version and tree.version and first.version != tree.version:
            return Finding("goroot", title, FAIL,
                           f"{value}, but the go on PATH is {first.raw} ({first.path})",
                           explain, unset_fix, data)
        if pin_v is not None and tree.version and tree.version != pin_v:
            return Finding("goroot", title, FAIL, f"{value}, but {pin_v} is pinned", explain,
                           unset_fix, data)
        if tree.version is None:
            return Finding("goroot", title, WARN, value + f"; {tree.how}", explain, unset_fix,
                           data)
        return Finding("goroot", title, OK, value, explain, data=data)

    # ---------------------------------------------------------- GOTOOLCHAIN

    def _toolchain(self, ctx, settings, first, pin_v, res) -> Finding:
        title = "GOTOOLCHAIN"
        value_raw, source = settings.get("GOTOOLCHAIN", "local")
        explain = ("Since Go 1.21 the go command may run a different toolchain than itself: "
                   "GOTOOLCHAIN=auto (the default in go.dev builds' go.env) switches to a newer "
                   "one, downloaded from GOPROXY, when go.mod's or go.work's `go` or "
                   "`toolchain` line asks for more; goX.Y.Z always runs that one; local never "
                   "switches and refuses modules that need a newer go. goswitch's hook sets "
                   "GOTOOLCHAIN=local unless goswitch.toml says toolchain = \"auto\".")
        running = pin_v or (first.version if first else None)
        modfile = find_module_file(ctx.cwd, ctx.environ)
        directives = {"go": None, "toolchain": None}
        if modfile:
            try:
                with open(modfile, encoding="utf-8", errors="replace") as f:
                    directives = parse_go_directives(f.read(MAX_GO_MOD))
            except OSError:
                pass
        base_name, _, suffix = value_raw.partition("+")
        if value_raw in ("auto", "path"):
            base_name, suffix = "local", value_raw
        can_switch = suffix in ("auto", "path")
        forced = _version_of(base_name) if base_name != "local" else None
        need, need_where = None, None
        for key in ("go", "toolchain"):
            item = directives[key]
            if item is None or item[1] == "default":
                continue
            text = item[1] if key == "toolchain" else "go" + item[1]
            version = _version_of(text)
            if version is not None and (need is None or version > need):
                need = version
                need_where = f"{os.path.basename(modfile)}:{item[0]} `{key} {item[1]}`"
        data = {"value": value_raw, "source": source, "running": str(running) if running else None,
                "module_file": modfile, "requires": str(need) if need else None,
                "can_switch": can_switch, "forced": str(forced) if forced else None,
                "hook_toolchain": getattr(res, "toolchain", None)}
        value = f"{value_raw} (from {source})"
        if need is not None:
            value += f"; {modfile} needs go >= {need} ({need_where})"
        if running is None:
            return Finding("gotoolchain", title, NA, value + "; no go to compare", explain,
                           data=data)
        value += f"; running {running}" + (" (pinned)" if pin_v else "")
        if base_name != "local" and forced is None:
            return Finding("gotoolchain", title, FAIL, value, explain + " This value is not "
                           "one the go command accepts.", "Set GOTOOLCHAIN=local.", data)
        if running < TOOLCHAIN_SWITCHING:
            if need is not None and need > running:
                return Finding("gotoolchain", title, WARN, value, explain + f" Go {running} "
                               "predates toolchain switching: it builds anyway and fails on "
                               "newer language features with `note: module requires Go "
                               f"{need}`.", f"Pin go >= {need}: `goswitch use {need}`.", data)
            return Finding("gotoolchain", title, OK, value + " (ignored before Go 1.21)",
                           explain, data=data)
        local_fix = ("Keep the pin in charge: GOTOOLCHAIN=local (goswitch.toml `[go] toolchain "
                     "= \"local\"`, or `go env -w GOTOOLCHAIN=local`), and pin a version that "
                     "satisfies go.mod")
        if forced is not None and pin_v is not None and forced != pin_v:
            return Finding("gotoolchain", title, FAIL, value + f" -> every go command runs "
                           f"{forced}, not the pinned {pin_v}", explain, local_fix + ".", data)
        base = forced or running
        if need is not None and need > base:
            if can_switch:
                status = FAIL if pin_v else OK
                msg = (f" -> go switches to go{need} or newer"
                       + (f", away from the pinned {pin_v}" if pin_v else "")
                       + " (downloaded from GOPROXY)")
                return Finding("gotoolchain", title, status, value + msg, explain,
                               (local_fix + f": `goswitch use {need}`.") if pin_v else "", data)
            return Finding("gotoolchain", title, FAIL, value + f" -> go refuses: `go.mod "
                           f"requires go >= {need} (running go {base}; GOTOOLCHAIN={value_raw})`",
                           explain, f"Pin a version that satisfies it (`goswitch use {need}`), "
                           "or allow switching with GOTOOLCHAIN=auto.", data)
        return Finding("gotoolchain", title, OK, value, explain, data=data)

    # --------------------------------------------------------------- GOPATH

    def _gopath(self, ctx, settings, goroot: str | None) -> Finding:
        title = "GOPATH"
        raw, source = settings.get("GOPATH", os.path.join(_home(ctx.environ), "go"))
        entries = [e for e in raw.split(os.pathsep) if e]
        explain = ("GOPATH holds the module cache (GOPATH/pkg/mod) and, without GOBIN, "
                   "installed tools (GOPATH/bin). Every entry must be absolute: go stops with "
                   "`GOPATH entry is relative; must be absolute path` (or `cannot start with "
                   "shell metacharacter '~'`). Equal to GOROOT, every go command warns "
                   "`GOPATH set to GOROOT has no effect` and the module cache and tools land "
                   "inside the Go tree: downloads fail where the tree is not writable (a distro "
                   "package, a shared store) and vanish with the next version switch or "
                   "cleanup where it is.")
        data = {"gopath": raw, "source": source, "entries": entries, "goroot": goroot}
        value = f"{raw} (from {source})"
        fix = ("Set GOPATH to a directory of its own, e.g. `export GOPATH=$HOME/go`, or unset "
               "it (`go env -u GOPATH`) for Go's default ~/go.")
        for entry in entries:
            if not os.path.isabs(entry):
                why = " (`~` is not expanded inside quotes)" if entry.startswith("~") else ""
                return Finding("gopath", title, FAIL, f"{value}: {entry} is relative{why}",
                               explain, fix, data)
            if _same_dir(entry, goroot):
                writable = _writable(entry)
                data["goroot_writable"] = writable
                return Finding("gopath", title, WARN if writable else FAIL,
                               f"{value} equals GOROOT"
                               + ("" if writable else ", which you cannot write"),
                               explain, fix, data)
            if goroot and os.path.realpath(entry).startswith(
                    os.path.realpath(goroot).rstrip("/") + "/"):
                return Finding("gopath", title, WARN, f"{value} is inside GOROOT {goroot}",
                               explain, fix, data)
        return Finding("gopath", title, OK, value, explain, data=data)

    # ---------------------------------------------------------------- GOBIN

    def _gobin(self, ctx, settings) -> Finding:
        title = "GOBIN on PATH"
        goswitch_settings = ctx.settings
        configured = getattr(goswitch_settings, "gobin", None) if goswitch_settings else None
        if configured:
            target, source = os.path.expanduser(configured), "goswitch config gobin"
        else:
            target, source = settings.get("GOBIN")
            if not target:
                gopath, _ = settings.get("GOPATH", os.path.join(_home(ctx.environ), "go"))
                first = gopath.split(os.pathsep)[0] or os.path.join(_home(ctx.environ), "go")
                target, source = os.path.join(first, "bin"), "GOPATH/bin"
        entries = [e for e in ctx.environ.get("PATH", "").split(os.pathsep) if e]
        on_path = any(_same_dir(e, target) or os.path.normpath(e) == os.path.normpath(target)
                      for e in entries)
        data = {"gobin": target, "source": source, "on_path": on_path,
                "exists": os.path.isdir(target)}
        explain = ("`go install` writes tools (gopls, dlv, staticcheck, stringer for go "
                   "generate) to GOBIN, else the first GOPATH entry's bin. If that directory "
                   "is not on PATH, the tools install fine and then are `command not found`. "
                   "goswitch's hook adds it while a pinned Go is active.")
        value = f"{target} (from {source}) is {'on' if on_path else 'not on'} PATH"
        if on_path:
            return Finding("gobin", title, OK, value, explain, data=data)
        return Finding("gobin", title, WARN, value, explain,
                       f"Add it in your shell startup file: `export PATH=\"$PATH:{target}\"`.",
                       data)

    # -------------------------------------------------------------- GOFLAGS

    def _goflags(self, ctx, settings, go: str | None) -> Finding:
        title = "GOFLAGS"
        value_raw, source = settings.get("GOFLAGS")
        explain = ("GOFLAGS adds its flags to every go command that takes them (build, test, "
                   "run, install, list, vet): space-separated `-flag` or `-flag=value` words. "
                   "One unknown flag or bad value makes all of them fail before anything is "
                   "built (`go: parsing $GOFLAGS: unknown flag -x`, `flag needs an argument`). "
                   "A value cannot contain a space: `-ldflags=-s -w` passes `-ldflags=-s` only.")
        data = {"value": value_raw or None, "source": source, "go": go, "error": None}
        if not value_raw.strip():
            return Finding("goflags", title, OK, "unset", explain, data=data)
        value = f"{value_raw} (from {source})"
        if go is None:
            return Finding("goflags", title, NA, value + "; no go to try it with", explain,
                           data=data)
        error = self._build_error(ctx, go, value_raw)
        if error is None:
            return Finding("goflags", title, OK, value + f"; accepted by {go} build",
                           explain, data=data)
        if self._build_error(ctx, go, None) is not None:
            # The trial build fails without GOFLAGS too: the trial says nothing about it.
            return Finding("goflags", title, NA, value + f"; could not try it: {error}",
                           explain, data=data)
        data["error"] = error
        if source == "environment":
            fix = ("Correct or unset GOFLAGS where it is set (a shell startup file, a "
                   "goswitch.toml [env] table, CI settings).")
        else:
            fix = (f"Correct it in {source}: `go env -w GOFLAGS=...` with valid flags, or "
                   "`go env -u GOFLAGS`.")
        return Finding("goflags", title, FAIL, value + f" -> every go build fails: {error}",
                       explain, fix, data)

    def _build_error(self, ctx, go: str, goflags: str | None) -> str | None:
        """Why ``go build -n`` of a one-file module fails with these GOFLAGS, or None.

        ``-n`` only prints the commands: nothing is compiled or cached, and with
        GOPROXY=off and GOTOOLCHAIN=local nothing is downloaded.
        """
        work = tempfile.mkdtemp(prefix="goswitch-doctor-")
        try:
            with open(os.path.join(work, "go.mod"), "w", encoding="utf-8") as f:
                f.write("module goswitchdoctor\n")
            with open(os.path.join(work, "main.go"), "w", encoding="utf-8") as f:
                f.write("package main\n\nfunc main() {}\n")
            env = probe_env(ctx.environ)
            env["GOPROXY"] = "off"
            if goflags is not None:
                env["GOFLAGS"] = goflags
            done = ctx.commands.run([go, "build", "-n", "-o", os.devnull, "."], timeout=30,
                                    env=env, cwd=work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if done.returncode == 0:
            return None
        # go's reason, without the warnings before it and the usage lines after it.
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()
                 and not line.startswith(("warning:", "usage:", "Run 'go help"))]
        return ascii(lines[0] if lines else f"exit {done.returncode}")[1:-1]
