"""The Go environment: which go runs, from which tree, and whether it stays the pinned one.

This check reads the real files named by the environment (PATH, GOROOT, GOPATH,
go.mod), not the doctor's root prefix.  Which go a binary is comes from
:mod:`.goprobe`; the GOFLAGS row from :mod:`.goflags`, which asks go itself.
"""

from __future__ import annotations

import os

from ... import fs
from ...discovery import MAX_GO_MOD, go_directives
from ...goenvfile import home, read_env_file, user_go_env_file
from ...versions import GoVersion
from ..model import FAIL, NA, OK, WARN, Check, Finding
from . import goflags
from .goprobe import GoProbe, GoTree, is_exe, probe_env, version_of

__all__ = ["GoEnvCheck", "GoProbe", "find_module_file", "parse_go_directives", "probe_env"]

TOOLCHAIN_SWITCHING = GoVersion(1, 21, 0)  # GOTOOLCHAIN and go.mod toolchain lines exist since


def _path_entries(environ) -> list[str]:
    # Unset PATH: the shell's and execvp's default, not "the current directory".
    return environ.get("PATH", os.defpath).split(os.pathsep)


def _go_in(entry: str, cwd: str) -> str:
    """The go a PATH entry finds: an empty entry means the current directory and a
    relative one is taken from it, as the shell does, both against ``cwd`` (the
    directory examined), not the doctor's own working directory."""
    return os.path.normpath(os.path.join(entry if os.path.isabs(entry) else
                                         os.path.join(cwd, entry or "."), "go"))


def gos_on_path(environ, cwd: str) -> list[str]:
    """Every executable named go on PATH, in PATH order, as absolute paths."""
    found = []
    for entry in _path_entries(environ):
        candidate = _go_in(entry, cwd)
        if is_exe(candidate) and candidate not in found:
            found.append(candidate)
    return found


def relative_path_entry(environ, go_path: str, cwd: str) -> str | None:
    """The first empty or relative PATH entry that finds ``go_path``, if any absolute one
    does not find it first: then which go runs depends on the directory."""
    for entry in _path_entries(environ):
        if _go_in(entry, cwd) == go_path:
            return None if os.path.isabs(entry) else entry
    return None


def tilde_go(environ, paths: list[str]) -> tuple[str, str] | None:
    """(entry, go) for a PATH entry starting with `~` that holds a go and comes before
    the first go everything else finds (``paths[0]``); None when there is none."""
    first = paths[0] if paths else None
    for entry in _path_entries(environ):
        if os.path.isabs(entry) and _go_in(entry, "/") == first:
            return None
        if entry.startswith("~"):
            if entry == "~" or entry.startswith("~/"):  # bash uses $HOME for these
                expanded = home(environ) + entry[1:]
            else:
                expanded = os.path.expanduser(entry)
            go = os.path.join(expanded, "go")
            if os.path.isabs(go) and is_exe(go):
                return entry, go
    return None


def _toolchain_name_problem(name: str, first: GoTree | None, ctx) -> str:
    """Why go cannot run the toolchain GOTOOLCHAIN names (go1.21+ rules), "" if it can."""
    if first is not None and first.raw and first.raw.split()[0] == name:
        return ""  # the go on PATH itself: nothing to download
    minor = name[len("go1."):]
    if name.startswith("go1.") and minor.isdigit() and int(minor) >= 21:
        return (f"`invalid toolchain: {name} is a language version but not a toolchain "
                f"version ({name}.x)`")
    version = version_of(name)
    if version is None or f"go{version}" != name:
        return (f"{name!r} is no Go release, so go cannot download it "
                f"(`download {name} for ...: toolchain not available`)")
    known = _released(ctx)
    if known is not None and str(version) not in known:
        return (f"there is no Go release {name} (not in the release index), so go cannot "
                f"download it (`download {name} for ...: toolchain not available`)")
    return ""


def _released(ctx) -> set[str] | None:
    """The versions in goswitch's cached release index (no network); None if none cached."""
    from ...install import cached_releases

    try:
        releases = cached_releases(ctx.load_settings(), ctx.environ)
    except (OSError, ValueError):  # a damaged cache: nothing known
        return None
    return {str(r.version) for r in releases} or None


