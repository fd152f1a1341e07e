"""`goswitch install / uninstall / list / list-remote` end to end against the loopback
mirror with the synthetic releases (issue 4, points 1, 2, 9).  Fast: tiny archives."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.test_install_support import gs, leftovers, mirror_env, versions

ARCHIVE_121 = "go1.21.0.linux-amd64.tar.gz"


@pytest.fixture
def env(isolated_env, synthetic_mirror):
    return mirror_env(isolated_env, synthetic_mirror, retries="1")


def read_only_go(ro: Path, version: str) -> Path:
    """A stand-in ``<ro>/<version>/bin/go`` in a read-only store; returns its bin dir."""
    tree = ro / version / "bin"
    tree.mkdir(parents=True)
    (tree / "go").write_text("#!/bin/sh\n")
    (tree / "go").chmod(0o755)
    return tree


def test_install_keeps_stdout_clean_and_reports_on_stderr(env, synthetic_mirror):
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "installing Go 1.21.0 (linux-amd64)" in r.stderr
    assert "\r" not in r.stderr  # no progress bar when stderr is not a terminal
    go = versions(env) / "1.21.0" / "bin" / "go"
    assert os.access(go, os.X_OK)
    assert (versions(env) / "1.21.0" / "VERSION").read_text().startswith("go1.21.0\n")
    ua = {q.user_agent for q in synthetic_mirror.log}
    assert ua == {"goswitch/0.1.0"}
    assert synthetic_mirror.count(ARCHIVE_121) == 1
    assert leftovers(versions(env)) == []
    assert not list((Path(env["GOSWITCH_CACHE_DIR"]) / "downloads").glob("*.part"))


def test_already_installed_needs_no_network(env, synthetic_mirror):
    assert gs(env, "install", "1.21.0").returncode == 0
    synthetic_mirror.clear_log()
    env["GOSWITCH_INDEX_URL"] = "http://127.0.0.1:9/nothing"
    env["GOSWITCH_MIRRORS"] = "http://127.0.0.1:9/nothing/"
    for spec in ("1.21.0", "go1.21.0", "1.21", "1"):
        r = gs(env, "install", spec)
        assert r.returncode == 0 and r.stdout == "", (spec, r.stderr)
    assert synthetic_mirror.log == []


@pytest.mark.parametrize(
    "spec, version",
    [("latest", "1.21.0"), ("1.20", "1.20.1"), ("1.22rc1", "1.22rc1"), ("1.23rc2", "1.23rc2")],
)
def test_spec_resolution_against_the_index(env, spec, version):
    r = gs(env, "install", spec)
    assert r.returncode == 0, r.stderr
    assert (versions(env) / version / "bin" / "go").is_file()
    assert f"installed Go {version}" in r.stderr


def test_latest_stable_file_is_written_for_the_hook(env):
    assert gs(env, "install", "1.20").returncode == 0
    latest = Path(env["GOSWITCH_CACHE_DIR"]) / "latest-stable"
    assert latest.read_text() == "1.21.0\n"  # go1.23rc2 is newer but not stable


def test_unknown_version_is_not_found(env):
    r = gs(env, "install", "1.19.13")
    assert r.returncode == 3
    assert "Go 1.19.13: no such release in the index" in r.stderr and "list-remote" in r.stderr


def test_one_failing_version_does_not_stop_the_others(env):
    r = gs(env, "install", "1.19.99", "1.21.0")
    assert r.returncode == 3, r.stderr  # the first failure's code
    assert "1.19.99" in r.stderr and "1 of 2 versions failed" in r.stderr
    assert (versions(env) / "1.21.0" / "bin" / "go").is_file()


def test_no_archive_for_this_platform(env, synthetic_mirror_content):
    # go1.22rc1 has linux-amd64 and others; ask for a platform the index lacks via the API
    from goswitch import settings as settings_mod
    from goswitch.errors import NotFoundError
    from goswitch.install import install
    from goswitch.install.platform import Platform

    with pytest.raises(NotFoundError) as err:
        install("1.21.0", settings_mod.load(env), env, platform=Platform("linux", "riscv64"))
    msg = str(err.value)
    assert "linux-riscv64" in msg and "it has: linux-amd64" in msg


@pytest.mark.parametrize("sha", [None, "xyz"])
def test_an_index_entry_without_a_valid_sha256_is_named(env, synthetic_mirror,
                                                        synthetic_mirror_content, sha):
    index = synthetic_mirror_content.index
    for entry in index:
        for f in entry["files"]:
            if f["filename"] == ARCHIVE_121:
                f.pop("sha256")
                if sha is not None:
                    f["sha256"] = sha
    synthetic_mirror.set_fault("/dl/", "body", data=json.dumps(index), ctype="application/json")
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 1, r.stderr
    assert f"the index entry for {ARCHIVE_121} has no valid sha256" in r.stderr
    assert ("it gives none" if sha is None else "it gives 'xyz'") in r.stderr
    assert "lists no" not in r.stderr
    assert synthetic_mirror.count(ARCHIVE_121) == 0


def test_a_mirror_url_with_a_query_keeps_it_on_every_file(env, synthetic_mirror):
    """Signed-URL mirrors: https://host/golang/?token=abc serves .../golang/FILE?token=abc."""
    env["GOSWITCH_MIRRORS"] = synthetic_mirror.base_url + "?token=abc#section"
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    got = [(q.path, q.query) for q in synthetic_mirror.log if q.path != "/dl/"]
    assert got == [(f"/dl/{ARCHIVE_121}", "token=abc"), (f"/dl/{ARCHIVE_121}.asc", "token=abc")]


