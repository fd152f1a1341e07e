"""HTTP(S)_PROXY and NO_PROXY are honoured (issue 4, point 3), through a small forward proxy
on loopback: absolute-URI GETs for http:// mirrors, CONNECT tunnels for https:// ones.

The https:// tests run a TLS mirror on 127.0.0.1 whose certificate a throwaway CA signed
(``tests/support/tls.py``, real ``openssl``); goswitch trusts it through ``SSL_CERT_FILE``,
as a user behind a TLS-intercepting proxy or with a private mirror would.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.support.httpmirror import MirrorServer
from tests.support.tls import TLSFiles, make_tls
from tests.test_install_support import ForwardProxy, gs, versions

SMALL = "go1.21.0.linux-amd64.tar.gz"


def install_via_proxy(env, var: str, no_proxy: str | None = None) -> ForwardProxy:
    """``goswitch install 1.21.0`` (must succeed) with ``var`` (``http_proxy``,
    ``HTTPS_PROXY``, ...) set to a fresh ``ForwardProxy``; returns it, its log complete."""
    with ForwardProxy() as proxy:
        env[var] = proxy.url
        if no_proxy is not None:
            env["NO_PROXY"] = no_proxy
        r = gs(env, "install", "1.21.0")
        assert r.returncode == 0, r.stderr
    return proxy


def test_requests_go_through_the_proxy(isolated_env, synthetic_mirror):
    proxy = install_via_proxy(isolated_env.use_mirror(synthetic_mirror), "http_proxy")
    assert synthetic_mirror.index_url in proxy.log
    assert synthetic_mirror.url(SMALL) in proxy.log
    assert synthetic_mirror.count(SMALL) == 1  # forwarded


def test_no_proxy_bypasses_it(isolated_env, synthetic_mirror):
    env = isolated_env.use_mirror(synthetic_mirror)
    proxy = install_via_proxy(env, "HTTP_PROXY", no_proxy="localhost,127.0.0.1")
    assert proxy.log == []
    assert synthetic_mirror.count(SMALL) == 1


@pytest.mark.parametrize("no_proxy",
                         ["127.0.0.0/8", "10.0.0.0/8,127.0.0.1/32", "::1/128 127.0.0.0/8"])
def test_no_proxy_networks_bypass_it(isolated_env, synthetic_mirror, no_proxy):
    env = isolated_env.use_mirror(synthetic_mirror)
    proxy = install_via_proxy(env, "http_proxy", no_proxy=no_proxy)
    assert proxy.log == []
    assert synthetic_mirror.count(SMALL) == 1


def test_a_dead_proxy_is_a_network_error_naming_the_mirror(isolated_env, synthetic_mirror):
    env = isolated_env.use_mirror(synthetic_mirror)
    env["http_proxy"] = "http://127.0.0.1:9"
    env["GOSWITCH_RETRIES"] = "1"
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 5 and "release index" in r.stderr
    assert "through the proxy http://127.0.0.1:9 from http_proxy" in r.stderr  # as set
    assert synthetic_mirror.log == []


def test_a_socks_all_proxy_is_named_and_not_retried(isolated_env, synthetic_mirror):
    """Clash/v2ray export all_proxy=socks5://...; urllib cannot speak SOCKS: say so once."""
    env = isolated_env.use_mirror(synthetic_mirror)
    env["all_proxy"] = "socks5://127.0.0.1:1080"
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 5
    assert "all_proxy=socks5://127.0.0.1:1080 is a socks5 proxy" in r.stderr
    assert "HTTPS_PROXY" in r.stderr and "retrying" not in r.stderr
    env["HTTP_PROXY"] = ""  # an http(s)_proxy of its own wins over all_proxy
    with ForwardProxy() as proxy:
        env["HTTP_PROXY"] = proxy.url
        assert gs(env, "install", "1.21.0").returncode == 0


@pytest.mark.parametrize("var", ["http_proxy", "HTTP_PROXY"])
def test_a_proxy_wanting_credentials_is_not_retried_and_says_where_they_go(
        isolated_env, synthetic_mirror, var):
    env = isolated_env.use_mirror(synthetic_mirror)
    env["GOSWITCH_RETRIES"] = "3"
    with ForwardProxy(auth=("bob", "pa@ss")) as proxy:
        env[var] = proxy.url
        r = gs(env, "install", "1.21.0")
        assert r.returncode == 5, r.stderr
        assert len(proxy.log) == 1 and "retrying" not in r.stderr  # a 407 is not transient
        assert (f"the proxy {proxy.url} from {var} wants a user and password (HTTP 407): "
                f"set {var}=http://user:password@127.0.0.1:{proxy.port}") in r.stderr
        env[var] = proxy.url.replace("://", "://bob:wrong@")
        r = gs(env, "install", "1.21.0")
        assert r.returncode == 5 and len(proxy.log) == 2, r.stderr
        assert f"from {var} refused the user and password in {var}" in r.stderr
        assert "wrong" not in r.stderr
        env[var] = proxy.url.replace("://", "://bob:pa%40ss@")
        r = gs(env, "install", "1.21.0")
        assert r.returncode == 0, r.stderr
    assert synthetic_mirror.count(SMALL) == 1


