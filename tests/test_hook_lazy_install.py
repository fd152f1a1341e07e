"""Lazy install on cd in zsh and fish (bash, with the real archives: test_install_real.py).

The synthetic pre-release archives of the test mirror keep this fast; what is
checked is the hand-over from the hook to the installer in each shell: the
progress on the terminal, the activation right after, and no second install.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

GOSWITCH = str(Path(sys.executable).with_name("goswitch"))
RC = {
    "zsh": f'eval "$({GOSWITCH} init zsh)"\n',
    "fish": f"{GOSWITCH} init fish | source\n",
}


@pytest.mark.parametrize("shell", sorted(RC))
def test_lazy_install_on_cd(shell, isolated_env, synthetic_mirror, shell_session, tmp_path):
    env = isolated_env.use_mirror(synthetic_mirror)
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".go-version").write_text("1.22rc1\n")
    sess = shell_session(shell, rc=RC[shell], env=env)
    out = sess.run(f"cd {proj}", timeout=120)
    assert "installing Go 1.22rc1" in out and "installed Go 1.22rc1" in out
    # Said before any network wait, so a slow index is not a silent pause.
    assert out.index("Go 1.22rc1 is not installed; installing it (Ctrl-C stops)") < out.index(
        "installing Go 1.22rc1 (linux-amd64)"
    )
    root = Path(env["GOSWITCH_HOME"]) / "versions" / "1.22rc1"
    assert sess.env()["GOROOT"] == str(root)
    assert sess.run("go version").strip() == "go version go1.22rc1 linux/amd64"
    sess.run("cd ..")
    assert "installing" not in sess.run(f"cd {proj}")
    assert synthetic_mirror.count("go1.22rc1.linux-amd64.tar.gz") == 1


@pytest.mark.parametrize("shell", sorted(RC))
def test_auto_install_off_gives_one_hint(shell, isolated_env, synthetic_mirror, shell_session,
                                         tmp_path):
    env = {**isolated_env.use_mirror(synthetic_mirror), "GOSWITCH_AUTO_INSTALL": "0"}
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".go-version").write_text("1.22rc1\n")
    sess = shell_session(shell, rc=RC[shell], env=env)
    out = sess.run(f"cd {proj}")
    assert "goswitch install 1.22rc1" in out
    assert "goswitch" not in sess.run("true")
    assert synthetic_mirror.count("go1.22rc1.linux-amd64.tar.gz") == 0


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_failed_lazy_install_is_not_retried_at_every_prompt(
    shell, isolated_env, synthetic_mirror, shell_session, tmp_path
):
    """The failure is said once; later prompts in the same place start no download."""
    env = isolated_env.use_mirror(synthetic_mirror)
    env["GOSWITCH_MIRRORS"] = synthetic_mirror.origin + "/gone/"  # 404 for every archive
    env["GOSWITCH_RETRIES"] = "1"
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".go-version").write_text("1.22rc1\n")
    rc = RC.get(shell, f'eval "$({GOSWITCH} init bash)"\n')
    sess = shell_session(shell, rc=rc, env=env)
    out = sess.run(f"cd {proj}", timeout=120)
    assert out.count("could not install Go 1.22rc1") == 1, out
    attempts = len([r for r in synthetic_mirror.log if r.path.startswith("/gone/")])
    assert attempts >= 1
    for _ in range(3):
        assert "goswitch" not in sess.run("true")
    assert len([r for r in synthetic_mirror.log if r.path.startswith("/gone/")]) == attempts
    # Leaving and coming back is a new attempt (the mirror may be fixed by then).
    sess.run("cd ..")
    assert "could not install Go 1.22rc1" in sess.run(f"cd {proj}", timeout=120)
    assert len([r for r in synthetic_mirror.log if r.path.startswith("/gone/")]) > attempts


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_uninstalling_the_go_in_use_is_not_undone_at_the_next_prompt(
    shell, isolated_env, synthetic_mirror, shell_session, tmp_path
):
    """`goswitch uninstall` to free the disk, from inside the project: the prompt after it
    does not download it again; coming back after a cd elsewhere does."""
    env = isolated_env.use_mirror(synthetic_mirror)
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".go-version").write_text("1.22rc1\n")
    rc = RC.get(shell, f'eval "$({GOSWITCH} init bash)"\n')
    sess = shell_session(shell, rc=rc, env=env)
    assert "installed Go 1.22rc1" in sess.run(f"cd {proj}", timeout=120)
    out = sess.run(f"{GOSWITCH} uninstall 1.22rc1", timeout=60)
    assert "was removed while this shell used it" in out, out
    assert "installing it" not in out
    assert "GOROOT" not in sess.env()
    for _ in range(2):
        assert "goswitch" not in sess.run("true")
    assert synthetic_mirror.count("go1.22rc1.linux-amd64.tar.gz") == 1
    sess.run("cd ..")
    assert "installed Go 1.22rc1" in sess.run(f"cd {proj}", timeout=120)
    assert sess.env()["GOROOT"].endswith("/1.22rc1")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("stuck", ["index", "archive"])
def test_ctrl_c_during_a_lazy_install_leaves_a_coherent_shell(
    shell, stuck, isolated_env, synthetic_mirror, shell_session, tmp_path
):
    """Ctrl-C while the hook installs (stuck on the index: nothing in the store changes;
    or on the archive): the previous project's Go is taken back, as after any failed
    install, the next prompts start no download, and coming back later tries again."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts (the kernel does), never answers
    dead = f"http://127.0.0.1:{silent.getsockname()[1]}/dl/"
    env = isolated_env.use_mirror(synthetic_mirror)
    a, new = tmp_path / "a", tmp_path / "new"
    a.mkdir()
    new.mkdir()
    (a / ".go-version").write_text("1.22rc1\n")
    (new / ".go-version").write_text("1.21.0\n")
    rc = RC.get(shell, f'eval "$({GOSWITCH} init bash)"\n')
    sess = shell_session(shell, rc=rc, env=env)
    try:
        sess.run(f"cd {a}", timeout=120)
        assert sess.env()["GOROOT"].endswith("/1.22rc1")
        if stuck == "index":
            setenv = "set -gx" if shell == "fish" else "export"
            eq = " " if shell == "fish" else "="
            sess.run(f"{setenv} GOSWITCH_INDEX_URL{eq}{dead}")
        else:
            synthetic_mirror.set_fault("go1.21.0.linux-amd64.tar.gz", "slow", stall=60, after=0)
        sess.child.send(f"cd {new}\r")
        sess.child.expect("installing it", timeout=30)
        time.sleep(1.0)
        out = sess.send_intr(timeout=30)
        assert "GOROOT" not in sess.env()
        asked = len(synthetic_mirror.requests("go1.21.0.linux-amd64.tar.gz"))
        for _ in range(2):
            more = sess.run("true", timeout=30)
            assert "installing" not in more
            out += more
        # Said once, although bash drops the interrupted run's output and runs again.
        assert out.count("could not install Go 1.21.0") == 1, out
        assert "GOROOT" not in sess.env()
        assert len(synthetic_mirror.requests("go1.21.0.linux-amd64.tar.gz")) == asked
        # A fixed mirror setting, or somewhere else and back: a new attempt (here it works).
        synthetic_mirror.clear_faults()
        out = ""
        if stuck == "index":  # the setting changes at the prompt: that prompt tries again
            url = shlex.quote(synthetic_mirror.index_url)  # it holds a `&`
            out += sess.run(f"{'set -gx' if shell == 'fish' else 'export'} GOSWITCH_INDEX_URL"
                            f"{' ' if shell == 'fish' else '='}{url}", timeout=120)
        out += sess.run("cd ..")
        out += sess.run(f"cd {new}", timeout=120)
        assert out.count("installed Go 1.21.0") == 1, out
        assert sess.env()["GOROOT"].endswith("/1.21.0")
    finally:
        silent.close()


