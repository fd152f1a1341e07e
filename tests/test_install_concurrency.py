"""Eight processes installing the same version at once: one download, all succeed, one
tree (issue 4, point 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_install_support import BIG_FILE, BIG_VERSION, expected_digest, spawn, tree_digest

pytest_plugins = ("tests.test_install_support",)

pytestmark = pytest.mark.slow


def test_eight_processes_one_download(big_env, big_mirror, big_release):
    big_mirror.set_fault(BIG_FILE, "slow", rate=4_000_000)  # ~1 s: they all overlap
    procs = [spawn(big_env, "install", BIG_VERSION) for _ in range(8)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert out == ""
    assert big_mirror.count(BIG_FILE) == 1  # one download
    assert len([q for q in big_mirror.log if q.path == "/dl/"]) == 1  # one index fetch
    waited = sum("waiting for another goswitch process" in err for _, _, err in results)
    installed = sum("installed Go" in err for _, _, err in results)
    assert installed == 1 and waited >= 1
    versions = Path(big_env["GOSWITCH_HOME"]) / "versions"
    assert sorted(p.name for p in versions.iterdir()) == [BIG_VERSION]
    assert tree_digest(versions / BIG_VERSION) == expected_digest(big_release[0])