def test_user_and_password_in_a_mirror_url_are_sent_as_basic_auth(isolated_env, tmp_path):
    """Artifactory/Nexus mirrors: https://user:pass@host/...; a redirect elsewhere gets none."""
    from tests.test_install_support import build_custom_mirror, small_release

    rel = small_release("go1.18.10")
    root = build_custom_mirror(tmp_path / "m", None, [rel])
    with MirrorServer(root) as private, MirrorServer(root) as cdn:
        env = isolated_env.use_mirror(private)
        base = private.base_url.replace("http://", "http://alice:s%40cret@")
        env["GOSWITCH_INDEX_URL"] = base + "?mode=json&include=all"
        env["GOSWITCH_MIRRORS"] = base
        private.set_fault(rel.filename, "redirect", to=cdn.url(rel.filename))
        r = gs(env, "install", "1.18.10")
        assert r.returncode == 0, r.stderr
        want = "Basic " + base64.b64encode(b"alice:s@cret").decode()
        sent = [q.headers.get("authorization") for q in private.log]  # index, archive, .asc
        assert len(sent) >= 2 and set(sent) == {want}
        assert [q.headers.get("authorization") for q in cdn.log] == [None]
        assert "cret" not in r.stderr
        # The cached index is keyed by its URL, password included: readable by us only.
        cached = Path(env["GOSWITCH_CACHE_DIR"]) / "index.json"
        assert cached.stat().st_mode & 0o777 == 0o600


def test_basic_auth_survives_a_redirect_within_the_same_host(isolated_env, tmp_path):
    """Artifactory/Nexus redirect inside their own host, then want the credentials again."""
    from tests.test_install_support import build_custom_mirror, small_release

    rel = small_release("go1.18.10")
    root = build_custom_mirror(tmp_path / "m", None, [rel])
    with MirrorServer(root) as private:
        env = isolated_env.use_mirror(private)
        env["GOSWITCH_VERIFY_SIGNATURE"] = "0"
        base = private.base_url.replace("http://", "http://alice:s%40cret@")
        env["GOSWITCH_INDEX_URL"] = base + "?mode=json&include=all"
        env["GOSWITCH_MIRRORS"] = base
        for target in ("/dl/", rel.filename):
            private.set_fault(target, "auth", user="alice", password="s@cret", redirect_once=True)
        r = gs(env, "install", "1.18.10")
        assert r.returncode == 0, r.stderr
        assert [q.status for q in private.log] == [302, 200, 302, 200]
        assert "cret" not in r.stderr


def test_a_401_says_what_to_do_about_credentials(isolated_env, synthetic_mirror):
    env = isolated_env.use_mirror(synthetic_mirror)
    synthetic_mirror.set_fault("/dl/", "auth", user="alice", password="right")
    r = gs(env, "list-remote")
    assert r.returncode == 5, r.stderr
    assert ("HTTP 401 Unauthorized (the server wants a user and password: put them in the "
            "URL, https://user:password@host/...") in r.stderr
    env["GOSWITCH_INDEX_URL"] = synthetic_mirror.index_url.replace("://", "://alice:wrong@")
    r = gs(env, "list-remote")
    assert r.returncode == 5, r.stderr
    assert "HTTP 401 Unauthorized (the user and password in the URL were refused" in r.stderr
    assert "wrong" not in r.stderr


# ---- https:// end to end: a TLS mirror on 127.0.0.1 signed by a throwaway CA ----------


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> TLSFiles:
    """A CA, a certificate for IP 127.0.0.1 signed by it, and an unrelated CA (openssl)."""
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_mirror(synthetic_mirror_content, tls_files):
    """``synthetic_mirror_content`` served over TLS: ``https://127.0.0.1:PORT/dl/``."""
    with MirrorServer(synthetic_mirror_content, tls=tls_files.server) as server:
        yield server


@pytest.fixture
def https_env(isolated_env, https_mirror, tls_files):
    """Installs from ``https_mirror``, trusting the test CA (and only it)."""
    env = isolated_env.use_mirror(https_mirror)
    env["SSL_CERT_FILE"] = str(tls_files.ca)
    env["SSL_CERT_DIR"] = str(isolated_env.root / "no-ca-dir")  # not the system's
    return env


