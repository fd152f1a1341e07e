"""``MirrorServer``: a real HTTP/1.1 server on 127.0.0.1 serving a mirror directory, with
switchable faults per path and a request log.

Why not a mock: the downloader must survive what real mirrors do (truncated bodies, resets,
redirects, servers without Range support, trickling connections), and only real sockets show
whether it does. Layout served (``root`` as written by ``mirror.build_mirror``)::

    GET /dl/?mode=json&include=all   -> root/index.json (go.dev's JSON list)
    GET /dl/?mode=json               -> only the newest stable releases (go.dev's default)
    GET /dl/<file>                   -> root/dl/<file>   (archives, .sha256, .asc)

Faults: ``server.set_fault("go1.22.10.linux-amd64.tar.gz", "truncate", after=1000, times=1)``.
A bare file name means ``<prefix><name>``; a path starting with ``/`` is used as is (the index
is ``/dl/``). Kinds and their parameters:

========== ================================================================================
``404``     404 Not Found                      (also ``500``, or ``status`` with ``code=``)
``500``     500 Internal Server Error
``truncate`` full Content-Length, then close after ``after`` bytes (default: half);
             ``flip=N`` also flips the byte at offset N (a damaged short copy)
``wrong_bytes`` same length, one byte flipped at ``offset`` (default: middle)
``slow``    trickle ``rate`` bytes/s (default 64 KiB/s) in pieces of ``step`` bytes (default
            a tenth of a second's worth); or ``stall`` seconds after ``after`` bytes; combinable
``reset``   TCP RST (SO_LINGER 0) after ``after`` bytes of body (default: half)
``redirect`` ``code`` (302) to ``to``: an absolute URL or a path on this server
``no_range`` ignore ``Range``: always 200 with the full body
``body``    ``data`` (bytes or text) instead, status ``code`` (200), type ``ctype`` (HTML)
``gzip``    the body gzip-compressed again, with ``Content-Encoding: gzip``;
            ``label_only=True`` sends the label with the raw bytes
``auth``    401 (``WWW-Authenticate: Basic``) unless the request's Basic credentials are
            ``user``/``password``; then served normally (``redirect_once=True``: first a 302
            to the same path with ``?hop=1``, as Artifactory does)
========== ================================================================================

Common parameters: ``headers={...}`` adds response headers (``Retry-After`` on a ``503``);
``close_delimited=True`` (``truncate``, ``body``, ``gzip``) sends no ``Content-Length``
and ends the body by closing the connection, as HTTP/1.0 servers and some proxies do,
so a cut-off body looks complete to HTTP.

``times=N`` makes a fault apply to the next N matching requests only (HEAD included);
``times=None`` (default) keeps it until ``clear_faults()``.

TLS: ``MirrorServer(root, tls=(certfile, keyfile))`` serves ``https://127.0.0.1:PORT/``
instead (``tests/support/tls.py`` makes a CA and a certificate for 127.0.0.1); the faults
work the same inside TLS (``truncate`` ends the TCP stream without a TLS close_notify).
A client that refuses the certificate is dropped during the handshake and logs nothing.
"""

from __future__ import annotations

import base64
import email.utils
import gzip
import hashlib
import json
import os
import re
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

FAULT_KINDS = (
    "404",
    "500",
    "status",
    "truncate",
    "wrong_bytes",
    "slow",
    "reset",
    "redirect",
    "no_range",
    "body",
    "gzip",
    "auth",
)

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass
class Fault:
    kind: str
    params: dict[str, Any]
    times: int | None = None  # remaining uses; None: permanent


@dataclass
class Request:
    """One request as the server saw it (``status`` and ``sent`` filled in when answered)."""

    method: str
    path: str  # without the query
    query: str
    headers: dict[str, str]
    status: int = 0
    sent: int = 0  # body bytes written
    fault: str | None = None
    client: tuple[str, int] = ("", 0)

    @property
    def range(self) -> str | None:
        return self.headers.get("range")

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("user-agent")


