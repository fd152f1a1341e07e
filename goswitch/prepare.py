"""``python3 -m goswitch.prepare``: write the run-time caches of a read-only install.

goswitch keeps two caches beside its code, in ``goswitch/__pycache__``: the
snapshot of the hook modules (every ``cd``; hook/snapshot.py) and the text
``goswitch init SHELL`` prints (every shell start; goswitch.init_key).
Both are written by the first run that needs them; when the package belongs
to root (``sudo pip install``, a distribution package) users cannot write
there, so each keeps a copy in a private directory of their cache instead
(goswitch.codecache).  Run this once after installing or upgrading, as the
owner, with the interpreter users run (a package's post-install script is
the place) to write one shared copy instead.  Like the ``.pyc`` files beside
them, the caches are not part of the wheel's RECORD; the next upgrade
rebuilds them, as their keys no longer match.
"""

from __future__ import annotations

import contextlib
import io
import sys

from . import SHELLS, init_file, init_key
from .codecache import PACKAGE_CACHE
from .hook import snapshot
from .shells import PACKAGE_DIR, init


def prepare() -> list[str]:
    """Build the snapshot and save the init text of every shell; the paths written."""
    written = [snapshot.build(PACKAGE_DIR)]
    for name in SHELLS:
        with contextlib.redirect_stdout(io.StringIO()):
            init([name])
        path, key = init_file(name, PACKAGE_CACHE), init_key(name)
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            if f.readline() != key + "\n":
                raise OSError(f"{path}: could not be written (is {PACKAGE_DIR} writable?)")
        written.append(path)
    return written


USAGE = f"""usage: {{python}} -m goswitch.prepare

Write goswitch's run-time caches beside its code ({PACKAGE_DIR}/__pycache__):
the hook's snapshot and the text of `goswitch init bash|zsh|fish`.  Run it as the
owner of that directory, with goswitch's own interpreter, after installing or
upgrading a read-only install (a package's post-install script is the place).
Prints the paths written.
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        out = sys.stdout if set(args) <= {"-h", "--help"} else sys.stderr
        out.write(USAGE.format(python=sys.executable))
        return 0 if out is sys.stdout else 2
    try:
        for path in prepare():
            print(path)
    except OSError as exc:
        print(f"goswitch: cannot prepare the caches: {exc} "
              f"(run this as the owner of {PACKAGE_DIR})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
