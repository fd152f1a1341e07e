"""``goswitch use SPEC``: pin a version here (or globally), installing it if needed."""

from __future__ import annotations

import os

import click

from ... import pinning
from ..completion import complete_version
from ..output import cwd, hint, load_settings, note, usage_error


@click.command(
    short_help="Pin a Go version for this directory, or globally.",
    epilog="See also: goswitch current, goswitch install, goswitch config.",
)
@click.argument("spec", metavar="SPEC", shell_complete=complete_version)
@click.option(
    "-g",
    "--global",
    "global_",
    is_flag=True,
    help="Set the default for directories that pin nothing (default_version in the user config).",
)
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Choice(pinning.FILE_NAMES),
    help="Write this file in the current directory instead of the one chosen for you.",
)
@click.option("--exact", is_flag=True, help="Write the exact version picked (1.22 -> 1.22.10).")
@click.option(
    "--no-install",
    is_flag=True,
    help="Only write the pin; the hook (or `goswitch install`) installs it later.",
)
def command(spec: str, global_: bool, file: str | None, exact: bool, no_install: bool) -> None:
    """Pin SPEC for this directory (or globally) and install it when missing.

    SPEC is an exact release (1.22.10), a prefix (1.22: the newest 1.22.x
    installed, else the newest released), latest, a pre-release (1.23rc1),
    or `system` (leave the shell's own Go alone).

    Without --file, the pin goes to the file that already pins the version
    in this directory (goswitch.toml, .go-version or .tool-versions), else
    to an existing goswitch.toml, else to a new .go-version.  Edits keep
    comments and layout; a trusted goswitch.toml stays trusted.  The shell
    hook picks the change up at the next prompt.

    \b
    Examples:
      goswitch use 1.22.10              pin exactly (./.go-version)
      goswitch use 1.22                 follow the newest 1.22.x
      goswitch use --exact latest       write today's newest release
      goswitch use -f goswitch.toml 1.21.13
      goswitch use --global 1.23        default where nothing is pinned
      goswitch use --global system      no default: keep the system Go
    """
    if global_ and file:
        raise usage_error(
            "--global with --file", "a global default is not written to a file", "use one of them"
        )
    settings = load_settings()
    here = cwd(writing=not global_)
    result = pinning.use(
        spec,
        here,
        settings,
        os.environ,
        global_=global_,
        file=file,
        install=not no_install,
        exact=exact,
    )
    _report(result, here, global_)


def _report(result: pinning.UseResult, here: str, global_: bool) -> None:
    from ...resolve import resolve

    installed = f" (Go {result.version} in {result.goroot})" if result.goroot else ""
    if global_:
        if result.value == pinning.SYSTEM:
            note(f"removed the global default from {result.config_path}")
        else:
            note(f"global default is now {result.value}{installed}")
        if result.systemd:
            note(result.systemd)
    else:
        pin = result.pin
        verb = "created" if pin.created else "updated"
        through = f" (through the symlink {pin.path})" if pin.target != pin.path else ""
        note(f"{verb} {pin.target}{through}: {result.value}{installed}")
        if pin.retrusted:
            note(f"{pin.path} stays trusted (only [go] version changed)")
        if pin.shadowed_by is not None:
            hint(
                f"{pin.shadowed_by.file} still decides here (it comes first); "
                "edit or remove it, or use --file"
            )
    if result.value != pinning.SYSTEM and result.goroot is None:
        hint(
            f"{result.value} is not installed yet (the hook installs it on cd when "
            f"auto_install is on, or run `goswitch install {result.value}`)"
        )
    settings = load_settings()
    try:
        now = resolve(here, settings, os.environ)
    except Exception:  # noqa: BLE001 - the pin is written; a report problem is not fatal
        return
    if now.source == "override":
        hint(
            f"$GOSWITCH_GO_VERSION={os.environ.get('GOSWITCH_GO_VERSION')} overrides pins "
            "in this shell (unset it to follow them)"
        )
    elif global_ and now.source == "file":
        note(f"here {now.describe_source} still decides; the default applies where nothing pins")
    elif global_ and settings.sources.get("default_version", "").startswith("env:"):
        hint("$GOSWITCH_DEFAULT_VERSION is set and wins over the config file in this shell")
    if not global_ and result.version is not None and now.toolchain == "local":
        _warn_if_go_refuses(here, result.version, settings)


def _warn_if_go_refuses(here: str, version, settings) -> None:
    """A pin older than go.mod's (or go.work's) go line: the go command will refuse to
    build with it under GOTOOLCHAIN=local, so say so now rather than at the build."""
    from ...discovery import discover, floor, go_line_pin
    from ...errors import PinError

    if not settings.read_go_mod:
        return
    try:
        decides = discover(here, True, os.environ.get("GOWORK", ""), go_files_only=True).pin
        # Only the go line is a hard minimum: a newer toolchain line is a preference.
        asks = go_line_pin(decides.file) if decides is not None else None
    except PinError:
        return
    needed = floor(asks) if asks is not None else None
    if needed is not None and version < needed:
        hint(
            f"{asks.file}:{asks.line} asks for Go {needed} or newer: the go command refuses "
            f"to build it with Go {version} (GOTOOLCHAIN=local); pin {needed} or newer"
        )
