"""Where goswitch keeps the code it caches at run time: the hook snapshot and the init text.

Beside the package, in its ``__pycache__``, like Python's own ``.pyc`` files.
When the user cannot write there (``sudo pip install``, a distribution
package), in a directory of theirs under the cache dir, one per
installation; ``python3 -m goswitch.prepare`` can instead fill the
package's own ``__pycache__`` once for everybody.

Both files are code that the shell or the hook runs, so a directory that
someone else could write or swap is never used: every directory from ``/``
down to the cache must belong to the user or root and be writable by nobody
else (a root-owned sticky directory such as ``/tmp`` is fine: nobody can
rename what is ours in it), as OpenSSH asks of ``~/.ssh``.  Stdlib only: the
init fast path (goswitch.init_key) imports this when the package has no
cache of its own.
"""

from __future__ import annotations

from . import fs, paths

PACKAGE_DIR = __file__.rpartition("/")[0]
PACKAGE_CACHE = PACKAGE_DIR + "/__pycache__"
_S_ISVTX = 0o1000


def user_cache(environ=None) -> str:
    """The per-installation directory under the user's cache (may not exist yet)."""
    name = PACKAGE_DIR.replace("%", "%25").replace("/", "%2F")
    return fs.join(paths.cache_dir(environ), "code", name)


def is_private(path: str, _hops: int = 0) -> bool:
    """``path`` and every directory above it are ours or root's and writable by no one else.

    A symlink on the way (``/home`` on some systems, a ``~/.cache`` on another
    disk) must be ours or root's too, and so must everything it leads to.
    """
    import posix

    me = posix.geteuid()
    for here in fs.ancestors(path):
        try:
            st = posix.lstat(here)
        except OSError:
            return False
        if st.st_uid not in (me, 0):
            return False
        kind = st.st_mode & 0o170000
        if kind == 0o120000:  # a symlink: its own mode means nothing, where it leads does
            if _hops > 20:
                return False
            target = posix.readlink(here)
            if not target.startswith("/"):
                target = fs.join(fs.dirname(here), target)
            if not is_private(fs.normpath(target), _hops + 1):
                return False
        elif kind != 0o040000 or _others_may_swap(st):
            return False
    return True


def _others_may_swap(st) -> bool:
    """Group or others may write it, and it is not a root-owned sticky dir like /tmp."""
    return bool(st.st_mode & 0o022) and not (st.st_mode & _S_ISVTX and st.st_uid == 0)


def writable(path: str) -> bool:
    """Whether the user may create or replace files in ``path`` (or create it)."""
    import posix

    path = _existing(path)
    return fs.isdir(path) and posix.access(path, posix.W_OK)


def for_writing(environ=None) -> str | None:
    """Where a new cache file goes: beside the package, else a private user directory.

    None when neither can be used; the caller then just does without.
    """
    if writable(PACKAGE_CACHE):
        return PACKAGE_CACHE
    mine = user_cache(environ)
    if not is_private(_existing(mine)):
        return None  # not even created: nothing of ours is left in someone else's directory
    try:
        fs.makedirs(mine, 0o700)
    except OSError:
        return None
    return mine if is_private(mine) else None


def _existing(path: str) -> str:
    """``path`` or its nearest ancestor that exists."""
    here = path
    for here in fs.ancestors(path):
        if fs.exists(here):
            break
    return here  # the root (or "") when nothing exists
