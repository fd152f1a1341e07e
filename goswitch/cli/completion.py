"""Shell completion: value callbacks for the commands, and the checked-in scripts.

The scripts in ``completions/`` are click's own (``click.shell_completion``)
for the ``goswitch`` program, so what completes is always the click app
itself: at TAB the shell runs ``goswitch`` with ``_GOSWITCH_COMPLETE`` set
and click answers from the commands, options and the callbacks below.

Regenerate after upgrading click or renaming the program::

    scripts/gen-completions          # rewrite completions/
    scripts/gen-completions --check  # exit 1 when they are stale (the tests do this)

Callbacks never raise and never touch the network: a broken config or an
unreadable cache just means fewer suggestions.
"""

from __future__ import annotations

import json
import os
import sys

from click.shell_completion import CompletionItem, get_completion_class

PROG = "goswitch"
COMPLETE_VAR = "_GOSWITCH_COMPLETE"
SHELLS = ("bash", "zsh", "fish")
# File names the shells look for (bash-completion, zsh fpath, fish completions dir).
FILES = {"bash": "goswitch.bash", "zsh": "_goswitch", "fish": "goswitch.fish"}
INDEX_FILE = "index.json"  # the installer's cached go.dev index, in $GOSWITCH_CACHE_DIR


# -- value callbacks ----------------------------------------------------------


def _settings():
    from .. import settings

    return settings.load(os.environ, strict=False)


def installed_versions() -> list[str]:
    try:
        from ..store import Store

        return [str(v) for v in Store.from_settings(_settings(), os.environ).versions()]
    except Exception:  # noqa: BLE001 - completion must never fail
        return []


def _versions_from_index(doc) -> list[tuple[str, bool]]:
    """(version, stable) from the installer's cache document or a bare go.dev list."""
    if isinstance(doc, dict):  # {"format": 1, "url", "fetched", "index": [...]}
        doc = doc.get("index", [])
    if not isinstance(doc, list):
        return []
    out = []
    for rel in doc:
        if isinstance(rel, dict) and isinstance(rel.get("version"), str):
            name = rel["version"]
            out.append((name[2:] if name.startswith("go") else name, rel.get("stable") is True))
    return out


def remote_versions() -> list[tuple[str, bool]]:
    """(version, stable) from the cached release index, newest first; [] without one.

    Reads ``$GOSWITCH_CACHE_DIR/index.json`` as the installer writes it
    (goswitch/install/index.py), whatever its age: offline suggestions are
    better than none, and completion never fetches.
    """
    from .. import paths
    from ..versions import try_parse_version

    try:
        with open(os.path.join(paths.cache_dir(os.environ), INDEX_FILE), "rb") as f:
            releases = _versions_from_index(json.loads(f.read().decode("utf-8")))
    except (OSError, ValueError):
        return []
    parsed = [(try_parse_version(v), stable) for v, stable in releases]
    ok = [(v, s) for v, s in parsed if v is not None]
    return [(str(v), s) for v, s in sorted(ok, key=lambda p: p[0], reverse=True)]


def version_items(incomplete: str) -> list[CompletionItem]:
    """Installed versions first, then ``latest``, then releases from the cached index."""
    prefix = incomplete[2:] if incomplete.lower().startswith("go") else incomplete
    want_pre = any(c.isalpha() for c in prefix)
    items: list[CompletionItem] = []
    seen = set()
    for v in installed_versions():
        if v.startswith(prefix) and v not in seen:
            seen.add(v)
            items.append(CompletionItem(v, help="installed"))
    if "latest".startswith(incomplete.lower()):
        items.append(CompletionItem("latest", help="newest stable release"))
    for v, stable in remote_versions():
        if v in seen or not v.startswith(prefix) or (not stable and not want_pre):
            continue
        seen.add(v)
        items.append(CompletionItem(v, help="available" if stable else "pre-release"))
    return items


def complete_version(ctx, param, incomplete: str) -> list[CompletionItem]:
    return version_items(incomplete)


def complete_installed(ctx, param, incomplete: str) -> list[CompletionItem]:
    """``uninstall``: only what is installed (and not already named on the line)."""
    prefix = incomplete[2:] if incomplete.lower().startswith("go") else incomplete
    named = set(ctx.params.get(param.name) or ())
    return [
        CompletionItem(v, help="installed")
        for v in installed_versions()
        if v.startswith(prefix) and v not in named
    ]


