"""Leftovers of killed installs: removed when they can be, and said only when they were."""

from __future__ import annotations

import shutil

from goswitch.install import installer


class Said:
    def __init__(self):
        self.lines: list[str] = []

    def message(self, text: str) -> None:
        self.lines.append(text)


def test_a_leftover_that_cannot_be_removed_is_not_reported_as_removed(tmp_path, monkeypatch):
    """In a shared store another user's 0700 temp tree stays: do not claim it went."""
    env = {"GOSWITCH_HOME": str(tmp_path / "gs"), "GOSWITCH_CACHE_DIR": str(tmp_path / "c"),
           "HOME": str(tmp_path)}
    store = tmp_path / "gs" / "versions"
    (store / f"{installer.TMP_PREFIX}1.21.13-abcd" / "go").mkdir(parents=True)
    (store / f"{installer.TMP_PREFIX}1.22.10-efgh").mkdir()
    monkeypatch.setattr(shutil, "rmtree", lambda path, ignore_errors=False: None)  # EPERM
    said = Said()
    assert installer.cleanup_stale(env, str(store), reporter=said) == []
    assert said.lines == []
    monkeypatch.undo()
    removed = installer.cleanup_stale(env, str(store), reporter=said)
    assert len(removed) == 2 and said.lines == ["removed 2 leftover(s) of an interrupted run"]