class GoSettings:
    """Go's own precedence: environment, then `go env -w` file, then $GOROOT/go.env."""

    def __init__(self, environ, goroot: str | None):
        self.environ = environ
        self.user_file = user_go_env_file(environ)
        self.user = read_env_file(self.user_file)
        self.goroot_file = os.path.join(goroot, "go.env") if goroot else None
        self.goroot = read_env_file(self.goroot_file)

    def get(self, name: str, default: str = "") -> tuple[str, str]:
        """(value, where from), by go's precedence: a non-empty environment variable,
        then the user file (an empty value there hides go.env's), then go.env."""
        value = self.environ.get(name, "")
        if value:
            return value, "environment"
        for values, where in ((self.user, self.user_file), (self.goroot, self.goroot_file)):
            if name in values:
                return (values[name], str(where)) if values[name] else (default, "default")
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
        probe.no_run.update(os.path.realpath(p) for p in paths
                            if relative_path_entry(ctx.environ, p, ctx.cwd) is not None)
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
            self._with_tilde_entry(ctx, probe, paths,
                                   self._path(ctx, probe, res, paths, first, pinned)),
            self._goroot(ctx, probe, first, pin_v, pin_root),
            self._toolchain(ctx, settings, first, pin_v if pin_root else None, res),
            self._gopath(ctx, settings, running_root),
            self._gobin(ctx, settings),
            goflags.finding(ctx, probe, settings.get("GOFLAGS"), self._go_to_try(first, pin_root),
                            find_module_file(ctx.cwd, ctx.environ)),
        ]

    @staticmethod
    def _go_to_try(first: GoTree | None, pin_root: str | None) -> str | None:
        """The go a build would run: the first on PATH, else the pinned tree's."""
        if first is not None:
            return first.real
        go = os.path.join(pin_root, "bin", "go") if pin_root else None
        return os.path.realpath(go) if go and is_exe(go) else None

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

    def _with_tilde_entry(self, ctx, probe, paths, found: Finding) -> Finding:
        """A literal `~` in PATH: bash expands it when it looks a command up, nothing
        else does (sh, make, IDEs, go's own exec.LookPath), so the go a terminal runs
        and the go everything else runs differ."""
        tilde = tilde_go(ctx.environ, paths)
        if tilde is None:
            return found
        entry, go = tilde
        seen = probe.binary(go)
        found.data["tilde_entry"] = {"entry": entry, "path": go, "version": seen.raw}
        found.value += (f"; but bash runs {seen.describe()} from the PATH entry {entry!r} "
                        "(bash expands ~ in PATH; sh, IDEs, make and go itself do not)")
        found.fix = ((found.fix + " ") if found.fix else "") + (
            "Write $HOME, not a quoted ~, in PATH: `export PATH=\"$HOME/...:$PATH\"`.")
        if found.status == OK:
            found.status = WARN
        return found

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
        forced = version_of(base_name) if base_name != "local" else None
        need, need_where = None, None
        for key in ("go", "toolchain"):
            item = directives[key]
            if item is None or item[1] == "default":
                continue
            text = item[1] if key == "toolchain" else "go" + item[1]
            version = version_of(text)
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
        if forced is not None:
            problem = _toolchain_name_problem(base_name, first, ctx)
            if problem:
                return Finding("gotoolchain", title, FAIL, value + f" -> every go command "
                               f"fails: {problem}", explain,
                               "Set GOTOOLCHAIN to local, auto or an existing release such as "
                               f"go{running}.", data)
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
        if forced is not None and forced != running:
            value += f" -> every go command runs go{forced} (downloaded from GOPROXY)"
        return Finding("gotoolchain", title, OK, value, explain, data=data)

    # --------------------------------------------------------------- GOPATH

    def _gopath(self, ctx, settings, goroot: str | None) -> Finding:
        title = "GOPATH"
        raw, source = settings.get("GOPATH", os.path.join(home(ctx.environ), "go"))
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
        if raw.split(os.pathsep)[0] == "" and entries:
            # `export GOPATH=$GOPATH:/x` with GOPATH unset: go takes the module cache and
            # the install directory from the first entry only, and that is empty.
            broken = []
            if not settings.get("GOMODCACHE")[0]:
                broken.append("no module cache (`go: module cache not found: neither "
                              "GOMODCACHE nor GOPATH is set` for any module download)")
            if not settings.get("GOBIN")[0]:
                broken.append("no place for `go install` (`go: no install location for "
                              "directory ... outside GOPATH`)")
            if broken:
                return Finding("gopath", title, FAIL,
                               f"{value}: its first entry is empty, so go has "
                               + " and ".join(broken), explain,
                               fix + " A leading `:` usually comes from "
                               "`GOPATH=$GOPATH:/dir` while GOPATH was unset.", data)
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
                gopath, _ = settings.get("GOPATH", os.path.join(home(ctx.environ), "go"))
                first = gopath.split(os.pathsep)[0]
                if not first:  # `GOPATH=:/x`: go install has nowhere to write
                    return Finding("gobin", title, NA, "none: GOPATH's first entry is empty, "
                                   "so `go install` has no directory (see GOPATH)", "",
                                   data={"gobin": None, "source": "GOPATH/bin",
                                         "on_path": False, "exists": False})
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
