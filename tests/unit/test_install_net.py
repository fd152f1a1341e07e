"""Download plumbing without a network: proxies, URLs, retry/failover policy, the growing
file the extractor reads, and the progress output (issue 4, point 3)."""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import threading
import time
import urllib.error

import pytest

from goswitch.errors import NetworkError, NotFoundError
from goswitch.install import download as dl
from goswitch.install.progress import Reporter, StderrReporter
from goswitch.install.stream import Aborted, GrowingFile, Restarted


@pytest.mark.parametrize(
    "url, env, want",
    [
        ("http://m.example/dl/x", {"http_proxy": "http://p:3128"}, {"http": "http://p:3128"}),
        ("http://m.example/dl/x", {"HTTP_PROXY": "p:3128"}, {"http": "http://p:3128"}),
        ("https://m.example/x", {"HTTPS_PROXY": "http://p:8080"}, {"https": "http://p:8080"}),
        ("https://m.example/x", {"http_proxy": "http://p:1"}, {}),  # only https_proxy counts
        ("https://m.example/x", {"all_proxy": "http://p:2"}, {"https": "http://p:2"}),
        ("https://m.example/x", {"https_proxy": "http://p", "no_proxy": "example"}, {}),
        ("https://m.example/x", {"https_proxy": "http://p", "NO_PROXY": ".example"}, {}),
        ("https://m.example/x", {"https_proxy": "http://p", "no_proxy": "*"}, {}),
        ("https://m.example/x", {"https_proxy": "http://p", "no_proxy": "other.org"},
         {"https": "http://p"}),
        ("http://127.0.0.1:8080/x", {"http_proxy": "http://p", "no_proxy": "127.0.0.1"}, {}),
        ("file:///srv/go/x", {"http_proxy": "http://p"}, {}),
        # networks, as Go and curl read them, for IP-literal hosts
        ("http://127.0.0.1:8080/x", {"http_proxy": "http://p", "no_proxy": "127.0.0.0/8"}, {}),
        ("https://10.1.2.3/x", {"https_proxy": "http://p", "NO_PROXY": "example.org, 10.0.0.0/8"},
         {}),
        ("https://10.1.2.3/x", {"https_proxy": "http://p", "no_proxy": "192.168.0.0/16"},
         {"https": "http://p"}),
        ("http://[::1]:8080/x", {"http_proxy": "http://p", "no_proxy": "::1/128"}, {}),
        ("http://[fd00::5]/x", {"http_proxy": "http://p", "no_proxy": "[fd00::/8]"}, {}),
        ("http://[::1]:8080/x", {"http_proxy": "http://p", "no_proxy": "127.0.0.0/8"},
         {"http": "http://p"}),
        ("http://m.example/x", {"http_proxy": "http://p", "no_proxy": "10.0.0.0/8"},
         {"http": "http://p"}),  # a name is not resolved to match a network
    ],
)  # fmt: skip
def test_proxies_for(url, env, want):
    assert dl.proxy_for(url, env)[0] == want


@pytest.mark.parametrize("env, var", [
    ({"https_proxy": "http://p:1"}, "https_proxy"),
    ({"HTTPS_PROXY": "http://p:1"}, "HTTPS_PROXY"),
    ({"https_proxy": "http://p:1", "HTTPS_PROXY": "http://q:1"}, "https_proxy"),
    ({"https_proxy": " ", "HTTPS_PROXY": "http://q:1"}, "HTTPS_PROXY"),
    ({"all_proxy": "http://p:1"}, "all_proxy"),
    ({"ALL_PROXY": "http://p:1"}, "ALL_PROXY"),
])  # fmt: skip
def test_the_proxy_variable_is_named_as_the_user_spelt_it(env, var):
    assert dl.proxy_for("https://m.example/x", env)[1] == var


