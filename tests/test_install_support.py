"""Helpers for the installer's tests (no tests here): synthetic Go trees and archives, a
mirror directory of our own releases, a tiny forward proxy, and small utilities.

The shared infrastructure (``tests/support``: the loopback ``MirrorServer``, the gpg key,
the real archives) is used as is; what is here is what only the installer's tests need:
archives with thousands of files (so a kill -9 can land in the middle of extraction),
releases the index does not list, and a proxy that records what went through it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import select
import socket
import stat
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.httpmirror import MirrorServer
from tests.support.releases import MirrorFile, make_index, targz  # noqa: F401 (re-exported)

PYTHON = sys.executable


def go_stub(version: str) -> bytes:
    """A ``bin/go`` that answers ``go version`` (SYNTHETIC, like tests/support's)."""
    return (
        "#!/bin/sh\n# SYNTHETIC go stub (goswitch installer tests)\n"
        f'case "$1" in version) echo "go version {version} linux/amd64";; '
        f'env) echo "${{GOROOT:-}}";; *) exit 2;; esac\n'
    ).encode()


def toolchain_tree(version: str, small: int = 0, big: int = 0, seed: int = 1) -> dict:
    """``{path: (bytes, mode)}`` of a SYNTHETIC Go tree; ``small`` 200-byte files in
    ``go/src/many/`` (extraction takes a while) and ``big`` 64 KiB incompressible ones in
    ``go/pkg/big/`` (download takes a while)."""
    rng = random.Random(seed)
    tree = {
        "go/VERSION": (f"{version}\ntime 2024-01-01T00:00:00Z\n".encode(), 0o644),
        "go/bin/go": (go_stub(version), 0o755),
        "go/bin/gofmt": (b"#!/bin/sh\nexec cat\n", 0o755),
    }
    for i in range(small):
        tree[f"go/src/many/f{i:05d}.go"] = (rng.randbytes(200), 0o644)
    for i in range(big):
        tree[f"go/pkg/big/b{i:04d}.a"] = (rng.randbytes(64 << 10), 0o644)
    return tree


class Release:
    def __init__(self, version: str, data: bytes, filename: str | None = None):
        self.version = version  # "go1.19.13"
        self.data = data
        self.filename = filename or f"{version}.linux-amd64.tar.gz"
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.size = len(data)


def small_release(version: str = "go1.18.10") -> Release:
    """A SYNTHETIC release with a tiny tree."""
    return Release(version, targz(toolchain_tree(version)))


def build_custom_mirror(root: Path, key, releases: list[Release], listed: bool = True) -> Path:
    """``root/dl/<files>`` (+ .sha256, .asc when ``key``) and ``root/index.json`` in go.dev's
    format, servable by ``MirrorServer(root)``. ``listed=False`` leaves them out of the
    index (for ``--from`` tests)."""
    dl = root / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    files = []
    for rel in releases:
        path = dl / rel.filename
        path.write_bytes(rel.data)
        (dl / (rel.filename + ".sha256")).write_text(rel.sha256)
        if key is not None:
            key.sign(path)
        mf = MirrorFile(
            rel.filename,
            rel.version,
            "linux",
            "amd64",
            "archive",
            rel.sha256,
            rel.size,
            "rc" not in rel.version,
            True,
            path,
        )
        files.append(mf)
    (root / "index.json").write_text(json.dumps(make_index(files if listed else []), indent=1))
    return root


def tree_digest(root: Path) -> dict:
    """relpath -> (kind, content hash or link target, permission bits): compare trees."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", os.readlink(p), 0)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", "", stat.S_IMODE(st.st_mode))
            else:
                with open(p, "rb") as f:
                    out[rel] = ("f", hashlib.sha256(f.read()).hexdigest(), stat.S_IMODE(st.st_mode))
    return out


def expected_digest(tree: dict) -> dict:
    """What ``tree_digest`` of an installed ``toolchain_tree`` must be (umask 022)."""
    out = {}
    for name, (data, mode) in tree.items():
        rel = name[3:]
        out[rel] = ("f", hashlib.sha256(data).hexdigest(), 0o755 if mode & 0o111 else 0o644)
        parts = rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            out["/".join(parts[:i])] = ("d", "", 0o755)
    return out


def gs(env: dict, *args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """``python -m goswitch ARGS`` in ``env``; text output captured."""
    kw.setdefault("cwd", env.get("HOME"))
    return subprocess.run(
        [PYTHON, "-m", "goswitch", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )


def spawn(env: dict, *args: str, **kw) -> subprocess.Popen:
    kw.setdefault("cwd", env.get("HOME"))
    return subprocess.Popen(
        [PYTHON, "-m", "goswitch", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def mirror_env(isolated_env, mirror, retries: str, timeout: str | None = None):
    """``isolated_env`` set to install from ``mirror`` with these retries (and timeout)."""
    isolated_env.use_mirror(mirror)
    isolated_env["GOSWITCH_RETRIES"] = retries
    if timeout is not None:
        isolated_env["GOSWITCH_TIMEOUT"] = timeout
    return isolated_env


def versions(env) -> Path:
    """Our store in ``env``."""
    return Path(env["GOSWITCH_HOME"]) / "versions"


def leftovers(versions_dir: Path) -> list[str]:
    try:
        return sorted(n for n in os.listdir(versions_dir) if n.startswith((".tmp-", ".trash-")))
    except FileNotFoundError:
        return []


def wait_for(cond, timeout: float = 30.0, step: float = 0.002):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError("condition not met in time")


# ---- a forward proxy: absolute-URI GETs for http://, CONNECT tunnels for https:// ------


def _tunnel(a: socket.socket, b: socket.socket, idle: float = 30.0) -> None:
    """Copy bytes both ways until either side closes (or resets, or is idle ``idle`` s)."""
    while True:
        ready, _, _ = select.select([a, b], [], [], idle)
        if not ready:
            return
        for src in ready:
            try:
                data = src.recv(1 << 16)
                if not data:
                    return
                (b if src is a else a).sendall(data)
            except OSError:
                return


class ForwardProxy:
    """``http://127.0.0.1:PORT``: forwards absolute-URI GETs and tunnels ``CONNECT host:port``
    (what urllib does for https:// through ``HTTPS_PROXY``); records each in ``log``, a GET
    as its URL, a tunnel as ``"CONNECT host:port"``."""

    def __init__(self, auth: tuple[str, str] | None = None):
        """``auth=(user, password)``: answer 407 to requests without those credentials."""
        self.log: list[str] = []
        proxy = self
        import base64

        want = "Basic " + base64.b64encode(":".join(auth).encode()).decode() if auth else None

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def refused(self) -> bool:
                if want is None or self.headers.get("Proxy-Authorization") == want:
                    return False
                body = b"proxy authentication required\n"
                self.send_response(407)
                self.send_header("Proxy-Authenticate", 'Basic realm="test proxy"')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True
                return True

            def do_CONNECT(self):
                proxy.log.append(f"CONNECT {self.path}")
                if self.refused():
                    return
                self.close_connection = True
                host, _, port = self.path.rpartition(":")
                try:
                    upstream = socket.create_connection((host.strip("[]"), int(port)), 30)
                except (OSError, ValueError):
                    self.send_error(502, "cannot reach " + self.path)
                    return
                with upstream:
                    self.send_response(200, "Connection established")
                    self.end_headers()
                    _tunnel(self.connection, upstream)

            def do_GET(self):
                proxy.log.append(self.path)
                if self.refused():
                    return
                from urllib.parse import urlsplit

                u = urlsplit(self.path)
                if not u.scheme:
                    self.send_error(400, "not a proxy request")
                    return
                import http.client

                conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
                path = u.path + (f"?{u.query}" if u.query else "")
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("proxy-connection", "connection", "host",
                                         "proxy-authorization")
                }
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Via", "1.1 goswitch-test-proxy")
                self.end_headers()
                self.wfile.write(body)
                conn.close()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---- fixtures (import them into a test module to use them) ----------------------------

BIG_VERSION = "1.19.13"  # SYNTHETIC here: a version the shared mirror does not carry
BIG_FILE = f"go{BIG_VERSION}.linux-amd64.tar.gz"


@pytest.fixture(scope="session")
def big_release():
    """(tree, Release): 3000 small files + 40 x 64 KiB incompressible ones (~3.3 MB)."""
    tree = toolchain_tree("go" + BIG_VERSION, small=3000, big=40)
    return tree, Release("go" + BIG_VERSION, targz(tree))


@pytest.fixture(scope="session")
def big_mirror_content(tmp_path_factory, gpg_key, big_release) -> Path:
    return build_custom_mirror(tmp_path_factory.mktemp("big-mirror"), gpg_key, [big_release[1]])


@pytest.fixture
def big_mirror(big_mirror_content):
    with MirrorServer(big_mirror_content) as server:
        yield server


@pytest.fixture
def big_env(isolated_env, big_mirror):
    return mirror_env(isolated_env, big_mirror, retries="2", timeout="5")
