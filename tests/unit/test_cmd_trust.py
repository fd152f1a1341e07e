"""`goswitch trust` / `untrust` / `trust --list` (issue 5, point 3)."""

from __future__ import annotations

import json

from tests.unit.test_cmd_common import gs  # noqa: F401 - fixture


def make_project(gs, env='GOFLAGS = "-mod=mod"'):  # noqa: F811
    gs.go_tree("1.22.10")
    toml = gs.project / "goswitch.toml"
    toml.write_text(f'[go]\nversion = "1.22.10"\n[env]\n{env}\n')
    return toml


def applied(gs, name="GOFLAGS", cwd=None):  # noqa: F811
    result = gs("env", "--json", cwd=cwd)
    assert result.code == 0, result
    return json.loads(result.out)["set"].get(name)


def test_trust_nearest_from_a_subdirectory(gs):  # noqa: F811
    toml = make_project(gs)
    sub = gs.project / "internal" / "x"
    sub.mkdir(parents=True)
    assert applied(gs, cwd=sub) is None
    result = gs("trust", cwd=sub)
    assert result.code == 0 and result.out == ""
    assert f"trusted {toml}; its [env] sets GOFLAGS" in result.err
    assert applied(gs, cwd=sub) == "-mod=mod"


def test_any_edit_untrusts_and_the_version_still_applies(gs):  # noqa: F811
    toml = make_project(gs)
    gs("trust")
    toml.write_text(toml.read_text().replace("-mod=mod", "-toolexec=/tmp/evil"))
    assert applied(gs) is None
    result = gs("current", "--short")
    assert result.out == "1.22.10\n" and result.err.count("not trusted") == 1
    listing = gs("trust", "--list").out
    assert listing == f"changed  {toml}\n"


def test_trust_path_may_be_the_directory_or_the_file(gs):  # noqa: F811
    toml = make_project(gs)
    assert gs("trust", str(gs.project)).code == 0
    assert gs("untrust", str(toml)).code == 0
    assert applied(gs) is None


def test_list_states_and_json(gs):  # noqa: F811
    toml = make_project(gs)
    gone_dir = gs.root / "gone"
    gone_dir.mkdir()
    gone = gone_dir / "goswitch.toml"
    gone.write_text("[env]\nA = '1'\n")
    gs("trust")
    gs("trust", str(gone))
    gone.unlink()
    assert gs("trust", "--list").out.splitlines() == [f"missing  {gone}", f"trusted  {toml}"]
    data = json.loads(gs("trust", "--list", "--json").out)
    assert data == [
        {"path": str(gone), "status": "missing"},
        {"path": str(toml), "status": "trusted"},
    ]


def test_empty_list(gs):  # noqa: F811
    result = gs("trust", "--list")
    assert result.code == 0 and result.out == "" and "no trusted files" in result.err
    assert json.loads(gs("trust", "--list", "--json").out) == []


def test_untrust(gs):  # noqa: F811
    toml = make_project(gs)
    gs("trust")
    result = gs("untrust")
    assert result.code == 0 and f"untrusted {toml}" in result.err
    assert applied(gs) is None
    assert "was not trusted" in gs("untrust").err


def test_broken_file_is_not_trusted(gs):  # noqa: F811
    toml = gs.project / "goswitch.toml"
    toml.write_text('[env]\nPATH = "/tmp/evil"\n')
    result = gs("trust")
    assert result.code == 1 and "goswitch manages this variable" in result.err
    assert gs("trust", "--list").out == ""


def test_only_goswitch_toml_can_be_trusted(gs):  # noqa: F811
    (gs.project / ".go-version").write_text("1.22.10\n")
    assert gs("trust", str(gs.project / ".go-version")).code == 2


def test_nothing_to_trust(gs):  # noqa: F811
    result = gs("trust")
    assert result.code == 3 and "goswitch.toml: none in" in result.err


def test_json_needs_list(gs):  # noqa: F811
    make_project(gs)
    assert gs("trust", "--json").code == 2


def test_a_damaged_trust_store_line_is_skipped(gs):  # noqa: F811
    toml = make_project(gs)
    gs("trust")
    store = gs.gs_home / "trust.txt"
    with store.open("a") as f:
        f.write("garbage line\n" + "z" * 64 + " 41\n\n")
    result = gs("trust", "--list")
    assert result.code == 0 and result.out.splitlines() == [f"trusted  {toml}"], result
    assert applied(gs) == "-mod=mod"


def test_concurrent_trusts_keep_every_record(gs):  # noqa: F811
    import os
    import subprocess
    import sys

    dirs = []
    for i in range(12):
        d = gs.root / f"p{i}"
        d.mkdir()
        (d / "goswitch.toml").write_text(f'[env]\nN = "{i}"\n')
        dirs.append(d)
    procs = [subprocess.Popen([sys.executable, "-m", "goswitch", "trust", str(d)],
                              stderr=subprocess.DEVNULL, env=dict(os.environ)) for d in dirs]
    assert [p.wait() for p in procs] == [0] * len(dirs)
    listed = gs("trust", "--list").out.splitlines()
    assert sorted(listed) == sorted(f"trusted  {d / 'goswitch.toml'}" for d in dirs)


def test_missing_paths_are_not_found_and_a_removed_project_can_be_untrusted(gs):  # noqa: F811
    result = gs("trust", str(gs.root / "nonexistent"))
    assert result.code == 3 and f"{gs.root}/nonexistent/goswitch.toml: no such file" in result.err
    gone = gs.root / "gone"
    gone.mkdir()
    (gone / "goswitch.toml").write_text('[env]\nA = "1"\n')
    assert gs("trust", str(gone)).code == 0
    (gone / "goswitch.toml").unlink()
    gone.rmdir()
    result = gs("untrust", str(gone))
    assert result.code == 0 and f"untrusted {gone}/goswitch.toml" in result.err
    assert gs("trust", "--list").out == ""


def test_env_too_large_to_export_is_not_trusted(gs):  # noqa: F811
    toml = make_project(gs, f'BIG = "{"x" * 70_000}"')
    result = gs("trust")
    assert result.code == 1, result
    assert f"{toml}:4: 'BIG': BIG=value is 70004 bytes; goswitch allows 65536" in result.err
    assert gs("trust", "--list").out == ""
