"""What real mirrors do to a download, against the loopback mirror (issue 4, points 3, 6, 7):
404/500 failover, retries, truncated bodies resumed with Range, servers without Range,
wrong bytes, stalls bounded by the timeout, resets, redirects, disk full, SIGINT.

After every failure: nothing installed, no temp dir left, a non-zero exit code.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from goswitch import settings as settings_mod
from goswitch.errors import GoswitchError
from goswitch.install import download as dl_mod
from goswitch.install import extract as ex_mod
from goswitch.install import install
from tests.support.httpmirror import MirrorServer
from tests.test_install_support import (
    BIG_FILE,
    BIG_VERSION,
    expected_digest,
    gs,
    leftovers,
    mirror_env,
    spawn,
    tree_digest,
    versions,
    wait_for,
)

pytest_plugins = ("tests.test_install_support",)  # big_release, big_mirror, big_env

SMALL = "go1.21.0.linux-amd64.tar.gz"


@pytest.fixture
def env(isolated_env, synthetic_mirror):
    return mirror_env(isolated_env, synthetic_mirror, retries="2", timeout="5")


@pytest.fixture
def second(synthetic_mirror_content):
    with MirrorServer(synthetic_mirror_content) as server:
        yield server


def parts(env) -> list[str]:
    d = Path(env["GOSWITCH_CACHE_DIR"]) / "downloads"
    return sorted(p.name for p in d.glob("*.part")) if d.exists() else []


def assert_nothing_installed(env, version):
    assert not (versions(env) / version).exists()
    assert leftovers(versions(env)) == []


def installed_ok(env, version) -> bool:
    return (versions(env) / version / "bin" / "go").is_file()


def two_mirrors(env, a, b):
    env["GOSWITCH_MIRRORS"] = f"{a.base_url} {b.base_url}"


def test_an_html_page_sent_as_the_archive_fails_that_mirror_and_keeps_nothing(
    env, synthetic_mirror, synthetic_mirror_content, tmp_path
):
    """A captive portal or a mirror's error page, sent with status 200."""
    import shutil

    root = tmp_path / "portal"
    shutil.copytree(synthetic_mirror_content.root, root)
    (root / "dl" / SMALL).write_text("<!DOCTYPE html><html><body>Please log in</body></html>\n")
    with MirrorServer(root) as portal:
        two_mirrors(env, portal, synthetic_mirror)
        r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert ("sent something other than the archive (an HTML page: a proxy's or Wi-Fi login "
            "page? '<!DOCTYPE html>") in r.stderr
    assert portal.count(SMALL) == 1  # not retried
    assert installed_ok(env, "1.21.0") and parts(env) == []


def test_404_fails_over_to_the_next_mirror(env, synthetic_mirror, second):
    two_mirrors(env, synthetic_mirror, second)
    synthetic_mirror.set_fault(SMALL, 404)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert synthetic_mirror.count(SMALL) == 1  # a 404 is not retried
    assert second.count(SMALL) == 1
    assert "trying the next mirror" in r.stderr
    assert installed_ok(env, "1.21.0")


def test_500_is_retried_then_fails_over(env, synthetic_mirror, second):
    two_mirrors(env, synthetic_mirror, second)
    synthetic_mirror.set_fault(SMALL, 500)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert synthetic_mirror.count(SMALL) == 2  # GOSWITCH_RETRIES=2
    assert "HTTP 500" in r.stderr and "retrying (2/2)" in r.stderr
    assert installed_ok(env, "1.21.0")


def test_retry_after_as_an_http_date_is_honoured_and_said(env, synthetic_mirror):
    import email.utils
    import re

    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    synthetic_mirror.set_fault(SMALL, "status", code=429, times=1, headers={"Retry-After": when})
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert re.search(r"HTTP 429 Too Many Requests; retrying \(2/2\) in [0-2] s "
                     r"\(the server's Retry-After\)", r.stderr), r.stderr