def test_the_prompt_gives_a_dead_mirror_less_patience(isolated_env, shell_session, tmp_path):
    """A mirror that accepts connections and never answers: 2 attempts of 10 s at most."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts (the kernel does), never answers
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/dl/"
    env = {**isolated_env, "GOSWITCH_INDEX_URL": url + "?mode=json", "GOSWITCH_MIRRORS": url,
           "GOSWITCH_TIMEOUT": "30", "GOSWITCH_RETRIES": "3"}
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".go-version").write_text("1.22.10\n")
    try:
        sess = shell_session("bash", rc=f'eval "$({GOSWITCH} init bash)"\n', env=env)
        t0 = time.monotonic()
        out = sess.run(f"cd {proj}", timeout=120)
        took = time.monotonic() - t0
    finally:
        silent.close()
    assert "could not install Go 1.22.10" in out
    assert "timed out (2 attempts)" in out, out
    assert 15 < took < 40, took  # 2 x 10 s (+ backoff), not 3 x 30 s


def test_a_project_cannot_stand_in_for_goswitch_or_its_dependencies(
    isolated_env, synthetic_mirror, shell_session, tmp_path
):
    """The lazy install ran `python -m goswitch` in the project being entered, which
    put the project first on the import path: its goswitch/__main__.py ran, and its
    filelock.py replaced the dependency."""
    env = isolated_env.use_mirror(synthetic_mirror)
    proj = tmp_path / "proj"
    (proj / "goswitch").mkdir(parents=True)
    canary = tmp_path / "canary"
    evil = f"open({str(canary)!r}, 'a').write('ran\\n')\n"
    for name in ("goswitch/__init__.py", "goswitch/__main__.py", "filelock.py", "click.py",
                 "sitecustomize.py", "usercustomize.py"):
        (proj / name).write_text(evil)
    (proj / ".go-version").write_text("1.22rc1\n")
    # `export PYTHONPATH=$PYTHONPATH:/x` with PYTHONPATH unset: its empty entry is the
    # working directory again, and site imports sitecustomize before any code of ours.
    env["PYTHONPATH"] = ":" + str(tmp_path / "nothing-here")
    sess = shell_session("bash", rc=f'eval "$({GOSWITCH} init bash)"\n', env=env)
    out = sess.run(f"cd {shlex.quote(str(proj))}", timeout=120)
    assert "installed Go 1.22rc1" in out and "Traceback" not in out, out
    assert sess.env()["GOROOT"] == str(Path(env["GOSWITCH_HOME"]) / "versions" / "1.22rc1")
    assert not canary.exists()


def test_the_installer_keeps_absolute_pythonpath_entries_only(tmp_path):
    """Dependencies reachable through PYTHONPATH (a `pip --target` install) stay
    reachable; entries meaning the working directory go."""
    import subprocess

    from goswitch.selfcommand import command_line

    argv, env = command_line("--version", environ={
        "PATH": "/usr/bin:/bin", "PYTHONPATH": f":{tmp_path}:rel/dir:.:{tmp_path}/b:"})
    assert env["PYTHONPATH"] == f"{tmp_path}:{tmp_path}/b"
    assert "-I" not in argv and argv[-1] == "--version"
    (tmp_path / "sitecustomize.py").write_text("raise SystemExit('imported from PYTHONPATH')")
    done = subprocess.run(argv, env=env, cwd="/", capture_output=True, text=True, timeout=60)
    assert "imported from PYTHONPATH" in done.stderr + done.stdout  # absolute entries count
    (tmp_path / "sitecustomize.py").unlink()
    done = subprocess.run(argv, env=env, cwd="/", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("goswitch, version")
    _, env = command_line("x", environ={"PYTHONPATH": ":"})
    assert "PYTHONPATH" not in env
