"""``goswitch current``: which Go is active here, and what decided it."""

from __future__ import annotations

import os

import click

from ...resolve import OVERRIDE_VAR, Resolution, resolve
from ..output import cwd, data, emit_json, hint, load_settings, untrusted_hint


@click.command(short_help="Show the Go version active here and what decided it.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see docs).")
@click.option("-s", "--short", is_flag=True, help="Print only the version (nothing if none).")
def command(as_json: bool, short: bool) -> None:
    """Show the Go version for the current directory, its GOROOT, and why.

    The source is the file and line that pinned it, `global default`,
    `override` ($GOSWITCH_GO_VERSION), `system` (a pin that says so) or
    `none`; with the last two the shell keeps its own Go.  A version that is
    pinned but not installed is shown as such, with a hint on stderr.  Exit
    status 0 unless a pin file or a setting is broken.

    \b
    Examples:
      goswitch current
      goswitch current --short          1.22.10 (nothing when no Go is active)
      goswitch current --json | jq -r .goroot
    """
    res = resolve(cwd(), load_settings(), os.environ)
    if as_json:
        emit_json(to_json(res))
    elif short:
        if res.goroot is not None:
            data(str(res.version))
    else:
        data(render(res))
    if res.missing:
        want = res.install_spec or str(res.spec)
        hint(
            f"Go {want} is not installed (run `goswitch install {want}`, or cd here "
            "with the shell hook and auto_install on)"
        )
    if res.env_untrusted:
        untrusted_hint(res.env_file)


def source_text(res: Resolution) -> str:
    if res.source == "file" and res.pin is not None:
        return res.describe_source
    if res.source == "system":
        return f"system ({res.describe_source}: the shell keeps its own Go)"
    if res.source == "override":
        return f"override (${OVERRIDE_VAR}={os.environ.get(OVERRIDE_VAR, '')})"
    if res.source == "global":
        return "global default"
    return "none (nothing pins a version here and there is no global default)"


def render(res: Resolution) -> str:
    if res.version is None:
        version = "none" if res.source in ("none", "system") else f"{res.spec} (not installed)"
    else:
        version = str(res.version) + ("" if res.goroot else " (not installed)")
    lines = [f"version  {version}"]
    if res.spec is not None and res.version is not None and str(res.spec) != str(res.version):
        lines[0] += f"  (from {res.spec})"
    lines.append(f"goroot   {res.goroot or '-'}")
    lines.append(f"source   {source_text(res)}")
    return "\n".join(lines)


def to_json(res: Resolution) -> dict:
    """Stable keys, documented in docs/commands.md (`goswitch current --json`)."""
    out = res.to_dict()
    out["missing"] = res.missing
    out["description"] = source_text(res)
    out["env_file"] = res.env_file
    out["env_trusted"] = None if res.env_file is None else not res.env_untrusted
    return out
