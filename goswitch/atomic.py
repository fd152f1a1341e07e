"""Replacing small files the CLI owns (config, trust store, index cache, systemd files).

A reader (the hook, systemd, another goswitch) sees the old content or the
new one, never a torn or empty file: the data goes to a temp file beside the
target, is flushed to disk, and is renamed over it.  On any failure the temp
file is removed, so a full disk or a read-only directory leaves no litter.
Read-modify-write cycles (``goswitch trust`` run twice at once) hold
:func:`locked` around the whole cycle so neither loses the other's change.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator


def write_atomic(
    path: str,
    data: bytes,
    mode: int | None = None,
    sync_dir: bool = False,
    check: Callable[[str], None] | None = None,
) -> None:
    """Replace ``path`` with ``data``; OSError when it cannot.

    ``mode`` None keeps the mode of the file replaced (a user's ``chmod 600``
    survives), and gives a new one what the umask allows.  ``check(temp path)``,
    when given, may refuse the written file (by raising) before it replaces
    anything.

    The temp name starts with ``.`` and ends in ``.tmp`` so neither systemd's
    environment.d reader (``*.conf``) nor its unit loader ever picks it up.
    """
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    except OSError as exc:  # name the file the user knows, not our temp file
        raise type(exc)(exc.errno, exc.strerror, path) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        if check is not None:
            check(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:  # the rename itself survives a crash (systemd reads these at login)
        with contextlib.suppress(OSError):
            dfd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


@contextlib.contextmanager
def locked(path: str, timeout: float = 30) -> Iterator[None]:
    """Hold ``path + ".lock"`` (flock, released by the kernel if we die) for a read-modify-write."""
    from filelock import FileLock  # CLI-only dependency, imported late

    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with FileLock(f"{path}.lock", timeout=timeout):
        yield


def take(lock, notify, waiting: str, timeout: float = -1) -> bool:
    """Acquire a ``filelock`` lock, first saying ``waiting`` through ``notify`` when another
    process holds it; returns whether we had to wait.  ``filelock.Timeout`` after
    ``timeout`` seconds (-1: no limit)."""
    from filelock import Timeout

    try:
        lock.acquire(timeout=0.2)
        return False
    except Timeout:
        pass
    if notify is not None:
        notify(waiting)
    lock.acquire(timeout=timeout)
    return True
