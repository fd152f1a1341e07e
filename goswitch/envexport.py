"""Pick a Go for a command and turn its environment into what scripts consume.

``select_go`` answers "which Go does ``exec``/``env``/``which`` mean here":
an explicit SPEC, else what the directory resolves to (override, pin,
global default).  It installs a missing version when allowed and records
the use for ``prune``.

``Export`` is the environment to apply: the variables of
:func:`goswitch.goenv.go_environment` plus trusted ``[env]`` entries, and a
PATH with the Go entries first.  The formatters render it for bash, zsh,
fish (through :mod:`goswitch.shells`, so every value is quoted for that
shell), JSON, dotenv files and GitHub Actions' ``$GITHUB_ENV`` /
``$GITHUB_PATH``.
"""

from __future__ import annotations

import json
import os
import uuid

from . import goenv
from . import store as store_mod
from .errors import EXIT_USAGE, GoswitchError, NotFoundError
from .resolve import OVERRIDE_VAR, Resolution, choose, parse_user_spec, resolve
from .store import Store
from .versions import Spec

FORMATS = ("sh", "bash", "zsh", "fish", "json", "dotenv", "github")
# Characters a dotenv value may hold unquoted: every reader (docker --env-file,
# which keeps quotes literally, systemd, compose, python-dotenv) reads them as is.
_DOTENV_BARE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.,/:+=@%^~"
)


def install(spec_text: str, settings, environ):
    """Hand a spec to the installer (progress on stderr); returns ``store.Installed``."""
    from .install import install as do_install  # CLI-only: network, filelock
    from .install.progress import reporter_for_cli

    return do_install(spec_text, settings, environ, progress=reporter_for_cli())


def resolve_spec(spec: Spec, settings, environ, store: Store | None = None) -> Resolution:
    """A Resolution for a spec named on the command line (source ``argument``)."""
    res = Resolution()
    res.source, res.spec, res.toolchain = "argument", spec, settings.toolchain
    choose(spec, None, store or Store.from_settings(settings, environ), environ, res)
    return res


def select_go(
    spec_text: str | None,
    cwd: str,
    settings,
    environ,
    *,
    may_install: bool | None = None,
    mark: bool = True,
) -> Resolution:
    """The Go a command should use, installed (or a NotFoundError saying why not).

    ``may_install`` defaults to the ``auto_install`` setting; ``mark``
    records the use for ``prune``.
    """
    store = Store.from_settings(settings, environ)
    if spec_text is not None:
        res = resolve_spec(parse_user_spec(spec_text), settings, environ, store)
        # The project's toolchain/[env] still apply when the project is here; a
        # broken pin file does not matter when the version is named explicitly.
        try:
            here = resolve(cwd, settings, environ, store)
        except GoswitchError:
            here = None
        if here is not None:
            res.toolchain, res.env = here.toolchain, here.env
            res.env_file, res.env_untrusted = here.env_file, here.env_untrusted
    else:
        res = resolve(cwd, settings, environ, store)
    if res.source == "none":
        raise NotFoundError(
            "no Go version here",
            "no goswitch.toml, .go-version, .tool-versions or go.mod up from "
            f"{cwd}, and no global default",
            "run `goswitch use 1.22` here, `goswitch use --global 1.22`, or name a version",
        )
    if res.source == "system":
        raise NotFoundError(
            res.describe_source,
            "pins `system`: goswitch leaves Go alone here",
            "name a version on the command line to use one anyway",
        )
    if res.missing:
        allowed = settings.auto_install if may_install is None else may_install
        wanted = res.install_spec or str(res.spec)
        if not allowed:
            # Only say auto_install is off when that is the reason (`which` never installs).
            off = " and auto_install is off" if may_install is None else ""
            raise NotFoundError(
                f"Go {wanted}",
                f"not installed (asked for by {res.describe_source}){off}",
                f"run `goswitch install {wanted}`",
            )
        installed = install(wanted, settings, environ)
        res.version, res.goroot, res.missing = installed.version, installed.root, False
    if mark and res.version is not None:
        store_mod.mark_used(environ, res.version)
    return res


