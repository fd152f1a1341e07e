"""A snapshot of the hook-path modules in one file, loaded without the import system.

Why: under ``python -I -S`` each module import costs about 0.5 M instructions
of import machinery (finders, specs, locks, file checks) whatever the
module's size, so the ~17 small modules of the hook cost more than a third of
an interpreter start.  The snapshot holds their compiled code in dependency
order; the init script's launch code reads it with one ``open`` and executes
each module into a fresh module object, so every later ``from . import x``
is a ``sys.modules`` hit.

It is a cache, like ``__pycache__`` (and it lives there): each entry records
its source file's mtime and size, and a snapshot that does not match the
sources, the interpreter or its own format is ignored; the hook then imports
normally and rebuilds it.  Nothing here runs at a normal hook run except
:data:`LOADER`'s code.
"""

from __future__ import annotations

from ..shells import SNAPSHOT_FORMAT as FORMAT
from ..shells import snapshot_path

# The modules every hook run imports at top level, in the order they may be
# executed (parents before children, dependencies first); checked by
# tests/unit/test_hook_snapshot.py.  Modules imported lazily (tomlread,
# trust, the installer) stay out: executing them eagerly would cost more.
MODULES = (
    "__future__",
    "goswitch",
    "goswitch.fs",
    "goswitch.paths",
    "goswitch.versions",
    "goswitch.errors",
    "goswitch.settings",
    "goswitch.discovery",
    "goswitch.store",
    "goswitch.resolve",
    "goswitch.goenv",
    "goswitch.shells",
    "goswitch.shells.bash",
    "goswitch.shells.zsh",
    "goswitch.shells.fish",
    "goswitch.hook",
    "goswitch.hook.state",
    "goswitch.hook.evaluate",
    "goswitch.hook.main",
)

# Executed (as code from the snapshot) by the launch code with ``E`` = the
# entries; sets ``_ok``.  Any mismatch or error leaves sys.modules as it was.
LOADER = """
import sys
from posix import stat
_ok = 0
try:
    for _e in E:
        _st = stat(_e[2])
        if _st.st_mtime_ns != _e[3] or _st.st_size != _e[4]:
            raise ValueError(_e[2])
    _new = []
    try:
        for _name, _pkg, _file, _m, _s, _code in E:
            _mod = type(sys)(_name)
            _mod.__file__ = _file
            _mod.__package__ = _name if _pkg else _name.rpartition(".")[0]
            if _pkg:
                _mod.__path__ = [_file.rpartition("/")[0]]
            sys.modules[_name] = _mod
            _new.append(_name)
            exec(_code, _mod.__dict__)
            _up, _, _leaf = _name.rpartition(".")
            if _up:
                setattr(sys.modules[_up], _leaf, _mod)
        _ok = 1
    except BaseException:
        for _name in _new:
            sys.modules.pop(_name, None)
        raise
except Exception:
    pass
"""




def magic() -> bytes:
    from _frozen_importlib_external import MAGIC_NUMBER

    return MAGIC_NUMBER


def _source(name: str) -> tuple[str, bool]:
    """(source file, is package) of a module, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise ImportError(f"{name}: no Python source to snapshot")
    return spec.origin, spec.submodule_search_locations is not None


def is_current(path: str) -> bool:
    """Whether the snapshot at ``path`` is one the launch code would run (what LOADER checks)."""
    import marshal
    import os

    try:
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != magic():
            return False
        fmt, _loader, entries = marshal.loads(data[4:])
        if fmt != FORMAT:
            return False
        for _name, _pkg, source, mtime_ns, size, _code in entries:
            st = os.stat(source)
            if st.st_mtime_ns != mtime_ns or st.st_size != size:
                return False
    except (OSError, ValueError, EOFError, TypeError):
        return False
    return True


def build(package_dir: str, target: str | None = None) -> str:
    """Compile the hook-path modules into the snapshot file; returns its path.

    ``target`` defaults to the package's ``__pycache__`` (see goswitch.codecache).
    Written atomically (temp file + rename), so a concurrent hook run sees the
    old snapshot, the new one, or none.
    """
    import marshal
    import os

    entries = []
    for name in MODULES:
        path, is_pkg = _source(name)
        st = os.stat(path)
        with open(path, "rb") as f:
            # optimize=2 drops docstrings (and asserts): a fifth of the bytes every hook
            # run unmarshals, and nothing on the hook path reads a docstring.
            code = compile(f.read(), path, "exec", dont_inherit=True, optimize=2)
        entries.append((name, is_pkg, path, st.st_mtime_ns, st.st_size, code))
    loader = compile(LOADER, "<goswitch hook snapshot loader>", "exec", dont_inherit=True)
    target = target or snapshot_path(package_dir)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = f"{target}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(magic())
        f.write(marshal.dumps((FORMAT, loader, tuple(entries))))
    os.replace(tmp, target)
    return target


def rebuild_quietly(package_dir: str, target: str | None = None) -> None:
    """Rebuild after a hook run that found no usable snapshot; never fails the hook."""
    try:
        build(package_dir, target)
    except Exception:
        pass  # read-only install or odd layout: the hook just imports normally