def test_bad_spec_is_a_usage_error(env):
    r = gs(env, "install", "1.21.x")
    assert r.returncode == 2 and "not a Go version" in r.stderr


def test_install_without_spec_uses_what_the_directory_pins(env, tmp_path):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".go-version").write_text("1.20.1\n")
    r = gs(env, "install", cwd=proj)
    assert r.returncode == 0, r.stderr
    assert (versions(env) / "1.20.1" / "bin" / "go").is_file()
    r = gs(env, "install", cwd=proj)
    assert r.returncode == 0 and "already installed" in r.stderr
    # Named explicitly, too: a CI log shows which Go was used even without a download.
    r = gs(env, "install", "1.20.1")
    assert r.returncode == 0 and "Go 1.20.1 is already installed in" in r.stderr, r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    r = gs(env, "install", cwd=empty)
    assert r.returncode == 3 and "nothing pins a Go version here" in r.stderr


def test_list_marks_current_default_and_read_only_store(env, tmp_path):
    for v in ("1.21.0", "1.20.1"):
        assert gs(env, "install", v).returncode == 0
    ro = tmp_path / "ro-store"
    read_only_go(ro, "1.22rc1")
    env["GOSWITCH_STORES"] = str(ro)
    env["GOSWITCH_DEFAULT_VERSION"] = "1.20"
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / ".go-version").write_text("1.21.0\n")
    r = gs(env, "list", cwd=proj)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("  1.22rc1") and "read-only store" in lines[0]
    assert lines[1].startswith("* 1.21.0") and f"current: {proj}/.go-version:1" in lines[1]
    assert lines[2].startswith("  1.20.1") and "(default)" in lines[2]
    rows = json.loads(gs(env, "list", "--json", cwd=proj).stdout)
    assert [r["version"] for r in rows] == ["1.22rc1", "1.21.0", "1.20.1"]
    assert rows[0]["read_only"] and rows[0]["store"] == str(ro)
    assert rows[1]["current"] and not rows[1]["default"] and rows[2]["default"]


def test_list_marks_as_default_only_what_the_hook_would_use(env, tmp_path):
    """default `latest` is the newest release; an older installed one is not the default."""
    assert gs(env, "install", "1.20.1").returncode == 0
    env["GOSWITCH_DEFAULT_VERSION"] = "latest"
    newest = gs(env, "list-remote").stdout.split()[0]
    assert newest != "1.20.1"
    rows = json.loads(gs(env, "list", "--json", cwd=tmp_path).stdout)
    assert [(r["version"], r["default"]) for r in rows] == [("1.20.1", False)]
    assert gs(env, "install", newest).returncode == 0
    rows = json.loads(gs(env, "list", "--json", cwd=tmp_path).stdout)
    assert [(r["version"], r["default"]) for r in rows] == [(newest, True), ("1.20.1", False)]


def test_uninstall_says_when_something_still_asks_for_the_version(env, tmp_path):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".go-version").write_text("1.20.1\n")
    for v in ("1.20.1", "1.21.0"):
        assert gs(env, "install", v).returncode == 0
    r = gs(env, "uninstall", "1.21.0", cwd=proj)
    assert r.returncode == 0 and "note:" not in r.stderr  # nothing asks for it
    r = gs(env, "uninstall", "1.20.1", cwd=proj)
    assert r.returncode == 0, r.stderr
    assert f"note: Go 1.20.1 was in use here ({proj}/.go-version:1)" in r.stderr
    assert "the hook installs it again when a shell enters a directory" in r.stderr
    assert gs(env, "install", "1.20.1").returncode == 0
    env["GOSWITCH_AUTO_INSTALL"] = "0"
    r = gs(env, "uninstall", "1.20.1", cwd=proj)
    assert "`goswitch install 1.20.1` brings it back" in r.stderr