def test_a_retry_after_longer_than_the_timeout_moves_on_at_once(env, synthetic_mirror, second):
    """The shell hook installs with GOSWITCH_TIMEOUT=10: a server asking for a day (or
    for 20 s) must not hold the prompt; the next mirror serves instead."""
    two_mirrors(env, synthetic_mirror, second)
    env["GOSWITCH_TIMEOUT"] = "10"
    env["GOSWITCH_RETRIES"] = "2"
    synthetic_mirror.set_fault(SMALL, "status", code=503, headers={"Retry-After": "86400"})
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert ("HTTP 503 Service Unavailable (its Retry-After asks for 86400 s, longer than "
            f"goswitch waits: 10 s); trying the next mirror: {second.url(SMALL)}") in r.stderr
    assert synthetic_mirror.count(SMALL) == 1 and second.count(SMALL) == 1


def test_transient_500_recovers_on_the_same_mirror(env, synthetic_mirror):
    synthetic_mirror.set_fault(SMALL, 500, times=1)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert [q.status for q in synthetic_mirror.requests(SMALL, "GET")] == [500, 200]


def test_every_mirror_failing_names_each_one(env, synthetic_mirror, second):
    two_mirrors(env, synthetic_mirror, second)
    synthetic_mirror.set_fault(SMALL, 500)
    second.set_fault(SMALL, 404)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 5
    assert f"{synthetic_mirror.base_url}{SMALL}: HTTP 500" in r.stderr
    assert f"{second.base_url}{SMALL}: HTTP 404" in r.stderr
    assert_nothing_installed(env, "1.21.0")
    assert parts(env) == []  # no mirror sent a byte: no empty part is left to "resume"


def test_a_release_the_index_lists_but_no_mirror_has_is_a_network_failure(
    env, synthetic_mirror, second
):
    """Exit 5, as documented: the release exists (the index says so); the mirrors failed."""
    two_mirrors(env, synthetic_mirror, second)
    synthetic_mirror.set_fault(SMALL, 404)
    second.set_fault(SMALL, 404)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 5, r.stderr
    assert f"{SMALL}: not found on any mirror (" in r.stderr
    assert_nothing_installed(env, "1.21.0")


def test_index_unreachable(env, synthetic_mirror):
    synthetic_mirror.set_fault("/dl/", 500)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 5 and "release index" in r.stderr and "HTTP 500" in r.stderr


def test_truncated_body_is_resumed_with_range(big_env, big_mirror, big_release):
    big_mirror.set_fault(BIG_FILE, "truncate", times=1, after=1_000_000)
    r = gs(big_env, "install", BIG_VERSION)
    assert r.returncode == 0, r.stderr
    gets = big_mirror.requests(BIG_FILE, "GET")
    assert [q.status for q in gets] == [200, 206]
    assert gets[1].range == "bytes=1000000-"
    assert tree_digest(versions(big_env) / BIG_VERSION) == expected_digest(big_release[0])
    assert parts(big_env) == []


def test_each_new_connection_restarts_the_rate(env, synthetic_mirror, tmp_path):
    """The downloader tells the reporter where every connection (retry, next mirror)
    starts, so the rate it shows is that connection's."""
    from goswitch.install.progress import Reporter

    class Recorder(Reporter):
        def __init__(self):
            self.calls = []

        def start(self, label, total, done=0):
            self.calls.append(("start", done))

        def resume(self, done):
            self.calls.append(("resume", done))

    synthetic_mirror.set_fault(SMALL, "truncate", times=1, after=500)
    rec = Recorder()
    opts = dl_mod.NetOptions(retries=2, environ={}, sleep=lambda s: None)
    dl_mod.download([synthetic_mirror.url(SMALL)], str(tmp_path / "x.part"), size=None,
                    opts=opts, what=SMALL, progress=rec)
    assert rec.calls == [("start", 0), ("resume", 0), ("resume", 500)]


