"""``goswitch env [SPEC]``: the Go environment as shell code, JSON, dotenv or GitHub Actions."""

from __future__ import annotations

import os

import click

from ... import envexport
from ..completion import complete_version
from ..output import cwd, data, load_settings, note, untrusted_hint


@click.command(short_help="Print a Go version's environment for scripts and CI.")
@click.argument("spec", required=False, shell_complete=complete_version)
@click.option(
    "-s",
    "--shell",
    "fmt",
    type=click.Choice(envexport.FORMATS),
    default="sh",
    show_default=True,
    help="Output format.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --shell json.")
def command(spec: str | None, fmt: str, as_json: bool) -> None:
    """Print the variables that select a Go: GOROOT, PATH, GOTOOLCHAIN, trusted [env].

    SPEC picks the version (installed when missing and auto_install is on);
    without it, the version active in this directory is used.  PATH is the
    current PATH with the Go directories first (GOROOT/bin, then the shared
    GOBIN).  With SPEC, GOSWITCH_GO_VERSION is set too, so goswitch (and
    the shell hook) keep that version.  Every value is quoted for the
    target shell.

    \b
    Formats:
      sh, bash, zsh  export NAME='value'; lines to eval (POSIX quoting: any sh)
      fish        set -gx NAME 'value'; lines to source
      json        {"version", "goroot", "set", "path", "unset"}
      dotenv      NAME=value lines (docker --env-file, systemd, compose, python-dotenv)
      github      appends to $GITHUB_ENV and $GITHUB_PATH (nothing on stdout)

    \b
    Examples:
      eval "$(goswitch env)"
      eval "$(goswitch env 1.22)"
      goswitch env --shell fish | source
      goswitch env 1.22.10 --shell dotenv > go.env
      goswitch env --shell github       in a GitHub Actions step
    """
    if as_json:
        fmt = "json"
    settings = load_settings()
    res = envexport.select_go(spec, cwd(), settings, os.environ)
    if res.env_untrusted:
        untrusted_hint(res.env_file)
    export = envexport.build(res, settings, os.environ, pin_version=spec is not None)
    if fmt == "github":
        env_file, path_file, n_vars, n_paths = envexport.to_github(export, os.environ)
        note(
            f"Go {export.version}: {n_vars} variables -> {env_file}, "
            f"{n_paths} PATH entries -> {path_file}"
        )
    elif fmt == "json":
        data(envexport.to_json(export))
    elif fmt == "dotenv":
        data(envexport.to_dotenv(export), nl=False)
    else:
        data(envexport.to_shell(export, fmt), nl=False)
