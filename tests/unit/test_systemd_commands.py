"""``goswitch systemd enable|disable|status|refresh``, checked with systemd's own tools.

Each test runs the real click app in-process with a clean environment under
``tmp_path``: HOME, XDG_CONFIG_HOME, GOSWITCH_HOME, and an empty
XDG_RUNTIME_DIR (mode 0700) with no session bus, so ``systemctl --user``
finds no user manager (as on a CI machine) and can never touch the session
of whoever runs the tests.  ``go_tree`` makes a FIXTURE TREE, not a real Go:
``versions/<v>/bin/go`` is a two-line sh script, which is all the store
needs to count a version as installed.  What the session would get is
checked by running the real ``30-systemd-environment-d-generator``; the unit
by ``systemd-analyze --user verify``.  A fake ``systemctl`` (a Python script
keeping an environment in a JSON file) stands in for a running user manager.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import goswitch.systemd as gsd
from goswitch import settings as settings_mod
from goswitch.systemd import writer
from goswitch.versions import GoVersion
from tests.unit.test_cmd_common import Result, run_cli

from .test_systemd_envfile import GENERATOR, needs_generator, run_generator

BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)
needs_systemctl = pytest.mark.skipif(
    shutil.which("systemctl") is None, reason="systemctl is not installed"
)


class Env:
    """An isolated goswitch with its own HOME and config; ``env("systemd", "status")``."""

    def __init__(self, root: Path, monkeypatch, capsys):
        self.root, self.mp, self.capsys = root, monkeypatch, capsys
        self.home = root / "home"
        self.config_home = self.home / ".config"
        self.gs_home = root / "gs home"
        self.config = root / "gsconfig" / "config.toml"  # outside XDG_CONFIG_HOME on purpose
        self.run_dir = root / "run"
        self.home.mkdir(parents=True)
        self.run_dir.mkdir(mode=0o700)
        for name in list(os.environ):
            monkeypatch.delenv(name)
        self.vars = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.config_home),
            "XDG_RUNTIME_DIR": str(self.run_dir),
            "GOSWITCH_HOME": str(self.gs_home),
            "GOSWITCH_CONFIG": str(self.config),
            "GOSWITCH_CACHE_DIR": str(root / "cache"),
            "GOSWITCH_INDEX_URL": "http://127.0.0.1:9/dl/?mode=json&include=all",
            "GOSWITCH_MIRRORS": "http://127.0.0.1:9/dl/",
            "PATH": os.path.dirname(sys.executable) + ":" + BASE_PATH,
            "LANG": "C.UTF-8",
        }
        for name, value in self.vars.items():
            monkeypatch.setenv(name, value)

    def setenv(self, name: str, value: str) -> None:
        self.vars[name] = value
        self.mp.setenv(name, value)

    def __call__(self, *args: str) -> Result:
        return run_cli(self.capsys, args)

    @property
    def env_file(self) -> Path:
        return self.config_home / "environment.d" / "60-goswitch.conf"

    @property
    def unit_file(self) -> Path:
        return self.config_home / "systemd" / "user" / "goswitch-env.service"

    def go_tree(self, version: str = "1.22.10", store: Path | None = None) -> Path:
        """FIXTURE TREE (not a real Go): versions/<v>/bin/go, a script that prints a version."""
        root = (store or self.gs_home / "versions") / version
        (root / "bin").mkdir(parents=True)
        go = root / "bin" / "go"
        go.write_text(f'#!/bin/sh\necho "go version go{version} linux/amd64"\n')
        go.chmod(0o755)
        return root

    def set_config(self, text: str) -> None:
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.config.write_text(textwrap.dedent(text))

    def settings(self):
        return settings_mod.load(os.environ)

    def generator(self, path: str | None = BASE_PATH) -> dict[str, str]:
        return run_generator(self.config_home, self.home, path)

    def generator_without_us(self, path: str | None = BASE_PATH) -> dict[str, str]:
        empty = self.root / "empty-config"
        empty.mkdir(exist_ok=True)
        return run_generator(empty, self.home, path)


@pytest.fixture
def env(tmp_path, monkeypatch, capsys) -> Env:
    return Env(tmp_path, monkeypatch, capsys)


@pytest.fixture(autouse=True)
def _no_installer(monkeypatch):
    # The installer (goswitch.install) is someone else's and may reach for the network;
    # these tests are about the systemd writer, so "not installed" stays "not installed".
    monkeypatch.setattr(writer, "_installer", lambda: None)


def tree(root: Path) -> dict[str, str]:
    """Every path under ``root`` with its kind and content: to compare before/after."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.join(dirpath, d)] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[p] = "link->" + os.readlink(p) if os.path.islink(p) else Path(p).read_text()
    return out


