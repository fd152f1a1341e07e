"""Rows for ``goswitch list`` (installed) and ``goswitch list-remote`` (the index)."""

from __future__ import annotations

import os

from ..errors import GoswitchError
from ..resolve import installed_choice, resolve
from ..store import Store
from ..versions import Spec
from . import index as index_mod
from . import platform as platform_mod


def installed_rows(settings, environ, cwd: str | None = None) -> list[dict]:
    """Installed versions, newest first, with ``current`` (what ``cwd`` resolves to) and
    ``default`` (the global default) marked, and the store each lives in."""
    store = Store.from_settings(settings, environ)
    current = None
    current_source = None
    try:
        res = resolve(cwd or os.getcwd(), settings, environ, store=store)
        if res.goroot:
            current, current_source = res.version, res.describe_source
    except GoswitchError:
        pass  # a broken pin must not break listing
    default = installed_choice(settings.default_version, store, environ)
    rows = []
    for item in store.installed():
        rows.append(
            {
                "version": str(item.version),
                "root": item.root,
                "store": os.path.dirname(item.root),
                "read_only": not item.ours,
                "current": item.version == current,
                "current_source": current_source if item.version == current else None,
                "default": item.version == default,
            }
        )
    return rows


def remote_rows(
    settings,
    environ,
    prefix: str | None = None,
    *,
    include_all: bool = False,
    refresh: bool = False,
    reporter=None,
) -> list[dict]:
    """Releases from the index, newest first.

    Default: stable releases that have an archive for this machine.  ``include_all`` adds
    pre-releases and releases without an archive for this platform.  ``latest`` (or
    ``stable``) is the newest stable release alone, as ``install latest`` picks it.
    """
    shown, _ = remote_listing(settings, environ, prefix, include_all=include_all,
                              refresh=refresh, reporter=reporter)
    return shown


def remote_listing(
    settings, environ, prefix: str | None = None, *, include_all: bool = False,
    refresh: bool = False, reporter=None,
) -> tuple[list[dict], list[dict]]:
    """(rows shown, rows only ``--all`` would show): see :func:`remote_rows`."""
    spec = Spec.parse(prefix) if prefix else None
    idx = index_mod.load(settings, environ, refresh=refresh, reporter=reporter)
    if spec is not None and spec.kind == "latest":
        newest = idx.latest_stable()
        releases = [newest] if newest is not None else []
    else:
        releases = idx.matching(spec, include_prerelease=True)
    plat = platform_mod.detect()
    store = Store.from_settings(settings, environ)
    installed = set(store.versions())
    shown, hidden = [], []
    for rel in releases:
        archive = rel.archive(plat)
        row = {
            "version": str(rel.version),
            "stable": rel.stable,
            "installed": rel.version in installed,
            "archive": archive.to_dict() if archive else None,
        }
        exact = spec is not None and spec.kind == "exact"
        default = archive is not None and (rel.stable or exact)
        (shown if include_all or default else hidden).append(row)
    return shown, hidden