@dataclass
class _State:
    root: Path
    prefix: str
    faults: dict[str, Fault] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "goswitch-test-mirror/1"
    timeout = 30  # an idle keep-alive connection ends by itself
    state: _State  # set on the per-server subclass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the request log is the record; stderr noise would hide test output

    # ---- dispatch -------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle(body=True)

    def do_HEAD(self) -> None:
        self._handle(body=False)

    def _handle(self, body: bool) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        rec = Request(
            self.command,
            path,
            url.query,
            {k.lower(): v for k, v in self.headers.items()},
            client=self.client_address[:2],
        )
        st = self.state
        with st.lock:
            st.log.append(rec)
            fault = st.faults.get(path)
            if fault is not None:
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        del st.faults[path]
                rec.fault = fault.kind
        try:
            self._serve(rec, path, url.query, body, fault)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _serve(self, rec: Request, path: str, query: str, body: bool, fault: Fault | None):
        kind = fault.kind if fault else None
        params = fault.params if fault else {}
        if kind in ("404", "500", "status"):
            code = int(params.get("code", kind if kind != "status" else 500))
            return self._simple(rec, code, f"fault: {code}\n".encode(), body,
                                params.get("headers"))
        if kind == "auth":
            want = "Basic " + base64.b64encode(
                f"{params['user']}:{params['password']}".encode()).decode()
            if self.headers.get("Authorization") != want:
                return self._simple(rec, 401, b"authentication required\n", body,
                                    {"WWW-Authenticate": 'Basic realm="mirror"'})
            if params.get("redirect_once") and "hop=1" not in query:
                params = {"code": 302, "to": f"{path}?{query + '&' if query else ''}hop=1"}
                kind = "redirect"
        if kind == "redirect":
            to = params["to"]
            rec.status = int(params.get("code", 302))
            self.send_response(rec.status)
            self.send_header("Location", to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if kind == "body":
            data = params["data"]
            res = _Content.of_bytes(data.encode() if isinstance(data, str) else data,
                                    params.get("ctype", "text/html; charset=utf-8"))
            return self._send_body(rec, res, body, kind, params, int(params.get("code", 200)))
        res = self._resolve(path, query)
        if res is None:
            return self._simple(rec, 404, b"404 page not found\n", body)
        self._send_body(rec, res, body, kind, params)
        return None

    # ---- content --------------------------------------------------------------------------

    def _resolve(self, path: str, query: str) -> _Content | None:
        """What a path serves, or None when there is no such file."""
        st = self.state
        if path in (st.prefix, st.prefix.rstrip("/")):
            q = parse_qs(query)
            if q.get("mode") == ["json"]:
                index = json.loads((st.root / "index.json").read_text())
                if q.get("include") != ["all"]:
                    index = _featured(index)
                return _Content.of_bytes(json.dumps(index, indent=1).encode(), "application/json")
            names = sorted(p.name for p in (st.root / "dl").iterdir() if not p.name.startswith("."))
            links = "".join(f'<a href="{n}">{n}</a>\n' for n in names)
            page = f"<html><body><pre>\n{links}</pre></body></html>\n".encode()
            return _Content.of_bytes(page, "text/html; charset=utf-8")
        if not path.startswith(st.prefix):
            return None
        name = path[len(st.prefix) :]
        if not name or "/" in name or name.startswith("."):
            return None
        f = st.root / "dl" / name
        return _Content.of_file(f) if f.is_file() else None

    def _simple(self, rec: Request, code: int, data: bytes, body: bool,
                headers: dict | None = None) -> None:
        rec.status = code
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)
            rec.sent = len(data)

    def _range(self, size: int, etag: str, kind: str | None) -> tuple[int, int] | None:
        """(start, end) inclusive for a satisfiable single Range; (-1, -1) if unsatisfiable;
        None to send the whole body (no Range, ``no_range`` fault, stale If-Range, multi-range)."""
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if not rng or kind == "no_range" or (if_range is not None and if_range != etag):
            return None
        m = _RANGE_RE.match(rng.strip())
        if not m or not (m.group(1) or m.group(2)):
            return None
        a, b = m.group(1), m.group(2)
        if a:
            start, end = int(a), (min(int(b), size - 1) if b else size - 1)
        else:  # suffix range: the last N bytes
            start, end = max(0, size - int(b)), size - 1
        if start >= size or start > end:
            return (-1, -1)
        return start, end

    def _send_body(self, rec: Request, res: _Content, body: bool, kind, params,
                   code: int = 200) -> None:
        size = res.size
        rng = self._range(size, res.etag, kind) if code == 200 else None
        if rng == (-1, -1):
            rec.status = 416
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = rng if rng else (0, size - 1)
        length = end - start + 1
        chunks = res.chunks(start, length)
        gzipped = kind == "gzip" and not params.get("label_only")
        if gzipped:  # compressed as a whole: a server that ignored Accept-Encoding: identity
            chunks = iter([gzip.compress(b"".join(chunks), 1)])
        rec.status = 206 if rng else code
        self.send_response(rec.status)
        self.send_header("Content-Type", res.ctype)
        close_delimited = params.get("close_delimited", False)
        if close_delimited:
            self.send_header("Connection", "close")
        elif not gzipped:
            self.send_header("Content-Length", str(length))
        else:
            chunks = list(chunks)
            self.send_header("Content-Length", str(len(chunks[0])))
        if kind == "gzip":
            self.send_header("Content-Encoding", "gzip")
        for name, value in params.get("headers", {}).items():
            self.send_header(name, value)
        if kind != "no_range":
            self.send_header("Accept-Ranges", "bytes")
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("ETag", res.etag)
        self.send_header("Last-Modified", email.utils.formatdate(res.mtime, usegmt=True))
        self.end_headers()
        if not body:
            return
        if kind == "wrong_bytes" and size:
            chunks = _flip(chunks, start, int(params.get("offset", size // 2)))
        if kind == "truncate" and "flip" in params:  # a damaged short copy (mid-sync)
            chunks = _flip(chunks, start, int(params["flip"]))
        if kind in ("truncate", "reset"):
            chunks = _limit(chunks, min(int(params.get("after", length // 2)), length))
        self._write(rec, chunks, params if kind == "slow" else {})
        if close_delimited:
            self.close_connection = True
        if kind in ("truncate", "reset") or close_delimited:
            if kind == "reset":
                # Close the fd *now* with SO_LINGER 0: the kernel sends RST, not FIN. (Closing
                # via socketserver would first shutdown(SHUT_WR), a graceful FIN.) The socket
                # object is detached, so socketserver's own close later touches nothing.
                linger = struct.pack("ii", 1, 0)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                os.close(self.connection.detach())
            else:
                self.connection.shutdown(socket.SHUT_WR)
            self.close_connection = True

    def _write(self, rec: Request, chunks: Iterator[bytes], slow: dict) -> None:
        stop = self.state.stopping
        rate = int(slow.get("rate", 0) or 0)
        stall = float(slow.get("stall", 0) or 0)
        stall_after = int(slow.get("after", 0))
        if slow and not rate and not stall:
            rate = 64 * 1024
        step = int(slow.get("step", 0) or 0) or (max(1, min(rate, 65536) // 10) if rate else 65536)
        stalled = not stall
        for chunk in chunks:
            pos = 0
            while pos < len(chunk):
                n = step
                if not stalled:
                    if rec.sent >= stall_after:
                        stalled = True
                        if stop.wait(stall):
                            raise ConnectionResetError("server stopping")
                    else:
                        n = min(n, stall_after - rec.sent)
                piece = chunk[pos : pos + n]
                self.wfile.write(piece)
                pos += len(piece)
                rec.sent += len(piece)
                if rate and stop.wait(len(piece) / rate):
                    raise ConnectionResetError("server stopping")


@dataclass
class _Content:
    size: int
    ctype: str
    etag: str
    mtime: float
    data: bytes | None = None
    path: Path | None = None

    @classmethod
    def of_bytes(cls, data: bytes, ctype: str) -> _Content:
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        return cls(len(data), ctype, etag, time.time(), data=data)

    @classmethod
    def of_file(cls, path: Path) -> _Content:
        st = path.stat()
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        return cls(st.st_size, _ctype(path.name), etag, st.st_mtime, path=path)

    def chunks(self, start: int, length: int) -> Iterator[bytes]:
        """The body from ``start``, ``length`` bytes, streamed (archives are ~65 MB)."""
        if self.data is not None:
            yield self.data[start : start + length]
            return
        assert self.path is not None
        with open(self.path, "rb") as fh:
            fh.seek(start)
            while length > 0:
                block = fh.read(min(length, 1 << 16))
                if not block:
                    return
                length -= len(block)
                yield block


def _flip(chunks: Iterator[bytes], start: int, offset: int) -> Iterator[bytes]:
    """Invert the byte at absolute ``offset`` (the length stays the same)."""
    pos = start
    for chunk in chunks:
        if pos <= offset < pos + len(chunk):
            i = offset - pos
            chunk = chunk[:i] + bytes([chunk[i] ^ 0xFF]) + chunk[i + 1 :]
        pos += len(chunk)
        yield chunk


def _limit(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    for chunk in chunks:
        if limit <= 0:
            return
        yield chunk[:limit]
        limit -= len(chunk)


def _ctype(name: str) -> str:
    if name.endswith((".tar.gz", ".tgz")):
        return "application/x-gzip"
    if name.endswith(".zip"):
        return "application/zip"
    if name.endswith((".sha256", ".asc")):
        return "text/plain; charset=utf-8"
    return "application/octet-stream"


def _featured(index: list[dict]) -> list[dict]:
    """go.dev without include=all: the newest stable release of the two newest minor lines."""
    out, lines = [], set()
    for entry in index:
        m = re.match(r"^go(\d+)\.(\d+)", entry["version"])
        line = m.groups() if m else None
        if entry.get("stable") and line not in lines and len(lines) < 2:
            lines.add(line)
            out.append(entry)
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args: Any, tls: ssl.SSLContext | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.tls = tls
        self.conns: set[socket.socket] = set()
        self.conns_lock = threading.Lock()

    def handle_error(self, request, client_address) -> None:
        pass  # a client hanging up mid-body is routine here (faults, stop())

    def process_request_thread(self, request, client_address):  # type: ignore[override]
        if self.tls is not None:
            # The handshake runs here, in the connection's thread, not in the accept loop: a
            # client that stalls or refuses the certificate holds up no one else.
            request.settimeout(_Handler.timeout)
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except OSError:  # ssl.SSLError too; wrap_socket has closed the socket
                return
        with self.conns_lock:
            self.conns.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.conns_lock:
                self.conns.discard(request)


class MirrorServer:
    """Serve a mirror directory on ``127.0.0.1:<random port>``; use as a context manager.

    ``base_url`` (``http://127.0.0.1:PORT/dl/``) is what ``GOSWITCH_MIRRORS`` takes,
    ``index_url`` what ``GOSWITCH_INDEX_URL`` takes.  With ``tls=(certfile, keyfile)`` they
    are ``https://`` URLs (the client must trust the certificate's CA: ``SSL_CERT_FILE``).
    """

    def __init__(
        self,
        root: Any,
        prefix: str = "/dl/",
        port: int = 0,
        tls: tuple[str | os.PathLike, str | os.PathLike] | None = None,
    ) -> None:
        if not prefix.startswith("/") or not prefix.endswith("/"):
            raise ValueError("prefix must start and end with '/'")
        # A ``mirror.Mirror`` is accepted too (careful: ``Path`` also has a ``.root``).
        self.root = Path(root.root if hasattr(root, "dl_dir") else root)
        self._state = _State(self.root, prefix)
        handler = type("Handler", (_Handler,), {"state": self._state})
        ctx = None
        if tls is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
        self.scheme = "https" if ctx else "http"
        self._httpd: _Server | None = _Server(("127.0.0.1", port), handler, tls=ctx)
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> MirrorServer:
        if self._thread is None:
            assert self._httpd is not None
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"mirror-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, abort slow/stalled responses and close every open connection."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._state.stopping.set()
        if self._thread is not None:
            httpd.shutdown()
            self._thread.join(5)
        with httpd.conns_lock:
            conns = list(httpd.conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- addresses ------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + self._state.prefix

    @property
    def index_url(self) -> str:
        return self.base_url + "?mode=json&include=all"

    def url(self, name: str) -> str:
        return self.origin + self._path(name)

    # ---- faults ---------------------------------------------------------------------------

    def _path(self, name: str) -> str:
        return name if name.startswith("/") else self._state.prefix + name

    def set_fault(self, target: str, kind: str | int, times: int | None = None, **params):
        """Make requests for ``target`` (file name or ``/path``) misbehave; see module doc."""
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        if kind == "redirect":
            to = params.get("to")
            if not to:
                raise ValueError("redirect needs to=URL or to=/path")
            if not re.match(r"^[a-z]+://", to):
                params["to"] = self.origin + self._path(to)
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        with self._state.lock:
            self._state.faults[self._path(target)] = Fault(kind, params, times)

    def clear_faults(self) -> None:
        with self._state.lock:
            self._state.faults.clear()

    # ---- request log ----------------------------------------------------------------------

    @property
    def log(self) -> list[Request]:
        """A copy of every request so far, oldest first."""
        with self._state.lock:
            return list(self._state.log)

    def clear_log(self) -> None:
        with self._state.lock:
            self._state.log.clear()

    def requests(self, target: str | None = None, method: str | None = None) -> list[Request]:
        """Requests for ``target`` (file name or path; None: all), optionally one method."""
        path = self._path(target) if target is not None else None
        return [
            r
            for r in self.log
            if (path is None or r.path == path) and (method is None or r.method == method)
        ]

    def count(self, target: str, method: str = "GET") -> int:
        return len(self.requests(target, method))


def wait_for_port_file(path: Path | str, timeout: float = 30.0) -> int:
    """Port written by ``mirror.py serve --port-file``; waits until it appears."""
    p = Path(path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if p.exists() and p.read_text().strip():
            return int(p.read_text().strip())
        time.sleep(0.05)
    raise TimeoutError(f"no port in {p} after {timeout}s")


def write_port_file(path: Path | str, port: int) -> None:
    p = Path(path)
    tmp = p.with_name(p.name + f".{os.getpid()}.tmp")
    tmp.write_text(f"{port}\n")
    os.replace(tmp, p)
