"""`goswitch trust` / `untrust` in a real interactive shell with the hook (issue 5, point 3):
the [env] applies from the next prompt after trusting, an edit untrusts it, the version
applies throughout.  FIXTURE TREES: `bin/go` is a tiny sh script printing its version."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_cmd_common import go_tree

INIT = {
    "bash": 'eval "$(goswitch init bash)"',
    "zsh": 'eval "$(goswitch init zsh)"',
    "fish": "goswitch init fish | source",
}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_trust_applies_env_at_the_next_prompt(isolated_env, shell_session, shell):
    go_tree(Path(isolated_env["GOSWITCH_HOME"]) / "versions", "1.22.10")
    project = isolated_env.root / "project"
    project.mkdir()
    toml = project / "goswitch.toml"
    toml.write_text('[go]\nversion = "1.22.10"\n[env]\nGOFLAGS = "-mod=readonly"\n')
    sh = shell_session(shell, rc=INIT[shell], env=isolated_env, cwd=isolated_env.root)
    sh.run(f"cd {project}")
    env = sh.env()
    assert env["GOROOT"].endswith("1.22.10") and "GOFLAGS" not in env  # version yes, env no
    sh.run("goswitch trust")
    assert sh.status == 0, sh.output
    assert sh.env()["GOFLAGS"] == "-mod=readonly"
    sh.run("echo '# edited' >> goswitch.toml")  # any edit: untrusted again
    env = sh.env()
    assert "GOFLAGS" not in env and env["GOROOT"].endswith("1.22.10")
    sh.run("goswitch trust && goswitch untrust")
    assert "GOFLAGS" not in sh.env()
