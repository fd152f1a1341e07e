"""The release index: validation, resolution, platform choice, cache with TTL, latest-stable
(issue 4, points 1 and 2).  The index is served from a file:// URL: no server needed."""

from __future__ import annotations

import json
import os
import time

import pytest

from goswitch import settings as settings_mod
from goswitch.errors import GoswitchError, NetworkError, NotFoundError
from goswitch.install import index
from goswitch.install.platform import Platform
from goswitch.versions import GoVersion, Spec

SHA = "ab" * 32
LINUX = Platform("linux", "amd64")


def f(version, os_="linux", arch="amd64", kind="archive", name=None, sha=SHA, size=100):
    ext = {"archive": "tar.gz", "installer": "pkg", "source": "src.tar.gz"}[kind]
    fn = name or (f"{version}.src.tar.gz" if kind == "source" else f"{version}.{os_}-{arch}.{ext}")
    return {"filename": fn, "os": os_, "arch": arch, "version": version, "sha256": sha,
            "size": size, "kind": kind}  # fmt: skip


INDEX = [
    {"version": "go1.23rc2", "stable": False, "files": [f("go1.23rc2")]},
    {"version": "go1.22.10", "stable": True, "files": [
        f("go1.22.10", kind="source"), f("go1.22.10", "darwin", "arm64"),
        f("go1.22.10", "darwin", "arm64", "installer"), f("go1.22.10", "linux", "arm64"),
        f("go1.22.10")]},
    {"version": "go1.22.9", "stable": True, "files": [f("go1.22.9")]},
    {"version": "go1.22rc1", "stable": False, "files": [f("go1.22rc1")]},
    {"version": "go1.21.13", "stable": True, "files": [f("go1.21.13", "darwin", "arm64")]},
    {"version": "go1.21.0", "stable": True, "files": [f("go1.21.0")]},
    {"version": "go1.20", "stable": True, "files": [f("go1.20")]},
    {"version": "go1.20.1", "stable": True, "files": [f("go1.20.1")]},
]  # fmt: skip


@pytest.fixture
def env(tmp_path):
    path = tmp_path / "index.json"
    path.write_text(json.dumps(INDEX))
    return {
        "HOME": str(tmp_path),
        "GOSWITCH_HOME": str(tmp_path / "gs"),
        "GOSWITCH_CACHE_DIR": str(tmp_path / "cache"),
        "GOSWITCH_CONFIG": str(tmp_path / "none.toml"),
        "GOSWITCH_INDEX_URL": path.as_uri(),
        "GOSWITCH_RETRIES": "1",
    }


def load(env, **kw):
    return index.load(settings_mod.load(env), env, **kw)


def test_parse_orders_and_validates():
    bad = [
        {"version": "go1.19.1", "files": [
            f("go1.19.1", sha="xyz"),  # not hex
            f("go1.19.1", name="../../etc/passwd"),  # path in the name
            f("go1.19.1", name=".hidden"),
            f("go1.19.1", name="go1.19.1\x1b]0;PWNED\x07.linux-amd64.tar.gz"),  # shown, a file
            f("go1.19.1", name="go1.19.1\n.linux-amd64.tar.gz"),
            f("go1.19.1", name="go1.19.1\u202e.linux-amd64.tar.gz"),
            f("go1.19.1", size=-5),  # kept, size unknown
        ]},
        {"version": "go1", "files": []},  # unparsable: skipped
        {"version": 5},
        "junk",
    ]  # fmt: skip
    rels = index.parse(json.dumps(INDEX + bad), "x")
    assert [str(r.version) for r in rels][:3] == ["1.23rc2", "1.22.10", "1.22.9"]
    r119 = next(r for r in rels if str(r.version) == "1.19.1")
    assert len(r119.files) == 1 and r119.files[0].size is None
    assert [str(r.version) for r in rels][-3:] == ["1.20.1", "1.20", "1.19.1"]  # not input order


def test_parse_rejects_non_index():
    with pytest.raises(Exception, match="not a JSON release index"):
        index.parse(b"<html>", "http://x")
    with pytest.raises(Exception, match="expected a JSON list"):
        index.parse(b"{}", "http://x")