# -- enable: the file and what systemd computes from it ---------------------------------


@needs_generator
def test_enable_writes_what_the_generator_turns_into_go(env):
    goroot = env.go_tree("1.22.10")
    env.set_config('default_version = "1.22.10"\n')
    r = env("systemd", "enable")
    assert r.code == 0, r
    assert r.out == ""  # messages go to stderr
    assert "60-goswitch.conf" in r.err and "Go 1.22.10" in r.err
    assert stat.S_IMODE(env.env_file.stat().st_mode) == 0o644
    text = env.env_file.read_text()
    assert text.startswith("# ") and "Written by goswitch" in text
    assert "goswitch systemd disable" in text  # how to undo it
    assert "${PATH" in text  # PATH through expansion, not a frozen copy

    got, before = env.generator(), env.generator_without_us()
    gobin = str(env.home / "go" / "bin")
    assert got["GOROOT"] == str(goroot)
    assert got["PATH"].split(":") == [str(goroot / "bin"), gobin, *BASE_PATH.split(":")]
    assert got["GOTOOLCHAIN"] == "local"
    changed = {k for k in set(got) | set(before) if got.get(k) != before.get(k)}
    assert changed == {"GOROOT", "PATH", "GOTOOLCHAIN"}  # nothing else touched


@needs_generator
@pytest.mark.parametrize("blocker", ["file", "dangling link"])
def test_an_environment_d_that_cannot_hold_the_file_is_named(env, blocker):
    """`environment.d` a file, or a link to nothing: the message named the .conf inside
    it ("not a directory") or said "file exists"."""
    env.go_tree("1.22.10")
    env.set_config('default_version = "1.22.10"\n')
    envd = env.config_home / "environment.d"
    envd.parent.mkdir(parents=True, exist_ok=True)
    if blocker == "file":
        envd.write_text("junk\n")
        why = f"goswitch: {envd}: a file where goswitch needs a directory (move that file away)"
    else:
        envd.symlink_to(env.root / "nowhere")
        why = (f"goswitch: {envd}: a symlink to {env.root / 'nowhere'}, which does not exist "
               "(create that directory, or remove the link)")
    r = env("systemd", "enable")
    assert r.code == 1 and why in r.err, r
    r = env("systemd", "status", "--json")  # says what is there: nothing of goswitch's
    assert r.code == 0 and json.loads(r.out)["enabled"] is False, r
    assert env("systemd", "disable").code == 0  # nothing to remove


def test_enable_append_puts_go_after_the_session_path(env):
    goroot = env.go_tree("1.22.10")
    r = env("systemd", "enable", "--version", "1.22.10", "--path", "append")
    assert r.code == 0, r
    parts = env.generator()["PATH"].split(":")
    assert parts == [*BASE_PATH.split(":"), str(goroot / "bin"), str(env.home / "go" / "bin")]
    s = env.settings()
    assert (s.systemd_enabled, s.systemd_version, s.systemd_path) == (True, "1.22.10", "append")


