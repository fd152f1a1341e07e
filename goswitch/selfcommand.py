"""How goswitch starts its own CLI again (the hook's lazy install), safely.

Not ``python -m goswitch`` in the project being entered: that puts the project
first on the import path, so a ``goswitch/``, ``filelock.py`` or
``sitecustomize.py`` there would run instead of ours.  Imported only when such a
command is started, never at an ordinary prompt or cd.
"""

from __future__ import annotations

import sys


def absolute_pythonpath(value: str) -> str:
    """PYTHONPATH without its empty and relative entries, which mean the working directory
    (``PYTHONPATH=$PYTHONPATH:/x`` with it unset starts with one)."""
    return ":".join(p for p in value.split(":") if p.startswith("/"))


def command_line(*args: str, environ) -> tuple[list[str], dict]:
    """(argv, environment) running this goswitch's CLI with ``args``; run it from ``/``
    (``cwd="/"``).  Absolute PYTHONPATH entries and the user site stay, as the running
    goswitch's dependencies may live there."""
    env = dict(environ)
    kept = absolute_pythonpath(env.get("PYTHONPATH", ""))
    if kept:
        env["PYTHONPATH"] = kept
    else:
        env.pop("PYTHONPATH", None)
    here = __file__.rpartition("/")[0].rpartition("/")[0]
    code = ("import sys\n"
            "if not (sys.flags.isolated or getattr(sys.flags, 'safe_path', False)):\n"
            " del sys.path[0]\n"  # '' (the working directory, / here) before any import
            # Normally there already, where site put it (not before the stdlib).
            f"{here!r} in sys.path or sys.path.append({here!r})\n"
            "from goswitch import run\n"
            "run()")
    return [sys.executable, "-c", code, *args], env
