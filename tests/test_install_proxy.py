"""HTTP(S)_PROXY and NO_PROXY are honoured (issue 4, point 3), through a small forward proxy
for http:// URLs on loopback."""

from __future__ import annotations

from tests.test_install_support import ForwardProxy, gs


def test_requests_go_through_the_proxy(isolated_env, synthetic_mirror):
    env = isolated_env.use_mirror(synthetic_mirror)
    with ForwardProxy() as proxy:
        env["http_proxy"] = proxy.url
        r = gs(env, "install", "1.21.0")
        assert r.returncode == 0, r.stderr
    assert synthetic_mirror.index_url in proxy.log
    assert synthetic_mirror.url("go1.21.0.linux-amd64.tar.gz") in proxy.log
    assert synthetic_mirror.count("go1.21.0.linux-amd64.tar.gz") == 1  # forwarded


def test_no_proxy_bypasses_it(isolated_env, synthetic_mirror):
    env = isolated_env.use_mirror(synthetic_mirror)
    with ForwardProxy() as proxy:
        env["HTTP_PROXY"] = proxy.url
        env["NO_PROXY"] = "localhost,127.0.0.1"
        r = gs(env, "install", "1.21.0")
        assert r.returncode == 0, r.stderr
    assert proxy.log == []
    assert synthetic_mirror.count("go1.21.0.linux-amd64.tar.gz") == 1


def test_a_dead_proxy_is_a_network_error_naming_the_mirror(isolated_env, synthetic_mirror):
    env = isolated_env.use_mirror(synthetic_mirror)
    env["http_proxy"] = "http://127.0.0.1:9"
    env["GOSWITCH_RETRIES"] = "1"
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 5 and "release index" in r.stderr
    assert synthetic_mirror.log == []
