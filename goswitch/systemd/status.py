"""``goswitch systemd status``: the file, what systemd computes from it, what the session has."""

from __future__ import annotations

import os

from .. import settings as settings_mod
from . import envfile, generator, locations, owned
from .manager import Manager

SCHEMA = 1


def _file_info(insp: owned.Inspection) -> dict:
    meta = insp.meta if insp.state in (owned.OURS, owned.EDITED) else {}
    goroot = meta.get("goroot") if isinstance(meta.get("goroot"), str) else None
    return {
        "path": insp.path,
        "exists": insp.exists,
        "state": insp.state,
        "version": meta.get("version") if isinstance(meta.get("version"), str) else None,
        "goroot": goroot,
        "goroot_installed": (
            os.path.isfile(os.path.join(goroot, "bin", "go")) if goroot is not None else None
        ),
        "path_entries": list(meta.get("path") or []),
        "path_mode": meta.get("mode"),
        "set": dict(meta.get("set") or {}),
    }


def _pick(env: dict) -> dict:
    return {k: env[k] for k in envfile.MANAGED if k in env}


def _has_entries(path: str, entries: list[str]) -> bool:
    parts = path.split(":")
    return bool(entries) and all(e in parts for e in entries)


def _stale(insp: owned.Inspection, settings, environ) -> tuple[list[str] | None, str | None]:
    """(what refresh would change in our file: ``GOPATH``, ``PATH``...; why it cannot
    follow the settings).  (None, None) with no file of ours or the integration off."""
    if insp.state != owned.OURS or not settings.systemd_enabled:
        return None, None
    from ..errors import GoswitchError
    from .writer import plan

    try:
        _, (text, meta) = plan(environ, settings, insp)
    except GoswitchError as exc:  # the Go the settings name is not installed, ...
        return None, exc.message
    if text == insp.text:
        return [], None
    old = insp.meta
    old_set = old.get("set") or {}
    changed = [n for n in sorted(set(meta["set"]) | set(old_set))
               if meta["set"].get(n) != old_set.get(n)]
    if meta["path"] != old.get("path") or meta["mode"] != old.get("mode"):
        changed.append("PATH")
    return changed or ["the file's text"], None


def collect(environ=os.environ, settings=None) -> dict:
    """Everything ``status`` shows, as the stable ``--json`` schema."""
    settings = settings or settings_mod.load(environ)
    insp = owned.inspect(locations.env_file(environ))
    file = _file_info(insp)
    file["stale"], file["cannot_follow"] = _stale(insp, settings, environ)
    unit_insp = owned.inspect(locations.unit_file(environ))
    link = locations.unit_wants_link(environ)
    unit = {
        "path": unit_insp.path,
        "exists": unit_insp.exists,
        "state": unit_insp.state,
        "enabled": os.path.islink(link) or os.path.exists(link),
    }

    view = generator.view(environ, with_file=insp.exists)
    gen: dict = {
        "program": view.program,
        "available": view.error is None,
        "error": view.error,
        "base_path": view.base_path,
        "computed": _pick(view.computed),
        "changed": view.changed if view.error is None else [],
        "effective": None,
    }
    if view.error is None and file["goroot"]:
        gen["effective"] = view.computed.get("GOROOT") == file["goroot"] and _has_entries(
            view.computed.get("PATH", ""), file["path_entries"]
        )

    mgr = Manager(environ)
    answers = mgr.probe()
    manager: dict = {
        "answers": answers,
        "detail": mgr.detail,
        "values": _pick(mgr.environment) if answers else None,
        "in_sync": None,
    }
    if answers and file["goroot"]:
        manager["in_sync"] = mgr.environment.get("GOROOT") == file["goroot"] and _has_entries(
            mgr.environment.get("PATH", ""), file["path_entries"]
        )

    return {
        "schema": SCHEMA,
        "enabled": bool(settings.systemd_enabled),
        "follows": "pinned" if settings.systemd_version else "default",
        "version_setting": settings.systemd_version,
        "default_version": settings.default_version,
        "path_mode": settings.systemd_path,
        "toolchain": settings.systemd_toolchain,
        "file": file,
        "unit": unit,
        "generator": gen,
        "manager": manager,
        "warnings": _warnings(settings, file, unit, gen, manager, environ),
    }


