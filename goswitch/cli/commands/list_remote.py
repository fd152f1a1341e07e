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
    PREFIX narrows the list (1.22, 1).  The index is cached for index_ttl
    seconds; --refresh fetches it now.  Exit status 3 when nothing
    matches (--json still prints []).

    \b
    Examples:
      goswitch list-remote
      goswitch list-remote 1.22
      goswitch list-remote --all 1.23           with release candidates
      goswitch list-remote --json --refresh | jq -r '.[0].version'
    """
    from ...install.listing import remote_rows
    from ...install.progress import reporter_for_cli
    from ...resolve import parse_user_spec

    if prefix:
        parse_user_spec(prefix, f"prefix {prefix!r}", "write e.g. 1.22 or 1")
    rows = remote_rows(
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
        hint("no release matches" + (f" {prefix}" if prefix else ""))
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
