"""The hook program: ``goswitch hook SHELL ...`` (``init`` lives in :mod:`goswitch.shells`).

Runs as ``python -I -S -c CODE hook SHELL PROTO PID SAID`` from the init
script, so it imports nothing outside the stdlib-only hook path.  It prints
shell code on stdout (eval'd by the shell) and messages on stderr.
"""

from __future__ import annotations

import sys
import time

from .. import fs, paths
from ..shells import PACKAGE_DIR, PROTO, init_script_for, shell_or_complain
from ..shells import printable as _printable

_RS = "\x1e"
# The stamp is dated a little in the past: file timestamps come from a
# coarse kernel clock, so an edit just after this run could otherwise get a
# timestamp equal to the stamp's and be missed.
_STAMP_MARGIN_NS = 30_000_000
_STAMP_MAX_AGE = 7 * 86400
_MAX_MESSAGE = 1000
_MAX_SAID = 32 * 1024


def _usage() -> int:
    sys.stderr.write("usage: goswitch hook bash|zsh|fish PROTO PID SAID\n")
    return 2


def _clean_stamps(run: str) -> None:
    """Remove stamps and failed-install memos of shells long gone (at a shell's first run)."""
    now = time.time()
    try:
        names = fs.listdir(run)
    except OSError:
        return
    for name in names:
        if name.startswith(("stamp-", "failed-")):
            path = fs.join(run, name)
            try:
                if now - fs.stat(path).st_mtime > _STAMP_MAX_AGE:
                    fs.unlink(path)
            except OSError:
                pass




def _bounded(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def _touch_stamp(run: str, pid: str, started_ns: int) -> str:
    """This shell's stamp in ``run`` (paths.runtime_dir), dated just before this run."""
    stamp = fs.join(run, "stamp-" + pid)
    when = started_ns - _STAMP_MARGIN_NS
    try:
        try:
            fs.utime(stamp, ns=(when, when))
        except FileNotFoundError:  # this shell's first evaluation
            fs.makedirs(run, 0o700)
            _clean_stamps(run)
            fs.touch(stamp)
            fs.utime(stamp, ns=(when, when))
    except OSError:
        return ""  # no stamp: tier 0 re-evaluates at every prompt, still correct
    return stamp


def hook(args: list[str]) -> int:
    started_ns = time.time_ns()
    if not args:
        return _usage()
    shell = shell_or_complain(args[0])
    if shell is None:
        return 2
    proto = int(args[1]) if len(args) > 1 and args[1].isdigit() else 0
    # Only digits reach the stamp's and the memo's file names.
    pid = "".join(c for c in (args[2] if len(args) > 2 else str(fs.getppid())) if c.isdigit())
    said = set(args[3].split(_RS)) if len(args) > 3 and args[3] else set()
    out: list[str] = []
    if proto != PROTO:
        # An init script from another goswitch version: replace it by ours,
        # then carry on with this evaluation under the new protocol.
        sys.stderr.write(
            f"goswitch: this shell was set up by another goswitch version (hook protocol "
            f"{proto}, now {PROTO}); reloading the hook\n"
        )
        out.append(init_script_for(shell))

    environ = fs.environ()
    # The shell's PATH, passed under another name (see the init scripts): the
    # environment may have none (`env -i bash -i`) or an older one.
    shell_path = environ.pop("__GOSWITCH_PATH", None)
    if shell_path is not None:
        environ["PATH"] = shell_path
    pwd = environ.get("PWD", "")
    if not pwd.startswith("/"):
        try:
            pwd = fs.getcwd()
        except OSError:
            pwd = "/"
    from .evaluate import evaluate

    run = paths.runtime_dir(environ)  # this shell's stamp and failed-install memo live there

    try:
        plan = evaluate(environ, pwd, said, fs.join(run, "failed-" + pid))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never break the prompt; say it once
        from .evaluate import Plan

        plan = Plan()
        plan.messages.append(
            f"goswitch: internal error in the shell hook: {exc!r} "
            "(please report it; `goswitch current` shows the details)"
        )
    changes = []
    for name, value in plan.exports.items():
        if name == "PATH" and value is not None:
            changes.append(shell.export_path(value))
        elif value is None:
            changes.append(shell.unset(name))
        else:
            changes.append(shell.export(name, value))
    if changes:
        out.append(shell.all_or_nothing(list(plan.exports), "".join(changes)))
    # Tier-0 bookkeeping: what to watch and since when.
    out.append(shell.set_list("__goswitch_watch", plan.watched))
    stamp = _touch_stamp(run, pid, started_ns)
    if not stamp:
        plan.messages.append(
            f"goswitch: cannot write the prompt stamp in {run}, so the "
            "hook runs at every prompt (make it writable, or set XDG_RUNTIME_DIR or "
            "GOSWITCH_CACHE_DIR to a directory you own)"
        )
    out.append(shell.set_local("__goswitch_stamp", stamp))
    # Bounded: __goswitch_said comes back as one argument of the next run, and the
    # kernel refuses one over 128 KiB (E2BIG), which would break every later prompt.
    messages = [_bounded(m) for m in plan.messages]
    out.append(shell.set_local("__goswitch_said", _RS.join(messages + plan.memos)[:_MAX_SAID]))
    for message in messages:
        if message not in said:
            sys.stderr.write(_printable(message) + "\n")
    sys.stdout.buffer.write("".join(out).encode("utf-8", "surrogateescape"))
    return 0


def launch(
    argv: list[str], snapshot_loaded: int | None = None, snapshot_file: str | None = None
) -> None:
    """Entry from the shell: run, then leave without interpreter teardown.

    ``snapshot_loaded`` is 0 when the launch code found no usable snapshot of
    the hook modules at ``snapshot_file``: then rebuild it there (once, after
    this run's output is out).  Launch code from before ``snapshot_file``
    passes none: the package's own place.
    """
    from .. import fast_exit

    try:
        code = main(argv)
    except BaseException:  # report like the interpreter would, then leave
        import traceback

        traceback.print_exc()
        code = 1
    if snapshot_loaded == 0:
        try:
            sys.stdout.flush()
        finally:
            _rebuild_snapshot(snapshot_file)
    fast_exit(code)


def _rebuild_snapshot(target: str | None) -> None:
    from ..codecache import writable
    from . import snapshot

    target = target or snapshot.snapshot_path(PACKAGE_DIR)
    if not writable(fs.dirname(target)):
        return  # a read-only install without a place of the user's: normal imports
    snapshot.rebuild_quietly(PACKAGE_DIR, target)


def main(argv: list[str]) -> int:
    if not argv:
        return _usage()
    if argv[0] == "hook":
        return hook(argv[1:])
    return _usage()
