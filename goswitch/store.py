"""Installed Go trees: ours (``$GOSWITCH_HOME/versions``) and extra read-only stores.

Stdlib only (the hook asks "is 1.21.6 installed?" at every cd).  A version
counts as installed once ``<store>/<version>/bin/go`` exists: the installer
renames a complete tree into place, so a half-extracted one never has that
path under its final name.
"""

from __future__ import annotations

import time

from . import fs, paths
from .versions import GoVersion, try_parse_version


class Installed:
    __slots__ = ("version", "root", "ours")

    def __init__(self, version: GoVersion, root: str, ours: bool):
        self.version, self.root, self.ours = version, root, ours

    def __repr__(self) -> str:
        return f"Installed({self.version}, {self.root!r})"


class Store:
    def __init__(self, environ=None, extra_stores=()):
        environ = fs.environ() if environ is None else environ
        self.environ = environ
        self.root = paths.versions_dir(environ)
        self.extra = [s for s in extra_stores if s]

    @classmethod
    def from_settings(cls, settings, environ=None) -> Store:
        return cls(environ, settings.stores)

    @property
    def dirs(self) -> list[str]:
        """Our store first, then the read-only ones, in search order."""
        return [self.root, *self.extra]

    def path_for(self, version: GoVersion) -> str:
        """Where our store keeps (or would keep) ``version``."""
        return fs.join(self.root, str(version))

    def find(self, version: GoVersion) -> str | None:
        """The GOROOT of an installed ``version``, searching every store in order."""
        name = str(version)
        for base in self.dirs:
            root = fs.join(base, name)
            if fs.isfile(fs.join(root, "bin", "go")):
                return root
        return None

    def installed(self) -> list[Installed]:
        """Every installed version, newest first; a version in two stores is listed once."""
        seen: dict[GoVersion, Installed] = {}
        for base in self.dirs:
            try:
                names = fs.listdir(base)
            except OSError:
                continue
            for name in names:
                if name.startswith("."):
                    continue  # temp dirs and locks of the installer
                version = try_parse_version(name)
                if version is None or str(version) != name or version in seen:
                    continue
                root = fs.join(base, name)
                if fs.isfile(fs.join(root, "bin", "go")):
                    seen[version] = Installed(version, root, base == self.root)
        return sorted(seen.values(), key=lambda i: i.version, reverse=True)

    def versions(self) -> list[GoVersion]:
        return [i.version for i in self.installed()]


DAY = 86400


def mark_used(environ, version: GoVersion, now: float | None = None) -> None:
    """Record that ``version`` was used today, at most one write a day (for prune)."""
    marker = fs.join(paths.usage_dir(environ), str(version))
    now = time.time() if now is None else now
    try:
        if now - fs.stat(marker).st_mtime < DAY:
            return
    except OSError:
        pass
    try:
        fs.makedirs(fs.dirname(marker))
        fs.touch(marker, 0o644)
        fs.utime(marker, (now, now))
    except OSError:
        pass  # best effort: a read-only home must not break the hook


def last_used(environ, version: GoVersion) -> float | None:
    try:
        return fs.stat(fs.join(paths.usage_dir(environ), str(version))).st_mtime
    except OSError:
        return None
