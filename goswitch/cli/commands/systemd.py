"""``goswitch systemd``: Go for programs started by the systemd user session."""

from __future__ import annotations

import os

import click

from ..output import data, emit_json, load_settings, note

EPILOG = """\b
Examples:
  goswitch systemd enable                  # the global default, Go's bin first on PATH
  goswitch systemd enable --version 1.22   # pin the session to the newest 1.22.x
  goswitch systemd enable --path append --unit
  goswitch systemd status --json
  goswitch systemd disable                 # remove what goswitch wrote
"""


def _say(report) -> None:
    for line in report.lines:
        note(line)


@click.group(name="systemd", epilog=EPILOG)
def command() -> None:
    """Go for programs started by your systemd user session.

    Writes ~/.config/environment.d/60-goswitch.conf (GOROOT, GOTOOLCHAIN, and
    Go's bin plus your GOBIN on PATH), which systemd reads at login, so IDEs
    started from the desktop, user services and timers see Go too.
    Documentation: docs/systemd.md.
    """


@command.command(epilog=EPILOG)
@click.option(
    "--version",
    "version",
    metavar="SPEC",
    help="Go to use (1.22.10, 1.22, latest); `default` follows the global default again.",
)
@click.option(
    "--path",
    "path_mode",
    type=click.Choice(["prepend", "append"]),
    help="Put Go's bin before or after the session PATH (saved as systemd.path).",
)
@click.option(
    "--unit",
    is_flag=True,
    help="Also install goswitch-env.service, which runs `goswitch systemd refresh` at login.",
)
@click.option("--force", is_flag=True, help="Replace files even if you edited them.")
def enable(version, path_mode, unit, force) -> None:
    """Write the environment.d file, and tell a running session.

    The version is --version (saved as systemd.version), else the
    systemd.version setting, else the global default (then `goswitch use
    --global` rewrites the file); it is installed first when missing.
    Programs the user manager starts from now on get it; with no user
    manager running, it takes effect at the next login.
    """
    from ...systemd.writer import enable as run

    load_settings()  # a broken config is reported here, with its fix
    _say(run(os.environ, version, path_mode, unit, force))


@command.command()
@click.option("--force", is_flag=True, help="Delete files even if you edited them.")
def disable(force) -> None:
    """Remove the environment.d file (and unit) goswitch wrote.

    Files you edited are left alone unless --force.  Takes effect at the next
    login (a running user manager is told right away).

    \b
    Example:
      goswitch systemd disable
    """
    from ...systemd.writer import disable as run

    _say(run(os.environ, force))


@command.command(short_help="Show the file, what systemd computes from it, and the session.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (schema 1).")
def status(as_json) -> None:
    """Show the file, what systemd's generator computes from it, and the session.

    The generator is systemd's own (30-systemd-environment-d-generator), run
    with a fixed base PATH so you see exactly what the file adds.

    \b
    Examples:
      goswitch systemd status
      goswitch systemd status --json | jq .generator.computed.GOROOT
    """
    from ...systemd.status import collect, render

    info = collect(os.environ, load_settings())
    if as_json:
        emit_json(info)
    else:
        data("\n".join(render(info, os.environ)))


@command.command()
@click.option("--force", is_flag=True, help="Rewrite the file even if you edited it.")
def refresh(force) -> None:
    """Re-point the file at the Go the settings name now.

    Run at login by goswitch-env.service; `goswitch use --global` does the
    same.  Does nothing when the integration is not enabled.

    \b
    Example:
      goswitch systemd refresh
    """
    from ...systemd.writer import refresh as run

    _say(run(os.environ, force, load_settings()))