def _host_tool_dir() -> str:
    import platform
    import sys

    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64", "i686": "386", "armv7l": "arm"}.get(
        machine, machine
    )
    return f"{sys.platform}_{arch}"


def check_tool_name(name: str) -> None:
    """A program name, not a path: a usage error otherwise (checked before anything else)."""
    if not name or "/" in name or name in (".", "..") or "\0" in name:
        raise GoswitchError(f"tool {name!r}", "not a program name", "give a name like gofmt",
                            exit_code=EXIT_USAGE)


def find_tool(res: Resolution, name: str, settings, environ) -> str:
    """Where ``name`` lives for this Go: GOROOT/bin, GOBIN, then GOROOT/pkg/tool/<os_arch>."""
    check_tool_name(name)
    assert res.goroot is not None
    dirs = [os.path.join(res.goroot, "bin")]
    gobin = goenv.gobin_for(settings, environ, res.env)
    if gobin:
        dirs.append(gobin)
    tool_root = os.path.join(res.goroot, "pkg", "tool")
    try:
        platforms = sorted(os.listdir(tool_root), key=lambda d: d != _host_tool_dir())
    except OSError:
        platforms = []
    dirs += [os.path.join(tool_root, p) for p in platforms]
    for d in dirs:
        path = os.path.join(d, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise NotFoundError(
        f"{name}",
        f"not found for Go {res.version} (looked in {', '.join(dirs)})",
        f"`go install` it, or check the name with `ls {dirs[0]}`",
    )


class Export:
    """Variables to set (PATH included, complete), PATH entries added, variables to unset."""

    def __init__(self, version: str, goroot: str):
        self.version, self.goroot = version, goroot
        self.set: dict[str, str] = {}
        self.path: list[str] = []
        # Always empty today; kept because `env --shell json` documents the key.
        self.unset: list[str] = []

    def apply(self, environ) -> dict[str, str]:
        """A copy of ``environ`` with this export applied (for exec)."""
        env = dict(environ)
        for name in self.unset:
            env.pop(name, None)
        env.update(self.set)
        return env


def _is_go_bin(entry: str, store_dirs: list[str]) -> bool:
    """Is ``entry`` the ``bin`` of some Go tree in our stores (another version)?"""
    if os.path.basename(entry.rstrip(os.sep)) != "bin":
        return False
    tree_parent = os.path.dirname(os.path.dirname(entry.rstrip(os.sep)))
    return any(os.path.normpath(tree_parent) == os.path.normpath(d) for d in store_dirs)


def build(res: Resolution, settings, environ, *, pin_version: bool = False) -> Export:
    """The environment for an installed resolution.

    PATH gets the Go entries first; entries for other goswitch-managed Go
    trees (e.g. what the hook added for this directory) are dropped so a
    second ``go`` cannot hide behind ours.  ``pin_version`` also exports
    ``GOSWITCH_GO_VERSION`` so a nested shell with the hook keeps this Go.
    """
    assert res.goroot is not None and res.version is not None
    go = goenv.go_environment(res.goroot, settings, environ, res.toolchain, res.env)
    out = Export(str(res.version), res.goroot)
    out.set.update(go.set)
    if pin_version:
        out.set[OVERRIDE_VAR] = str(res.version)
    store_dirs = Store.from_settings(settings, environ).dirs
    current = [p for p in environ.get("PATH", "").split(os.pathsep) if p]
    kept = [p for p in current if p not in go.path and not _is_go_bin(p, store_dirs)]
    out.path = list(go.path)
    out.set["PATH"] = os.pathsep.join(go.path + kept)
    return out


# -- formats ---------------------------------------------------------------


def to_shell(export: Export, shell_name: str) -> str:
    """``export NAME='value'`` lines for sh, bash and zsh; ``set -gx`` lines for fish.

    sh, bash and zsh get plain POSIX single quotes (a newline or any byte is
    literal inside them), not the hook's ``$'...'``: scripts eval this in
    dash (Dockerfile ``RUN``, ``sh -c``) as often as in bash, and dash has no
    ``$'...'``.
    """
    if shell_name == "fish":
        from .shells import get_shell

        fish = get_shell("fish")
        lines = [fish.unset(name) for name in export.unset]
        lines += [
            fish.export_path(value) if name == "PATH" else fish.export(name, value)
            for name, value in export.set.items()
        ]
        return "".join(lines)
    from .shells import check_name
    from .shells.bash import quote_single

    lines = [f"unset {check_name(name)};\n" for name in export.unset]
    lines += [f"export {check_name(n)}={quote_single(v)};\n" for n, v in export.set.items()]
    return "".join(lines)


def to_json(export: Export) -> str:
    """``{"version", "goroot", "set", "path", "unset"}`` (docs/commands.md)."""
    return json.dumps(
        {
            "version": export.version,
            "goroot": export.goroot,
            "set": export.set,
            "path": export.path,
            "unset": export.unset,
        },
        indent=2,
    )


def dotenv_value(value: str) -> str:
    """One dotenv value: bare when every reader takes it as is, else quoted.

    Typical values (GOROOT, PATH, GOTOOLCHAIN) are bare, which is the only
    form docker ``--env-file`` reads right (it keeps quotes as part of the
    value).  Others are 'single quoted' (literal in systemd, compose,
    python-dotenv and Node's dotenv), or double quoted with ``\\``, ``\"``
    and ``\n`` escapes when they hold a single quote or a newline.
    """
    if value and all(c in _DOTENV_BARE or _plain_non_ascii(c) for c in value):
        return value
    if "'" not in value and "\n" not in value and "\r" not in value:
        return f"'{value}'"
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def _plain_non_ascii(c: str) -> bool:
    return c > "\x7f" and c.isprintable() and not c.isspace()  # é yes; a raw byte, NBSP no


def to_dotenv(export: Export) -> str:
    return "".join(f"{name}={dotenv_value(value)}\n" for name, value in export.set.items())


def github_env_entry(name: str, value: str, delimiter: str | None = None) -> str:
    """One ``$GITHUB_ENV`` record: ``NAME=value``, or the heredoc form for multi-line values."""
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    delimiter = delimiter or f"ghadelimiter_{uuid.uuid4()}"
    if delimiter in value or delimiter in name:
        raise GoswitchError(
            f"[env] {name}", "the value contains the heredoc delimiter", "try again"
        )
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def to_github(export: Export, environ) -> tuple[str, str, int, int]:
    """Append to ``$GITHUB_ENV`` and ``$GITHUB_PATH``; returns (env file, path file, counts).

    PATH itself goes through ``$GITHUB_PATH`` (the runner prepends each line,
    the last line ending up first, so GOROOT/bin is written last).  The file
    format cannot unset a variable; ``export.unset`` is not written.
    """
    env_file = environ.get("GITHUB_ENV", "")
    path_file = environ.get("GITHUB_PATH", "")
    if not env_file or not path_file:
        missing = "GITHUB_ENV" if not env_file else "GITHUB_PATH"
        raise GoswitchError(
            "--shell github",
            f"${missing} is not set, so this is not a GitHub Actions step",
            "run it in a workflow step, or use --shell dotenv / --shell bash",
        )
    records = [
        github_env_entry(name, value) for name, value in export.set.items() if name != "PATH"
    ]
    try:
        _append(env_file, "".join(records))
        _append(path_file, "".join(p + "\n" for p in reversed(export.path)))
    except OSError as exc:
        raise GoswitchError(
            exc.filename or env_file, f"cannot append: {exc.strerror}", "check the runner"
        ) from None
    return env_file, path_file, len(records), len(export.path)


def _append(path: str, text: str) -> None:
    """Append lines; first end the file's last line when an earlier step left it open
    (``echo -n NAME=x >> $GITHUB_ENV``), or both records would be garbled."""
    with open(path, "a+b") as f:
        if f.seek(0, os.SEEK_END):
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                text = "\n" + text
        f.write(text.encode("utf-8", "surrogateescape"))
