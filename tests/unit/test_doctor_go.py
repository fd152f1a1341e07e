"""The Go environment check with real temp Go trees and goswitch's real resolver.

A "Go tree" here is a directory with ``bin/go`` (an executable shell script)
and, for store installs, a ``VERSION`` file.  A foreign go without VERSION
answers ``go env GOVERSION GOROOT`` itself, which exercises the probe path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from goswitch.doctor.checks import goenv
from goswitch.doctor.checks.goenv import (
    GoEnvCheck,
    find_module_file,
    parse_go_directives,
    probe_env,
)
from goswitch.doctor.system import Context, ScriptedCommands

SCRIPT = """#!/bin/sh
# stand-in for go: only what doctor asks
if [ "$1" = env ]; then
  if [ "$GOTOOLCHAIN" != local ]; then echo "probe must pin GOTOOLCHAIN=local" >&2; exit 3; fi
  echo {version}; echo {goroot}; exit 0
fi
echo "go version {version} linux/amd64"
"""


def make_tree(root: Path, version: str, version_file: bool = True,
              go_env: str | None = None) -> Path:
    """A Go tree at ``root`` whose go reports ``version`` (e.g. "1.21.6")."""
    (root / "bin").mkdir(parents=True)
    (root / "src" / "runtime").mkdir(parents=True)
    go = root / "bin" / "go"
    go.write_text(SCRIPT.format(version="go" + version, goroot=root))
    go.chmod(go.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    if version_file:
        (root / "VERSION").write_text(f"go{version}\ntime 2024-01-09T20:30:00Z\n")
    if go_env is not None:
        (root / "go.env").write_text(go_env)
    return root


class Machine:
    """A home, a goswitch store, a project directory and an environment to run in."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.home = tmp / "home"
        self.home.mkdir()
        self.store = tmp / "gshome" / "versions"
        self.project = tmp / "work" / "proj"
        self.project.mkdir(parents=True)
        self.gobin = self.home / "go" / "bin"
        self.env = {
            "HOME": str(self.home),
            "GOSWITCH_HOME": str(tmp / "gshome"),
            "GOSWITCH_CONFIG": str(tmp / "config.toml"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(tmp / "cache"),
            "PATH": f"/usr/bin:/bin:{self.gobin}",
        }

    def install(self, version: str, **kw) -> Path:
        return make_tree(self.store / version, version, **kw)

    def pin(self, version: str) -> None:
        (self.project / ".go-version").write_text(version + "\n")

    def activate(self, version: str) -> None:
        """What the shell hook does: GOROOT and its bin first on PATH."""
        tree = self.store / version
        self.env["GOROOT"] = str(tree)
        self.env["PATH"] = f"{tree / 'bin'}:{self.env['PATH']}"
        self.env["GOTOOLCHAIN"] = "local"

    def pinned_and_active(self, version: str, **kw) -> None:
        """Installed, pinned here, and switched to by the hook."""
        self.install(version, **kw)
        self.pin(version)
        self.activate(version)

    def run(self, **env) -> dict:
        environ = dict(self.env)
        for key, value in env.items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        ctx = Context.create(root="/", environ=environ, cwd=str(self.project), uid=1000,
                             cpu_count=2, rlimit_nproc=(None, None),
                             commands=ScriptedCommands({}, environ["PATH"]))
        return {f.id: f for f in GoEnvCheck().run(ctx)}


@pytest.fixture
def m(tmp_path) -> Machine:
    return Machine(tmp_path)


def statuses(found: dict) -> dict:
    return {k: f.status for k, f in found.items()}


def test_pinned_and_active_is_ok(m):
    m.pinned_and_active("1.21.6")
    found = m.run()
    assert statuses(found) == {"pin": "ok", "go-path": "ok", "goroot": "ok",
                               "gotoolchain": "ok", "gopath": "ok", "gobin": "ok",
                               "goflags": "ok"}
    assert found["goflags"].value == "unset"
    assert found["pin"].data["version"] == "1.21.6"
    assert found["pin"].data["file"] == str(m.project / ".go-version")
    path = found["go-path"].data
    assert path["version"] == "go1.21.6" and path["how"] == "VERSION file"
    assert path["path"] == str(m.store / "1.21.6" / "bin" / "go")
    assert found["goroot"].data["version"] == "go1.21.6"


def test_foreign_go_first_on_path_fails(m, tmp_path):
    m.pinned_and_active("1.21.6")
    foreign = make_tree(tmp_path / "usr-local-go", "1.20.3", version_file=False)
    m.env["PATH"] = f"{foreign / 'bin'}:{m.env['PATH']}"
    m.env.pop("GOROOT")
    found = m.run()
    path = found["go-path"]
    assert path.status == "fail"
    assert path.data["version"] == "go1.20.3" and path.data["how"] == "go env"
    assert "but 1.21.6 is pinned" in path.value
    assert path.data["shadowed"][0]["version"] == "go1.21.6"
    assert "goswitch init bash" in path.fix


def test_same_version_from_another_tree_is_ok(m, tmp_path):
    m.install("1.21.6")
    m.pin("1.21.6")
    other = make_tree(tmp_path / "opt-go", "1.21.6")
    m.env["PATH"] = f"{other / 'bin'}:{m.env['PATH']}"
    found = m.run()
    assert found["go-path"].status == "ok"
    assert "not goswitch's tree" in found["go-path"].value


def test_goroot_missing_or_of_another_version_fails(m, tmp_path):
    m.pinned_and_active("1.21.6")
    gone = m.run(GOROOT=str(tmp_path / "nowhere"))["goroot"]
    assert gone.status == "fail" and "does not exist" in gone.value
    assert gone.data["exists"] is False
    old = make_tree(tmp_path / "go1.20", "1.20.3")
    other = m.run(GOROOT=str(old))["goroot"]
    assert other.status == "fail"
    assert "go on PATH is go1.21.6" in other.value
    assert "does not match go tool version" in other.explanation
    not_a_tree = tmp_path / "empty"
    not_a_tree.mkdir()
    assert m.run(GOROOT=str(not_a_tree))["goroot"].status == "fail"


def test_gotoolchain_auto_switches_away_from_the_pin(m):
    m.pinned_and_active("1.21.6")
    (m.project / "go.mod").write_text("module example.com/p\n\ngo 1.22.1\n")
    tc = m.run(GOTOOLCHAIN="auto")["gotoolchain"]
    assert tc.status == "fail"
    assert "switches to go1.22.1 or newer, away from the pinned 1.21.6" in tc.value
    assert tc.data["requires"] == "1.22.1" and tc.data["can_switch"] is True
    assert "goswitch use 1.22.1" in tc.fix
    local = m.run(GOTOOLCHAIN="local")["gotoolchain"]
    assert local.status == "fail" and "go refuses" in local.value


def test_toolchain_line_and_forced_toolchain(m):
    m.pinned_and_active("1.21.6")
    (m.project / "go.mod").write_text("module p\n\ngo 1.21\n\ntoolchain go1.22.0 // newer\n")
    auto = m.run(GOTOOLCHAIN="local+auto")["gotoolchain"]
    assert auto.status == "fail" and auto.data["requires"] == "1.22.0"
    (m.project / "go.mod").write_text("module p\n\ngo 1.21\n")
    assert m.run(GOTOOLCHAIN="auto")["gotoolchain"].status == "ok"
    forced = m.run(GOTOOLCHAIN="go1.22.0")["gotoolchain"]
    assert forced.status == "fail" and "every go command runs 1.22.0" in forced.value
    assert m.run(GOTOOLCHAIN="go1.21.6+auto")["gotoolchain"].status == "ok"
    bogus = m.run(GOTOOLCHAIN="banana")["gotoolchain"]
    assert bogus.status == "fail"


def test_gotoolchain_from_go_env_of_the_tree(m):
    m.pinned_and_active("1.21.6", go_env="GOPROXY=https://proxy.golang.org,direct\nGOTOOLCHAIN=auto\n")
    (m.project / "go.mod").write_text("module p\ngo 1.23.0\n")
    tc = m.run(GOTOOLCHAIN=None)["gotoolchain"]
    assert tc.data["value"] == "auto"
    assert tc.data["source"] == str(m.store / "1.21.6" / "go.env")
    assert tc.status == "fail"
    # `go env -w` (the user's go/env file) beats go.env.
    user_env = m.home / ".config" / "go" / "env"
    user_env.parent.mkdir(parents=True)
    user_env.write_text("GOTOOLCHAIN=local\n")
    assert m.run(GOTOOLCHAIN=None)["gotoolchain"].data["source"] == str(user_env)


def test_unpinned_switching_is_go_working_as_designed(m, tmp_path):
    tree = make_tree(tmp_path / "go", "1.22.3")
    m.env["PATH"] = f"{tree / 'bin'}:{m.env['PATH']}"
    (m.project / "go.mod").write_text("module p\ngo 1.23.0\n")
    # With go.mod reading off, nothing pins a version: switching is Go's business.
    found = m.run(GOTOOLCHAIN="auto", GOSWITCH_READ_GO_MOD="0")
    assert found["pin"].status == "ok" and found["pin"].data["source"] == "none"
    assert found["gotoolchain"].status == "ok"
    assert "switches to go1.23.0" in found["gotoolchain"].value


def test_old_go_ignores_toolchain_lines(m):
    m.pinned_and_active("1.20.14")
    (m.project / "go.mod").write_text("module p\ngo 1.21\n")
    tc = m.run()["gotoolchain"]
    assert tc.status == "warn" and "predates toolchain switching" in tc.explanation


def test_go_work_wins_over_go_mod(m):
    m.pinned_and_active("1.21.6")
    (m.project / "go.mod").write_text("module p\ngo 1.21.0\n")
    (m.project.parent / "go.work").write_text("go 1.22.0\n\nuse ./proj\n")
    assert find_module_file(str(m.project), {}) == str(m.project.parent / "go.work")
    assert find_module_file(str(m.project), {"GOWORK": "off"}) == str(m.project / "go.mod")
    assert m.run()["gotoolchain"].data["requires"] == "1.22.0"
    assert m.run(GOWORK="off")["gotoolchain"].status == "ok"


def test_gopath_problems(m, monkeypatch):
    m.pinned_and_active("1.21.6")
    tree = str(m.store / "1.21.6")
    same = m.run(GOPATH=tree)["gopath"]
    # A writable tree: go warns and puts the module cache into it.
    assert same.status == "warn" and "equals GOROOT" in same.value
    # Root writes anywhere, so stand in for a distro tree a user cannot write.
    monkeypatch.setattr(goenv, "_writable", lambda path: False)
    same = m.run(GOPATH=tree)["gopath"]
    assert same.status == "fail" and "which you cannot write" in same.value
    monkeypatch.undo()
    rel = m.run(GOPATH="~/go")["gopath"]
    assert rel.status == "fail" and "`~` is not expanded" in rel.value
    inside = m.run(GOPATH=tree + "/gopath")["gopath"]
    assert inside.status == "warn"
    default = m.run(GOPATH=None)["gopath"]
    assert default.status == "ok" and default.data["gopath"] == str(m.home / "go")


def test_gobin_must_be_on_path(m, tmp_path):
    m.pinned_and_active("1.21.6")
    tools = tmp_path / "tools"
    missing = m.run(GOBIN=str(tools))["gobin"]
    assert missing.status == "warn"
    assert missing.data == {"gobin": str(tools), "source": "environment", "on_path": False,
                            "exists": False}
    assert f'export PATH="$PATH:{tools}"' in missing.fix
    ok = m.run(GOBIN=str(tools), PATH=f"{m.env['PATH']}:{tools}")["gobin"]
    assert ok.status == "ok"
    m.env["PATH"] = m.env["PATH"].replace(f":{m.gobin}", "")
    gopath_bin = m.run(GOPATH=str(tmp_path / "gp"))["gobin"]
    assert gopath_bin.status == "warn" and gopath_bin.data["gobin"] == str(tmp_path / "gp/bin")


def test_no_go_at_all(m):
    found = m.run()
    assert found["go-path"].status == "warn" and found["go-path"].value == "no go on PATH"
    assert found["gotoolchain"].status == "na"
    m.install("1.21.6")
    m.pin("1.21.6")
    hook_off = m.run()["go-path"]
    assert hook_off.status == "fail" and "pinned and installed" in hook_off.value


def test_pin_problems(m):
    m.pin("banana")
    bad = m.run()["pin"]
    assert bad.status == "fail"
    assert f"{m.project / '.go-version'}:1" in bad.value
    m.pin("1.22.99")
    missing = m.run()["pin"]
    assert missing.status == "warn" and "not installed" in missing.value
    assert "goswitch install 1.22.99" in missing.fix


def test_directive_parsing_and_probe_environment():
    assert parse_go_directives("module x\n// go 1.99\ngo 1.21 // min\ntoolchain go1.21.6\n") == {
        "go": (3, "1.21"), "toolchain": (4, "go1.21.6")}
    env = probe_env({"GOROOT": "/x", "GOFLAGS": "-mod=vendor", "PATH": "/bin"})
    assert env == {"PATH": "/bin", "GOTOOLCHAIN": "local", "GOENV": "off", "GOWORK": "off"}


def test_broken_go_binary_is_reported(m, tmp_path):
    bad = tmp_path / "bad" / "bin"
    bad.mkdir(parents=True)
    (bad / "go").write_text("#!/bin/sh\necho 'boom' >&2\nexit 2\n")
    os.chmod(bad / "go", 0o755)
    m.env["PATH"] = f"{bad}:{m.env['PATH']}"
    found = m.run()["go-path"]
    assert found.status == "warn" and "boom" in found.fix


@pytest.mark.parametrize("output", ["hello world\nnot-a-path\n", "go1.22.10\nrelative/dir\n",
                                    "\x1b]0;x\x07\xff\xfe junk\n"])
def test_a_go_printing_something_else_is_not_taken_for_a_go(m, tmp_path, output):
    """A wrapper whose `go env` output is not a version and a GOROOT was shown as that
    version (raw bytes in the table) and its text taken for a GOROOT."""
    bad = tmp_path / "bad" / "bin"
    bad.mkdir(parents=True)
    (bad / "out").write_bytes(output.encode("utf-8", "surrogateescape"))
    (bad / "go").write_text(f"#!/bin/sh\ncat {bad / 'out'}\n")
    os.chmod(bad / "go", 0o755)
    m.env["PATH"] = f"{bad}:{m.env['PATH']}"
    found = m.run()["go-path"]
    assert found.status == "warn" and found.data["version"] is None
    assert "not a Go version" in found.fix and found.fix.isascii(), found.fix
    assert "not-a-path" not in m.run()["goroot"].value


@pytest.mark.parametrize("entry", ["", ".", "bin", "./bin/../bin"])
def test_go_found_through_an_empty_or_relative_path_entry(m, tmp_path, monkeypatch, entry):
    """An empty PATH entry means the directory examined (not the doctor's own working
    directory, which -C makes differ), and so does a relative one: then which go runs
    depends on the directory, which is said."""
    m.install("1.21.6")
    local = m.project / "bin" if entry not in ("", ".") else m.project
    local.mkdir(exist_ok=True)
    (local / "go").symlink_to(m.store / "1.21.6" / "bin" / "go")
    monkeypatch.chdir(tmp_path)  # the doctor runs elsewhere, as with -C
    m.env["PATH"] = f"/usr/bin:{entry}:/bin"
    found = m.run()["go-path"]
    assert found.status == "warn", found.value
    assert found.data["path"] == str(local / "go") and found.data["version"] == "go1.21.6"
    assert found.data["relative_entry"] == entry
    said = "an empty PATH entry" if entry == "" else f"the relative PATH entry {entry!r}"
    assert said in found.value and "changes with the directory" in found.value
    assert "absolute directories" in found.fix


def test_an_absolute_entry_before_a_relative_one_is_not_blamed(m):
    m.install("1.21.6")
    (m.project / "go").symlink_to(m.store / "1.21.6" / "bin" / "go")
    m.env["PATH"] = f"{m.project}:.:/usr/bin"
    found = m.run()["go-path"]
    assert found.status == "ok" and "relative_entry" not in found.data


def test_a_relative_go_of_another_version_than_the_pin_fails(m):
    m.pinned_and_active("1.21.6")
    other = make_tree(m.project / "vendor-go", "1.20.3")
    m.env["PATH"] = f"vendor-go/bin:{m.env['PATH']}"
    found = m.run()["go-path"]
    assert found.status == "fail" and found.data["relative_entry"] == "vendor-go/bin"
    assert str(other / "bin" / "go") in found.value and "but 1.21.6 is pinned" in found.value


def test_a_go_that_does_not_answer_is_waited_for_once(m, tmp_path, monkeypatch):
    """A hanging go cost 20 s for `go env`, then 30 s for each GOFLAGS trial."""
    from goswitch.doctor.checks import goflags, goprobe

    monkeypatch.setattr(goprobe, "PROBE_TIMEOUT", 1)
    monkeypatch.setattr(goflags, "PROBE_TIMEOUT", 1)
    log = tmp_path / "calls"
    hang = tmp_path / "hang" / "bin"
    hang.mkdir(parents=True)
    (hang / "go").write_text(f"#!/bin/sh\necho \"$1\" >> {log}\nexec sleep 60\n")
    os.chmod(hang / "go", 0o755)
    m.env["PATH"] = f"{hang}:{m.env['PATH']}"
    found = m.run(GOFLAGS="-v")
    assert log.read_text().split() == ["env"]  # asked once, never again
    assert found["go-path"].status == "warn" and "no answer" in found["go-path"].fix
    assert found["goflags"].status == "na" and "did not answer" in found["goflags"].value


def test_a_tilde_path_entry_is_what_bash_runs_and_nothing_else(m, tmp_path):
    m.install("1.21.6")
    m.pinned_and_active("1.22.10")
    sdk = m.home / "sdk" / "bin"
    sdk.mkdir(parents=True)
    (sdk / "go").symlink_to(m.store / "1.21.6" / "bin" / "go")
    m.env["PATH"] = f"/usr/bin:~/sdk/bin:{m.env['PATH']}"
    found = m.run()["go-path"]
    assert found.status == "warn", found.value  # sh, IDEs and go: the pinned go
    assert found.data["version"] == "go1.22.10"
    assert found.data["tilde_entry"] == {"entry": "~/sdk/bin", "path": str(sdk / "go"),
                                         "version": "go1.21.6"}
    assert "bash runs go1.21.6" in found.value and "$HOME" in found.fix
    m.env["PATH"] = f"{m.store / '1.22.10' / 'bin'}:~/sdk/bin:/usr/bin"
    assert "tilde_entry" not in m.run()["go-path"].data  # after the first go: harmless


def test_a_go_in_the_examined_directory_is_never_run(m, tmp_path):
    """`doctor -C DIR` with `.` on PATH ran DIR/go (`go env`) before warning about it."""
    canary = tmp_path / "ran"
    (m.project / "go").write_text(f"#!/bin/sh\necho \"$*\" >> {canary}\n")
    os.chmod(m.project / "go", 0o755)
    m.env["PATH"] = f".:{m.env['PATH']}"
    found = m.run(GOFLAGS="-v")
    assert not canary.exists()
    assert found["go-path"].status == "warn" and "not run" in found["go-path"].data["how"]
    assert found["goflags"].status == "na" and "relative PATH entry" in found["goflags"].value


def test_no_gobin_when_gopath_starts_empty(m):
    found = m.run(GOPATH=f":{m.tmp / 'gp'}")
    assert found["gopath"].status == "fail"
    assert found["gobin"].status == "na" and "no directory" in found["gobin"].value


@pytest.mark.parametrize("flags, said", [
    ("-pgo=/nonexistent.pprof", "-pgo=/nonexistent.pprof is no file"),
    ("-linkshared", "shared standard library"),
])
def test_goflags_that_fail_only_when_compiling(m, flags, said):
    """`go build -n` accepts them; every real build fails."""
    m.pinned_and_active("1.21.6")
    found = m.run(GOFLAGS=flags)["goflags"]
    assert found.status == "fail" and said in found.value, found.value
    assert m.run(GOFLAGS="-pgo=auto")["goflags"].status == "ok"
    # go applies the last of a repeated flag
    for overridden in ("-pgo=/nonexistent.pprof -pgo=off", "-linkshared -linkshared=false"):
        assert m.run(GOFLAGS=overridden)["goflags"].status == "ok", overridden