def test_list_when_nothing_is_installed(env):
    r = gs(env, "list")
    assert r.returncode == 0 and r.stdout == "" and "goswitch install latest" in r.stderr
    assert json.loads(gs(env, "list", "--json").stdout) == []


def test_list_remote(env):
    assert gs(env, "install", "1.20.1").returncode == 0
    r = gs(env, "list-remote")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["1.21.0", "1.20.1  (installed)", "1.20"]
    r = gs(env, "list-remote", "--all", "1.21")
    assert r.stdout.splitlines() == ["1.21.0", "1.21rc2  (pre-release)", "1.21beta2  (pre-release)"]
    rows = json.loads(gs(env, "list-remote", "--json", "--all").stdout)
    top = rows[0]
    assert top["version"] == "1.23rc2" and not top["stable"]
    assert top["archive"]["filename"] == "go1.23rc2.linux-amd64.tar.gz"
    assert len(top["archive"]["sha256"]) == 64
    none = gs(env, "list-remote", "1.19")
    assert none.stdout == "" and none.returncode == 3 and "no release matches 1.19" in none.stderr
    none = gs(env, "list-remote", "1.19", "--json")
    assert json.loads(none.stdout) == [] and none.returncode == 3
    assert gs(env, "list-remote", "x.y").returncode == 2


def test_list_remote_says_what_else_there_is_when_nothing_matches(env):
    r = gs(env, "list-remote", "1.23")  # only release candidates of 1.23 exist
    assert r.returncode == 3 and r.stdout == ""
    assert ("no release matches 1.23 among the stable releases with an archive for this "
            "machine; --all also shows pre-releases and releases without one (1.23rc2)"
            ) in r.stderr
    assert gs(env, "list-remote", "--all", "1.23").stdout == "1.23rc2  (pre-release)\n"
    r = gs(env, "list-remote", "1.2")
    assert r.returncode == 3
    assert ("no release matches 1.2 (1.2 means Go 1.2 and its point releases; "
            "`goswitch list-remote 1` lists every 1.x release)") in r.stderr


@pytest.mark.parametrize("spec", ["latest", "stable"])
def test_list_remote_latest_is_the_newest_stable_release_alone(env, spec):
    r = gs(env, "list-remote", spec)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "1.21.0\n"
    rows = json.loads(gs(env, "list-remote", spec, "--json").stdout)
    assert [row["version"] for row in rows] == ["1.21.0"]


def test_list_remote_refresh_and_cache(env, synthetic_mirror):
    assert gs(env, "list-remote").returncode == 0
    assert gs(env, "list-remote").returncode == 0
    index_gets = [q for q in synthetic_mirror.log if q.path == "/dl/"]
    assert len(index_gets) == 1  # the second came from the cache (TTL)
    assert gs(env, "list-remote", "--refresh").returncode == 0
    assert len([q for q in synthetic_mirror.log if q.path == "/dl/"]) == 2


def test_uninstall(env):
    for v in ("1.21.0", "1.20.1", "1.20.0"):  # 1.20.0 is the release named 1.20
        assert gs(env, "install", v).returncode == 0
    assert (versions(env) / "1.20" / "bin" / "go").is_file()
    r = gs(env, "uninstall", "1.21.0")
    assert r.returncode == 0 and r.stdout == "", r.stderr
    assert not (versions(env) / "1.21.0").exists()
    assert leftovers(versions(env)) == []
    r = gs(env, "uninstall", "1")  # a prefix matching several: name one
    assert r.returncode == 2 and "1.20.1, 1.20" in r.stderr
    r = gs(env, "uninstall", "1.20")  # the exact name of an installed version wins
    assert r.returncode == 0 and "removed Go 1.20 " in r.stderr
    assert (versions(env) / "1.20.1").is_dir()
    r = gs(env, "uninstall", "1.21.0")
    assert r.returncode == 3 and "not installed" in r.stderr