def test_redact_and_join():
    assert dl.redact("https://u:secret@m.example/dl/") == "https://***@m.example/dl/"
    assert dl.redact("https://m.example/dl/") == "https://m.example/dl/"
    signed = "https://cdn.example/go/x.tgz?X-Amz-Credential=AK%2F1&X-Amz-Signature=ab12&n=1"
    assert dl.redact(signed) == (
        "https://cdn.example/go/x.tgz?X-Amz-Credential=***&X-Amz-Signature=***&n=1")
    assert dl.redact("mirror https://m.example/g/?token=SECRET: HTTP 403") == (
        "mirror https://m.example/g/?token=***: HTTP 403")
    index = "https://go.dev/dl/?mode=json&include=all"
    assert dl.redact(index) == index
    assert dl.join_url("https://go.dev/dl/", "f.tgz") == "https://go.dev/dl/f.tgz"
    assert dl.join_url("https://mirrors.aliyun.com/golang", "f.tgz").endswith("golang/f.tgz")
    assert dl.join_url("/srv/mirror", "f.tgz") == "/srv/mirror/f.tgz"
    assert dl.join_url("file:///srv/mirror/", "f.tgz") == "file:///srv/mirror/f.tgz"
    # signed-URL mirrors: the name goes into the path, the query stays, a fragment goes
    assert dl.join_url("https://m.example/golang/?token=abc", "f.tgz") == (
        "https://m.example/golang/f.tgz?token=abc")
    assert dl.join_url("https://m.example/golang?token=abc#top", "f.tgz.asc") == (
        "https://m.example/golang/f.tgz.asc?token=abc")
    assert dl.join_url("https://m.example/golang/#x", "f.tgz") == "https://m.example/golang/f.tgz"


def test_content_range():
    assert dl._content_range("bytes 100-199/200") == (100, 199, 200)
    assert dl._content_range("bytes 100-199/*") == (100, 199, None)
    assert dl._content_range("garbage") is None
    assert dl._content_range(None) is None


def _http_error(code, headers=None):
    return urllib.error.HTTPError("http://x", code, "msg", headers or {}, io.BytesIO())


@pytest.mark.parametrize(
    "exc, kind",
    [
        (_http_error(404), dl.Permanent),
        (_http_error(403), dl.Permanent),
        (_http_error(500), dl.Transient),
        (_http_error(503), dl.Transient),
        (_http_error(429), dl.Transient),
        (socket.timeout("timed out"), dl.Transient),
        (ConnectionResetError(), dl.Transient),
        (http.client.RemoteDisconnected("x"), dl.Transient),
        (http.client.IncompleteRead(b"", 5), dl.Transient),
        (socket.gaierror(-2, "Name or service not known"), dl.Permanent),
        (urllib.error.URLError(ConnectionRefusedError()), dl.Transient),
    ],
)
def test_classify(exc, kind):
    assert isinstance(dl._classify(exc), kind)


def _cert_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    exc = ssl.SSLCertVerificationError(1, f"certificate verify failed: {message}")
    exc.verify_code, exc.verify_message = code, message
    return exc


@pytest.mark.parametrize("code, message, unknown_ca", [
    (20, "unable to get local issuer certificate", True),   # intercepting proxy, private CA
    (19, "self-signed certificate in certificate chain", True),
    (62, "Hostname mismatch, certificate is not valid for 'x'", False),  # another CA won't help
    (10, "certificate has expired", False),
])
def test_untrusted_certificate_is_permanent_and_says_whether_a_ca_bundle_helps(
        code, message, unknown_ca):
    got = dl._classify(urllib.error.URLError(_cert_error(code, message)))
    assert isinstance(got, dl.Permanent) and message in str(got)
    assert got.unknown_ca is unknown_ca
    opts = dl.NetOptions(retries=3, environ={}, sleep=lambda s: None)

    def attempt(url):
        raise got

    with pytest.raises(NetworkError) as err:
        dl.failover(["https://m/x"], opts, "x.tgz", attempt)
    assert ("SSL_CERT_FILE" in err.value.fix) is unknown_ca
    assert "tried" not in err.value.fix  # a certificate does not change on retry


def test_retry_after_in_seconds_or_as_an_http_date():
    import email.utils

    e = dl._classify(_http_error(503, {"Retry-After": "7"}))
    assert e.retry_after == 7.0
    now = 1_700_000_000
    date = email.utils.formatdate(now + 42, usegmt=True)  # "Tue, 14 Nov 2023 22:14:02 GMT"
    assert dl._retry_after({"Retry-After": date}, now=now) == 42.0
    assert dl._retry_after({"Retry-After": date}, now=now + 100) == 0.0  # in the past
    assert dl._retry_after({"Retry-After": "soon"}) is None
    assert dl._retry_after({}) is None


