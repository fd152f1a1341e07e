"""``goswitch exec [SPEC] -- CMD...``: run a command with a Go's environment."""

from __future__ import annotations

import errno
import os
import sys

import click

from ... import envexport
from ...errors import GoswitchError
from ...versions import Spec, VersionError
from ..completion import complete_exec_args
from ..output import cwd, load_settings, untrusted_hint, usage_error

EXIT_CANNOT_EXECUTE = 126  # as in POSIX shells
EXIT_COMMAND_NOT_FOUND = 127

_CMD_KEY = "goswitch.exec.command"


class ExecCommand(click.Command):
    """Splits the arguments at the first ``--``: ours before it, the command after."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            at = args.index("--")
            ctx.meta[_CMD_KEY] = args[at + 1 :]
            args = args[:at]
        return super().parse_args(ctx, args)


@click.command(
    cls=ExecCommand,
    short_help="Run a command with a Go version's environment.",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument(
    "args",
    nargs=-1,
    type=click.UNPROCESSED,
    metavar="[SPEC] -- CMD [ARG]...",
    shell_complete=complete_exec_args,
)
def command(args: tuple[str, ...]) -> None:
    """Run CMD with GOROOT, PATH, GOTOOLCHAIN (and trusted [env]) set for a Go.

    SPEC picks the version (installed first when missing and auto_install
    is on); without it, the version active in this directory is used.  The
    command replaces goswitch (exec), so its exit status is the status of
    `goswitch exec`; 127 when CMD is not found, 126 when it cannot run.
    With SPEC, GOSWITCH_GO_VERSION is exported too, so a shell started this
    way keeps that Go.  Without CMD, your $SHELL is started.

    \b
    Examples:
      goswitch exec -- go version       the Go pinned here
      goswitch exec 1.21 -- go test ./...
      goswitch exec 1.23rc1 -- go build -o app .
      goswitch exec 1.22.10             a shell with Go 1.22.10
    """
    ctx = click.get_current_context()
    spec, cmd = split(list(args), ctx.meta.get(_CMD_KEY))
    settings = load_settings()
    res = envexport.select_go(spec, cwd(), settings, os.environ)
    if res.env_untrusted:
        untrusted_hint(res.env_file)
    env = envexport.build(res, settings, os.environ, pin_version=spec is not None)
    run(cmd or [os.environ.get("SHELL") or "/bin/sh"], env.apply(os.environ))


def split(before: list[str], after: list[str] | None) -> tuple[str | None, list[str]]:
    """(SPEC, CMD) from the words before ``--`` and after it (None: there was no ``--``)."""
    if after is not None:
        if len(before) > 1:
            raise usage_error(
                " ".join(before), "only one version may come before --", "goswitch exec 1.22 -- CMD"
            )
        return (before[0] if before else None), after
    if len(before) >= 2 and _is_spec(before[0]):
        return before[0], before[1:]
    if len(before) == 1 and _is_spec(before[0]) and not _on_path(before[0]):
        return before[0], []
    return None, before


def _is_spec(word: str) -> bool:
    try:
        Spec.parse(word)
    except VersionError:
        return False
    return True


def _on_path(word: str) -> bool:
    import shutil

    return shutil.which(word) is not None


def run(cmd: list[str], env: dict[str, str]) -> None:
    from ..output import flush_data

    flush_data()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(cmd[0], cmd, env)
    except FileNotFoundError:
        raise GoswitchError(
            cmd[0], "command not found", "check the name", exit_code=EXIT_COMMAND_NOT_FOUND
        ) from None
    except OSError as exc:  # PermissionError, ENOEXEC, ...
        if exc.errno == errno.ENOEXEC:
            _run_as_shell_script(cmd, env)  # what execvp(3) and every shell do
        raise GoswitchError(
            cmd[0], f"cannot run it: {exc.strerror}", exit_code=EXIT_CANNOT_EXECUTE
        ) from None


def _run_as_shell_script(cmd: list[str], env: dict[str, str]) -> None:
    """An executable without a #! line is a script for /bin/sh (POSIX execvp)."""
    import shutil

    path = cmd[0] if "/" in cmd[0] else shutil.which(cmd[0], path=env.get("PATH"))
    if path:
        try:
            os.execve("/bin/sh", ["sh", path, *cmd[1:]], env)
        except OSError:
            pass