def test_uninstall_never_touches_a_read_only_store(env, tmp_path):
    ro = tmp_path / "ro"
    tree = read_only_go(ro, "1.21.0")
    env["GOSWITCH_STORES"] = str(ro)
    r = gs(env, "uninstall", "1.21.0")
    assert r.returncode == 1 and "read-only store" in r.stderr and str(ro) in r.stderr
    assert (tree / "go").exists()
    # installed in both: ours goes, the read-only copy stays and is mentioned
    env["GOSWITCH_STORES"] = ""
    assert gs(env, "install", "1.21.0").returncode == 0
    env["GOSWITCH_STORES"] = str(ro)
    r = gs(env, "uninstall", "1.21.0")
    assert r.returncode == 0 and "still available from the read-only store" in r.stderr
    assert (tree / "go").exists() and not (versions(env) / "1.21.0").exists()


def test_install_finds_versions_in_read_only_stores(env, tmp_path, synthetic_mirror):
    ro = tmp_path / "ro"
    read_only_go(ro, "1.20.1")
    env["GOSWITCH_STORES"] = str(ro)
    synthetic_mirror.clear_log()
    r = gs(env, "install", "1.20.1")
    assert r.returncode == 0 and synthetic_mirror.log == []
    assert not (versions(env) / "1.20.1").exists()


def test_uninstall_refuses_the_version_systemd_uses(env):
    assert gs(env, "install", "1.21.0").returncode == 0
    r = gs(env, "systemd", "enable", "--version", "1.21.0")
    if r.returncode != 0:
        pytest.skip(f"systemd writer unavailable here: {r.stderr}")
    r = gs(env, "uninstall", "1.21.0")
    assert r.returncode == 1 and "systemd" in r.stderr and "--force" in r.stderr
    assert (versions(env) / "1.21.0" / "bin" / "go").exists()
    r = gs(env, "uninstall", "--force", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert not (versions(env) / "1.21.0").exists()


def test_api_contract(env):
    from goswitch import settings as settings_mod
    from goswitch.install import install
    from goswitch.store import Installed

    s = settings_mod.load(env)
    got = install("1.21", s, env)
    assert isinstance(got, Installed)
    assert str(got.version) == "1.21.0" and got.ours
    assert got.root == str(versions(env) / "1.21.0")
    again = install("1.21.0", s, env)
    assert again.root == got.root


@pytest.mark.parametrize("cmd", ["install", "uninstall", "list", "list-remote"])
def test_help_has_examples(env, cmd):
    r = gs(env, cmd, "--help")
    assert r.returncode == 0 and "Examples:\n" in r.stdout
    first = r.stdout.split("Examples:\n", 1)[1].splitlines()[0]
    assert first.startswith("    goswitch ") or first.startswith("    GOSWITCH_"), first


@pytest.mark.parametrize("cmd", ["install", "uninstall", "list", "list-remote"])
def test_every_help_example_parses(cmd):
    import shlex

    import click

    from goswitch.cli.app import cli

    command = cli.get_command(click.Context(cli), cmd)
    block = command.help.split("Examples:", 1)[1]
    seen = 0
    for line in block.splitlines():
        words = shlex.split(line.strip().split("  ", 1)[0]) if line.strip() else []
        while words and "=" in words[0] and words[0] != "goswitch":
            words = words[1:]  # VAR=value prefixes
        if not words or words[0] != "goswitch":
            continue
        args = []
        for w in words[2:]:
            if w in ("|", ">"):
                break
            args.append(w)
        assert words[1] == cmd, line
        command.make_context(cmd, args, parent=click.Context(cli))
        seen += 1
    assert seen >= 2


def test_1_20_0_is_exactly_the_release_named_go1_20(env, tmp_path):
    """Before Go 1.21 the first release of a line had no .0: `1.20.0` means go1.20 for
    install, exec, use and the hook, never the newest 1.20.x (`1.20` is that prefix)."""
    proj = tmp_path / "proj"
    proj.mkdir()
    r = gs(env, "exec", "1.20.0", "--", "go", "version", cwd=proj)
    assert r.returncode == 0 and r.stdout.startswith("go version go1.20 "), r.stderr
    assert sorted(p.name for p in versions(env).iterdir() if not p.name.startswith(".")) == [
        "1.20"]
    r = gs(env, "use", "--exact", "1.20.0", cwd=proj)
    assert r.returncode == 0, r.stderr
    assert (proj / ".go-version").read_text() == "1.20.0\n"  # not the prefix "1.20"
    assert gs(env, "install", "1.20.1").returncode == 0
    r = gs(env, "which", cwd=proj)
    assert r.returncode == 0 and r.stdout.strip().endswith("/versions/1.20/bin/go")
