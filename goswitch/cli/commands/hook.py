"""``goswitch hook SHELL``: one hook evaluation (internal; run by the init script).

Like ``init``, normal runs are served by ``goswitch.run`` without click;
this command only documents it.
"""

from __future__ import annotations

import sys

import click

from ...shells import NAMES


@click.command(hidden=True, context_settings={"ignore_unknown_options": True})
@click.argument("shell", type=click.Choice(NAMES))
@click.argument("args", nargs=-1)
def command(shell: str, args: tuple[str, ...]) -> None:
    """Print the shell code that brings this shell's Go environment up to date.

    Internal: the init script runs it when the directory or a watched file
    changed.  Prints shell code on stdout, messages on stderr.

    \b
    Examples:
      eval "$(goswitch hook bash)"     what the bash hook does after a cd
    """
    from ...hook.main import hook

    sys.exit(hook([shell, *args]))
