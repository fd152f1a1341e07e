"""The systemd integration end to end: the installed ``goswitch`` program, the unit's own
command line, and (slow) a real Go toolchain run in exactly the environment systemd's
generator computes from our file.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from .unit.test_systemd_envfile import needs_generator, run_generator

BIN = os.path.dirname(sys.executable)
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"


def make_env(root: Path) -> dict[str, str]:
    home = root / "home"
    run = root / "run"
    home.mkdir(parents=True)
    run.mkdir(mode=0o700)
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_RUNTIME_DIR": str(run),  # empty: no user manager, no session bus
        "GOSWITCH_HOME": str(root / "goswitch"),
        "GOSWITCH_CONFIG": str(root / "config.toml"),
        "GOSWITCH_CACHE_DIR": str(root / "cache"),
        "GOSWITCH_INDEX_URL": "http://127.0.0.1:9/dl/?mode=json&include=all",
        "GOSWITCH_MIRRORS": "http://127.0.0.1:9/dl/",
        "PATH": f"{BIN}:{BASE_PATH}",
        "LANG": "C.UTF-8",
    }


def goswitch(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [os.path.join(BIN, "goswitch"), *args], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def fixture_tree(env: dict, version: str) -> Path:
    """FIXTURE TREE, not a real Go: bin/go is a script; the store only checks it exists."""
    root = Path(env["GOSWITCH_HOME"]) / "versions" / version
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "go").write_text(f"#!/bin/sh\necho go version go{version} linux/amd64\n")
    (root / "bin" / "go").chmod(0o755)
    return root


def unit_command(unit: Path) -> tuple[list[str], dict[str, str]]:
    """ExecStart= and Environment= of our unit (no specifiers or C escapes in these paths)."""
    argv: list[str] = []
    extra: dict[str, str] = {}
    for line in unit.read_text().splitlines():
        if line.startswith("ExecStart="):
            argv = shlex.split(line[len("ExecStart=") :])
        elif line.startswith("Environment="):
            (assignment,) = shlex.split(line[len("Environment=") :])
            name, _, value = assignment.partition("=")
            extra[name] = value
    return argv, extra


@needs_generator
def test_the_program_and_the_units_command_line(tmp_path):
    env = make_env(tmp_path)
    goroot = fixture_tree(env, "1.22.10")
    fixture_tree(env, "1.23.4")
    env["PYTHONPATH"] = f":{tmp_path / 'pylib'}:relative"
    r = goswitch(env, "systemd", "enable", "--version", "1.22", "--unit")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr.startswith("goswitch: Wrote ")
    assert "No systemd user manager answered" in r.stderr

    # What the login unit runs, in a login-like environment (none of our variables but
    # those the unit carries): works, and finds nothing to change.
    unit = Path(env["XDG_CONFIG_HOME"]) / "systemd" / "user" / "goswitch-env.service"
    argv, extra = unit_command(unit)
    assert os.path.isabs(argv[0]) and argv[-2:] == ["systemd", "refresh"]
    assert extra["GOSWITCH_HOME"] == env["GOSWITCH_HOME"]
    # A `pip --target` goswitch needs PYTHONPATH at login too: its absolute entries only.
    assert extra["PYTHONPATH"] == str(tmp_path / "pylib")
    login_env = {"HOME": env["HOME"], "PATH": BASE_PATH, "XDG_RUNTIME_DIR": env["XDG_RUNTIME_DIR"]}
    login_env.update(extra)
    proc = subprocess.run(argv, env=login_env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stderr

    got = run_generator(env["XDG_CONFIG_HOME"], env["HOME"], BASE_PATH)
    assert got["GOROOT"] == str(goroot)

    r = goswitch(env, "systemd", "disable")
    assert r.returncode == 0, r.stderr
    assert not unit.exists()
    assert "GOROOT" not in run_generator(env["XDG_CONFIG_HOME"], env["HOME"], BASE_PATH)


def _extract_go(archive: Path, dest: Path) -> None:
    """Unpack an official-layout archive (top-level go/) as the store's <version>/ tree."""
    tmp = dest.parent / (".extract-" + dest.name)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(tmp, filter="data")
        else:  # Python < 3.12 without the backported filter
            tar.extractall(tmp)  # noqa: S202 - our own test archive
    (tmp / "go").rename(dest)
    tmp.rmdir()