@pytest.mark.parametrize("timeout, asked, waited", [
    (30, 7, [7.0]),      # honoured
    (30, 999, []),       # longer than 30 s: the next mirror at once
    (10, 20, []),        # at the prompt (timeout 10) 20 s is too long already
])  # fmt: skip
def test_a_retry_after_longer_than_goswitch_waits_moves_to_the_next_mirror(
        timeout, asked, waited):
    sleeps, said = [], []
    opts = dl.NetOptions(timeout=timeout, retries=3, environ={}, sleep=sleeps.append)
    calls = []

    def attempt(url):
        calls.append(url)
        if url == "a" and len(calls) == 1:
            raise dl.Transient("HTTP 503 Service Unavailable", retry_after=asked)
        return "ok from " + url

    got = dl.failover(["a", "b"], opts, "f", attempt, notify=said.append)
    assert sleeps == waited
    if waited:
        assert got == "ok from a"
        assert said == [f"a: HTTP 503 Service Unavailable; retrying (2/3) in {asked} s "
                        "(the server's Retry-After)"]
    else:
        assert got == "ok from b" and calls == ["a", "b"]
        assert said == [f"a: HTTP 503 Service Unavailable (its Retry-After asks for {asked} s, "
                        f"longer than goswitch waits: {timeout} s); trying the next mirror: b"]


def test_failover_retries_transient_then_moves_on_and_reports_each_mirror():
    sleeps = []
    opts = dl.NetOptions(retries=3, environ={}, sleep=sleeps.append)
    calls = []

    def attempt(url):
        calls.append(url)
        if url == "a":
            raise dl.Transient("HTTP 500")
        if url == "b":
            raise dl.Permanent("HTTP 404", missing=True)
        return "ok from " + url

    assert dl.failover(["a", "b", "c"], opts, "f", attempt) == "ok from c"
    assert calls == ["a", "a", "a", "b", "c"]
    assert len(sleeps) == 2 and 0.1 < sleeps[0] <= 0.5 and 0.25 < sleeps[1] <= 1.0  # backoff


def test_failover_all_404_is_not_found_else_network_error():
    opts = dl.NetOptions(retries=2, environ={}, sleep=lambda s: None)

    def missing(url):
        raise dl.Permanent("HTTP 404", missing=True)

    with pytest.raises(NotFoundError, match="not found on any mirror"):
        dl.failover(["a", "b"], opts, "file.tgz", missing)

    def broken(url):
        raise dl.Transient("timed out") if url == "a" else dl.Permanent("HTTP 404", missing=True)

    with pytest.raises(NetworkError) as err:
        dl.failover(["a", "b"], opts, "file.tgz", broken)
    assert "a: timed out" in err.value.why and "b: HTTP 404" in err.value.why
    assert err.value.fix.startswith("check your network and ")  # no proxy is set


def test_failover_advice_names_the_proxy_variable_in_use_as_spelt():
    opts = dl.NetOptions(retries=1, environ={"http_proxy": "http://127.0.0.1:9"},
                         sleep=lambda s: None)

    def refused(url):
        raise dl.Transient("connection refused")

    with pytest.raises(NetworkError) as err:
        dl.failover(["http://m1.example/go.tgz"], opts, "go.tgz", refused)
    assert err.value.fix.startswith("check your network, the proxy in http_proxy, and ")
    assert "HTTPS_PROXY" not in err.value.fix


def test_failover_says_each_repeated_failure_once_with_its_count():
    opts = dl.NetOptions(retries=3, environ={}, sleep=lambda s: None)
    a, b = "https://m1.example/dl/go.tgz", "https://m2.example/dl/go.tgz"

    def refused(url):
        raise dl.Transient("connection refused")

    with pytest.raises(NetworkError) as err:
        dl.failover([a, b], opts, "go.tgz", refused)
    refusals = [f"{url}: connection refused (3 attempts)" for url in (a, b)]
    assert err.value.why == "; ".join(refusals)
    assert err.value.fix.endswith(
        "goswitch tries each mirror up to 3 times (retries / GOSWITCH_RETRIES)")

    def missing(url):
        raise dl.Permanent("HTTP 404", missing=True)

    with pytest.raises(NotFoundError) as err:  # one mirror: not "any mirror"
        dl.failover([a], opts, "go.tgz", missing)
    assert err.value.why == f"not found ({a}: HTTP 404)"
    with pytest.raises(NetworkError) as err:  # the index: its URL is in `what` already
        dl.failover([a], dl.NetOptions(retries=1, environ={}, sleep=lambda s: None),
                    f"release index {a}", refused)
    assert err.value.why == "connection refused"
    assert err.value.fix.endswith("goswitch tried once (retries / GOSWITCH_RETRIES)")


