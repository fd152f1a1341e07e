"""``goswitch prune``: remove installed versions nobody used for a while.

Only our own store (``$GOSWITCH_HOME/versions``) is pruned; read-only
stores (``GOSWITCH_STORES``) are never touched.  A version is kept when it
is

- the global default (what ``default_version`` resolves to),
- the one in use here (override, pin, default -- what ``goswitch current`` shows),
- the one ``systemd.version`` names, and the one the systemd environment.d
  file points at now,
- the one ``$GOROOT`` of this process points at (a shell using it),
- used (``store.mark_used``: hook, ``use``, ``exec``, ``env``) or installed
  within the last ``older_than`` days.

Usage marks are written at most once a day, so "last used" is accurate to a
day.  A version never marked counts from when it was installed (the ctime
of its directory, set when the installer renamed it into place).
"""

from __future__ import annotations

import os
import time

from . import paths
from .errors import GoswitchError
from .resolve import installed_choice, resolve
from .store import DAY, Store, last_used

DEFAULT_DAYS = 90


class Entry:
    """One installed version of our store and the decision about it."""

    __slots__ = ("version", "root", "last_used", "keep_reason")

    def __init__(self, version, root: str, last: float, keep_reason: str | None):
        self.version, self.root, self.last_used = version, root, last
        self.keep_reason = keep_reason

    @property
    def remove(self) -> bool:
        return self.keep_reason is None

    def days_unused(self, now: float) -> int:
        return int((now - self.last_used) // DAY)

    def to_dict(self, now: float) -> dict:
        return {
            "version": str(self.version),
            "goroot": self.root,
            "last_used": time.strftime("%Y-%m-%d", time.localtime(self.last_used)),
            "days_unused": self.days_unused(now),
            "remove": self.remove,
            "kept_because": self.keep_reason,
        }


def protected(settings, environ, cwd: str, store: Store) -> dict:
    """version -> why it must stay."""
    keep: dict = {}
    try:
        here = resolve(cwd, settings, environ, store)
        if here.version is not None and not here.missing:
            keep[here.version] = f"in use here ({here.describe_source})"
    except GoswitchError:  # PinError included
        pass  # a broken pin names no version
    default = installed_choice(settings.default_version, store, environ)
    if default is not None:
        keep.setdefault(default, "global default")
    systemd = installed_choice(settings.get("systemd.version"), store, environ)
    if systemd is not None:
        keep.setdefault(systemd, "pinned by systemd.version")
    session = _systemd_in_use(environ)
    if session is not None:
        keep.setdefault(session, "in the systemd session environment")
    goroot = environ.get("GOROOT", "")
    if goroot:
        real = os.path.realpath(goroot)
        for inst in store.installed():
            if os.path.realpath(inst.root) == real:
                keep.setdefault(inst.version, "$GOROOT of this shell")
    return keep


def _systemd_in_use(environ):
    """The version systemd's environment.d file points at (None without the writer)."""
    try:
        from .systemd import version_in_use
    except ImportError:
        return None
    try:
        return version_in_use(environ)
    except Exception:  # noqa: BLE001 - an unreadable file protects nothing
        return None


def _last_activity(environ, version, root: str) -> float:
    used = last_used(environ, version)
    if used is not None:
        return used
    try:
        return os.stat(root).st_ctime  # never used: count from the install
    except OSError:
        return 0.0


def plan(settings, environ, cwd: str, older_than_days: int = DEFAULT_DAYS, now=None):
    """Every version of our store, newest first, each marked remove or kept (and why)."""
    if older_than_days < 0:
        raise GoswitchError(
            f"--older-than {older_than_days}", "must be 0 or more days", exit_code=2
        )
    now = time.time() if now is None else now
    store = Store.from_settings(settings, environ)
    keep = protected(settings, environ, cwd, store)
    # A store this user cannot write (a root-owned GOSWITCH_HOME in a Docker image):
    # nothing there can be removed, so a dry run must not promise it.
    from .codecache import writable

    can_write = writable(paths.versions_dir(environ)) and writable(paths.locks_dir(environ))
    entries = []
    for inst in store.installed():
        if not inst.ours:
            continue
        last = _last_activity(environ, inst.version, inst.root)
        reason = keep.get(inst.version)
        if reason is None and not can_write:
            reason = f"{paths.home(environ)} is read-only for you"
        if reason is None and now - last < older_than_days * DAY:
            reason = f"used within {older_than_days} days"
        entries.append(Entry(inst.version, inst.root, last, reason))
    return entries


def remove(entry: Entry, settings, environ) -> None:
    """Remove through the installer: it takes the version's lock (an install or use of
    the same version in another process is waited for) and renames before deleting."""
    from .install import uninstall

    uninstall(str(entry.version), settings, environ, force=False)
    try:
        os.unlink(os.path.join(paths.usage_dir(environ), str(entry.version)))
    except OSError:
        pass
