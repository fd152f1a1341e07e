"""``goswitch list-remote [PREFIX]``: releases in the index."""

from __future__ import annotations

import os

import click

from ...errors import EXIT_NOT_FOUND
from ..output import data, emit_json, hint, load_settings


@click.command(
    short_help="List Go releases available for this machine.",
    epilog="See also: goswitch install, goswitch list.",
)
@click.argument("prefix", required=False, metavar="[PREFIX]")
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Also pre-releases (rc, beta) and releases with no archive for this machine.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@click.option("--refresh", is_flag=True, help="Fetch the release index now (ignore its cache).")
def command(prefix, include_all, as_json, refresh) -> None:
    """List releases from the release index (GOSWITCH_INDEX_URL), newest
    first: stable ones with an archive for this machine, or --all.
    PREFIX narrows the list (1.22, 1); latest shows the newest stable
    release alone.  The index is cached for index_ttl
    seconds; --refresh fetches it now.  Exit status 3 when nothing
    matches (--json still prints []).

    \b
    Examples:
      goswitch list-remote
      goswitch list-remote 1.22
      goswitch list-remote --all 1.23           with release candidates
      goswitch list-remote --json --refresh | jq -r '.[0].version'
    """
    from ...install.listing import remote_listing
    from ...install.progress import reporter_for_cli
    from ...resolve import parse_user_spec

    spec = parse_user_spec(prefix, f"prefix {prefix!r}", "write e.g. 1.22 or 1") if prefix else None
    rows, hidden = remote_listing(
        load_settings(),
        os.environ,
        prefix,
        include_all=include_all,
        refresh=refresh,
        reporter=reporter_for_cli(),
    )
    if as_json:
        emit_json(rows)
    elif not rows:
        hint(_nothing_matches(prefix, spec, hidden))
    if not rows:  # like grep: the status says whether anything matched
        raise click.exceptions.Exit(EXIT_NOT_FOUND)
    if as_json:
        return
    for r in rows:
        notes = []
        if r["installed"]:
            notes.append("installed")
        if not r["stable"]:
            notes.append("pre-release")
        if r["archive"] is None:
            notes.append("no archive for this machine")
        data(r["version"] + (f"  ({', '.join(notes)})" if notes else ""))


def _nothing_matches(prefix, spec, hidden: list[dict]) -> str:
    """Why the list is empty, and what would show something."""
    said = "no release matches" + (f" {prefix}" if prefix else "")
    if hidden:
        some = ", ".join(r["version"] for r in hidden[:3]) + (", ..." if len(hidden) > 3 else "")
        return (f"{said} among the stable releases with an archive for this machine; "
                f"--all also shows pre-releases and releases without one ({some})")
    if spec is not None and spec.kind == "prefix" and spec.minor is not None:
        line = f"{spec.major}.{spec.minor}"
        return (f"{said} ({prefix} means Go {line} and its point releases; "
                f"`goswitch list-remote {spec.major}` lists every {spec.major}.x release)")
    return said
