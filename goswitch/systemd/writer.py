"""enable / disable / refresh: write, remove and re-point the environment.d file.

Each operation returns a :class:`Report`: the lines the CLI prints and a
dict for callers.  Nothing here prints.
"""

from __future__ import annotations

import os
import sys

from .. import config_file, goenv
from .. import settings as settings_mod
from ..errors import EXIT_USAGE, GoswitchError, NotFoundError
from ..resolve import Resolution, choose, parse_user_spec
from ..store import Store
from ..versions import GoVersion
from . import envfile, locations, owned, unit
from .manager import Manager

HEADER = [
    "# Go for programs started by your systemd user session (IDEs, user services, timers).",
    "# Written by goswitch, which owns this file: `goswitch systemd refresh` and",
    "# `goswitch use --global` rewrite it.  Undo: `goswitch systemd disable` (deletes it;",
    "# takes effect at the next login).  goswitch does not overwrite or delete this file",
    "# once you have edited it (unless you pass --force): put your own settings in",
    "# another file, e.g. 70-local.conf.",
]

FOLLOW_DEFAULT = "default"  # `enable --version default`: drop the pin, follow the global default


class Report:
    def __init__(self):
        self.lines: list[str] = []
        self.data: dict = {}

    def say(self, text: str) -> None:
        self.lines.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Target:
    __slots__ = ("version", "goroot", "spec", "source")

    def __init__(self, version: GoVersion, goroot: str, spec: str, source: str):
        self.version, self.goroot, self.spec, self.source = version, goroot, spec, source


def _require_linux() -> None:
    if not sys.platform.startswith("linux"):
        raise GoswitchError(
            "systemd",
            "systemd user sessions exist only on Linux",
            "use `goswitch init` in your shell instead",
        )


def pick_spec(settings, version_opt: str | None) -> tuple[str, str]:
    """(spec text, where it came from): --version, systemd.version, else the global default."""
    if version_opt and version_opt != FOLLOW_DEFAULT:
        return version_opt, "--version"
    if version_opt != FOLLOW_DEFAULT and settings.systemd_version:
        return settings.systemd_version, "systemd.version"
    if settings.default_version:
        return settings.default_version, "the global default"
    raise NotFoundError(
        "systemd",
        "no Go version to point the session at",
        "pass --version 1.22.10, or set a global default with `goswitch use --global 1.22.10`",
    )


def _installer():
    """The CLI's installer, progress on stderr like `use` and `install` (the tests swap
    this out to stay offline)."""
    from ..envexport import install

    return install


def resolve_target(settings, environ, spec_text: str, source: str, allow_install: bool) -> Target:
    spec = parse_user_spec(
        spec_text,
        f"{source} {spec_text!r}",
        "use e.g. 1.22.10, 1.22 or latest",
        exit_code=EXIT_USAGE if source == "--version" else None,
    )
    store = Store.from_settings(settings, environ)
    res = Resolution()
    choose(spec, None, store, environ, res)
    if not res.missing and res.version is not None and res.goroot:
        return Target(res.version, res.goroot, spec_text, source)
    wanted = res.install_spec or str(spec)
    fn = _installer() if allow_install else None
    if fn is not None:
        installed = fn(wanted, settings, environ)
        return Target(installed.version, installed.root, spec_text, source)
    raise NotFoundError(
        f"Go {wanted}",
        "is not installed",
        f"run `goswitch install {wanted}` first",
    )


def _gobin(settings, environ, meta: dict) -> tuple[str, str]:
    """(where `go install` writes in the session, where it wrote in the shell at enable).

    The session has only the file's GOPATH/GOBIN (from the gopath/gobin settings),
    so its `go install` writes there, else where the `go env -w` file says, else to
    ~/go/bin.  A directory the shell named itself ($GOBIN, $GOPATH/bin) is recorded
    at ``enable`` and kept by ``refresh`` (a login unit never sees those variables),
    so tools installed from a terminal are found by what the session starts too.
    """
    # The session's own view: no GOBIN/GOPATH in its environment, but go reads its
    # `go env -w` file there too (GOBIN or GOPATH set with `go env -w`).
    from ..goenvfile import read_env_file, user_go_env_file

    written = read_env_file(user_go_env_file(environ))
    view = {name: written[name] for name in ("GOBIN", "GOPATH") if written.get(name)}
    session = goenv.gobin_for(settings, {"HOME": environ.get("HOME", ""), **view})
    recorded = meta.get("shell_gobin")
    if not isinstance(recorded, str):  # a file from before shell_gobin was recorded
        old = meta.get("gobin")
        recorded = old if isinstance(old, str) else goenv.shell_gobin(environ)
    return session, recorded