@pytest.mark.parametrize(
    "spec, want",
    [
        ("latest", "1.22.10"),  # the rc above it is skipped
        ("1.22", "1.22.10"),
        ("1", "1.22.10"),
        ("1.21", "1.21.13"),
        ("1.20", "1.20.1"),
        ("1.20.0", "1.20"),  # the same point as 1.20 (releases before 1.21 had no .0)
        ("1.22rc1", "1.22rc1"),
        ("1.23rc2", "1.23rc2"),
        ("1.23", None),  # only an rc exists
        ("1.22.9", "1.22.9"),
    ],
)
def test_resolve(env, spec, want):
    idx = load(env)
    if want is None:
        with pytest.raises(NotFoundError, match="list-remote"):
            idx.resolve(Spec.parse(spec))
    else:
        assert str(idx.resolve(Spec.parse(spec)).version) == want


def test_archive_for_platform_skips_installer_and_source(env):
    idx = load(env)
    rel = idx.find(GoVersion.parse("1.22.10"))
    assert rel.archive(LINUX).filename == "go1.22.10.linux-amd64.tar.gz"
    assert rel.archive(Platform("darwin", "arm64")).filename.endswith("darwin-arm64.tar.gz")
    assert rel.archive(Platform("freebsd", "amd64")) is None
    assert rel.platforms() == ["darwin-arm64", "linux-amd64", "linux-arm64"]
    assert idx.find(GoVersion.parse("1.21.13")).archive(LINUX) is None


def test_matching_and_latest(env):
    idx = load(env)
    assert [str(r.version) for r in idx.matching(Spec.parse("1.22"))] == ["1.22.10", "1.22.9"]
    assert [str(r.version) for r in idx.matching(Spec.parse("1.22"), True)] == [
        "1.22.10", "1.22.9", "1.22rc1"]  # fmt: skip
    assert str(idx.latest_stable().version) == "1.22.10"
    assert idx.by_filename("go1.20.linux-amd64.tar.gz").sha256 == SHA


def test_a_release_the_index_marks_unstable_is_never_picked_by_latest_or_a_prefix(tmp_path):
    withdrawn = [{"version": "go1.22.11", "stable": False, "files": [f("go1.22.11")]}, *INDEX]
    rels = index.parse(json.dumps(withdrawn), "x")
    idx = index.Index(rels, "x", 0, "network")
    assert str(idx.latest_stable().version) == "1.22.10"
    assert str(idx.resolve(Spec.parse("1.22")).version) == "1.22.10"
    assert str(idx.resolve(Spec.parse("1.22.11")).version) == "1.22.11"  # asked for by name
    # No "stable" field at all (some mirrors' JSON): the version decides.
    bare = [{k: v for k, v in e.items() if k != "stable"} for e in INDEX]
    assert str(index.newest_stable(index.parse(json.dumps(bare), "x")).version) == "1.22.10"


def test_cache_ttl_latest_stable_and_refresh(env, tmp_path):
    idx = load(env)
    assert idx.origin == "network"
    cache = tmp_path / "cache"
    assert (cache / "latest-stable").read_text() == "1.22.10\n"
    doc = json.loads((cache / "index.json").read_text())
    assert doc["url"] == env["GOSWITCH_INDEX_URL"] and doc["index"] == INDEX
    # within the TTL: the source is not read again
    (tmp_path / "index.json").write_text(json.dumps(INDEX[1:]))
    assert load(env).origin == "cache"
    assert str(load(env).latest_stable().version) == "1.22.10"
    # --refresh reads it now
    idx = load(env, refresh=True)
    assert idx.origin == "network" and idx.find(GoVersion.parse("1.23rc2")) is None
    # an expired TTL reads it again
    new = [{"version": "go1.23.0", "stable": True, "files": [f("go1.23.0")]}] + INDEX
    (tmp_path / "index.json").write_text(json.dumps(new))
    env["GOSWITCH_INDEX_TTL"] = "1"
    os.utime(cache / "index.json")
    assert load(env, now=time.time() + 5).origin == "network"
    assert (cache / "latest-stable").read_text() == "1.23.0\n"


def test_other_index_url_does_not_use_the_cache(env, tmp_path):
    load(env)
    other = tmp_path / "other.json"
    other.write_text(json.dumps(INDEX[2:]))
    env["GOSWITCH_INDEX_URL"] = other.as_uri()
    idx = load(env)
    assert idx.origin == "network" and str(idx.latest_stable().version) == "1.22.9"


