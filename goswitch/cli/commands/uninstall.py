"""``goswitch uninstall SPEC...``: remove versions from goswitch's own store."""

from __future__ import annotations

import os

import click

from ..completion import complete_installed
from ..output import load_settings


@click.command(
    short_help="Remove installed Go versions.",
    epilog="See also: goswitch list, goswitch prune.",
)
@click.argument(
    "specs", nargs=-1, required=True, metavar="SPEC...", shell_complete=complete_installed
)
@click.option(
    "-f",
    "--force",
    is_flag=True,
    help="Remove even the version the systemd session environment points at.",
)
@click.option("-q", "--quiet", is_flag=True, help="No messages, only errors.")
def command(specs, force, quiet) -> None:
    """Remove SPEC from goswitch's store ($GOSWITCH_HOME/versions).

    A prefix must match exactly one installed version.  Versions in
    read-only stores (GOSWITCH_STORES) are never removed.  The version the
    systemd environment.d file points at is kept unless --force: the next
    login would otherwise get a GOROOT that does not exist.

    \b
    Examples:
      goswitch uninstall 1.21.13
      goswitch uninstall 1.20 1.21rc2
      goswitch uninstall --force 1.22.10        even if systemd uses it
    """
    from ...install import uninstall
    from ...install.progress import reporter_for_cli

    settings = load_settings()
    reporter = reporter_for_cli(quiet)
    for spec in specs:
        uninstall(spec, settings, os.environ, force=force, progress=reporter)
