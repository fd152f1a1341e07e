"""``goswitch untrust [PATH]``: stop applying a goswitch.toml's [env]."""

from __future__ import annotations

import os

import click

from ... import pinning, trust
from ..output import cwd, note


@click.command(short_help="Stop applying a goswitch.toml's [env] table.")
@click.argument("path", required=False, type=click.Path(dir_okay=True))
def command(path: str | None) -> None:
    """Forget the trust of a goswitch.toml; its [env] no longer applies.

    Without PATH, the nearest goswitch.toml from here upward.  PATH may be
    the file or its directory, and may no longer exist.  The version the
    file pins still applies.

    \b
    Examples:
      goswitch untrust
      goswitch untrust ~/src/api
    """
    target = pinning.project_toml(path, cwd(), must_exist=False)
    if trust.untrust(os.environ, target):
        note(f"untrusted {os.path.realpath(target)}")
    else:
        note(f"{os.path.realpath(target)} was not trusted")
