"""``goswitch install [SPEC...]``: download, verify and unpack Go releases."""

from __future__ import annotations

import os

import click

from ...errors import GoswitchError, NotFoundError
from ..output import cwd, load_settings, note, usage_error


@click.command(
    short_help="Install Go versions (verified download, atomic).",
    epilog="See also: goswitch list-remote, goswitch list, goswitch uninstall.",
)
@click.argument("specs", nargs=-1, metavar="[SPEC]...")
@click.option("--refresh", is_flag=True, help="Fetch the release index now (ignore its cache).")
@click.option(
    "--from",
    "from_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Install a local goX.Y.Z.OS-ARCH.tar.gz (air-gapped machines).",
)
@click.option(
    "--sha256",
    metavar="HEX",
    help="With --from: the expected sha256 when the release index does not list the file.",
)
@click.option(
    "--unverified",
    is_flag=True,
    help="With --from: install although no sha256 is known (says so loudly).",
)
@click.option(
    "--verify-signature/--no-verify-signature",
    "verify_signature",
    default=None,
    help="Check the OpenPGP .asc (default: the verify_signature setting, auto = when gpgv "
    "or gpg is installed).",
)
@click.option("-q", "--quiet", is_flag=True, help="No messages or progress bar, only errors.")
def command(specs, refresh, from_file, sha256, unverified, verify_signature, quiet) -> None:
    """Install SPEC (exact 1.22.10, prefix 1.22, latest, or a pre-release
    1.23rc1); without SPEC, the version this directory asks for.

    A version already present in any store (ours or a read-only one) is left
    alone: nothing is downloaded.  Otherwise the archive for this machine is
    downloaded from the first mirror that answers (GOSWITCH_MIRRORS), checked
    against the sha256 in the release index and, when enabled, its OpenPGP
    signature, unpacked beside the store and renamed into place in one step.
    Progress goes to stderr; stdout stays empty.

    \b
    Examples:
      goswitch install                          what this directory pins
      goswitch install 1.22.10
      goswitch install 1.22 1.21                newest 1.22.x and 1.21.x
      goswitch install --refresh latest         newest release, index re-read
      goswitch install --from go1.22.10.linux-amd64.tar.gz
      goswitch install --from go.tgz --sha256 4d2a... 1.22.10
      GOSWITCH_MIRRORS=https://mirrors.aliyun.com/golang/ goswitch install 1.21
    """
    from ...install import install
    from ...install.progress import reporter_for_cli

    if (sha256 or unverified) and not from_file:
        raise usage_error(
            "--sha256/--unverified", "only apply to --from FILE", "add --from FILE, or drop them"
        )
    if from_file and len(specs) > 1:
        raise usage_error("--from", "installs one version", "name at most one SPEC")
    settings = load_settings()
    reporter = reporter_for_cli(quiet)
    if not specs and not from_file:
        specs = (_here_spec(settings),)
    failed: list[GoswitchError] = []
    for spec in specs or (None,):
        try:
            install(
                spec,
                settings,
                os.environ,
                refresh=refresh,
                verify_signature=verify_signature,
                from_file=from_file,
                sha256=sha256,
                allow_unverified=unverified,
                progress=reporter,
            )
        except GoswitchError as exc:
            if len(specs) < 2:
                raise
            # One bad version does not stop the others (a CI image installing several).
            note(exc.message)
            failed.append(exc)
    if failed:
        raise GoswitchError(
            "install",
            f"{len(failed)} of {len(specs)} versions failed (see above)",
            exit_code=failed[0].exit_code,
        )


def _here_spec(settings) -> str:
    from ...resolve import resolve

    res = resolve(cwd(), settings, os.environ)
    if res.missing and res.install_spec:
        return res.install_spec
    if res.goroot:
        return str(res.version)  # the installer says it is already there
    raise NotFoundError(
        cwd(),
        "nothing pins a Go version here",
        "name one, e.g. `goswitch install 1.22.10`, or pin one with `goswitch use`",
    )
