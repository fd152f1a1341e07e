"""`pip install .` into a fresh venv gives a working `goswitch` (issue 2, point 1)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # From a private copy: setuptools writes build/ and *.egg-info into the source
    # tree, and pytest-xdist may run this fixture in two workers at once.
    src = tmp_path_factory.mktemp("src") / "goswitch"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".cache", "build", "dist", "*.egg-info", "__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(out), str(src)], check=True)
    (path,) = out.glob("goswitch-*.whl")
    return path


def test_wheel_contents_and_metadata(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = zf.read(meta_name).decode()
    for script in ("goswitch.bash", "goswitch.zsh", "goswitch.fish"):
        assert f"goswitch/data/shell/{script}" in names
    assert "goswitch/data/google-linux-packages-signing-key.asc" in names
    assert any(n.endswith(".data/scripts/goswitch") for n in names)
    assert "Requires-Python: >=3.9" in meta
    for dep in ("click", "tomlkit", "platformdirs", "filelock"):
        assert f"Requires-Dist: {dep}" in meta
    assert 'tomli>=1.1; python_version < "3.11"' in meta


def test_fresh_venv_install(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True)
    exe = venv / "bin" / "goswitch"
    assert exe.read_text().startswith(f"#!{venv}/bin/python")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env,
                             check=True)
    assert version.stdout.strip() == "goswitch, version 0.1.0"
    helptext = subprocess.run([str(exe), "--help"], capture_output=True, text=True, env=env,
                              check=True).stdout
    for command in ("use", "install", "current", "doctor", "systemd"):
        assert command in helptext
    init = subprocess.run([str(exe), "init", "bash"], capture_output=True, text=True, env=env,
                          check=True).stdout
    assert f"{venv}/lib" in init and "_goswitch_hook" in init
    # The second start prints what the first saved, next to the installed package.
    (site,) = (venv / "lib").glob("python*/site-packages")
    (saved,) = (site / "goswitch" / "__pycache__").glob("init-bash.*.sh")
    again = subprocess.run([str(exe), "init", "bash"], capture_output=True, text=True, env=env,
                           check=True).stdout
    assert again == init == saved.read_text().split("\n", 1)[1]


def test_files_beside_the_script_cannot_shadow_imports(wheel, tmp_path):
    """Python puts the script's directory first on sys.path; bin/goswitch drops it."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True)
    canary = tmp_path / "canary"
    for name in ("goswitch.py", "click.py", "tomlkit.py"):
        (venv / "bin" / name).write_text(f"open({str(canary)!r}, 'w').close()\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for args in (["--version"], ["init", "bash"], ["config", "list"]):
        subprocess.run([str(venv / "bin" / "goswitch"), *args], capture_output=True, env=env,
                       check=True)
    assert not canary.exists()

