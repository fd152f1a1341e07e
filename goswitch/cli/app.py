"""The ``goswitch`` click group.

Commands are loaded lazily (``commands/<name>.py`` exposing ``command``), so
``goswitch current`` does not pay for importing the installer or doctor.
"""

from __future__ import annotations

import errno
import importlib
import sys

import click

from .. import __version__
from ..errors import EXIT_ERROR, EXIT_INTERRUPTED, GoswitchError
from ..shells import printable
from .output import flush_data, from_os_error

# name -> module under goswitch.cli.commands; order is the --help order.
COMMANDS = {
    "use": "use",
    "install": "install",
    "uninstall": "uninstall",
    "list": "list_installed",
    "list-remote": "list_remote",
    "current": "current",
    "which": "which",
    "exec": "exec_",
    "env": "env",
    "trust": "trust",
    "untrust": "untrust",
    "prune": "prune",
    "config": "config",
    "systemd": "systemd",
    "doctor": "doctor",
    "init": "init",
    "hook": "hook",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._load(name) is not None]

    def get_command(self, ctx: click.Context, name: str):
        return self._load(name)

    @staticmethod
    def _load(name: str):
        module = COMMANDS.get(name)
        if module is None:
            return None
        try:
            mod = importlib.import_module(f"goswitch.cli.commands.{module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"goswitch.cli.commands.{module}":
                return None  # not written yet
            raise
        return mod.command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="goswitch")
def cli() -> None:
    """Per-project Go versions, switched by your shell as you cd.

    \b
    Set up once (then open a new shell):
      bash:  echo 'eval "$(goswitch init bash)"' >> ~/.bashrc
      zsh:   echo 'eval "$(goswitch init zsh)"' >> ~/.zshrc
      fish:  echo 'goswitch init fish | source' >> ~/.config/fish/config.fish

    \b
    Everyday:
      goswitch use 1.22.10        pin this directory (writes .go-version)
      goswitch use --global 1.23  default everywhere else
      goswitch current            what is active here, and why
    """


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI timeout, an IDE stopping a task, `timeout(1)`), raised like Ctrl-C so
    that the same clean-up runs: no half-extracted tree is left behind."""


def _terminated(signum, frame) -> None:
    raise Terminated()


def main(args: list[str] | None = None) -> None:
    import signal

    _standard_fds()
    signal.signal(signal.SIGTERM, _terminated)
    try:
        try:
            # Without standalone mode click *returns* the code of ctx.exit(n); pass it on.
            code = cli.main(args=args, prog_name="goswitch", standalone_mode=False)
        except SystemExit as exc:
            # click answers a broken pipe itself with exit 1; a reader that left early
            # is not a failure of ours: end as a tool killed by SIGPIPE would.
            cause = exc.__context__
            if isinstance(cause, OSError) and cause.errno == errno.EPIPE:
                raise BrokenPipeError() from None
            raise
        finally:
            flush_data()  # what data() kept for a pipe, before any error message
        sys.stdout.flush()
        if isinstance(code, int) and not isinstance(code, bool) and code:
            sys.exit(code)
    except GoswitchError as exc:
        click.echo(f"goswitch: {printable(exc.message)}", err=True)
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        # click turns KeyboardInterrupt (and so Terminated) into Abort "from" it.
        if isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated):
            click.echo("goswitch: terminated", err=True)
            sys.exit(128 + 15)
        click.echo("goswitch: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except _NO_ARGS_IS_HELP as exc:
        # click >= 8.2 raises this for `goswitch` or `goswitch config` alone; show the
        # help as click 8.0/8.1 do (a usage error below would fold it into one line).
        click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        sys.exit(0)
    except click.UsageError as exc:
        # One line like every other error (docs/commands.md, "Output"), not click's four.
        command = exc.ctx.command_path if exc.ctx is not None else "goswitch"
        sub = command.partition(" ")[2]
        why = printable(exc.format_message()).rstrip(".")
        click.echo(f"goswitch: {sub + ': ' if sub else ''}{why} (see `{command} --help`)",
                   err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # `goswitch list | head -1`: the reader left; end quietly, as a tool killed by SIGPIPE.
        _drop_stdout()
        sys.exit(141)
    except OSError as exc:  # a file we could not write, a full disk: one line, no traceback
        _drop_stdout()
        click.echo(f"goswitch: {printable(from_os_error(exc).message)}", err=True)
        sys.exit(EXIT_ERROR)


# A group called without its subcommand (click >= 8.2; nothing to catch before that).
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _standard_fds() -> None:
    """Give closed stdin/stdout/stderr (`goswitch install 2>&-`) /dev/null.

    Else Python leaves sys.stderr None (every message would raise) and the next file
    opened takes fd 2, where gpgv and the command `exec` runs would write their errors.
    """
    import os

    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                opened = os.open(os.devnull, os.O_RDWR)
            except OSError:
                return
            if opened != fd:
                os.dup2(opened, fd)  # inheritable
                os.close(opened)
            else:
                os.set_inheritable(fd, True)  # Python opens close-on-exec; exec'd commands need it
    if sys.stdout is None:
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - for the process's life
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115


def _drop_stdout() -> None:
    """Point stdout at /dev/null so the exit-time flush cannot fail a second time."""
    import os

    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError):
        pass