def build(
    target: Target,
    settings,
    environ,
    mode: str,
    gobins: tuple[str, str],
    made_dirs: list[str],
) -> tuple[str, dict]:
    """The file text and its meta for ``target``."""
    env = goenv.go_environment(
        target.goroot, settings, environ, toolchain=settings.systemd_toolchain
    )
    gobin, shell_gobin = gobins
    goroot_bin = os.path.join(target.goroot, "bin")
    entries = list(dict.fromkeys(e for e in (goroot_bin, shell_gobin, gobin) if e))
    envfile.check_value("GOROOT", target.goroot, path_entry=True)
    for entry in entries:
        envfile.check_value("PATH entry", entry, path_entry=True)
    assignments = []
    for name in envfile.MANAGED:
        if name in env.set and name != "PATH":
            envfile.check_value(name, env.set[name])
            assignments.append((name, envfile.quote(env.set[name])))
    assignments.append(("PATH", envfile.path_value(entries, mode)))
    meta = {
        "v": 1,
        "version": str(target.version),
        "goroot": target.goroot,
        "set": {k: env.set[k] for k, _ in assignments if k != "PATH"},
        "path": entries,
        "mode": mode,
        "gobin": gobin,
        "shell_gobin": shell_gobin,  # the shell's own GOBIN at enable: refresh keeps it
        "made_dirs": made_dirs,  # removed again by disable when empty
    }
    return owned.stamp(HEADER, meta, envfile.render_body(assignments)), meta


_VERBS = {"overwriting": "overwrite", "deleting": "delete"}


def _refuse(insp: owned.Inspection, environ, action: str) -> GoswitchError:
    where = locations.display(insp.path, environ)
    if insp.state == owned.EDITED:
        why = "was edited after goswitch wrote it"
        fix = "move your changes to another file such as 70-local.conf"
    else:
        why = "was not written by goswitch"
        fix = "rename or remove it yourself"
    return GoswitchError(
        where,
        f"{why}; goswitch is not {action} it",
        f"{fix}, or pass --force to {_VERBS[action]} it anyway",
    )


def _check_writable(insp: owned.Inspection, force: bool, environ, action: str) -> None:
    if insp.state in (owned.EDITED, owned.FOREIGN) and not force:
        raise _refuse(insp, environ, action)


# -- the running user manager -------------------------------------------------


def _has_block(parts: list[str], entries: list[str], mode: str) -> bool:
    n = len(entries)
    if not n or len(parts) < n:
        return False
    return (parts[-n:] if mode == "append" else parts[:n]) == entries


def _remove_block(parts: list[str], entries: list[str], mode: str) -> list[str]:
    if not _has_block(parts, entries, mode):
        return parts
    n = len(entries)
    return parts[:-n] if mode == "append" else parts[n:]


def tell_manager(
    environ, new: dict | None, old: dict | None, report: Report, reload: bool = True
) -> dict:
    """Bring a running user manager in line with the file; say what was done.

    ``daemon-reload`` re-runs the environment generators, which is enough for
    services started afterwards -- unless the session imported its own values
    (``systemctl --user import-environment``, ``dbus-update-activation-environment``),
    which take precedence over environment.d.  So afterwards we compare, and
    ``set-environment``/``unset-environment`` only what still differs.  PATH is
    changed by exactly the entries goswitch adds, keeping everything else.
    """
    mgr = Manager(environ)
    info: dict = {"answers": False, "detail": "", "actions": []}
    if not mgr.probe():
        info["detail"] = mgr.detail
        if reload:
            later = (
                "The file takes effect at your next login."
                if new
                else "Go leaves the session environment at your next login."
            )
            report.say(
                f"No systemd user manager answered ({mgr.detail}): nothing to tell now. {later}"
            )
        return info
    info["answers"], info["detail"] = True, mgr.detail
    actions: list[str] = info["actions"]
    if reload:
        ok, msg = mgr.call("daemon-reload")
        if not ok:
            report.say(f"systemctl --user daemon-reload failed: {msg}")
            info["detail"] = msg
            return info
        actions.append("daemon-reload")
        mgr.refresh_environment()
    current = mgr.environment
    plus: dict[str, str] = {}
    minus: list[str] = []
    new_set = (new or {}).get("set", {})
    old_set = (old or {}).get("set", {})
    for name, value in new_set.items():
        if current.get(name) != value:
            plus[name] = value
    for name, value in old_set.items():
        if name not in new_set and current.get(name) == value:
            minus.append(name)
    path_now = current.get("PATH", "")
    parts = path_now.split(":") if path_now else []  # kept as is, empty entries too
    old_entries, old_mode = (old or {}).get("path", []), (old or {}).get("mode", "prepend")
    if new:
        entries, mode = new.get("path", []), new.get("mode", "prepend")
        if not _has_block(parts, entries, mode):
            base = _remove_block(parts, old_entries, old_mode)
            plus["PATH"] = envfile.compose_path(entries, ":".join(base), mode)
    elif _has_block(parts, old_entries, old_mode):
        plus["PATH"] = ":".join(_remove_block(parts, old_entries, old_mode))
    if plus:
        ok, msg = mgr.call("set-environment", *[f"{k}={v}" for k, v in plus.items()])
        if ok:
            actions.append("set-environment " + " ".join(plus))
        else:
            report.say(f"systemctl --user set-environment failed: {msg}")
    if minus:
        ok, msg = mgr.call("unset-environment", *minus)
        if ok:
            actions.append("unset-environment " + " ".join(minus))
        else:
            report.say(f"systemctl --user unset-environment failed: {msg}")
    if actions:
        report.say(
            "Told the running user manager: " + "; ".join(actions) + ". Programs it starts "
            "from now on see the change; programs already running (and open terminals) keep "
            "their environment."
        )
    else:
        report.say("The running user manager already has these values; nothing to tell it.")
    return info


