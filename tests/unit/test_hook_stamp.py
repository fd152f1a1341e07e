"""The tier-0 stamp: dated just before the run, one per shell, old ones cleaned."""

from __future__ import annotations

import os
import time

from goswitch import paths
from goswitch.hook.main import _STAMP_MARGIN_NS, _touch_stamp


def test_stamp_is_dated_before_the_run_and_old_ones_go(tmp_path):
    env = {"XDG_RUNTIME_DIR": str(tmp_path), "HOME": str(tmp_path)}
    run = tmp_path / "goswitch"
    run.mkdir()
    old = run / "stamp-111"
    old.touch()
    week_ago = time.time() - 8 * 86400
    os.utime(old, (week_ago, week_ago))
    recent = run / "stamp-222"
    recent.touch()
    started = time.time_ns()
    stamp = _touch_stamp(paths.runtime_dir(env), "333", started)
    assert stamp == str(run / "stamp-333")
    assert os.stat(stamp).st_mtime_ns == started - _STAMP_MARGIN_NS
    assert not old.exists() and recent.exists()
    # An edit made right after the run is newer than the stamp, even on a coarse clock.
    probe = tmp_path / "probe"
    probe.touch()
    assert os.stat(probe).st_mtime_ns > os.stat(stamp).st_mtime_ns


def test_unwritable_runtime_dir_means_no_stamp(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = {"XDG_RUNTIME_DIR": str(blocker), "GOSWITCH_CACHE_DIR": str(blocker / "x"),
           "HOME": str(tmp_path)}
    assert _touch_stamp(paths.runtime_dir(env), "1", time.time_ns()) == ""


def test_without_a_stamp_the_hook_says_why_once(tmp_path):
    import subprocess
    import sys

    from goswitch.shells import PROTO

    blocker = tmp_path / "file"
    blocker.write_text("")
    env = {"XDG_RUNTIME_DIR": str(blocker), "GOSWITCH_CACHE_DIR": str(blocker / "x"),
           "HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PWD": str(tmp_path)}
    argv = [sys.executable, "-m", "goswitch", "hook", "bash", str(PROTO), "77"]
    first = subprocess.run([*argv, ""], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "cannot write the prompt stamp" in first.stderr and "XDG_RUNTIME_DIR" in first.stderr
    said = first.stdout.split("__goswitch_said=", 1)[1].split(";\n", 1)[0]
    said = subprocess.run(["bash", "-c", f"x={said}; printf %s \"$x\""], capture_output=True,
                          text=True).stdout
    again = subprocess.run([*argv, said], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert again.stderr == ""