def test_server_ignoring_range_restarts_from_zero(big_env, big_mirror, big_mirror_content):
    with MirrorServer(big_mirror_content) as other:
        two_mirrors(big_env, big_mirror, other)
        big_mirror.set_fault(BIG_FILE, "truncate", after=500_000)  # always cut short
        other.set_fault(BIG_FILE, "no_range")
        r = gs(big_env, "install", BIG_VERSION)
        assert r.returncode == 0, r.stderr
        got = other.requests(BIG_FILE, "GET")
        assert got[0].range is not None and got[0].status == 200
        assert "cannot resume; starting over" in r.stderr
    assert installed_ok(big_env, BIG_VERSION)


def test_a_damaged_short_copy_on_one_mirror_does_not_spoil_the_good_one(
    big_env, big_mirror, big_mirror_content
):
    """Mirror A serves a cut-short copy with a wrong byte; B resumes it and the sha256
    fails.  The whole-file retry starts at B, not at A again (it failed, blaming B)."""
    with MirrorServer(big_mirror_content) as other:
        two_mirrors(big_env, big_mirror, other)
        big_mirror.set_fault(BIG_FILE, "truncate", after=500_000, flip=100)
        r = gs(big_env, "install", BIG_VERSION)
        assert r.returncode == 0, r.stderr
        assert f"put together from {big_mirror.url(BIG_FILE)} + {other.url(BIG_FILE)}" in r.stderr
        assert f"downloading the whole file again from {other.url(BIG_FILE)}" in r.stderr
        assert other.requests(BIG_FILE, "GET")[-1].range is None  # whole, from byte 0
    assert installed_ok(big_env, BIG_VERSION)
    assert parts(big_env) == []


def index_with(synthetic_mirror, content, filename, **changes):
    """Serve ``content``'s index with ``filename``'s entry changed (None: key removed)."""
    import json

    index = content.index
    for entry in index:
        for f in entry["files"]:
            if f["filename"] == filename:
                for key, value in changes.items():
                    if value is None:
                        f.pop(key, None)
                    else:
                        f[key] = value
    synthetic_mirror.set_fault("/dl/", "body", data=json.dumps(index), ctype="application/json")


def test_an_index_size_of_0_means_unknown(env, synthetic_mirror, synthetic_mirror_content):
    index_with(synthetic_mirror, synthetic_mirror_content, SMALL, size=0)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert synthetic_mirror.count(SMALL) == 1


