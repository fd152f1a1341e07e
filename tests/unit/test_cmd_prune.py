"""`goswitch prune` (issue 5, point 4) and the usage marks it relies on."""

from __future__ import annotations

import json
import os
import time

from goswitch import paths, store
from goswitch.versions import GoVersion
from tests.unit.test_cmd_common import gs  # noqa: F401 - fixture

DAY = 86400


def age(gs, version, days):  # noqa: F811
    """Make ``version`` look installed and last used ``days`` ago."""
    root = gs.gs_home / "versions" / version
    if not root.exists():
        gs.go_tree(version)
    when = time.time() - days * DAY
    marker = os.path.join(paths.usage_dir(os.environ), version)
    os.makedirs(os.path.dirname(marker), exist_ok=True)
    open(marker, "a").close()
    os.utime(marker, (when, when))
    return root


def installed(gs):  # noqa: F811
    """Names under our store, leftovers (dot names) included: prune must leave none."""
    return sorted(p.name for p in (gs.gs_home / "versions").iterdir())


def test_removes_only_old_unused(gs):  # noqa: F811
    age(gs, "1.20.14", 200)
    age(gs, "1.21.13", 100)
    age(gs, "1.22.10", 10)
    result = gs("prune")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert [line.split()[1] for line in lines] == ["1.21.13", "1.20.14"]
    assert lines[0].startswith("removed 1.21.13  (unused for 100 days)")
    assert installed(gs) == ["1.22.10"]
    assert not os.path.exists(os.path.join(paths.usage_dir(os.environ), "1.21.13"))


def test_dry_run_removes_nothing(gs):  # noqa: F811
    age(gs, "1.20.14", 200)
    result = gs("prune", "--dry-run")
    assert result.out.startswith("would remove 1.20.14")
    assert installed(gs) == ["1.20.14"]


def test_older_than(gs):  # noqa: F811
    age(gs, "1.21.13", 40)
    assert gs("prune").out == ""
    assert "nothing to prune" in gs("prune").err
    assert gs("prune", "--older-than", "30").out.startswith("removed 1.21.13")


def test_never_the_global_default_or_the_current_one(gs):  # noqa: F811
    age(gs, "1.20.14", 300)
    age(gs, "1.21.13", 300)
    age(gs, "1.22.10", 300)
    gs.config.parent.mkdir(parents=True)
    gs.config.write_text('default_version = "1.21"\n')
    (gs.project / ".go-version").write_text("1.22.10\n")
    data = json.loads(gs("prune", "--older-than", "0", "--json").out)
    decisions = {v["version"]: v["kept_because"] for v in data["versions"]}
    assert decisions["1.21.13"] == "global default"
    assert decisions["1.22.10"].startswith("in use here")
    assert decisions["1.20.14"] is None
    assert installed(gs) == ["1.21.13", "1.22.10"]
    # Nothing left to remove: the note says what was kept and why, not "none unused".
    age(gs, "1.19.13", 5)
    note = gs("prune").err
    assert "nothing to prune (3 installed; 1.22.10 kept: in use here" in note
    assert "1.21.13 kept: global default; the others were used within 90 days)" in note


def test_never_the_goroot_of_this_shell(gs):  # noqa: F811
    root = age(gs, "1.20.14", 300)
    gs.setenv("GOROOT", str(root))
    assert gs("prune").out == "" and installed(gs) == ["1.20.14"]


def test_never_a_read_only_store(gs):  # noqa: F811
    from tests.unit.test_cmd_common import go_tree

    shared = gs.root / "ci-cache"
    ro = go_tree(shared, "1.19.13")
    gs.setenv("GOSWITCH_STORES", str(shared))
    age(gs, "1.20.14", 300)
    result = gs("prune", "--older-than", "0")
    assert "1.19.13" not in result.out
    assert ro.exists()


def test_never_used_versions_count_from_install(gs):  # noqa: F811
    gs.go_tree("1.22.10")  # installed just now, never marked
    assert gs("prune").out == ""
    assert gs("prune", "--older-than", "0").out.startswith("removed 1.22.10")


def test_json_shape(gs):  # noqa: F811
    age(gs, "1.20.14", 120)
    data = json.loads(gs("prune", "--dry-run", "--json").out)
    assert data["dry_run"] is True and data["older_than_days"] == 90
    (entry,) = data["versions"]
    assert set(entry) == {"version", "goroot", "last_used", "days_unused", "remove", "kept_because"}
    assert entry["remove"] is True and entry["days_unused"] == 120


def test_use_is_recorded_at_most_once_a_day(gs):  # noqa: F811
    gs.go_tree("1.22.10")
    (gs.project / ".go-version").write_text("1.22.10\n")
    marker = os.path.join(paths.usage_dir(os.environ), "1.22.10")
    age(gs, "1.22.10", 2 / 24)  # two hours ago
    before = os.stat(marker).st_mtime
    gs("env")
    assert os.stat(marker).st_mtime == before  # same day: no write
    age(gs, "1.22.10", 2)
    gs("env")
    assert time.time() - os.stat(marker).st_mtime < 60


def test_use_env_mark_and_which_does_not(gs):  # noqa: F811
    gs.go_tree("1.22.10")
    (gs.project / ".go-version").write_text("1.22.10\n")
    v = GoVersion.parse("1.22.10")
    gs("which")
    assert store.last_used(os.environ, v) is None
    gs("env")
    assert store.last_used(os.environ, v) is not None


def test_a_store_read_only_for_this_user_is_not_promised_away(gs, monkeypatch):  # noqa: F811
    """A root-owned GOSWITCH_HOME in a Docker image, used by a runtime user."""
    import posix

    age(gs, "1.20.14", 200)
    real_access = posix.access
    store_dir = str(gs.gs_home / "versions")

    def access(path, mode, **kw):  # what a root-owned 0755 directory says to a user
        if str(path) == store_dir and mode & os.W_OK:
            return False
        return real_access(path, mode, **kw)

    monkeypatch.setattr(posix, "access", access)
    result = gs("prune", "--dry-run", "--json")
    assert result.code == 0, result
    entry = json.loads(result.out)["versions"][0]
    assert entry["remove"] is False and "read-only for you" in entry["kept_because"]
    result = gs("prune")
    assert result.code == 0 and installed(gs) == ["1.20.14"]