@pytest.mark.slow
@needs_generator
def test_real_go_runs_in_the_session_environment(tmp_path, go_archives):
    env = make_env(tmp_path)
    goroot = Path(env["GOSWITCH_HOME"]) / "versions" / "1.22.10"
    goroot.parent.mkdir(parents=True)
    _extract_go(go_archives["go1.22.10"], goroot)
    r = goswitch(env, "systemd", "enable", "--version", "1.22.10")
    assert r.returncode == 0, r.stderr

    # Exactly what a service started by the user manager would get (plus HOME/caches
    # go needs), with a foreign "go" on the session PATH that ours must win over.
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "go").write_text("#!/bin/sh\necho foreign go\nexit 1\n")
    (foreign / "go").chmod(0o755)
    session = run_generator(env["XDG_CONFIG_HOME"], env["HOME"], f"{foreign}:{BASE_PATH}")
    session.update(HOME=env["HOME"], GOCACHE=str(tmp_path / "gocache"))
    for key in ("GOROOT", "GOTOOLCHAIN", "PATH"):
        assert key in session
    go = subprocess.run(
        ["sh", "-c", "go version && go env GOROOT GOTOOLCHAIN"],
        env=session, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert go.returncode == 0, go.stderr
    lines = go.stdout.splitlines()
    assert lines[0].startswith("go version go1.22.10 ")
    assert lines[1:] == [str(goroot), "local"]


@needs_generator
def test_enable_installs_a_missing_version_from_the_mirror_and_says_so(isolated_env,
                                                                        synthetic_mirror):
    env = isolated_env.use_mirror(synthetic_mirror)
    run_dir = env.root / "run"
    run_dir.mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(run_dir)  # no user manager, no session bus
    r = env.run([os.path.join(BIN, "goswitch"), "systemd", "enable", "--version", "1.21.0"])
    assert r.returncode == 0, r.stderr
    assert "installing Go 1.21.0 (linux-amd64)" in r.stderr  # like `use` and `install`
    goroot = Path(env["GOSWITCH_HOME"]) / "versions" / "1.21.0"
    assert (goroot / "bin" / "go").is_file()
    got = run_generator(env["XDG_CONFIG_HOME"], env["HOME"], BASE_PATH)
    assert got["GOROOT"] == str(goroot)


@needs_generator
def test_settings_the_file_is_made_of_rewrite_it_and_status_sees_drift(tmp_path):
    env = make_env(tmp_path)
    goroot = fixture_tree(env, "1.22.10")
    home_gobin = os.path.join(env["HOME"], "go", "bin")
    assert goswitch(env, "systemd", "enable", "--version", "1.22.10").returncode == 0

    def session():
        return run_generator(env["XDG_CONFIG_HOME"], env["HOME"], BASE_PATH)

    def status():
        r = goswitch(env, "systemd", "status", "--json")
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    assert session()["PATH"].split(":")[:2] == [str(goroot / "bin"), home_gobin]
    assert status()["file"]["stale"] == []

    # `config set gopath`: the session's GOPATH and the GOBIN on its PATH follow at once.
    gopath = tmp_path / "gp"
    r = goswitch(env, "config", "set", "gopath", str(gopath))
    assert r.returncode == 0 and "systemd: Rewrote" in r.stderr, r.stderr
    got = session()
    assert got["GOPATH"] == str(gopath)
    assert got["PATH"].split(":")[:2] == [str(goroot / "bin"), str(gopath / "bin")]
    assert status()["file"]["stale"] == []

    # A hand edit of the config: status names what refresh would change.
    config = Path(env["GOSWITCH_CONFIG"])
    config.write_text(f'gobin = "{tmp_path / "tools"}"\n' + config.read_text())
    doc = status()
    assert doc["file"]["stale"] == ["GOBIN", "PATH"]
    assert any("out of date" in w and "GOBIN, PATH" in w and "systemd refresh" in w
               for w in doc["warnings"]), doc["warnings"]
    text = goswitch(env, "systemd", "status")
    assert "out of date" in text.stdout + text.stderr

    # Unsetting both goes back to the GOBIN the shell had at enable, not the last setting.
    config.write_text(config.read_text().replace(f'gobin = "{tmp_path / "tools"}"\n', ""))
    assert goswitch(env, "config", "unset", "gopath").returncode == 0
    got = session()
    assert "GOPATH" not in got and got["PATH"].split(":")[:2] == [str(goroot / "bin"),
                                                                  home_gobin]
    assert status()["file"]["stale"] == []


@needs_generator
def test_disable_after_a_forced_rewrite_removes_the_directory_it_made(tmp_path):
    env = make_env(tmp_path)
    fixture_tree(env, "1.22.10")
    envd = Path(env["XDG_CONFIG_HOME"]) / "environment.d"
    assert not envd.exists()
    assert goswitch(env, "systemd", "enable", "--version", "1.22.10").returncode == 0
    conf = envd / "60-goswitch.conf"
    conf.write_text(conf.read_text() + "# my note\n")
    assert goswitch(env, "systemd", "refresh").returncode != 0  # edited: refused
    assert goswitch(env, "systemd", "refresh", "--force").returncode == 0
    assert goswitch(env, "systemd", "disable").returncode == 0
    # ~/.config was made by goswitch too (for this file): gone with it; HOME stays.
    assert not Path(env["XDG_CONFIG_HOME"]).exists() and Path(env["HOME"]).is_dir()


@needs_generator
def test_the_session_path_holds_where_its_go_install_writes(tmp_path):
    """A shell $GOBIN recorded at enable plus the gopath setting: the session's GOPATH is
    the setting and it has no GOBIN, so its `go install` writes to gopath/bin, which
    must be on its PATH too (it held the shell's directory only)."""
    env = make_env(tmp_path)
    goroot = fixture_tree(env, "1.22.10")
    env["GOBIN"] = str(tmp_path / "shell-tools")
    assert goswitch(env, "systemd", "enable", "--version", "1.22.10").returncode == 0
    gopath = tmp_path / "gp"
    assert goswitch(env, "config", "set", "gopath", str(gopath)).returncode == 0
    got = run_generator(env["XDG_CONFIG_HOME"], env["HOME"], BASE_PATH)
    assert got["GOPATH"] == str(gopath) and "GOBIN" not in got
    assert got["PATH"].split(":")[:3] == [str(goroot / "bin"), env["GOBIN"],
                                          str(gopath / "bin")]


@needs_generator
def test_status_says_when_the_file_cannot_follow_the_settings(tmp_path):
    env = make_env(tmp_path)
    fixture_tree(env, "1.22.10")
    assert goswitch(env, "systemd", "enable", "--version", "1.22.10").returncode == 0
    r = goswitch(env, "config", "set", "systemd.version", "1.21.13")  # not installed
    assert r.returncode == 0 and "not rewritten" in r.stderr, r.stderr
    doc = json.loads(goswitch(env, "systemd", "status", "--json").stdout)
    assert doc["file"]["version"] == "1.22.10" and "1.21.13" in doc["file"]["cannot_follow"]
    assert any("cannot follow your settings, so it still gives Go 1.22.10" in w
               and "goswitch install 1.21.13" in w for w in doc["warnings"]), doc["warnings"]
    # Turning the integration off by a setting leaves the file: said at once, and by status.
    r = goswitch(env, "config", "set", "systemd.enabled", "0")
    assert "still applies at each login" in r.stderr and "systemd disable" in r.stderr
    doc = json.loads(goswitch(env, "systemd", "status", "--json").stdout)
    assert any("systemd.enabled is off" in w for w in doc["warnings"]), doc["warnings"]


@needs_generator
def test_a_gobin_set_with_go_env_w_is_on_the_session_path(tmp_path):
    """The session's go reads ~/.config/go/env: `go env -w GOBIN=...` is where its
    `go install` writes, so that directory belongs on its PATH."""
    env = make_env(tmp_path)
    goroot = fixture_tree(env, "1.22.10")
    goenv_file = Path(env["XDG_CONFIG_HOME"]) / "go" / "env"
    goenv_file.parent.mkdir(parents=True)
    goenv_file.write_text(f"GOBIN={tmp_path / 'envbin'}\n")
    assert goswitch(env, "systemd", "enable", "--version", "1.22.10").returncode == 0
    got = run_generator(env["XDG_CONFIG_HOME"], env["HOME"], BASE_PATH)
    assert got["PATH"].split(":")[:2] == [str(goroot / "bin"), str(tmp_path / "envbin")]