# -- operations ---------------------------------------------------------------


def _load_settings(environ):
    return settings_mod.load(environ)


def _made_dirs(insp: owned.Inspection, *also: str) -> list:
    """The directories goswitch created for the file (and ``also``): recorded, else
    those about to be made.

    An edited file overwritten with --force keeps its record; disable checks
    each one really holds the file before removing it.
    """
    made = insp.meta.get("made_dirs") if insp.state in (owned.OURS, owned.EDITED) else None
    if isinstance(made, list):
        return made
    return owned.missing_dirs(os.path.dirname(insp.path)) + [
        d for d in also if not os.path.isdir(d)]


def plan(environ, settings, insp: owned.Inspection):
    """What refresh writes now: the target and ``build``'s (text, meta) for the current
    settings."""
    spec_text, source = pick_spec(settings, None)
    target = resolve_target(settings, environ, spec_text, source, allow_install=False)
    meta = insp.meta if insp.state == owned.OURS else {}
    gobins = _gobin(settings, environ, meta)
    return target, build(target, settings, environ, settings.systemd_path, gobins,
                         _made_dirs(insp))


def _write(insp: owned.Inspection, text: str) -> bool:
    changed = not (insp.state == owned.OURS and insp.text == text)
    if changed:
        owned.atomic_write(insp.path, text, 0o644)
    return changed


def _describe(target: Target, mode: str) -> str:
    where = "before" if mode == "prepend" else "after"
    return f"Go {target.version} ({target.goroot}; its bin {where} the session's PATH)"


def enable(
    environ=os.environ,
    version: str | None = None,
    path_mode: str | None = None,
    with_unit: bool = False,
    force: bool = False,
    command: list[str] | None = None,
) -> Report:
    _require_linux()
    report = Report()
    settings = _load_settings(environ)
    spec_text, source = pick_spec(settings, version)
    # Refuse (edited files, no systemctl for --unit) before installing or writing anything.
    _check_writable(owned.inspect(locations.env_file(environ)), force, environ, "overwriting")
    if with_unit:
        _check_writable(owned.inspect(locations.unit_file(environ)), force, environ, "overwriting")
        if Manager(environ).systemctl is None:
            raise GoswitchError("--unit", "systemctl is not installed", "leave out --unit")
        command = command or unit.goswitch_command(environ)
        unit.check_executable(command[0])
    target = resolve_target(settings, environ, spec_text, source, allow_install=True)
    mode = path_mode or settings.systemd_path
    gobins = _gobin(settings, environ, {"shell_gobin": goenv.shell_gobin(environ)})
    insp = owned.inspect(locations.env_file(environ))
    _check_writable(insp, force, environ, "overwriting")
    text, meta = build(target, settings, environ, mode, gobins, _made_dirs(insp))
    path, old = insp.path, (insp.meta if insp.state == owned.OURS else None)
    changed = _write(insp, text)
    shown = locations.display(path, environ)
    report.say(("Wrote " if changed else "Unchanged: ") + f"{shown}: {_describe(target, mode)}.")
    if source == "the global default":
        report.say(
            "The version follows the global default (`goswitch use --global` rewrites the file)."
        )
    elif source == "systemd.version":
        report.say(
            "The version comes from systemd.version "
            "(`--version default` makes it follow the global default)."
        )

    # Record the choice so that refresh and `use --global` do the same thing.
    config_file.set_value("systemd.enabled", True, environ)
    if version == FOLLOW_DEFAULT:
        config_file.unset_value("systemd.version", environ)
    elif version:
        config_file.set_value("systemd.version", version, environ)
    if path_mode:
        config_file.set_value("systemd.path", path_mode, environ)

    if locations.generator() is None:
        report.say(
            "Note: systemd's environment.d generator is not installed on this machine, "
            "so nothing here reads the file until systemd is."
        )
    unit_info = None
    if with_unit:
        unit_info = _install_unit(environ, command, force, report)
    manager = tell_manager(environ, meta, old, report)
    report.data = {
        "file": path,
        "changed": changed,
        "version": str(target.version),
        "goroot": target.goroot,
        "mode": mode,
        "unit": unit_info,
        "manager": manager,
    }
    return report


