"""Shared helpers for the command tests, and the rules every command follows.

``gs`` runs the real click app in-process (``goswitch.cli.app.main``) with a
clean environment under ``tmp_path``; ``go_tree`` creates a FIXTURE TREE in
the store: ``versions/<v>/bin/go`` is a tiny sh script printing
``go version go<v> linux/amd64`` (plus gofmt and pkg/tool/<os_arch>/vet),
not a real Go.  End-to-end tests with real Go archives live in tests/.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from goswitch.cli import output
from goswitch.cli.app import main

ENV_KEEP = ("PATH", "LANG", "LC_ALL", "TMPDIR")


class Result:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


def run_cli(capsys, args) -> Result:
    """Run the click app in-process; its exit code and what it printed."""
    capsys.readouterr()
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


class GS:
    """An isolated goswitch: ``gs("current", "--json")`` -> Result."""

    def __init__(self, root: Path, monkeypatch, capsys):
        self.root, self._mp, self._capsys = root, monkeypatch, capsys
        self.home = root / "home"
        self.gs_home = root / "gshome"
        self.config = self.home / ".config" / "goswitch" / "config.toml"
        self.cache = self.home / ".cache" / "goswitch"
        self.project = root / "project"
        for d in (self.home, self.project, self.cache):
            d.mkdir(parents=True, exist_ok=True)
        for name in list(os.environ):
            if name not in ENV_KEEP:
                monkeypatch.delenv(name)
        for name, value in {
            "HOME": self.home,
            "XDG_CONFIG_HOME": self.home / ".config",
            "XDG_DATA_HOME": self.home / ".local" / "share",
            "XDG_CACHE_HOME": self.home / ".cache",
            "GOSWITCH_HOME": self.gs_home,
            "GOSWITCH_CACHE_DIR": self.cache,
            "GOSWITCH_CONFIG": self.config,
            "GOSWITCH_INDEX_URL": "http://127.0.0.1:9/dl/?mode=json&include=all",
            "GOSWITCH_MIRRORS": "http://127.0.0.1:9/dl/",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
        }.items():
            monkeypatch.setenv(name, str(value))
        monkeypatch.chdir(self.project)

    def setenv(self, name: str, value: str) -> None:
        self._mp.setenv(name, value)

    def delenv(self, name: str) -> None:
        self._mp.delenv(name, raising=False)

    def __call__(self, *args: str, cwd: Path | None = None) -> Result:
        if cwd is None:
            return run_cli(self._capsys, args)
        self._mp.chdir(cwd)
        try:
            return run_cli(self._capsys, args)
        finally:
            self._mp.chdir(self.project)

    def go_tree(self, version: str, store: Path | None = None) -> Path:
        return go_tree((store or self.gs_home / "versions"), version)


def go_tree(store: Path, version: str) -> Path:
    """FIXTURE TREE: a fake Go installation whose `go` prints its version."""
    root = store / version
    (root / "bin").mkdir(parents=True, exist_ok=True)
    for name in ("go", "gofmt"):
        exe = root / "bin" / name
        exe.write_text(f'#!/bin/sh\necho "go version go{version} linux/amd64"\n')
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    vet = root / "pkg" / "tool" / "linux_amd64" / "vet"
    vet.parent.mkdir(parents=True, exist_ok=True)
    vet.write_text("#!/bin/sh\n")
    vet.chmod(0o755)
    (root / "VERSION").write_text(f"go{version}\ntime 2024-01-01T00:00:00Z\n")
    return root


@pytest.fixture
def gs(tmp_path, monkeypatch, capsys) -> GS:
    return GS(tmp_path, monkeypatch, capsys)


# -- rules every command follows ---------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_color_only_on_a_terminal_and_never_with_no_color():
    assert output.color_enabled(_Tty(), {}) is True
    assert output.color_enabled(io.StringIO(), {}) is False
    assert output.color_enabled(_Tty(), {"NO_COLOR": "1"}) is False
    assert output.color_enabled(_Tty(), {"NO_COLOR": ""}) is True  # no-color.org: non-empty
    assert output.color_enabled(_Tty(), {"TERM": "dumb"}) is False


def test_no_color_leaves_no_escape_codes(gs, monkeypatch):
    (gs.project / "goswitch.toml").write_text('[go]\nversion = "1.22.10"\n[env]\nA = "1"\n')
    assert gs("trust").code == 0
    real = output.color_enabled
    # Pretend stdout is a terminal; the decision itself stays the real one.
    monkeypatch.setattr(
        output, "color_enabled", lambda stream=None, environ=None: real(_Tty(), os.environ)
    )
    assert "\x1b[" in gs("trust", "--list").out  # colour on a terminal ...
    gs.setenv("NO_COLOR", "1")
    result = gs("trust", "--list")
    assert "\x1b[" not in result.out + result.err  # ... never with NO_COLOR
    assert result.out.startswith("trusted  ")


def test_errors_have_the_documented_shape_and_code(gs):
    result = gs("which", "go")
    assert result.code == 3  # EXIT_NOT_FOUND: nothing pins a version here
    assert result.out == ""
    line = result.err.strip()
    assert line.startswith("goswitch: no Go version here: ")
    assert line.endswith(")") and "(run `goswitch use" in line


def test_usage_errors_exit_2(gs):
    assert gs("use", "1.x").code == 2
    assert gs("use").code == 2
    assert gs("env", "--shell", "tcsh").code == 2
    assert gs("prune", "--older-than", "-1").code == 2


def test_bad_config_file_is_named_with_a_fix(gs):
    gs.config.parent.mkdir(parents=True)
    gs.config.write_text('auto_install = "maybe"\n')
    result = gs("current")
    assert result.code == 1
    assert str(gs.config) in result.err and "auto_install" in result.err
    assert "goswitch config" in result.err


def test_bad_variable_is_named(gs):
    gs.setenv("GOSWITCH_AUTO_INSTALL", "perhaps")
    result = gs("current")
    assert result.code == 1 and "GOSWITCH_AUTO_INSTALL" in result.err


def test_hints_go_to_stderr_not_stdout(gs):
    (gs.project / ".go-version").write_text("1.22.10\n")  # pinned, not installed
    result = gs("current", "--short")
    assert result.code == 0
    assert result.out == ""  # no version is active: nothing a script could mistake for one
    assert "not installed" in result.err


def test_ctx_exit_code_reaches_the_process(gs, monkeypatch):
    """click returns (not raises) ctx.exit(n) outside standalone mode; main must pass it on."""
    import click

    from goswitch.cli.app import LazyGroup

    @click.command()
    def probe():
        click.get_current_context().exit(4)

    real = LazyGroup._load
    monkeypatch.setattr(
        LazyGroup, "_load", staticmethod(lambda name: probe if name == "probe" else real(name))
    )
    assert gs("probe").code == 4
    assert gs("current").code == 0


# -- files goswitch cannot write: one line naming the file and the setting, never a traceback --

# mkdir under /sys fails for root too (EPERM, or EROFS where /sys is mounted read-only).
UNWRITABLE = "/sys/goswitch-test-unwritable"


def test_unwritable_goswitch_home_is_named_with_its_setting(gs):
    (gs.project / "goswitch.toml").write_text('[go]\nversion = "1.22.10"\n[env]\nA = "1"\n')
    gs.setenv("GOSWITCH_HOME", UNWRITABLE)
    r = gs("trust")
    assert r.code == 1, r
    assert r.err.count("\n") == 1 and r.err.startswith(f"goswitch: {UNWRITABLE}")
    assert "set GOSWITCH_HOME to a place you can write" in r.err


def test_unwritable_config_leaves_no_temp_file_and_names_its_setting(gs, tmp_path):
    gs.setenv("GOSWITCH_CONFIG", f"{UNWRITABLE}/config.toml")
    r = gs("config", "set", "auto_install", "0")
    assert r.code == 1, r
    assert r.err.startswith(f"goswitch: {UNWRITABLE}") and "GOSWITCH_CONFIG" in r.err
    # A config path whose rename fails (the target is a directory) keeps nothing behind.
    target = tmp_path / "cfgdir" / "config.toml"
    target.mkdir(parents=True)
    gs.setenv("GOSWITCH_CONFIG", str(target))
    r = gs("config", "set", "auto_install", "0")
    assert r.code == 1 and str(target) in r.err, r
    assert sorted(os.listdir(target.parent)) == ["config.toml"]


@pytest.mark.parametrize("args", [["current"], ["list", "--json"], ["--help"], ["init", "bash"]])
def test_output_to_a_full_disk_fails_with_one_line(gs, args):
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "goswitch", *args], stdout=full,
                              stderr=subprocess.PIPE, text=True)
    assert done.returncode == 1
    assert done.stderr == "goswitch: cannot write the output: no space left on device\n" or (
        done.stderr == "goswitch: cannot write the output: No space left on device\n")


def test_a_closed_pipe_ends_quietly(gs):
    import subprocess
    import sys

    for i in range(1500):  # more output than a pipe holds
        gs.go_tree(f"1.21.{i}")
    script = f"{sys.executable} -m goswitch list | head -c1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert done.stderr == ""
    assert done.stdout.strip() in ("1", "141")  # click's code for a closed pipe, or ours


def test_messages_show_hostile_directory_names_escaped(gs, tmp_path):
    """A name with terminal escapes or bytes that are not UTF-8 never reaches stderr raw."""
    import os as _os

    evil = tmp_path / _os.fsdecode(b"evil\x1b]0;pwned\x07\x9b31m\xff")
    evil.mkdir()
    (evil / ".go-version").write_text("not-a-version\n")
    r = gs("current", cwd=evil)
    assert r.code == 1 and "is not a Go version" in r.err
    assert "evil\\x1b]0;pwned\\x07\\x9b31m\\xff/.go-version" in r.err
    assert not any(ord(c) < 0x20 and c != "\n" or 0x7F <= ord(c) <= 0x9F for c in r.err)