def _warnings(settings, file, unit, gen, manager, environ) -> list[str]:
    shown = locations.display(file["path"], environ)
    out = []
    if file["state"] == owned.EDITED:
        out.append(
            f"{shown} was edited after goswitch wrote it; goswitch leaves it alone "
            "(--force replaces or deletes it)."
        )
    elif file["state"] == owned.FOREIGN:
        out.append(f"{shown} was not written by goswitch; goswitch leaves it alone.")
    if settings.systemd_enabled and not file["exists"]:
        out.append(f"systemd.enabled is on but {shown} is missing: run `goswitch systemd refresh`.")
    if not settings.systemd_enabled and file["state"] == owned.OURS:
        out.append(
            "The file exists but systemd.enabled is off: `goswitch use --global` "
            "will not update it (run `goswitch systemd enable` or `disable`)."
        )
    if file["cannot_follow"]:
        out.append(
            f"{shown} cannot follow your settings, so it still gives Go {file['version']}: "
            f"{file['cannot_follow']}, then `goswitch systemd refresh`."
        )
    if file["stale"]:
        out.append(
            f"{shown} is out of date: your settings now give another "
            f"{', '.join(file['stale'])}; run `goswitch systemd refresh`."
        )
    if file["goroot_installed"] is False:
        out.append(
            f"GOROOT {file['goroot']} is no longer installed: run "
            f"`goswitch install {file['version']}` (the file points there), or choose an "
            "installed version (`goswitch systemd enable --version X`, or `goswitch use "
            "--global X` when the file follows the global default)."
        )
    if unit["state"] in (owned.EDITED, owned.FOREIGN):
        out.append(
            f"{locations.display(unit['path'], environ)} is {unit['state']}; goswitch "
            "leaves it alone."
        )
    if gen["effective"] is False:
        later = _overriding_files(environ)
        if later:
            shown = ", ".join(locations.display(p, environ) for p in later)
            out.append(
                f"systemd's generator does not end up with this file's GOROOT/PATH: {shown} "
                f"set{'s' if len(later) == 1 else ''} them after it (files apply in name "
                "order): remove those lines, or give that file a name before "
                f"{locations.FILE_NAME}."
            )
        else:
            out.append(
                "systemd's generator does not end up with this file's GOROOT/PATH: a later "
                "environment.d file or /etc/environment overrides it."
            )
    if manager["in_sync"] is False:
        out.append(
            "The running session does not have these values yet: run "
            "`goswitch systemd refresh`, or log in again."
        )
    return out


def render(data: dict, environ) -> list[str]:
    lines: list[str] = []
    file = data["file"]
    shown = locations.display(file["path"], environ)
    state = {
        owned.OURS: "written by goswitch, unchanged",
        owned.EDITED: "written by goswitch, EDITED since",
        owned.FOREIGN: "not written by goswitch",
    }
    follows = (
        f"pinned by systemd.version = {data['version_setting']}"
        if data["follows"] == "pinned"
        else f"follows the global default ({data['default_version'] or 'unset'})"
    )
    lines.append(
        f"enabled:    {'yes' if data['enabled'] else 'no'}; {follows}; "
        f"PATH {data['path_mode']}; GOTOOLCHAIN {data['toolchain']}"
    )
    if file["exists"]:
        lines.append(f"file:       {shown} ({state[file['state']]})")
        if file["version"]:
            lines.append(f"            Go {file['version']}  GOROOT={file['goroot']}")
    else:
        lines.append(f"file:       {shown} (absent)")
    unit = data["unit"]
    if unit["exists"]:
        lines.append(
            f"unit:       {locations.display(unit['path'], environ)} "
            f"({'enabled' if unit['enabled'] else 'not enabled'}; {unit['state']})"
        )
    gen = data["generator"]
    if not gen["available"]:
        lines.append(f"generator:  {gen['error']}")
    else:
        lines.append(f"generator:  {gen['program']}")
        lines.append(f"            computes, given PATH={gen['base_path']}:")
        for name, value in gen["computed"].items():
            lines.append(f"              {name}={value}")
        if file["exists"]:
            changed = ", ".join(gen["changed"]) or "nothing"
            lines.append(f"            changed by {os.path.basename(file['path'])}: {changed}")
    mgr = data["manager"]
    if mgr["answers"]:
        lines.append("session:    the running user manager has:")
        for name, value in (mgr["values"] or {}).items():
            lines.append(f"              {name}={value}")
        if not mgr["values"]:
            lines.append("              (no Go variables)")
    else:
        lines.append(
            f"session:    no user manager answers ({mgr['detail']}); "
            "the file takes effect at the next login"
        )
    lines.extend("warning:    " + w for w in data["warnings"])
    return lines


_OURS = ("GOROOT", "PATH", "GOTOOLCHAIN")


def _overriding_files(environ) -> list[str]:
    """The environment.d files applied after ours that set a variable ours sets."""
    found = []
    for path in locations.environment_d_files(environ):
        if os.path.basename(path) <= locations.FILE_NAME:
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read(1 << 20).splitlines()
        except OSError:
            continue
        if any(line.partition("=")[0].strip() in _OURS for line in lines if "=" in line):
            found.append(path)
    return found