@needs_generator
def test_special_characters_in_paths_reach_the_session_intact(env):
    weird = env.root / "ünï cødé $HOME ${PATH} \\back\\ \"dq\" 'sq' `bt` %h #x"
    env.setenv("GOSWITCH_HOME", str(weird))
    env.setenv("GOBIN", str(env.root / "tools $dir" / "b\\in é"))
    goroot = env.go_tree("1.22.10", store=weird / "versions")
    r = env("systemd", "enable", "--version", "1.22.10")
    assert r.code == 0, r
    got = env.generator()
    assert got["GOROOT"] == str(goroot)
    assert got["PATH"].split(":")[:2] == [str(goroot / "bin"), os.environ["GOBIN"]]
    assert got["PATH"].endswith(":" + BASE_PATH)


@needs_generator
@pytest.mark.parametrize("toolchain, expected", [("inherit", None), ("auto", "auto")])
def test_toolchain_setting(env, toolchain, expected):
    env.go_tree("1.22.10")
    env.set_config(f'[systemd]\ntoolchain = "{toolchain}"\n')
    assert env("systemd", "enable", "--version", "1.22.10").code == 0
    assert env.generator().get("GOTOOLCHAIN") == expected
    assert ("GOTOOLCHAIN=" in env.env_file.read_text()) == (expected is not None)


@needs_generator
def test_prefix_spec_resolves_to_the_newest_installed(env):
    env.go_tree("1.22.9")
    newest = env.go_tree("1.22.10")
    env.go_tree("1.23.4")
    assert env("systemd", "enable", "--version", "1.22").code == 0
    assert env.generator()["GOROOT"] == str(newest)
    assert env.settings().systemd_version == "1.22"  # the spec, so refresh follows 1.22.x


def test_enable_without_any_version_says_how_to_set_one(env):
    r = env("systemd", "enable")
    assert r.code == 3
    assert "--version" in r.err and "goswitch use --global" in r.err
    assert not env.env_file.exists()


def test_enable_of_a_missing_version_says_to_install_it(env):
    r = env("systemd", "enable", "--version", "1.21.13")
    assert r.code == 3
    assert "run `goswitch install 1.21.13`" in r.err
    assert not env.env_file.exists() and not env.config.exists()


def test_bad_version_is_a_usage_error(env):
    r = env("systemd", "enable", "--version", "1.22/../../etc")
    assert r.code == 2 and "not a Go version" in r.err


def test_no_user_manager_is_reported_not_an_error(env):
    env.go_tree("1.22.10")
    r = env("systemd", "enable", "--version", "1.22.10")
    assert r.code == 0
    assert "No systemd user manager answered" in r.err
    assert "takes effect at your next login" in r.err
    r = env("systemd", "disable")
    assert r.code == 0
    assert "No systemd user manager answered" in r.err
    assert "leaves the session environment at your next login" in r.err


# -- user edits ---------------------------------------------------------------------------


def test_edited_file_is_never_overwritten_or_deleted_without_force(env):
    env.go_tree("1.22.10")
    env.go_tree("1.23.4")
    assert env("systemd", "enable", "--version", "1.22.10").code == 0
    edited = env.env_file.read_text() + "GOFLAGS=-mod=mod\n"
    env.env_file.write_text(edited)

    for args in (
        ("systemd", "enable", "--version", "1.23.4"),
        ("systemd", "refresh"),
        ("systemd", "disable"),
    ):
        r = env(*args)
        assert r.code == 1, (args, r)
        assert "was edited after goswitch wrote it" in r.err and "--force" in r.err
        assert env.env_file.read_text() == edited
    assert env.settings().systemd_enabled  # the refused disable changed nothing

    status = json.loads(env("systemd", "status", "--json").out)
    assert status["file"]["state"] == "edited"
    assert any("edited" in w for w in status["warnings"])

    assert env("systemd", "enable", "--version", "1.23.4", "--force").code == 0
    assert "GOFLAGS" not in env.env_file.read_text()
    assert gsd.version_in_use(os.environ) == GoVersion.parse("1.23.4")


def test_a_file_goswitch_did_not_write_is_left_alone(env):
    env.go_tree("1.22.10")
    env.env_file.parent.mkdir(parents=True)
    env.env_file.write_text("GOROOT=/opt/my-go\n")
    r = env("systemd", "enable", "--version", "1.22.10")
    assert r.code == 1 and "not written by goswitch" in r.err
    r = env("systemd", "disable")
    assert r.code == 1 and env.env_file.read_text() == "GOROOT=/opt/my-go\n"
    assert env("systemd", "disable", "--force").code == 0
    assert not env.env_file.exists()