def complete_exec_args(ctx, param, incomplete: str) -> list[CompletionItem]:
    """``exec [SPEC] -- CMD``: a version first, then commands (left to the shell)."""
    after_dashes = ctx.meta.get("goswitch.exec.command") is not None
    if after_dashes or ctx.params.get(param.name):
        return [CompletionItem(incomplete, type="file")]
    return version_items(incomplete)


def complete_config_key(ctx, param, incomplete: str) -> list[CompletionItem]:
    from ..settings import KEYS

    return [
        CompletionItem(k.name, help=k.doc.split(". ")[0].rstrip(".").replace(",", ""))
        for k in KEYS
        if k.name.startswith(incomplete)
    ]


def complete_config_value(ctx, param, incomplete: str) -> list[CompletionItem]:
    from ..settings import KEYS_BY_NAME

    key = KEYS_BY_NAME.get(ctx.params.get("key") or "")
    if key is None:
        return []
    if key.kind == "bool":
        options = ["true", "false"]
    elif key.kind == "choice":
        options = list(key.choices)
    elif key.name in ("default_version", "systemd.version"):
        return version_items(incomplete)
    else:
        return []
    return [CompletionItem(o) for o in options if o.startswith(incomplete)]


def complete_tool(ctx, param, incomplete: str) -> list[CompletionItem]:
    """Programs in the resolved GOROOT's bin (and ``go install``ed ones in GOBIN)."""
    try:
        from .. import goenv
        from ..resolve import resolve

        settings = _settings()
        res = resolve(os.getcwd(), settings, os.environ)
        dirs = []
        if res.goroot:
            dirs.append(os.path.join(res.goroot, "bin"))
        gobin = goenv.gobin_for(settings, os.environ, res.env)
        if gobin:
            dirs.append(gobin)
        names: list[str] = []
        for d in dirs:
            try:
                found = sorted(os.listdir(d))
            except OSError:
                continue
            names += [n for n in found if n.startswith(incomplete) and n not in names]
        return [CompletionItem(n) for n in names]
    except Exception:  # noqa: BLE001
        return []


# -- the scripts ----------------------------------------------------------------


def _header(shell: str) -> str:
    where = {
        "bash": "~/.local/share/bash-completion/completions/goswitch (or source it from ~/.bashrc)",
        "zsh": "a directory on $fpath, as _goswitch, before compinit runs",
        "fish": "~/.config/fish/completions/goswitch.fish",
    }[shell]
    return (
        f"# goswitch completion for {shell}.\n"
        "# Generated by scripts/gen-completions from the click app (click.shell_completion);\n"
        "# do not edit: tests/test_completions.py fails when this file is stale.\n"
        f"# Install: copy to {where}.\n"
    )


def render(shell: str) -> str:
    """The completion script for ``shell``, exactly as checked in."""
    from .app import cli

    cls = get_completion_class(shell)
    if cls is None:
        raise ValueError(f"click has no completion for {shell!r}")
    source = cls(cli, {}, PROG, COMPLETE_VAR).source()
    if not source.endswith("\n"):
        source += "\n"
    header = _header(shell)
    if shell == "zsh":  # `#compdef` must stay the first line for fpath autoloading
        first, rest = source.split("\n", 1)
        return f"{first}\n{header}{rest}"
    return header + source


def stale(directory: str) -> list[str]:
    """Files in ``directory`` that differ from what :func:`render` produces now."""
    out = []
    for shell in SHELLS:
        path = os.path.join(directory, FILES[shell])
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != render(shell):
            out.append(path)
    return out


def write_all(directory: str) -> list[str]:
    os.makedirs(directory, exist_ok=True)
    written = []
    for shell in SHELLS:
        path = os.path.join(directory, FILES[shell])
        with open(path, "w", encoding="utf-8") as f:
            f.write(render(shell))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``scripts/gen-completions [--check] [DIR]`` (DIR defaults to completions/)."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    directory = args[0] if args else os.path.join(root, "completions")
    if check:
        bad = stale(directory)
        for path in bad:
            sys.stderr.write(f"stale: {path} (run scripts/gen-completions)\n")
        return 1 if bad else 0
    for path in write_all(directory):
        sys.stderr.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