def test_growing_file_reader_follows_the_writer(tmp_path):
    path = tmp_path / "p"
    path.write_bytes(b"")
    g = GrowingFile(str(path))
    out = []

    def reader():
        with g.reader() as r:
            while True:
                b = r.read(3)
                if not b:
                    return
                out.append(b)

    t = threading.Thread(target=reader)
    t.start()
    with open(path, "ab") as f:
        for piece in (b"hello", b" ", b"world"):
            f.write(piece)
            f.flush()
            g.advanced(f.tell())
    g.finish(11)
    t.join(5)
    assert b"".join(out) == b"hello world"


@pytest.mark.parametrize("how, exc", [("abort", Aborted), ("reset", Restarted)])
def test_growing_file_abort_and_reset_wake_the_reader(tmp_path, how, exc):
    path = tmp_path / "p"
    path.write_bytes(b"")
    g = GrowingFile(str(path))
    r = g.reader()
    got = []
    t = threading.Thread(target=lambda: got.append(pytest.raises(exc, r.read, 10)))
    t.start()
    getattr(g, how)()
    t.join(5)
    assert not t.is_alive() and got
    r.close()


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_tty():
    plain = io.StringIO()
    rep = StderrReporter(plain)
    rep.message("installing Go 1.22.10")
    rep.start("go.tgz", 1000)
    rep.update(500)
    rep.done()
    assert plain.getvalue() == "goswitch: installing Go 1.22.10\n"
    tty = FakeTTY()
    rep = StderrReporter(tty)
    rep.start("go.tgz", 2_000_000)
    rep.update(1_000_000)
    rep.message("retrying")
    rep.done()
    text = tty.getvalue()
    assert "\r" in text and "50%" in text and "100%" not in text and "goswitch: retrying\n" in text
    assert text.endswith("\n")
    Reporter().message("silent")  # the API default says nothing


def test_progress_lines_escape_what_a_mirror_sent():
    """An HTTP reason or an index file name holding escapes must not drive the terminal."""
    tty = FakeTTY()
    rep = StderrReporter(tty)
    rep.start("go1.24.1\x1b]0;PWNED\x07.tgz", 2_000_000)
    rep.message("http://m/x: HTTP 503 \x1b[2J\x9bFake OK; retrying (2/3)")
    rep.done()
    text = tty.getvalue()
    assert "\x1b[2J" not in text and "\x9b" not in text and "\x07" not in text
    assert "HTTP 503 \\x1b[2J\\x9bFake OK" in text and "\\x1b]0;PWNED\\x07" in text


def test_without_a_bar_a_long_download_logs_a_line_now_and_then():
    log = io.StringIO()
    rep = StderrReporter(log)
    rep.log_interval = 0.05
    rep.start("go1.22.10.linux-amd64.tar.gz", 66_000_000)
    rep.update(1_000)  # too soon for a line
    time.sleep(0.06)
    rep.update(33_000_000)
    rep.done()
    lines = log.getvalue().splitlines()
    assert len(lines) == 1 and "\r" not in log.getvalue()
    assert lines[0].startswith("goswitch: go1.22.10.linux-amd64.tar.gz: 33.0 MB of 66.0 MB (")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_logged_rate_is_the_current_connections():
    """After a mirror switch the rate is the new mirror's, not diluted by the old one's
    stall; after a restart from byte 0 it is not '0 kB/s' until the old count is passed."""
    clock, log = Clock(), io.StringIO()
    rep = StderrReporter(log, clock=clock)
    rep.start("go.tgz", 100_000_000, 0)
    clock.now += 1
    rep.update(10_000_000)  # the first mirror, then it stalls for a minute
    clock.now += 60
    rep.resume(10_000_000)  # the next mirror continues
    clock.now += 10
    rep.update(60_000_000)
    assert log.getvalue().splitlines()[-1].endswith("60.0 MB of 100.0 MB (5.0 MB/s)")
    rep.start("go.tgz", 100_000_000, 60_000_000)  # a kept part of 60 MB ...
    clock.now += 1
    rep.update(0)  # ... which the mirror cannot resume: from byte 0
    clock.now += 10
    rep.update(30_000_000)
    assert log.getvalue().splitlines()[-1].endswith("30.0 MB of 100.0 MB (3.0 MB/s)")


def test_a_failed_download_ends_the_bar_line_before_the_error(tmp_path):
    tty = FakeTTY()
    with pytest.raises(NotFoundError):
        dl.download([(tmp_path / "missing.tar.gz").as_uri()], str(tmp_path / "x.part"),
                    size=100, opts=dl.NetOptions(retries=1), what="go.tgz",
                    progress=StderrReporter(tty))
    assert "go.tgz" in tty.getvalue() and tty.getvalue().endswith("\n")