# -- disable ------------------------------------------------------------------------------


@needs_systemctl
def test_disable_removes_exactly_what_goswitch_wrote(env):
    env.go_tree("1.22.10")
    (env.config_home / "environment.d").mkdir(parents=True)
    (env.config_home / "environment.d" / "50-mine.conf").write_text("EDITOR=vim\n")
    (env.config_home / "other").mkdir()
    before = tree(env.config_home)

    r = env("systemd", "enable", "--version", "1.22.10", "--unit")
    assert r.code == 0, r
    assert env.env_file.exists() and env.unit_file.exists()
    assert (env.config_home / "systemd/user/default.target.wants/goswitch-env.service").is_symlink()

    r = env("systemd", "disable")
    assert r.code == 0, r
    assert "Removed" in r.err
    assert tree(env.config_home) == before  # also the directories goswitch created
    assert not env.settings().systemd_enabled


def test_disable_when_nothing_is_there(env):
    r = env("systemd", "disable")
    assert r.code == 0 and "Nothing to remove" in r.err


def test_disable_keeps_a_directory_that_existed(env):
    env.go_tree("1.22.10")
    (env.config_home / "environment.d").mkdir(parents=True)
    assert env("systemd", "enable", "--version", "1.22.10").code == 0
    assert env("systemd", "disable").code == 0
    assert (env.config_home / "environment.d").is_dir()


# -- the unit -----------------------------------------------------------------------------


@needs_systemctl
@pytest.mark.parametrize("char", ['"', "'", "\\", "$"])
def test_unit_refused_before_anything_is_written_when_systemd_could_not_run_it(env, char):
    """systemd will not start an ExecStart= program whose path holds these, even quoted."""
    from goswitch.errors import GoswitchError
    from goswitch.systemd import writer

    env.go_tree("1.22.10")
    exe = f"/opt/odd{char}dir/bin/goswitch"
    with pytest.raises(GoswitchError) as err:
        writer.enable(os.environ, "1.22.10", with_unit=True, command=[exe])
    assert "systemd cannot run a program whose path contains" in err.value.message
    assert not env.env_file.exists() and not env.unit_file.exists()
    assert not env.settings().systemd_enabled


