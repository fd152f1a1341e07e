"""``goswitch trust [PATH]`` and ``goswitch trust --list``."""

from __future__ import annotations

import os

import click

from ... import pinning, trust
from ..output import cwd, data, emit_json, note, style, usage_error


@click.command(short_help="Allow a goswitch.toml's [env] table to apply.")
@click.argument("path", required=False, type=click.Path(dir_okay=True))
@click.option("-l", "--list", "list_", is_flag=True, help="List trusted files and their state.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON.")
def command(path: str | None, list_: bool, as_json: bool) -> None:
    """Trust a goswitch.toml so its [env] variables apply.

    A goswitch.toml can set any variable through [env], so its [env] only
    applies after you trust it.  Trust records the file's real path and the
    sha256 of its content: any edit makes it untrusted again (`goswitch use`
    keeps a trusted file trusted: it only changes [go] version).  Without
    PATH, the nearest goswitch.toml from here upward is trusted; PATH may be
    the file or its directory.  The version a file pins applies either way.

    \b
    --list prints one line per recorded file:
      trusted  PATH    content unchanged, [env] applies
      changed  PATH    edited since (run `goswitch trust PATH` again)
      missing  PATH    the file is gone

    \b
    Examples:
      goswitch trust                    the goswitch.toml of this project
      goswitch trust ~/src/api/goswitch.toml
      goswitch trust --list
      goswitch untrust                  take it back
    """
    if list_:
        _list(as_json)
        return
    if as_json:
        raise usage_error("--json", "only goes with --list", "goswitch trust --list --json")
    target = pinning.project_toml(path, cwd())
    env = pinning.check_trustable(target)
    real = trust.trust(os.environ, target)
    names = ", ".join(sorted(env)) if env else "nothing yet (no [env] table)"
    note(f"trusted {real}; its [env] sets {names}")


def _list(as_json: bool) -> None:
    rows = []
    for path, ok in trust.trusted(os.environ):
        status = "trusted" if ok else ("changed" if os.path.exists(path) else "missing")
        rows.append({"path": path, "status": status})
    if as_json:
        emit_json(rows)
        return
    colors = {"trusted": "green", "changed": "yellow", "missing": "red"}
    for row in rows:
        data(f"{style(row['status'], fg=colors[row['status']])}  {row['path']}")
    if not rows:
        note("no trusted files (run `goswitch trust` in a project)")
