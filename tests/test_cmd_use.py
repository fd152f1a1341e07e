"""`goswitch use` in a real interactive shell with the hook: the shell follows at its next
prompt (issue 5, point 1).  FIXTURE TREES: `bin/go` is a tiny sh script printing its version."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_cmd_common import go_tree

INIT = {
    "bash": 'eval "$(goswitch init bash)"',
    "zsh": 'eval "$(goswitch init zsh)"',
    "fish": "goswitch init fish | source",
}


@pytest.fixture
def uenv(isolated_env):
    store = Path(isolated_env["GOSWITCH_HOME"]) / "versions"
    isolated_env.trees = {v: go_tree(store, v) for v in ("1.22.10", "1.21.13")}
    isolated_env["GOSWITCH_AUTO_INSTALL"] = "0"
    project = isolated_env.root / "project"
    project.mkdir()
    (project / ".go-version").write_text("1.22.10\n")
    isolated_env.project = project
    return isolated_env


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_shell_follows_use_at_the_next_prompt(uenv, shell_session, shell):
    sh = shell_session(shell, rc=INIT[shell], env=uenv, cwd=uenv.root)
    sh.run(f"cd {uenv.project}")
    assert sh.run("go version").strip() == "go version go1.22.10 linux/amd64"
    sh.run("goswitch use 1.21.13")
    assert sh.status == 0, sh.output
    assert sh.run("go version").strip() == "go version go1.21.13 linux/amd64"
    assert sh.env()["GOROOT"] == str(uenv.trees["1.21.13"])
    # The global default applies where nothing is pinned, at the next prompt too.
    elsewhere = uenv.root / "elsewhere"
    elsewhere.mkdir()
    sh.run(f"cd {elsewhere}")
    assert "GOROOT" not in sh.env()
    sh.run("goswitch use --global 1.22.10")
    assert sh.status == 0, sh.output
    assert sh.run("go version").strip() == "go version go1.22.10 linux/amd64"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_use_in_a_deleted_directory_fails_and_creates_nothing(uenv, shell_session, shell):
    """Writing to $PWD made the removed tree again and said `created .../p/sub/.go-version`."""
    sh = shell_session(shell, rc=INIT[shell], env=uenv, cwd=uenv.root)
    sh.run("mkdir -p d/p/sub && cd d/p/sub && rm -rf ../../p")
    out = sh.run("goswitch use 1.22.10")
    assert sh.status == 1, out
    assert (f"goswitch: current directory {uenv.root}/d/p/sub: it no longer exists (it was "
            "deleted while this shell was in it)") in out, out
    assert "cd \"$PWD\"" in out and "created" not in out
    assert not (uenv.root / "d" / "p").exists()
    out = sh.run("goswitch use --global 1.22.10")  # writes no file here: fine
    assert sh.status == 0, out
