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
    # Those that waited for the install are told it is done, not left hanging.
    told = sum(f"Go {BIG_VERSION} was installed meanwhile" in err for _, _, err in results)
    assert told == sum(f"installing Go {BIG_VERSION}..." in err for _, _, err in results)
    assert told >= 1
    versions = Path(big_env["GOSWITCH_HOME"]) / "versions"
    assert sorted(p.name for p in versions.iterdir()) == [BIG_VERSION]
    assert tree_digest(versions / BIG_VERSION) == expected_digest(big_release[0])


def test_a_second_process_waiting_for_a_dead_index_says_so_and_does_not_wait_twice(
    isolated_env,
):
    """Two shells cd into a project at once, the index never answers: the second waits
    for the first's attempt (and says so), then gives up with it instead of trying again."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    env = dict(isolated_env)
    env.update(GOSWITCH_INDEX_URL=f"http://127.0.0.1:{silent.getsockname()[1]}/dl/?mode=json",
               GOSWITCH_TIMEOUT="3", GOSWITCH_RETRIES="1")
    try:
        first = spawn(env, "install", "1.22.10")
        time.sleep(0.5)
        second = spawn(env, "install", "1.22.10")
        _, err1 = first.communicate(timeout=60)
        _, err2 = second.communicate(timeout=60)
        silent.setblocking(False)
        connections = 0  # queued by the kernel, closed by the clients since
        while True:
            try:
                silent.accept()[0].close()
            except BlockingIOError:
                break
            connections += 1
    finally:
        silent.close()
    assert first.returncode == second.returncode == 5
    assert "timed out" in err1
    assert "waiting for another goswitch process fetching the release index" in err2
    assert "another goswitch process could not fetch it just now" in err2
    assert connections == 1  # one attempt in all, not one per process


def test_jobs_sharing_only_the_download_cache_do_not_mix_their_bytes(
    big_env, big_mirror, big_release
):
    """CI jobs with their own GOSWITCH_HOME but one GOSWITCH_CACHE_DIR (a CI cache): they
    do not share the per-version lock, and used to append to and resume each other's
    part file, failing with a sha256 mismatch blamed on the mirror."""
    import time

    big_mirror.set_fault(BIG_FILE, "slow", rate=2_000_000)
    homes = [Path(big_env["GOSWITCH_HOME"] + f"-job{i}") for i in range(6)]
    part = Path(big_env["GOSWITCH_CACHE_DIR"]) / "downloads" / (BIG_FILE + ".part")
    procs = []
    for home in homes:  # each starts while the one before is half-way
        procs.append(spawn({**big_env, "GOSWITCH_HOME": str(home)}, "install", BIG_VERSION))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (part.exists() and part.stat().st_size):
            time.sleep(0.02)
        time.sleep(0.3)
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, _, err in results:
        assert code == 0, err
        assert "mismatch" not in err
    for home in homes:
        assert tree_digest(home / "versions" / BIG_VERSION) == expected_digest(big_release[0])
    downloads = Path(big_env["GOSWITCH_CACHE_DIR"]) / "downloads"
    assert not list(downloads.glob("*.part"))  # the private parts are gone too
