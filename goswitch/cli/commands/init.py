"""``goswitch init SHELL``: print the shell hook.

Normal runs never reach click: ``goswitch.run`` serves ``init`` straight
from the stdlib-only hook path (it runs at every shell start).  This command
exists for ``--help`` and for completion.
"""

from __future__ import annotations

import sys

import click

from ...shells import NAMES


@click.command(short_help="Print the shell hook (put it in your shell's rc file).")
@click.argument("shell", type=click.Choice(NAMES))
def command(shell: str) -> None:
    """Print the hook for SHELL; load it from your shell's start-up file.

    The hook switches GOROOT, PATH and GOTOOLCHAIN as you cd between
    projects and restores them when you leave.  An idle prompt costs no
    process; a cd runs one short stdlib-only Python process.

    \b
    Examples:
      echo 'eval "$(goswitch init bash)"' >> ~/.bashrc
      echo 'eval "$(goswitch init zsh)"' >> ~/.zshrc
      echo 'goswitch init fish | source' >> ~/.config/fish/config.fish
    """
    from ...shells import init

    sys.exit(init([shell]))
