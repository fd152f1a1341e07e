"""``goswitch doctor``: option parsing only; the checks live in :mod:`goswitch.doctor`."""

from __future__ import annotations

import math
import shutil
import sys

import click

from ... import __version__
from ...doctor import ALL, CHECK_NAMES, exit_code, run_checks
from ...doctor.checks.sockets import TIME_WAIT_SECONDS, ports_needed
from ...doctor.report import render_json, render_text, use_color
from ...doctor.system import ROOT_ENV, Context

_CHECK_LIST = "\n".join(f"  {c.name:<8} {c.summary}" for c in ALL)

EPILOG = f"""\b
Checks (--check NAME, repeatable):
{_CHECK_LIST}

\b
Examples:
  goswitch doctor                       everything, as a table
  goswitch doctor --check go            only the Go environment of this directory
  goswitch doctor --check sockets --qps 500 --lifetime 2
                                        do 500 new connections/s, each open 2 s,
                                        run out of ephemeral ports?
  goswitch doctor --json | jq '.checks[].findings[] | select(.status=="fail")'

\b
Exit status: 0 when nothing fails (warnings allowed), 1 when something fails,
2 for a bad command line. Nothing here needs root; what only root can read
(the audit log) is reported as not applicable.
"""


@click.command("doctor", epilog=EPILOG, context_settings={"max_content_width": 100})
@click.option("--check", "checks", multiple=True, type=click.Choice(CHECK_NAMES),
              metavar="NAME", help="Run only this check (repeatable): " + ", ".join(CHECK_NAMES)
              + ".")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema in docs/doctor.md).")
@click.option("--qps", type=click.FloatRange(min=0, min_open=True), metavar="N",
              help="New outgoing connections per second to one destination, for the port "
              "estimate.")
@click.option("--lifetime", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS",
              show_default=True, help="How long each of those connections stays open.")
@click.option("-C", "--dir", "directory", type=click.Path(exists=True, file_okay=False),
              help="Check the Go environment as seen from DIR (default: here).")
@click.option("-v", "--verbose", is_flag=True, help="Explain every row, not just problems.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the table (auto: on a terminal without NO_COLOR).")
@click.option("--root", envvar=ROOT_ENV, hidden=True, type=click.Path(file_okay=False),
              help="Testing aid: read /proc, /sys and /etc under this directory.")
def command(checks, as_json, qps, lifetime, directory, verbose, color, root) -> None:
    """Find the settings on this machine that break Go builds and `go test`.

    Looks at the Go environment (which go runs, GOROOT, GOTOOLCHAIN, GOPATH,
    GOBIN, GOFLAGS), process limits, DNS resolver configuration, ephemeral
    ports and TIME_WAIT, and SELinux; reports each as ok, warn, FAIL or n/a with the
    value measured and the fix.
    """
    for name, value in (("--qps", qps), ("--lifetime", lifetime)):
        if value is not None and not math.isfinite(value):
            raise click.BadParameter(f"{value} is not a finite number", param_hint=name)
    # Finite alone is not enough: the estimate multiplies them (1e308 x 60 overflows).
    if qps is not None and ports_needed(qps, lifetime + TIME_WAIT_SECONDS) is None:
        raise click.BadParameter(
            f"{qps:g} new connections/s x ({lifetime:g} s + {TIME_WAIT_SECONDS} s) is too "
            "large to estimate; give a smaller --qps or --lifetime", param_hint="--qps")
    ctx = Context.create(root=root, cwd=directory, qps=qps, lifetime=lifetime)
    results = run_checks(ctx, checks)
    if as_json:
        click.echo(render_json(results, ctx, __version__), nl=False)
    else:
        colored = use_color(color, sys.stdout.isatty(), ctx.environ)
        width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
        click.echo(render_text(results, colored, width, verbose), nl=False, color=colored)
    click.get_current_context().exit(exit_code(results))
