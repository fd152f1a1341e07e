"""The mirror test infrastructure does what it claims, with real archives, gpg and sockets."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.archives import (
    REAL_VERSIONS,
    archive_sha256,
    build_archives,
    default_cache_dir,
    memoise_sha256,
    sha256_file,
)
from tests.support.gpgkey import make_key
from tests.support.httpmirror import MirrorServer, wait_for_port_file
from tests.support.mirror import Mirror
from tests.support.releases import SYNTHETIC_RELEASES, go_version_key

REPO = Path(__file__).resolve().parents[1]
RC1 = "go1.22rc1.linux-amd64.tar.gz"


def fetch(server: MirrorServer, name: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body) over a fresh HTTP/1.1 connection; body read to the end."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        path = name if name.startswith("/") else "/dl/" + name
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def extract(archive: Path, dest: Path) -> Path:
    """With GNU tar, as a user would (and 5x faster than tarfile on the 200 MB trees)."""
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(dest)], check=True)
    return dest / "go"


def go_env() -> dict:
    return {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "GOTOOLCHAIN": "local"}


# ---- real archives ----------------------------------------------------------------------


@pytest.mark.parametrize("version", REAL_VERSIONS)
def test_real_archive_runs_go_version(go_archives, tmp_path, version):
    goroot = extract(go_archives[version], tmp_path)
    out = subprocess.run(
        [str(goroot / "bin" / "go"), "version"], capture_output=True, text=True, env=go_env()
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"go version {version} linux/amd64"
    assert (goroot / "VERSION").read_text().splitlines()[0] == version


def test_real_archive_has_official_layout(go_archives):
    with tarfile.open(go_archives["go1.22.10"]) as tf:
        members = {m.name: m for m in tf.getmembers()}
    assert all(n == "go" or n.startswith("go/") for n in members)
    assert "go/__init__.py" not in members
    assert not any("dist-info" in n for n in members)
    assert all(m.uid == 0 and m.gid == 0 for m in members.values())
    assert members["go"].isdir()
    for tool in ("go/bin/go", "go/bin/gofmt", "go/pkg/tool/linux_amd64/compile"):
        assert members[tool].mode == 0o755, tool
    assert members["go/VERSION"].mode == 0o644
    assert members["go/src/make.bash"].mode == 0o755  # a #! script keeps its exec bit
    # ELF *test data* stays non-executable, as in the official archive.
    assert members["go/src/debug/elf/testdata/gcc-amd64-linux-exec"].mode == 0o644
    assert {m.mode for m in members.values()} <= {0o644, 0o755}


def test_archives_are_cached_and_reproducible(go_archives, tmp_path):
    """Two processes racing on an empty cache: both succeed, get the same path, no temp file
    is left, and the bytes equal the main cache's (the build is deterministic)."""
    # Reuse the wheels we already have (else this test downloads them again).
    wheels = ":".join(
        [os.environ.get("GOSWITCH_TEST_WHEELS", ""), str(default_cache_dir() / "wheels")]
    )
    env = dict(os.environ, GOSWITCH_TEST_CACHE=str(tmp_path / "cache"), GOSWITCH_TEST_WHEELS=wheels)
    code = (
        "from tests.support.archives import build_archives as b\n"
        "print(b(None, ('go1.21.13',))['go1.21.13'])"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    built = Path(outs[0][0].strip())
    assert outs[1][0].strip() == str(built)
    assert sha256_file(built) == archive_sha256(go_archives["go1.21.13"])
    leftovers = [p.name for p in built.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    before = built.stat().st_mtime_ns
    again = build_archives(tmp_path / "cache", ("go1.21.13",))["go1.21.13"]
    assert again.stat().st_mtime_ns == before


def test_a_cached_archive_changed_in_place_is_not_trusted(tmp_path):
    """Mirrors hard-link the cached archives; writing through a link must not go unnoticed."""
    f = tmp_path / "go1.0.linux-amd64.tar.gz"
    f.write_bytes(b"archive bytes")
    digest = memoise_sha256(f)
    assert archive_sha256(f) == digest == hashlib.sha256(b"archive bytes").hexdigest()
    with open(f, "r+b") as fh:  # same size, new content, new mtime
        fh.write(b"ARCHIVE")
    with pytest.raises(RuntimeError, match="changed after it was built"):
        archive_sha256(f)


# ---- synthetic archives and the index ----------------------------------------------------


def test_synthetic_archive_is_a_working_go_tree(synthetic_mirror_content, tmp_path):
    goroot = extract(synthetic_mirror_content.dl_dir / RC1, tmp_path)
    assert (goroot / "VERSION").read_text().startswith("go1.22rc1\ntime 2023-")
    env = go_env()
    out = subprocess.run(
        [str(goroot / "bin/go"), "version"], capture_output=True, text=True, env=env
    )
    assert out.stdout == "go version go1.22rc1 linux/amd64\n"
    out = subprocess.run(
        [str(goroot / "bin/go"), "env", "GOROOT", "GOVERSION"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.stdout.split() == [str(goroot.resolve()), "go1.22rc1"]
    assert (goroot / "bin/gofmt").stat().st_mode & 0o111


def test_index_shape_and_order(mirror_content):
    index = mirror_content.index
    versions = [e["version"] for e in index]
    assert versions == sorted(versions, key=go_version_key, reverse=True)
    assert {"go1.22rc1", "go1.21beta2", "go1.21rc2", "go1.20", "go1.20.1", "go1.21.0"} <= set(
        versions
    )
    assert versions[0] == "go1.23rc2" and index[0]["stable"] is False
    kinds, oses = set(), set()
    for entry in index:
        assert set(entry) == {"version", "stable", "files"}
        assert entry["stable"] == bool(re.fullmatch(r"go\d+\.\d+(\.\d+)?", entry["version"]))
        assert entry["files"][0]["kind"] == "source"
        for f in entry["files"]:
            assert list(f) == ["filename", "os", "arch", "version", "sha256", "size", "kind"]
            assert f["version"] == entry["version"]
            path = mirror_content.dl_dir / f["filename"]
            assert path.stat().st_size == f["size"]
            kinds.add(f["kind"])
            oses.add((f["os"], f["arch"]))
    assert kinds == {"archive", "installer", "source"}
    assert {
        ("darwin", "arm64"),
        ("linux", "386"),
        ("windows", "amd64"),
        ("freebsd", "amd64"),
    } < oses


def test_real_and_synthetic_are_kept_apart(mirror_content):
    real = {f.filename for f in mirror_content.real()}
    assert real == {f"{v}.linux-amd64.tar.gz" for v in REAL_VERSIONS}
    for f in mirror_content.real():
        assert f.sha256 == sha256_file(mirror_content.dl_dir / f.filename)
        assert f.size > 50_000_000
    assert all(f.size < 10_000 for f in mirror_content.synthetic())
    manifest = json.loads((mirror_content.root / "manifest.json").read_text())
    assert {f["filename"] for f in manifest["files"] if not f["synthetic"]} == real
    assert Mirror.load(mirror_content.root).files.keys() == mirror_content.files.keys()
    assert {r.version for r in SYNTHETIC_RELEASES}.isdisjoint(REAL_VERSIONS)


def test_sidecars_and_signatures_verify(synthetic_mirror_content, gpg_key):
    assert gpg_key.fingerprint != gpg_key.subkey_fingerprint
    for f in list(synthetic_mirror_content.files.values())[:6]:
        digest = (synthetic_mirror_content.dl_dir / (f.filename + ".sha256")).read_text()
        assert digest == hashlib.sha256(f.path.read_bytes()).hexdigest() == f.sha256
        res = subprocess.run(
            [
                "gpgv",
                "--status-fd",
                "1",
                "--keyring",
                str(gpg_key.keyring_path),
                str(f.path) + ".asc",
                str(f.path),
            ],
            capture_output=True,
            text=True,
        )
        assert res.returncode == 0, res.stderr
        validsig = next(ln for ln in res.stdout.splitlines() if "VALIDSIG" in ln).split()
        assert validsig[2] == gpg_key.subkey_fingerprint and validsig[-1] == gpg_key.fingerprint
    # A flipped byte fails.
    bad = synthetic_mirror_content.dl_dir / RC1
    data = bad.read_bytes()
    tampered = data[:-1] + bytes([data[-1] ^ 0xFF])
    other = Path(gpg_key.gnupghome) / "tampered"
    other.write_bytes(tampered)
    res = gpg_key.verify(other, str(bad) + ".asc")
    assert res.returncode != 0 and "BADSIG" in res.stdout
    assert gpg_key.pubkey_path.read_text().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")


def test_expired_subkey_signature(tmp_path):
    key = make_key(tmp_path / "gpg", expired_subkey=True)
    try:
        target = tmp_path / "f"
        target.write_bytes(b"release")
        key.sign(target)
        res = key.verify(target)
        assert res.returncode == 0
        assert "EXPKEYSIG" in res.stdout and "VALIDSIG" in res.stdout
    finally:
        key.close()


def test_expired_primary_key(tmp_path):
    key = make_key(tmp_path / "gpg", expired=True)
    try:
        target = tmp_path / "f"
        target.write_bytes(b"release")
        key.sign(target)
        assert "KEYEXPIRED" in key.verify(target).stdout
    finally:
        key.close()


# ---- the server -------------------------------------------------------------------------


def test_index_urls(synthetic_mirror, synthetic_mirror_content):
    with urllib.request.urlopen(synthetic_mirror.index_url) as r:
        assert json.load(r) == synthetic_mirror_content.index
    with urllib.request.urlopen(synthetic_mirror.base_url + "?mode=json") as r:
        featured = [e["version"] for e in json.load(r)]
    assert featured == ["go1.21.0", "go1.20.1"]  # newest stable of the two newest lines
    assert synthetic_mirror.index_url.startswith("http://127.0.0.1:")
    assert synthetic_mirror.base_url.endswith("/dl/")


def test_get_head_and_ranges(synthetic_mirror, synthetic_mirror_content):
    data = (synthetic_mirror_content.dl_dir / RC1).read_bytes()
    status, headers, body = fetch(synthetic_mirror, RC1)
    assert (status, body, headers["Content-Length"]) == (200, data, str(len(data)))
    assert headers["Accept-Ranges"] == "bytes"
    status, headers, body = fetch(synthetic_mirror, RC1, method="HEAD")
    assert (status, body, headers["Content-Length"]) == (200, b"", str(len(data)))
    status, headers, body = fetch(synthetic_mirror, RC1, {"Range": "bytes=10-"})
    assert (status, body) == (206, data[10:])
    assert headers["Content-Range"] == f"bytes 10-{len(data) - 1}/{len(data)}"
    assert fetch(synthetic_mirror, RC1, {"Range": "bytes=-5"})[2] == data[-5:]
    assert fetch(synthetic_mirror, RC1, {"Range": "bytes=2-4"})[2] == data[2:5]
    status, headers, _ = fetch(synthetic_mirror, RC1, {"Range": f"bytes={len(data)}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(data)}"
    etag = fetch(synthetic_mirror, RC1, method="HEAD")[1]["ETag"]
    assert fetch(synthetic_mirror, RC1, {"Range": "bytes=3-", "If-Range": etag})[0] == 206
    assert fetch(synthetic_mirror, RC1, {"Range": "bytes=3-", "If-Range": '"old"'})[0] == 200
    assert fetch(synthetic_mirror, "nope.tar.gz")[0] == 404
    assert fetch(synthetic_mirror, "/elsewhere")[0] == 404


def test_request_log(synthetic_mirror):
    req = urllib.request.Request(
        synthetic_mirror.url(RC1), headers={"User-Agent": "goswitch-test/1", "Range": "bytes=0-"}
    )
    urllib.request.urlopen(req).read()
    fetch(synthetic_mirror, RC1 + ".sha256", method="HEAD")
    assert synthetic_mirror.count(RC1) == 1
    (rec,) = synthetic_mirror.requests(RC1)
    assert (rec.method, rec.status, rec.range, rec.user_agent) == (
        "GET",
        206,
        "bytes=0-",
        "goswitch-test/1",
    )
    assert synthetic_mirror.count(RC1 + ".sha256", method="HEAD") == 1
    synthetic_mirror.clear_log()
    assert synthetic_mirror.log == []


@pytest.mark.parametrize("code", [404, 500])
def test_fault_status(synthetic_mirror, code):
    synthetic_mirror.set_fault(RC1, str(code))
    assert fetch(synthetic_mirror, RC1)[0] == code
    assert fetch(synthetic_mirror, RC1)[0] == code  # permanent
    synthetic_mirror.clear_faults()
    assert fetch(synthetic_mirror, RC1)[0] == 200


def test_fault_one_shot(synthetic_mirror):
    synthetic_mirror.set_fault(RC1, "500", times=1)
    assert [fetch(synthetic_mirror, RC1)[0] for _ in range(2)] == [500, 200]
    assert [r.fault for r in synthetic_mirror.requests(RC1)] == ["500", None]


def test_fault_truncate(synthetic_mirror, synthetic_mirror_content):
    size = (synthetic_mirror_content.dl_dir / RC1).stat().st_size
    synthetic_mirror.set_fault(RC1, "truncate", after=100)
    conn = http.client.HTTPConnection("127.0.0.1", synthetic_mirror.port, timeout=5)
    conn.request("GET", "/dl/" + RC1)
    resp = conn.getresponse()
    assert resp.getheader("Content-Length") == str(size)
    with pytest.raises(http.client.IncompleteRead) as exc:
        resp.read()
    assert len(exc.value.partial) == 100
    conn.close()


def test_fault_truncate_close_delimited(synthetic_mirror, synthetic_mirror_content):
    """No Content-Length: the cut-off body ends like a complete one."""
    synthetic_mirror.set_fault(RC1, "truncate", after=100, close_delimited=True)
    status, headers, body = fetch(synthetic_mirror, RC1)
    assert status == 200 and "Content-Length" not in headers and len(body) == 100
    assert body == (synthetic_mirror_content.dl_dir / RC1).read_bytes()[:100]


def test_fault_body_headers_and_gzip(synthetic_mirror, synthetic_mirror_content):
    import gzip

    synthetic_mirror.set_fault(RC1, "body", data="<html>login</html>")
    status, headers, body = fetch(synthetic_mirror, RC1)
    assert (status, body) == (200, b"<html>login</html>")
    assert headers["Content-Type"].startswith("text/html")
    synthetic_mirror.set_fault(RC1, "status", code=503, headers={"Retry-After": "7"})
    status, headers, _ = fetch(synthetic_mirror, RC1)
    assert status == 503 and headers["Retry-After"] == "7"
    data = (synthetic_mirror_content.dl_dir / RC1).read_bytes()
    synthetic_mirror.set_fault(RC1, "gzip")
    status, headers, body = fetch(synthetic_mirror, RC1)
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == data
    assert headers["Content-Length"] == str(len(body))
    synthetic_mirror.set_fault(RC1, "gzip", label_only=True)
    status, headers, body = fetch(synthetic_mirror, RC1)
    assert headers["Content-Encoding"] == "gzip" and body == data


def test_fault_auth(synthetic_mirror):
    import base64

    synthetic_mirror.set_fault(RC1, "auth", user="u", password="p@ss", redirect_once=True)
    assert fetch(synthetic_mirror, RC1)[0] == 401
    good = {"Authorization": "Basic " + base64.b64encode(b"u:p@ss").decode()}
    status, headers, _ = fetch(synthetic_mirror, RC1, good)
    assert status == 302 and headers["Location"] == f"/dl/{RC1}?hop=1"
    assert fetch(synthetic_mirror, f"/dl/{RC1}?hop=1", good)[0] == 200
    assert fetch(synthetic_mirror, f"/dl/{RC1}?hop=1")[0] == 401


def test_fault_wrong_bytes(synthetic_mirror, synthetic_mirror_content):
    data = (synthetic_mirror_content.dl_dir / RC1).read_bytes()
    synthetic_mirror.set_fault(RC1, "wrong_bytes")
    status, headers, body = fetch(synthetic_mirror, RC1)
    assert status == 200 and len(body) == len(data) and body != data
    assert sum(a != b for a, b in zip(body, data)) == 1
    # Ranges see the same corruption at the same absolute offset.
    half = len(data) // 2
    assert fetch(synthetic_mirror, RC1, {"Range": f"bytes={half}-"})[2] == body[half:]


def test_fault_slow_rate(synthetic_mirror, synthetic_mirror_content):
    size = (synthetic_mirror_content.dl_dir / RC1).stat().st_size
    synthetic_mirror.set_fault(RC1, "slow", rate=size * 4)  # ~0.25 s for the whole file
    t = time.monotonic()
    assert fetch(synthetic_mirror, RC1)[2] == (synthetic_mirror_content.dl_dir / RC1).read_bytes()
    assert 0.2 <= time.monotonic() - t < 3


def test_fault_slow_stall(synthetic_mirror):
    synthetic_mirror.set_fault(RC1, "slow", stall=0.6, after=50)
    conn = http.client.HTTPConnection("127.0.0.1", synthetic_mirror.port, timeout=0.3)
    conn.request("GET", "/dl/" + RC1)
    resp = conn.getresponse()
    assert len(resp.read(50)) == 50
    with pytest.raises(socket.timeout):  # a client with a read timeout gives up
        resp.read(1)
    conn.close()


def test_fault_reset(synthetic_mirror):
    synthetic_mirror.set_fault(RC1, "reset", after=10)
    conn = http.client.HTTPConnection("127.0.0.1", synthetic_mirror.port, timeout=5)
    conn.request("GET", "/dl/" + RC1)
    resp = conn.getresponse()
    time.sleep(0.1)  # let the RST arrive before we read
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)) as exc:
        resp.read()
    if isinstance(exc.value, http.client.IncompleteRead):  # bytes raced ahead of the RST
        assert len(exc.value.partial) <= 10
    conn.close()


def test_fault_reset_is_a_real_rst(synthetic_mirror):
    synthetic_mirror.set_fault(RC1, "reset", after=0)
    s = socket.create_connection(("127.0.0.1", synthetic_mirror.port), timeout=5)
    s.sendall(f"GET /dl/{RC1} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    time.sleep(0.2)
    with pytest.raises(ConnectionResetError):
        while s.recv(65536):
            pass
    s.close()


def test_fault_redirect_same_and_other_server(synthetic_mirror, synthetic_mirror_content):
    synthetic_mirror.set_fault(RC1, "redirect", to="go1.20.linux-amd64.tar.gz")
    with urllib.request.urlopen(synthetic_mirror.url(RC1)) as r:
        assert (
            r.read() == (synthetic_mirror_content.dl_dir / "go1.20.linux-amd64.tar.gz").read_bytes()
        )
    status, headers, _ = fetch(synthetic_mirror, RC1)
    assert status == 302 and headers["Location"].endswith("/dl/go1.20.linux-amd64.tar.gz")
    with MirrorServer(synthetic_mirror_content) as other:
        synthetic_mirror.set_fault(RC1, "redirect", to=other.url(RC1), code=301)
        with urllib.request.urlopen(synthetic_mirror.url(RC1)) as r:
            assert r.read() == (synthetic_mirror_content.dl_dir / RC1).read_bytes()
        assert other.count(RC1) == 1


def test_fault_no_range(synthetic_mirror, synthetic_mirror_content):
    synthetic_mirror.set_fault(RC1, "no_range")
    status, headers, body = fetch(synthetic_mirror, RC1, {"Range": "bytes=10-"})
    assert status == 200 and "Accept-Ranges" not in headers and "Content-Range" not in headers
    assert body == (synthetic_mirror_content.dl_dir / RC1).read_bytes()


def test_fault_on_the_index(synthetic_mirror):
    synthetic_mirror.set_fault("/dl/", "500", times=1)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(synthetic_mirror.index_url)
    with urllib.request.urlopen(synthetic_mirror.index_url) as r:
        assert r.status == 200


def test_bad_fault_arguments(synthetic_mirror):
    with pytest.raises(ValueError):
        synthetic_mirror.set_fault(RC1, "explode")
    with pytest.raises(ValueError):
        synthetic_mirror.set_fault(RC1, "redirect")


def test_stop_is_prompt_with_a_stalled_client(synthetic_mirror_content):
    server = MirrorServer(synthetic_mirror_content).start()
    assert server._httpd.server_address[0] == "127.0.0.1"  # loopback only
    server.set_fault(RC1, "slow", stall=60, after=10)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/dl/" + RC1)
    resp = conn.getresponse()
    resp.read(10)
    t = time.monotonic()
    server.stop()
    assert time.monotonic() - t < 3
    with pytest.raises((ConnectionError, http.client.IncompleteRead, OSError)):
        resp.read()
    conn.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1)


def test_parallel_downloads(synthetic_mirror, synthetic_mirror_content):
    names = [f.filename for f in synthetic_mirror_content.synthetic()][:8]
    results: dict[str, bytes] = {}

    def get(n: str) -> None:
        results[n] = fetch(synthetic_mirror, n)[2]

    threads = [threading.Thread(target=get, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert all(results[n] == (synthetic_mirror_content.dl_dir / n).read_bytes() for n in names)


def test_real_archive_through_the_mirror(mirror, mirror_content):
    f = mirror_content.archive("go1.22.10")
    h = hashlib.sha256()
    with urllib.request.urlopen(mirror.url(f.filename)) as r:
        for block in iter(lambda: r.read(1 << 20), b""):
            h.update(block)
    assert h.hexdigest() == f.sha256
    with urllib.request.urlopen(mirror.url(f.filename + ".sha256")) as r:
        assert r.read().decode() == f.sha256
    assert mirror.count(f.filename) == 1


# ---- the command line (what the demo and bench/ use) ------------------------------------


def test_cli_build_and_serve(tmp_path):
    script = REPO / "tests" / "support" / "mirror.py"
    root = tmp_path / "m"
    out = subprocess.run(
        [sys.executable, str(script), "build", str(root), "--no-real"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["real"] == [] and len(info["fingerprint"]) == 40
    port_file = tmp_path / "port"
    proc = subprocess.Popen(
        [sys.executable, str(script), "serve", str(root), "--port-file", str(port_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = wait_for_port_file(port_file, timeout=20)
        url = f"http://127.0.0.1:{port}/dl/?mode=json&include=all"
        with urllib.request.urlopen(url) as r:
            assert [e["version"] for e in json.load(r)][0] == "go1.23rc2"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert proc.returncode == 0