def analyze_verify(env: Env, unit: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["systemd-analyze", "--user", "verify", str(unit)],
        env={
            "HOME": str(env.home),
            "XDG_CONFIG_HOME": str(env.config_home),
            "XDG_RUNTIME_DIR": str(env.run_dir),
            "PATH": BASE_PATH,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_analyze
@needs_systemctl
def test_unit_passes_systemd_analyze_verify(env):
    env.go_tree("1.22.10")
    r = env("systemd", "enable", "--version", "1.22.10", "--unit")
    assert r.code == 0, r
    text = env.unit_file.read_text()
    assert stat.S_IMODE(env.unit_file.stat().st_mode) == 0o644
    install = text.split("[Install]", 1)[1]
    assert "WantedBy=default.target" in install  # under [Install], where systemd reads it
    assert "WantedBy" not in text.split("[Install]", 1)[0]
    assert "Type=oneshot" in text and "\nWorkingDirectory=/\n" in text
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert exec_start.endswith(" systemd refresh")
    assert os.path.isabs(exec_start[len("ExecStart=") :].split()[0])
    proc = analyze_verify(env, env.unit_file)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # not even a warning (an unknown key only warns)


@needs_analyze
def test_unit_with_awkward_paths_verifies(env, tmp_path):
    # A goswitch at a path with a space and a '%' (a specifier in unit files), and
    # variables the unit carries with quotes, backslashes and '%'.
    exe = tmp_path / "my tools 100%" / "goswitch"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    env.setenv("GOSWITCH_HOME", str(tmp_path / 'gs "home" 50% \\x'))
    from goswitch.systemd import unit

    path = env.unit_file
    path.parent.mkdir(parents=True)
    path.write_text(unit.render([str(exe)], os.environ))
    proc = analyze_verify(env, path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


@needs_analyze
def test_verify_catches_the_blog_recipe_mistake(env):
    # The check is real: WantedBy= under [Unit] (a common recipe bug) is reported.
    bad = env.unit_file
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "[Unit]\nDescription=x\nWantedBy=default.target\n[Service]\nType=oneshot\n"
        "ExecStart=/bin/true\n"
    )
    assert "Unknown key 'WantedBy' in section [Unit]" in analyze_verify(env, bad).stderr


# -- status -------------------------------------------------------------------------------


@needs_generator
def test_status_json_schema(env):
    goroot = env.go_tree("1.22.10")
    env.set_config('default_version = "1.22.10"\n')
    assert env("systemd", "enable").code == 0
    r = env("systemd", "status", "--json")
    assert r.code == 0, r
    data = json.loads(r.out)
    assert set(data) == {
        "schema", "enabled", "follows", "version_setting", "default_version", "path_mode",
        "toolchain", "file", "unit", "generator", "manager", "warnings",
    }  # fmt: skip
    assert data["schema"] == 1 and data["enabled"] is True and data["follows"] == "default"
    assert data["file"]["state"] == "ours" and data["file"]["version"] == "1.22.10"
    assert data["file"]["goroot"] == str(goroot) and data["file"]["goroot_installed"] is True
    gen = data["generator"]
    assert gen["program"] == GENERATOR and gen["available"] is True
    assert gen["computed"]["GOROOT"] == str(goroot)
    assert gen["computed"]["PATH"].endswith(":" + gen["base_path"])
    assert gen["changed"] == ["GOROOT", "GOTOOLCHAIN", "PATH"] and gen["effective"] is True
    assert data["manager"]["answers"] is False and data["manager"]["values"] is None
    assert data["warnings"] == []


@needs_generator
def test_status_text_and_an_override_by_a_later_file(env):
    goroot = env.go_tree("1.22.10")
    assert env("systemd", "enable", "--version", "1.22.10").code == 0
    r = env("systemd", "status")
    assert r.code == 0
    assert "60-goswitch.conf (written by goswitch, unchanged)" in r.out
    assert f"GOROOT={goroot}" in r.out
    assert "no user manager answers" in r.out
    (env.env_file.parent / "90-other.conf").write_text("GOROOT=/opt/other-go\n")
    (env.env_file.parent / "95-unrelated.conf").write_text("EDITOR=vi\n")
    data = json.loads(env("systemd", "status", "--json").out)
    assert data["generator"]["effective"] is False
    said = next(w for w in data["warnings"] if "does not end up with" in w)
    assert "90-other.conf sets them after it" in said and "95-unrelated" not in said


def test_status_when_off(env):
    r = env("systemd", "status", "--json")
    data = json.loads(r.out)
    assert r.code == 0 and data["enabled"] is False and data["file"]["exists"] is False


# -- refresh, use --global, uninstall -----------------------------------------------------


@needs_generator
def test_refresh_follows_the_global_default(env):
    env.go_tree("1.22.10")
    new = env.go_tree("1.23.4")
    env.set_config('default_version = "1.22.10"\n')
    assert env("systemd", "enable").code == 0
    env.set_config('default_version = "1.23.4"\n[systemd]\nenabled = true\n')
    r = env("systemd", "refresh")
    assert r.code == 0 and "Rewrote" in r.err
    assert env.generator()["GOROOT"] == str(new)
    r = env("systemd", "refresh")
    assert "up to date" in r.err and "Rewrote" not in r.err


def test_refresh_if_enabled_for_use_global(env):
    env.go_tree("1.22.10")
    env.go_tree("1.23.4")
    assert gsd.refresh_if_enabled(env.settings(), os.environ) is None  # not enabled
    env.set_config('default_version = "1.22.10"\n')
    assert env("systemd", "enable").code == 0
    stale = env.settings()
    env.set_config('default_version = "1.23.4"\n[systemd]\nenabled = true\n')
    msg = gsd.refresh_if_enabled(stale, os.environ)  # settings from before the change: fine
    assert msg is not None and "Go 1.23.4" in msg and "next login" in msg
    assert gsd.version_in_use(os.environ) == GoVersion.parse("1.23.4")
    assert gsd.refresh_if_enabled(env.settings(), os.environ) is None  # already there

    # Not installed: reported, never raised, file untouched.
    env.set_config('default_version = "1.24.0"\n[systemd]\nenabled = true\n')
    msg = gsd.refresh_if_enabled(env.settings(), os.environ)
    assert "not rewritten" in msg and "goswitch install 1.24.0" in msg
    assert gsd.version_in_use(os.environ) == GoVersion.parse("1.23.4")


def test_pinned_session_does_not_follow_the_default(env):
    env.go_tree("1.22.10")
    env.go_tree("1.23.4")
    assert env("systemd", "enable", "--version", "1.22.10").code == 0
    env.set_config('default_version = "1.23.4"\n[systemd]\nenabled = true\nversion = "1.22.10"\n')
    msg = gsd.refresh_if_enabled(env.settings(), os.environ)
    assert "pinned by systemd.version" in msg
    assert gsd.version_in_use(os.environ) == GoVersion.parse("1.22.10")
    # `--version default` drops the pin.
    assert env("systemd", "enable", "--version", "default").code == 0
    assert env.settings().systemd_version is None
    assert gsd.version_in_use(os.environ) == GoVersion.parse("1.23.4")


def test_refresh_when_not_enabled_is_a_no_op(env):
    r = env("systemd", "refresh")
    assert r.code == 0 and "not enabled" in r.err and not env.env_file.exists()


@needs_generator
def test_refresh_keeps_the_gobin_recorded_at_enable(env):
    # The login unit runs refresh without the shell's $GOBIN; PATH must not change.
    goroot = env.go_tree("1.22.10")
    env.setenv("GOBIN", str(env.root / "mytools"))
    assert env("systemd", "enable", "--version", "1.22.10").code == 0
    env.mp.delenv("GOBIN")
    text = env.env_file.read_text()
    r = env("systemd", "refresh")
    assert "up to date" in r.err and env.env_file.read_text() == text
    assert env.generator()["PATH"].split(":")[:2] == [f"{goroot}/bin", str(env.root / "mytools")]


def test_version_in_use(env):
    assert gsd.version_in_use(os.environ) is None
    env.go_tree("1.22.10")
    assert env("systemd", "enable", "--version", "1.22.10").code == 0
    assert gsd.version_in_use(os.environ) == GoVersion.parse("1.22.10")
    # Still reported after a user edit: uninstalling it would break the next login.
    env.env_file.write_text(env.env_file.read_text() + "# my note\n")
    assert gsd.version_in_use(os.environ) == GoVersion.parse("1.22.10")


# -- a running user manager (fake systemctl) ------------------------------------------------

FAKE_SYSTEMCTL = r'''#!{python}
"""Fake `systemctl --user`: a user manager whose environment lives in $FAKE_MANAGER."""
import json, os, sys
state_path = os.environ["FAKE_MANAGER"]
with open(state_path) as f:
    state = json.load(f)
args = sys.argv[1:]
assert args[0] == "--user", args
cmd, rest = args[1], args[2:]
state["calls"].append([cmd, *rest])
env = state["env"]
if cmd == "show-environment":
    for k, v in env.items():
        if any(c in v for c in " '\\\"$"):
            v = "$'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
        print(f"{k}={v}")
elif cmd == "set-environment":
    for a in rest:
        k, _, v = a.partition("=")
        env[k] = v
elif cmd == "unset-environment":
    for k in rest:
        env.pop(k, None)
with open(state_path, "w") as f:
    json.dump(state, f)
'''


@pytest.fixture
def manager(env, tmp_path):
    """A fake running user manager whose session imported its own PATH (so environment.d
    alone would not reach it: the case where set-environment is needed)."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    script = bindir / "systemctl"
    script.write_text(FAKE_SYSTEMCTL.replace("{python}", sys.executable))
    script.chmod(0o755)
    state = tmp_path / "manager.json"
    state.write_text(json.dumps({"calls": [], "env": {"PATH": "/usr/bin:/bin", "LANG": "C"}}))
    env.setenv("PATH", f"{bindir}:{env.vars['PATH']}")
    env.setenv("FAKE_MANAGER", str(state))

    def read() -> dict:
        return json.loads(state.read_text())

    return read


def test_running_manager_is_told_and_cleaned_up(env, manager):
    goroot = env.go_tree("1.22.10")
    gobin = str(env.home / "go" / "bin")
    r = env("systemd", "enable", "--version", "1.22.10")
    assert r.code == 0, r
    state = manager()
    assert ["daemon-reload"] in state["calls"]
    assert state["env"]["GOROOT"] == str(goroot)
    assert state["env"]["GOTOOLCHAIN"] == "local"
    assert state["env"]["PATH"] == f"{goroot}/bin:{gobin}:/usr/bin:/bin"
    assert "Told the running user manager" in r.err and "set-environment" in r.err

    # Switching version replaces our entries, keeps the rest, adds no duplicates.
    new = env.go_tree("1.23.4")
    assert env("systemd", "enable", "--version", "1.23.4").code == 0
    assert manager()["env"]["PATH"] == f"{new}/bin:{gobin}:/usr/bin:/bin"

    # Nothing left to tell: only the reload happens.
    r = env("systemd", "refresh")
    assert "already has these values" in r.err or "up to date" in r.err

    r = env("systemd", "disable")
    assert r.code == 0, r
    state = manager()
    assert state["env"] == {"PATH": "/usr/bin:/bin", "LANG": "C"}  # exactly as before
    assert ["unset-environment", "GOROOT", "GOTOOLCHAIN"] in state["calls"]


def test_status_shows_the_running_manager(env, manager):
    goroot = env.go_tree("1.22.10")
    assert env("systemd", "enable", "--version", "1.22.10").code == 0
    data = json.loads(env("systemd", "status", "--json").out)
    assert data["manager"]["answers"] is True
    assert data["manager"]["values"]["GOROOT"] == str(goroot)
    assert data["manager"]["in_sync"] is True
    out = env("systemd", "status").out
    assert "the running user manager has:" in out and f"GOROOT={goroot}" in out


def test_help_has_examples(env):
    for args in (("systemd", "--help"), ("systemd", "enable", "--help")):
        r = env(*args)
        assert r.code == 0 and "Examples:" in r.out and "goswitch systemd enable" in r.out


def test_status_advice_for_a_removed_goroot_only_offers_what_works(env):
    """It offered `goswitch systemd refresh`, which then failed: the default it follows is
    the version that is gone."""
    goroot = env.go_tree("1.22.10")
    env.set_config('default_version = "1.22.10"\n')
    assert env("systemd", "enable").code == 0
    shutil.rmtree(goroot)
    warnings = json.loads(env("systemd", "status", "--json").out)["warnings"]
    said = next(w for w in warnings if "no longer installed" in w)
    assert "`goswitch install 1.22.10`" in said and "systemd refresh" not in said


def test_the_unit_runs_this_goswitch_not_the_first_on_path(tmp_path, monkeypatch):
    """`python -m goswitch systemd enable --unit` wrote whichever goswitch came first on
    PATH (another installation, or a project's ./goswitch with `.` on PATH)."""
    from goswitch.systemd import unit as unit_mod

    other = tmp_path / "bin" / "goswitch"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    monkeypatch.setattr(sys, "argv", ["/venv/lib/goswitch/__main__.py", "systemd"])
    command = unit_mod.goswitch_command({"PATH": f"{other.parent}:/usr/bin"})
    assert command == [os.path.abspath(sys.executable), "-m", "goswitch"]
    monkeypatch.setattr(sys, "argv", [str(other), "systemd"])
    assert unit_mod.goswitch_command({"PATH": "/usr/bin"}) == [str(other)]
