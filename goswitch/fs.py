"""The file-system calls of the hook path, without importing ``os``.

``python -I -S`` starts with ``posix`` loaded but not ``os``; importing
``os`` (it pulls in ``_collections_abc`` for ``os.environ``) costs about a
millisecond, an eighth of a whole interpreter start and a third of the hook's
budget.  So the stdlib-only modules the hook runs use these instead.  Paths
are ``str`` (bytes that are not UTF-8 are kept with surrogateescape, as
``os`` does).  POSIX only: goswitch supports Linux and macOS.
"""

from __future__ import annotations

import posix
import sys
from posix import (  # noqa: F401  (re-exported for the hook-path modules)
    O_CREAT,
    O_NOCTTY,
    O_NONBLOCK,
    O_RDONLY,
    O_TRUNC,
    O_WRONLY,
    close,
    fstat,
    getcwd,
    getpid,
    getppid,
    listdir,
    lstat,
    read,
    readlink,
    stat,
    unlink,
    utime,
    write,
)
from posix import open as open_fd  # noqa: F401

sep = "/"
pathsep = ":"
_S_IFMT, _S_IFREG, _S_IFDIR, _S_IFLNK = 0o170000, 0o100000, 0o040000, 0o120000
# What a file that is not a regular one is, for messages ("it is a named pipe, not a file").
_KINDS = {_S_IFDIR: "a directory", 0o010000: "a named pipe", 0o140000: "a socket",
          0o020000: "a device", 0o060000: "a device", _S_IFLNK: "a symlink"}


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def environ():
    """The process environment: ``os.environ`` when os is loaded (the CLI, tests), else ours."""
    os_mod = sys.modules.get("os")
    if os_mod is not None:
        return os_mod.environ
    global _environ
    if _environ is None:
        _environ = {_decode(k): _decode(v) for k, v in posix.environ.items()}
    return _environ


_environ: dict[str, str] | None = None


def join(base: str, *parts: str) -> str:
    path = base
    for part in parts:
        if part.startswith(sep):
            path = part
        elif not path or path.endswith(sep):
            path += part
        else:
            path += sep + part
    return path


def dirname(path: str) -> str:
    i = path.rfind(sep) + 1
    head = path[:i]
    if head and head != sep * len(head):
        head = head.rstrip(sep)
    return head


def ancestors(path: str):
    """``path``, its parent, and so on up to ``/`` (to ``""`` for a relative path)."""
    while True:
        yield path
        parent = dirname(path)
        if parent == path:
            return
        path = parent


def normpath(path: str) -> str:
    """Lexical normalisation like os.path.normpath ('.', '..', '//')."""
    if not path:
        return "."
    absolute = path.startswith(sep)
    parts: list[str] = []
    for part in path.split(sep):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not absolute:
                parts.append(part)
            continue
        parts.append(part)
    out = sep.join(parts)
    return (sep + out) if absolute else (out or ".")


def abspath(path: str) -> str:
    if not path.startswith(sep):
        path = join(getcwd(), path)
    return normpath(path)


def _mode(path: str) -> int:
    try:
        return stat(path).st_mode
    except (OSError, ValueError):
        return 0


def exists(path: str) -> bool:
    return _mode(path) != 0


def isfile(path: str) -> bool:
    return _mode(path) & _S_IFMT == _S_IFREG


def isdir(path: str) -> bool:
    return _mode(path) & _S_IFMT == _S_IFDIR


def is_regular(st) -> bool:
    return st.st_mode & _S_IFMT == _S_IFREG


def is_link(st) -> bool:
    return st.st_mode & _S_IFMT == _S_IFLNK


def kind(st) -> str:
    """What ``st`` (of stat or lstat) is: "a named pipe", "a directory", ...; "" for a
    regular file."""
    return _KINDS.get(st.st_mode & _S_IFMT, "") if not is_regular(st) else ""


def expanduser(path: str, env=None) -> str:
    if not path.startswith("~"):
        return path
    end = path.find(sep)
    if end == -1:
        end = len(path)
    if end != 1:
        return path  # ~user: leave it, as a user would see it unexpanded
    home = (env if env is not None else environ()).get("HOME") or _passwd_home()
    return (home.rstrip(sep) or sep) + path[1:]


def _passwd_home() -> str:
    """HOME unset (cron, `env -i`): the passwd entry's, as Python's own expanduser does;
    "/" only when there is none (a uid without an entry in a container)."""
    try:
        import pwd

        return pwd.getpwuid(posix.getuid()).pw_dir or "/"
    except (ImportError, KeyError):
        return "/"


def makedirs(path: str, mode: int = 0o777) -> None:
    if isdir(path):
        return
    parent = dirname(path)
    if parent and parent != path and not isdir(parent):
        makedirs(parent, mode)
    try:
        posix.mkdir(path, mode)
    except FileExistsError:
        if not isdir(path):
            raise


_FIRST_READ = 64 * 1024  # under malloc's mmap threshold: a small file costs one read()


def read_bytes(path: str, limit: int = 1 << 20) -> bytes:
    """Up to ``limit`` bytes of ``path``: one read() for a small file (a short read is its
    end), more for a large one, so a large limit costs nothing until a file needs it."""
    fd = open_fd(path, O_RDONLY | O_NONBLOCK | O_NOCTTY)
    try:
        return _read_fd(fd, limit)
    finally:
        close(fd)


class NotAFileError(OSError):
    """A named pipe, device, socket or directory where a regular file was expected."""


def read_regular(path: str, limit: int = 1 << 20) -> bytes:
    """Like :func:`read_bytes`, but only from a regular file: a named pipe, whose open
    or read would wait for a writer, or a device such as /dev/zero that never ends,
    raises :class:`NotAFileError` ("it is a named pipe") without reading."""
    fd = open_fd(path, O_RDONLY | O_NONBLOCK | O_NOCTTY)
    try:
        what = kind(fstat(fd))
        if what:
            raise NotAFileError(f"{path} is {what}, not a file")
        return _read_fd(fd, limit)
    finally:
        close(fd)


def _read_fd(fd: int, limit: int) -> bytes:
    data = read(fd, min(limit, _FIRST_READ))
    if len(data) < _FIRST_READ or len(data) >= limit:
        return data
    parts, got = [data], len(data)
    while got < limit:
        more = read(fd, min(limit - got, got))  # doubling what is read so far
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def touch(path: str, mode: int = 0o600) -> None:
    close(open_fd(path, O_WRONLY | O_CREAT, mode))