def _install_unit(environ, command, force: bool, report: Report) -> dict:
    path = locations.unit_file(environ)
    insp = owned.inspect(path)
    _check_writable(insp, force, environ, "overwriting")
    made = _made_dirs(insp, os.path.dirname(locations.unit_wants_link(environ)))
    text = unit.render(command or unit.goswitch_command(environ), environ, made)
    changed = _write(insp, text)
    mgr = Manager(environ)
    ok, msg = mgr.call("enable", locations.UNIT_NAME)
    shown = locations.display(path, environ)
    if ok:
        report.say(
            ("Wrote " if changed else "Unchanged: ")
            + f"{shown} and enabled it: it runs `goswitch systemd refresh` at each login."
        )
    else:
        report.say(
            f"Wrote {shown}, but `systemctl --user enable {locations.UNIT_NAME}` failed: {msg}"
        )
    return {"file": path, "changed": changed, "enabled": ok}


def _ancestors(dirs, *paths: str) -> list[str]:
    """The recorded directories that really contain one of ``paths`` (never anything else)."""
    if not isinstance(dirs, list):
        return []
    return [
        d
        for d in dirs
        if isinstance(d, str) and any(p.startswith(d.rstrip("/") + "/") for p in paths)
    ]


def disable(environ=os.environ, force: bool = False) -> Report:
    report = Report()
    path = locations.env_file(environ)
    unit_path = locations.unit_file(environ)
    insp = owned.inspect(path)
    unit_insp = owned.inspect(unit_path)
    # Refuse before touching anything.
    _check_writable(insp, force, environ, "deleting")
    _check_writable(unit_insp, force, environ, "deleting")

    removed: list[str] = []
    if unit_insp.exists:
        mgr = Manager(environ)
        ok, msg = mgr.call("disable", locations.UNIT_NAME)
        if not ok and mgr.systemctl is not None:
            report.say(f"`systemctl --user disable {locations.UNIT_NAME}` failed: {msg}")
        link = locations.unit_wants_link(environ)
        if os.path.islink(link) and os.path.realpath(link) == os.path.realpath(unit_path):
            os.unlink(link)
        os.unlink(unit_path)
        removed.append(unit_path)
        owned.remove_dirs(_ancestors(unit_insp.meta.get("made_dirs"), unit_path, link))
    old = insp.meta if insp.exists else None
    if insp.exists:
        os.unlink(path)
        removed.append(path)
        owned.remove_dirs(_ancestors(insp.meta.get("made_dirs"), path))
    config_file.unset_value("systemd.enabled", environ)
    if removed:
        report.say("Removed " + " and ".join(locations.display(p, environ) for p in removed) + ".")
        manager = tell_manager(environ, None, old, report) if old else None
    else:
        report.say(
            f"Nothing to remove: {locations.display(path, environ)} does not exist. "
            "The systemd integration is off."
        )
        manager = None
    report.data = {"removed": removed, "manager": manager}
    return report


def refresh(environ=os.environ, force: bool = False, settings=None) -> Report:
    """Re-point the file at what the settings say now (the login unit and `use --global`)."""
    report = Report()
    settings = settings or _load_settings(environ)
    if not settings.systemd_enabled:
        report.say(
            "The systemd integration is not enabled; nothing to do (see `goswitch systemd enable`)."
        )
        report.data = {"enabled": False, "changed": False}
        return report
    _require_linux()
    insp = owned.inspect(locations.env_file(environ))
    target, (text, meta) = plan(environ, settings, insp)
    _check_writable(insp, force, environ, "overwriting")
    old = insp.meta if insp.state == owned.OURS else None
    changed = _write(insp, text)
    shown = locations.display(insp.path, environ)
    if changed:
        report.say(f"Rewrote {shown}: {_describe(target, settings.systemd_path)}.")
    else:
        report.say(f"{shown} is up to date: Go {target.version}.")
    manager = tell_manager(environ, meta, old, report, reload=changed)
    report.data = {
        "enabled": True,
        "changed": changed,
        "version": str(target.version),
        "manager": manager,
    }
    return report
