"""The snapshot of the hook-path modules: built, loaded, refused when stale."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import goswitch
from goswitch.hook import snapshot
from goswitch.shells import launch_code

PACKAGE = Path(goswitch.__file__).parent


def _top_level_goswitch_imports(name: str) -> set[str]:
    path, is_pkg = snapshot._source(name)
    tree = ast.parse(Path(path).read_text())
    package = name if is_pkg else name.rpartition(".")[0]
    deps = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                deps.add("__future__")
            elif node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
                deps.add(target)
                for alias in node.names:  # `from .. import fs` imports a submodule
                    if f"{target}.{alias.name}" in snapshot.MODULES:
                        deps.add(f"{target}.{alias.name}")
        elif isinstance(node, ast.Import):
            deps.update(a.name for a in node.names if a.name.startswith("goswitch"))
    return deps


def test_modules_come_after_what_they_import():
    seen: set[str] = set()
    for name in snapshot.MODULES:
        parent = name.rpartition(".")[0]
        assert not parent or parent in seen, f"{name} before its package"
        missing = {d for d in _top_level_goswitch_imports(name) if d not in seen}
        assert not missing, f"{name} imports {missing} at top level before they are loaded"
        seen.add(name)


def _probe(tmp_path: Path, package_parent: Path) -> str:
    """Run the real launch code, but print what it loaded instead of running the hook."""
    code = launch_code().replace(str(PACKAGE.parent), str(package_parent))
    head = code.rsplit("\ntry:from goswitch.hook.main import", 1)[0]
    probe = head + (
        "\nimport goswitch.hook.main as m, goswitch.resolve as r"
        "\nprint(_ok, m.__spec__ is None, r.__spec__ is None)"
    )
    done = subprocess.run([sys.executable, "-I", "-S", "-c", probe], capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def package_copy(tmp_path):
    """A private copy of the package, so the test owns its __pycache__."""
    dest = tmp_path / "site"
    shutil.copytree(PACKAGE, dest / "goswitch", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _build(package_copy: Path) -> Path:
    env = {"PATH": os.environ["PATH"]}
    subprocess.run([sys.executable, "-I", "-S", "-c",
                    f"import sys; sys.path[:0]=[{str(package_copy)!r}]\n"
                    "from goswitch.hook import snapshot\n"
                    f"print(snapshot.build({str(package_copy / 'goswitch')!r}))"],
                   check=True, env=env, capture_output=True)
    return Path(snapshot.snapshot_path(str(package_copy / "goswitch")))


def test_loaded_from_snapshot_then_refused_when_a_source_changes(tmp_path, package_copy):
    assert _probe(tmp_path, package_copy) == "0 False False"  # none yet: normal imports
    path = _build(package_copy)
    assert path.exists()
    assert _probe(tmp_path, package_copy) == "1 True True"  # every module from the snapshot
    source = package_copy / "goswitch" / "resolve.py"
    source.write_text(source.read_text() + "\n# edited\n")
    assert _probe(tmp_path, package_copy) == "0 False False"  # stale: ignored, nothing half-loaded
    _build(package_copy)
    assert _probe(tmp_path, package_copy) == "1 True True"


def test_corrupt_or_foreign_snapshot_is_ignored(tmp_path, package_copy):
    path = _build(package_copy)
    path.write_bytes(b"\0\0\0\0garbage")
    assert _probe(tmp_path, package_copy) == "0 False False"
    path.write_bytes(snapshot.magic() + b"\xffnot marshal")
    assert _probe(tmp_path, package_copy) == "0 False False"


def test_hook_output_is_the_same_with_and_without_snapshot(tmp_path, package_copy):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / ".go-version").write_text("1.21.6\n")
    go = tmp_path / "gs" / "versions" / "1.21.6" / "bin"
    go.mkdir(parents=True)
    (go / "go").write_text("#!/bin/sh\n")  # resolution only checks that bin/go exists
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PWD": str(tmp_path / "p"),
           "GOSWITCH_HOME": str(tmp_path / "gs"), "GOSWITCH_AUTO_INSTALL": "0"}
    code = launch_code().replace(str(PACKAGE.parent), str(package_copy))

    def run():
        return subprocess.run([sys.executable, "-I", "-S", "-c", code, "hook", "bash", "1", "7",
                               ""], capture_output=True, text=True, env=env, check=True,
                              cwd=tmp_path / "p").stdout

    without = run()  # also builds the snapshot (the package copy is writable)
    assert list((package_copy / "goswitch" / "__pycache__").glob("hook-snapshot.*"))
    with_snapshot = run()
    assert "GOROOT" in without and with_snapshot == without
