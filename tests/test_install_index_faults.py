"""What servers do to the release index, over real HTTP on 127.0.0.1: captive-portal pages,
bodies cut short where HTTP cannot tell (close-delimited), and the cached index to fall
back on.  The archive's own faults are in ``test_install_faults.py``."""

from __future__ import annotations

import pytest

from tests.test_install_support import gs, mirror_env

PORTAL = "<!DOCTYPE html><html><body>Welcome! Please log in to use the Wi-Fi</body></html>"


@pytest.fixture
def env(isolated_env, synthetic_mirror):
    return mirror_env(isolated_env, synthetic_mirror, retries="2", timeout="5")


@pytest.fixture
def stale(env, synthetic_mirror):
    """``env`` with the index cached by a first run, and always stale from then on."""
    assert gs(env, "list-remote").returncode == 0
    env["GOSWITCH_INDEX_TTL"] = "0"
    synthetic_mirror.clear_log()
    return env


def index_gets(server) -> int:
    return server.count("/dl/")


def test_a_captive_portal_page_falls_back_to_the_cached_index(stale, synthetic_mirror):
    synthetic_mirror.set_fault("/dl/", "body", data=PORTAL)
    r = gs(stale, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert (f"warning: release index {synthetic_mirror.index_url}: sent an HTML page, not the "
            "JSON list of releases (a proxy's or Wi-Fi login page? '<!DOCTYPE html>") in r.stderr
    assert "using the cached index (0 h old)" in r.stderr
    assert "set index_url" not in r.stderr  # the URL is right: it gave the cached copy
    assert index_gets(synthetic_mirror) == 1  # a whole page: asking again changes nothing


def test_a_captive_portal_page_without_a_cache_says_what_came_and_both_fixes(
    env, synthetic_mirror
):
    synthetic_mirror.set_fault("/dl/", "body", data=PORTAL)
    r = gs(env, "list-remote")
    assert r.returncode == 5, r.stderr  # the network in the way, as for a cut transfer
    assert "sent an HTML page, not the JSON list of releases" in r.stderr
    assert "log in and try again; otherwise set index_url" in r.stderr


def test_a_refresh_asked_for_does_not_fall_back(stale, synthetic_mirror):
    synthetic_mirror.set_fault("/dl/", "body", data=PORTAL)
    r = gs(stale, "list-remote", "--refresh")
    assert r.returncode == 5 and "sent an HTML page" in r.stderr


@pytest.mark.parametrize("after", [0, 1000, 5000])
def test_an_index_cut_short_without_content_length_is_retried(env, synthetic_mirror, after):
    """A close-delimited transfer that breaks looks complete to HTTP: the JSON tells."""
    synthetic_mirror.set_fault("/dl/", "truncate", times=1, after=after, close_delimited=True)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert f"truncated body (the JSON ends early, after {after} bytes)" in r.stderr
    assert "retrying (2/2)" in r.stderr
    assert index_gets(synthetic_mirror) == 2


def test_an_index_always_cut_short_is_a_network_error(env, synthetic_mirror):
    synthetic_mirror.set_fault("/dl/", "truncate", after=3000, close_delimited=True)
    r = gs(env, "list-remote")
    assert r.returncode == 5, r.stderr
    assert "truncated body (the JSON ends early, after 3000 bytes) (2 attempts)" in r.stderr
    assert "set index_url" not in r.stderr
    assert index_gets(synthetic_mirror) == 2


def test_an_index_cut_short_falls_back_to_the_cached_index(stale, synthetic_mirror):
    synthetic_mirror.set_fault("/dl/", "truncate", after=3000, close_delimited=True)
    r = gs(stale, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert "truncated body (the JSON ends early" in r.stderr
    assert "using the cached index" in r.stderr
