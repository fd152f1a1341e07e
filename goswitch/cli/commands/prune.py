"""``goswitch prune``: remove installed versions that have not been used for a while."""

from __future__ import annotations

import os
import time

import click

from ... import prune as prune_mod
from ..output import cwd, data, emit_json, load_settings, note


@click.command(short_help="Remove Go versions unused for a while.")
@click.option("-n", "--dry-run", is_flag=True, help="Show what would be removed; remove nothing.")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    default=prune_mod.DEFAULT_DAYS,
    show_default=True,
    metavar="DAYS",
    help="Remove versions unused for more than DAYS days.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see docs).")
def command(dry_run: bool, days: int, as_json: bool) -> None:
    """Remove installed Go versions not used for more than DAYS days.

    Use is recorded (at most once a day) by the shell hook and by `use`,
    `exec` and `env`; a never-used version counts from its install.  Never
    removed: the global default, the version in use here, the one
    systemd.version pins, the one $GOROOT points at, and anything in a
    read-only store (GOSWITCH_STORES).  Prints one line per removed version.

    \b
    Examples:
      goswitch prune --dry-run
      goswitch prune                    unused for 90 days
      goswitch prune --older-than 30
      goswitch prune --older-than 0     everything but the protected ones
    """
    now = time.time()
    settings = load_settings()
    entries = prune_mod.plan(settings, os.environ, cwd(), days, now)
    doomed = [e for e in entries if e.remove]
    for entry in doomed:
        if not dry_run:
            prune_mod.remove(entry, settings, os.environ)
        if not as_json:
            verb = "would remove" if dry_run else "removed"
            unused = entry.days_unused(now)
            data(f"{verb} {entry.version}  (unused for {unused} days)  {entry.root}")
    if as_json:
        emit_json(
            {
                "dry_run": dry_run,
                "older_than_days": days,
                "versions": [e.to_dict(now) for e in entries],
            }
        )
    elif not doomed:
        note(f"nothing to prune ({_why_nothing(entries, days, now)})")


def _why_nothing(entries, days: int, now: float) -> str:
    """Say which old versions were kept and why, not just "none unused"."""
    kept = [e for e in entries if e.keep_reason and e.days_unused(now) >= days]
    if not kept:
        return f"{len(entries)} installed, none unused for {days} days"
    parts = [f"{e.version} kept: {e.keep_reason}" for e in kept]
    if len(kept) < len(entries):
        parts.append(f"the others were used within {days} days")
    return f"{len(entries)} installed; " + "; ".join(parts)