def test_a_cut_body_with_no_size_anywhere_is_resumed_before_blaming_the_mirror(
    env, synthetic_mirror, synthetic_mirror_content
):
    """No size in the index, no Content-Length, and the connection closes early: the
    sha256 mismatch may be a cut, not tampering; the rest is asked for first."""
    size = synthetic_mirror_content.files[SMALL].size
    index_with(synthetic_mirror, synthetic_mirror_content, SMALL, size=None)
    synthetic_mirror.set_fault(SMALL, "truncate", times=1, after=size // 2, close_delimited=True)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert "gave no size and closed the connection, so the file may have been cut short" in r.stderr
    gets = synthetic_mirror.requests(SMALL, "GET")
    assert [(q.status, q.range) for q in gets] == [(200, None), (206, f"bytes={size // 2}-")]
    assert installed_ok(env, "1.21.0") and parts(env) == []


def test_wrong_bytes_with_no_size_anywhere_are_still_caught(
    env, synthetic_mirror, synthetic_mirror_content
):
    """The same doubt for a whole file with a flipped byte: the rest is asked for (416:
    there is none), the file fetched again, and the mismatch then fails the install."""
    index_with(synthetic_mirror, synthetic_mirror_content, SMALL, size=None)
    synthetic_mirror.set_fault(SMALL, "wrong_bytes", close_delimited=True)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 4, r.stderr
    assert "may have been cut short" in r.stderr and "sha256 mismatch" in r.stderr
    assert_nothing_installed(env, "1.21.0")
    assert parts(env) == []


def test_an_archive_compressed_again_by_the_server_is_decoded(env, synthetic_mirror):
    """Content-Encoding: gzip over the .tar.gz, although goswitch asks for identity."""
    synthetic_mirror.set_fault(SMALL, "gzip")
    synthetic_mirror.set_fault("/dl/", "gzip")  # the index too
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert "sent the archive compressed again (Content-Encoding: gzip" in r.stderr
    assert synthetic_mirror.count(SMALL) == 1
    assert installed_ok(env, "1.21.0") and parts(env) == []


def test_a_gzip_label_on_the_raw_archive_is_ignored(env, synthetic_mirror):
    synthetic_mirror.set_fault(SMALL, "gzip", label_only=True)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert "compressed again" not in r.stderr
    assert installed_ok(env, "1.21.0")


def test_a_kept_part_is_not_spliced_with_a_range_compressed_on_its_own(
    env, synthetic_mirror
):
    """Resuming from a server that gzips every answer: its 206 is a compressed piece,
    not the archive's bytes; goswitch starts over and decodes the whole file."""
    env["GOSWITCH_RETRIES"] = "1"
    synthetic_mirror.set_fault(SMALL, "truncate", after=500)
    assert gs(env, "install", "1.21.0").returncode == 5
    assert parts(env) == [SMALL + ".part"]
    synthetic_mirror.set_fault(SMALL, "gzip")
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    gets = synthetic_mirror.requests(SMALL, "GET")[1:]
    assert [(q.status, q.range) for q in gets] == [(206, "bytes=500-"), (200, None)]
    assert installed_ok(env, "1.21.0")


def test_wrong_bytes_fail_with_both_hashes_and_leave_nothing(env, synthetic_mirror_content):
    mirror_file = synthetic_mirror_content.archive("go1.21.0")
    srv = MirrorServer(synthetic_mirror_content).start()
    try:
        env.use_mirror(srv)
        srv.set_fault(SMALL, "wrong_bytes")
        r = gs(env, "install", "1.21.0")
    finally:
        srv.stop()
    assert r.returncode == 4, r.stderr
    assert f"expected {mirror_file.sha256}" in r.stderr and "got " in r.stderr
    assert SMALL in r.stderr and "from the release index" in r.stderr
    assert_nothing_installed(env, "1.21.0")
    assert parts(env) == []  # the bad download is deleted


def test_wrong_bytes_on_one_mirror_fall_over_to_a_good_one(env, synthetic_mirror, second):
    two_mirrors(env, synthetic_mirror, second)
    synthetic_mirror.set_fault(SMALL, "wrong_bytes")
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert f"goswitch: {synthetic_mirror.url(SMALL)}: sha256 mismatch: expected " in r.stderr
    assert f"; trying the next mirror: {second.url(SMALL)}\n" in r.stderr
    assert installed_ok(env, "1.21.0")


def test_sha256_comes_from_the_index_not_the_mirror(env, synthetic_mirror_content, tmp_path):
    """A mirror serving other bytes *and* a matching .sha256 sidecar is still caught."""
    import shutil

    evil = tmp_path / "evil"
    shutil.copytree(synthetic_mirror_content.root, evil)
    target = evil / "dl" / SMALL
    other = bytearray(target.read_bytes())
    other[len(other) // 2] ^= 0x01  # same size, other bytes
    target.unlink()  # it may be a hard link into the shared mirror
    target.write_bytes(other)
    import hashlib

    (evil / "dl" / (SMALL + ".sha256")).write_text(hashlib.sha256(other).hexdigest())
    with MirrorServer(synthetic_mirror_content) as idx_srv, MirrorServer(evil) as evil_srv:
        env["GOSWITCH_INDEX_URL"] = idx_srv.index_url
        env["GOSWITCH_MIRRORS"] = evil_srv.base_url
        env["GOSWITCH_VERIFY_SIGNATURE"] = "0"
        r = gs(env, "install", "1.21.0")
        assert evil_srv.count(SMALL + ".sha256") == 0  # never even asked
    assert r.returncode == 4 and "sha256 mismatch" in r.stderr
    assert_nothing_installed(env, "1.21.0")


def test_stall_is_bounded_by_the_timeout_and_resumed(big_env, big_mirror):
    big_env["GOSWITCH_TIMEOUT"] = "1"
    big_mirror.set_fault(BIG_FILE, "slow", times=1, stall=30, after=800_000)
    t0 = time.monotonic()
    r = gs(big_env, "install", BIG_VERSION)
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert "timed out" in r.stderr
    assert took < 15
    gets = big_mirror.requests(BIG_FILE, "GET")
    assert gets[-1].range is not None and gets[-1].status == 206


def test_a_server_that_never_delivers_fails_in_bounded_time(big_env, big_mirror):
    big_env["GOSWITCH_TIMEOUT"] = "1"
    big_mirror.set_fault(BIG_FILE, "slow", stall=60, after=100_000)
    t0 = time.monotonic()
    r = gs(big_env, "install", BIG_VERSION)
    took = time.monotonic() - t0
    assert r.returncode == 5 and "timed out" in r.stderr
    assert took < 15  # 2 attempts x 1 s timeout + backoff + start-up, not 60 s
    assert_nothing_installed(big_env, BIG_VERSION)


def test_a_trickling_server_counts_as_stalled(big_env, big_mirror):
    """Bytes keep coming (no read ever times out) but far too slowly: low-speed limit."""
    big_env["GOSWITCH_TIMEOUT"] = "1"
    big_env["GOSWITCH_RETRIES"] = "1"
    big_mirror.set_fault(BIG_FILE, "slow", rate=500)
    t0 = time.monotonic()
    r = gs(big_env, "install", BIG_VERSION)
    assert r.returncode == 5 and "stalled" in r.stderr, r.stderr
    assert time.monotonic() - t0 < 15


def test_a_trickle_in_big_pieces_is_judged_by_its_rate(big_env, big_mirror):
    """512 bytes every 1.5 s: each read arrives within the timeout and a window holds
    1 KiB, yet the rate (341 B/s) is under the floor of 1 KiB per 2 s."""
    big_env["GOSWITCH_TIMEOUT"] = "2"
    big_env["GOSWITCH_RETRIES"] = "1"
    big_mirror.set_fault(BIG_FILE, "slow", rate=341, step=512)
    t0 = time.monotonic()
    r = gs(big_env, "install", BIG_VERSION)
    assert r.returncode == 5 and "stalled" in r.stderr, r.stderr
    assert time.monotonic() - t0 < 20


def test_a_mirror_too_slow_to_finish_gives_way_to_the_next(
    big_env, big_mirror, big_mirror_content
):
    """Not stalled, just hopeless (a throttled mirror): once the rest would take more
    than 60 timeouts, the next mirror resumes the part (the last mirror is never left)."""
    with MirrorServer(big_mirror_content) as other:
        two_mirrors(big_env, big_mirror, other)
        big_env["GOSWITCH_TIMEOUT"] = "1"
        big_mirror.set_fault(BIG_FILE, "slow", rate=20_000)  # well above the stall floor
        r = gs(big_env, "install", BIG_VERSION)
        assert r.returncode == 0, r.stderr
        assert "too slow (" in r.stderr and "trying the next mirror" in r.stderr
        resumed = other.requests(BIG_FILE, "GET")[0].range
        assert resumed is not None and resumed.startswith("bytes=")  # the part is kept
    assert installed_ok(big_env, BIG_VERSION)


def test_attempts_that_move_forward_do_not_use_up_the_retries(big_env, big_mirror):
    """A link that drops every 1.8 MB: two connections for 3.3 MB, and one attempt allowed."""
    big_env["GOSWITCH_RETRIES"] = "1"
    big_mirror.set_fault(BIG_FILE, "truncate", after=1_800_000)
    r = gs(big_env, "install", BIG_VERSION)
    assert r.returncode == 0, r.stderr
    assert "resuming at byte 1800000" in r.stderr
    assert len(big_mirror.requests(BIG_FILE, "GET")) >= 2
    assert installed_ok(big_env, BIG_VERSION)


def test_connection_reset_is_retried(big_env, big_mirror):
    big_mirror.set_fault(BIG_FILE, "reset", times=1, after=300_000)
    r = gs(big_env, "install", BIG_VERSION)
    assert r.returncode == 0, r.stderr
    assert "connection reset" in r.stderr or "closed early" in r.stderr
    assert installed_ok(big_env, BIG_VERSION)


def test_redirects_are_followed(env, synthetic_mirror, second):
    synthetic_mirror.set_fault(SMALL, "redirect", to=second.url(SMALL))
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert second.count(SMALL) == 1


def test_a_redirect_loop_is_one_line_and_not_retried(env, synthetic_mirror):
    synthetic_mirror.set_fault(SMALL, "redirect", to=synthetic_mirror.url(SMALL))
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 5
    assert "redirect loop or bad redirect (HTTP 302)" in r.stderr
    assert "retrying" not in r.stderr and r.stderr.count("\n") <= 3, r.stderr


# ---- disk full ------------------------------------------------------------------------


@pytest.fixture
def small_tmpfs(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
                       capture_output=True, text=True)  # fmt: skip
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.parametrize("where", ["store", "cache"])
def test_disk_full_on_a_small_tmpfs(big_env, small_tmpfs, where):
    if where == "store":
        big_env["GOSWITCH_HOME"] = str(small_tmpfs / "home")
    else:
        big_env["GOSWITCH_CACHE_DIR"] = str(small_tmpfs / "cache")
    r = gs(big_env, "install", BIG_VERSION)
    assert r.returncode == 1, r.stderr
    assert "disk full" in r.stderr and "free space" in r.stderr
    assert_nothing_installed(big_env, BIG_VERSION)


@pytest.mark.parametrize("stage", ["download", "extract"])
def test_injected_write_error(big_env, monkeypatch, stage):
    """Disk full wherever the test runs: the write fails after some bytes."""
    written = {"n": 0}

    def failing(real):
        def write(fd, data, *args):
            written["n"] += len(data)
            if written["n"] > 1_000_000:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(fd, data, *args)

        return write

    if stage == "download":
        monkeypatch.setattr(dl_mod, "_pwrite", failing(os.pwrite))
    else:
        monkeypatch.setattr(ex_mod, "_write", failing(os.write))
    with pytest.raises(GoswitchError, match="disk full") as err:
        install(BIG_VERSION, settings_mod.load(big_env), big_env)
    assert err.value.exit_code == 1
    assert_nothing_installed(big_env, BIG_VERSION)


# ---- Ctrl-C ---------------------------------------------------------------------------


@pytest.mark.parametrize("sig, code, said", [
    (signal.SIGINT, 130, "interrupted"),  # Ctrl-C
    (signal.SIGTERM, 143, "terminated"),  # a CI timeout, an IDE stopping a task
])
def test_a_stopped_install_leaves_nothing_half_installed_and_the_next_run_resumes(
    big_env, big_mirror, sig, code, said
):
    big_mirror.set_fault(BIG_FILE, "slow", rate=1_000_000)
    part = Path(big_env["GOSWITCH_CACHE_DIR"]) / "downloads" / (BIG_FILE + ".part")
    proc = spawn(big_env, "install", BIG_VERSION)
    try:
        wait_for(lambda: part.exists() and part.stat().st_size > 400_000, timeout=30)
        assert leftovers(versions(big_env))  # extraction is under way in a temp dir
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert said in err
    assert_nothing_installed(big_env, BIG_VERSION)
    kept = part.stat().st_size
    assert kept > 400_000  # the partial download stays for the next run
    big_mirror.clear_faults()
    r = gs(big_env, "install", BIG_VERSION)
    assert r.returncode == 0, r.stderr
    assert big_mirror.requests(BIG_FILE, "GET")[-1].range == f"bytes={kept}-"
    assert installed_ok(big_env, BIG_VERSION)