def installed(env, version: str) -> bool:
    return (versions(env) / version / "bin" / "go").is_file()


def test_https_mirror_trusted_through_ssl_cert_file(https_env, https_mirror):
    assert https_mirror.index_url.startswith("https://127.0.0.1:")
    r = gs(https_env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert installed(https_env, "1.21.0")
    assert https_mirror.count(SMALL) == 1


def test_untrusted_https_certificate_names_the_url_and_ssl_cert_file(
    https_env, https_mirror, tls_files
):
    https_env["SSL_CERT_FILE"] = str(tls_files.other_ca)  # a trust store without our CA
    r = gs(https_env, "install", "1.21.0")
    assert r.returncode == 5, r.stderr
    assert f"{https_mirror.index_url}: TLS certificate not trusted" in r.stderr
    assert (
        "behind a corporate TLS-intercepting proxy or for a mirror with a private CA, "
        "set SSL_CERT_FILE to a PEM bundle that includes that CA's certificate" in r.stderr
    )
    assert "retried" not in r.stderr  # not retried: another try cannot change the answer
    assert https_mirror.log == []  # the handshake failed: no request was ever sent
    assert not installed(https_env, "1.21.0")


def test_https_goes_through_the_proxy_as_a_connect_tunnel(https_env, https_mirror):
    assert "NO_PROXY" not in https_env and "no_proxy" not in https_env
    proxy = install_via_proxy(https_env, "HTTPS_PROXY")
    assert f"CONNECT 127.0.0.1:{https_mirror.port}" in proxy.log
    assert all(line.startswith("CONNECT ") for line in proxy.log)  # never a plain GET
    assert https_mirror.count(SMALL) == 1
    assert installed(https_env, "1.21.0")


def test_no_proxy_bypasses_the_https_proxy(https_env, https_mirror):
    proxy = install_via_proxy(https_env, "HTTPS_PROXY", no_proxy="127.0.0.1")
    assert proxy.log == []
    assert https_mirror.count(SMALL) == 1


def test_a_tunnel_refused_with_407_is_not_retried_and_names_the_variable(
        https_env, https_mirror):
    https_env["GOSWITCH_RETRIES"] = "3"
    with ForwardProxy(auth=("bob", "secret")) as proxy:
        https_env["https_proxy"] = proxy.url
        r = gs(https_env, "install", "1.21.0")
        assert r.returncode == 5, r.stderr
        assert proxy.log == [f"CONNECT 127.0.0.1:{https_mirror.port}"]
        assert (f"the proxy {proxy.url} from https_proxy wants a user and password "
                f"(HTTP 407): set https_proxy=http://user:password@127.0.0.1:{proxy.port}"
                ) in r.stderr
        https_env["https_proxy"] = proxy.url.replace("://", "://bob:secret@")
        r = gs(https_env, "install", "1.21.0")
        assert r.returncode == 0, r.stderr
    assert https_mirror.count(SMALL) == 1


def test_truncated_https_download_resumes_through_the_tunnel(https_env, https_mirror):
    https_env["GOSWITCH_RETRIES"] = "2"
    size = (https_mirror.root / "dl" / SMALL).stat().st_size
    https_mirror.set_fault(SMALL, "truncate", times=1, after=size // 2)
    proxy = install_via_proxy(https_env, "HTTPS_PROXY")
    gets = https_mirror.requests(SMALL, "GET")
    assert [q.status for q in gets] == [200, 206]
    assert gets[1].range == f"bytes={size // 2}-"
    # one tunnel per request (index, archive twice, signature), none bypassed
    assert proxy.log == [f"CONNECT 127.0.0.1:{https_mirror.port}"] * len(https_mirror.log)
    assert installed(https_env, "1.21.0")


def test_downloads_from_the_default_mirror_that_fail_suggest_the_china_mirror(
    isolated_env, synthetic_mirror
):
    """An index from golang.google.cn (here: the local mirror) and the default mirror left
    as go.dev: go.dev is never contacted, the proxy in front of it is dead."""
    env = isolated_env.use_mirror(synthetic_mirror)
    del env["GOSWITCH_MIRRORS"]
    env["https_proxy"] = "http://127.0.0.1:9"
    env["GOSWITCH_RETRIES"] = "1"
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 5
    assert "https://go.dev/dl/go1.21.0.linux-amd64.tar.gz" in r.stderr
    assert "goswitch config set mirrors https://golang.google.cn/dl/" in r.stderr