def test_unreachable_index_falls_back_to_a_stale_cache_with_a_warning(env, tmp_path):
    load(env)
    (tmp_path / "index.json").unlink()
    env["GOSWITCH_INDEX_TTL"] = "0"  # always stale

    class R:
        lines: list[str] = []

        def message(self, text):
            self.lines.append(text)

    rep = R()
    idx = load(env, reporter=rep)
    assert idx.origin == "stale" and any("using the cached index" in m for m in rep.lines)
    with pytest.raises(NotFoundError):  # --refresh means: really fetch it
        load(env, refresh=True)


def test_no_cache_and_no_network_is_a_network_error(env):
    env["GOSWITCH_INDEX_URL"] = "http://127.0.0.1:9/dl/?mode=json"
    env["GOSWITCH_TIMEOUT"] = "2"
    with pytest.raises(NetworkError, match="127.0.0.1:9"):
        load(env)


def test_an_index_sent_gzip_compressed_anyway_is_read(env, tmp_path):
    import gzip

    path = tmp_path / "index.json.gz"
    path.write_bytes(gzip.compress(json.dumps(INDEX).encode()))
    env["GOSWITCH_INDEX_URL"] = path.as_uri()
    assert str(load(env).latest_stable().version) == "1.22.10"


@pytest.mark.parametrize("body, why", [
    ("<!DOCTYPE HTML>\n<html><title>Directory listing for /dl/</title>", "an HTML page"),
    ("  <html>login</html>", "an HTML page"),
    ("go1.22.10.linux-amd64.tar.gz\n", "not JSON"),
    ("[" * 200000 + "]" * 200000, "not JSON (nested too deeply)"),  # not a RecursionError
    ("[" + "9" * 5001 + "]", "not JSON (a number with thousands of digits)"),
])
def test_index_that_is_not_json_says_what_it_got_and_where_to_point(env, tmp_path, body, why):
    (tmp_path / "index.json").write_text(body)
    with pytest.raises(GoswitchError) as err:
        load(env)
    assert why in err.value.why
    assert "index.json" in err.value.what
    assert "golang.google.cn/dl/?mode=json&include=all" in err.value.fix


def test_empty_index_is_an_error(env, tmp_path):
    (tmp_path / "index.json").write_text("[]")
    with pytest.raises(Exception, match="lists no Go release"):
        load(env)


def test_cached_releases_for_completion_never_fetch(env, tmp_path):
    from goswitch.install import cached_releases

    s = settings_mod.load(env)
    assert cached_releases(s, env) == []  # nothing cached: no fetch either
    assert not (tmp_path / "cache" / "index.json").exists()
    load(env)
    (tmp_path / "index.json").unlink()
    rels = cached_releases(s, env)
    assert str(rels[0].version) == "1.23rc2" and not rels[0].stable and rels[1].stable


def test_unreachable_default_index_suggests_the_china_mirror(env):
    """go.dev itself is never contacted: the proxy in front of it is dead."""
    del env["GOSWITCH_INDEX_URL"]
    env["https_proxy"] = "http://127.0.0.1:9"
    with pytest.raises(NetworkError) as err:
        load(env)
    assert "https://go.dev/dl/" in err.value.what
    assert "golang.google.cn/dl/?mode=json&include=all" in err.value.fix
    assert "mirrors https://golang.google.cn/dl/" in err.value.fix


def test_unreachable_own_index_gets_no_china_hint(env):
    env["GOSWITCH_INDEX_URL"] = "http://127.0.0.1:9/dl/?mode=json"
    with pytest.raises(NetworkError) as err:
        load(env)
    assert "golang.google.cn" not in err.value.message


@pytest.mark.parametrize("cut", [0, 1, 7, 30, 100, 250, -3, -1])
def test_an_index_cut_anywhere_is_told_from_one_that_is_something_else(cut):
    from goswitch.install import served

    text = json.dumps(INDEX)[:cut]
    with pytest.raises(json.JSONDecodeError) as err:
        json.loads(text)
    assert served.json_ends_early(err.value)
    for other in ("<html>login</html>", "go1.22.10.linux-amd64.tar.gz\n", '[{"a": 1} x]'):
        with pytest.raises(json.JSONDecodeError) as err:
            json.loads(other)
        assert not served.json_ends_early(err.value)
