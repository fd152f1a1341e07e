"""``goswitch list``: installed versions, the current one and the default marked."""

from __future__ import annotations

import os

import click

from ..output import cwd, data, emit_json, hint, load_settings, style


@click.command(
    short_help="List installed Go versions.",
    epilog="See also: goswitch list-remote, goswitch current.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
def command(as_json: bool) -> None:
    """List installed versions, newest first, from every store.

    `*` marks the version active in this directory (and says which file
    chose it); `default` marks what the global default selects, as the hook
    would (`latest`: the newest release, once it is installed).  Versions from read-only
    stores (GOSWITCH_STORES) are shown with their store.

    \b
    Examples:
      goswitch list
      goswitch list --json | jq -r '.[] | select(.current) | .root'
    """
    from ...install.listing import installed_rows

    rows = installed_rows(load_settings(), os.environ, cwd())
    if as_json:
        emit_json(rows)
        return
    if not rows:
        hint("no Go version is installed (try `goswitch install latest`)")
        return
    width = max(len(r["version"]) for r in rows)
    for r in rows:
        mark = style("*", bold=True) if r["current"] else " "
        notes = []
        if r["current"]:
            notes.append(f"current: {r['current_source']}")
        if r["default"]:
            notes.append("default")
        if r["read_only"]:
            notes.append("read-only store")
        tail = f"  ({', '.join(notes)})" if notes else ""
        data(f"{mark} {r['version']:<{width}}  {r['root']}{tail}")
