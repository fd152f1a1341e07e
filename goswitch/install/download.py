"""Bytes from mirrors: urllib only, timeouts, retries with backoff, failover, resume.

- Mirrors are tried in order; a mirror that answers 404/403/410 (or cannot be resolved, or
  fails TLS verification) is skipped at once, one that fails transiently (5xx, 408, 429,
  timeout, reset, truncated body) is retried ``retries`` times with exponential backoff and
  jitter (``Retry-After``, seconds or a date, honoured up to 30 s and the timeout; a server
  asking for longer loses its turn), then the next mirror is tried.  An attempt
  that got :data:`RESUME_MIN_BYTES` further before failing does not count.  A certificate
  from a CA this machine does not trust gets a fix naming ``SSL_CERT_FILE`` (TLS-intercepting
  proxies, private CAs).
- Timeouts: ``timeout`` seconds to connect and for every read; a connection that trickles
  (slower than :data:`LOW_SPEED_BYTES` per ``timeout`` seconds) counts as stalled too, so a
  slow server cannot hold an install forever.
- Resume: a partial ``.part`` file continues with ``Range: bytes=N-``; only a ``206`` whose
  ``Content-Range`` starts at N (and, when the size is known, ends at it) is appended; a
  ``200`` or anything else restarts from byte 0.  A body longer than the index says is cut
  off and fails; a shorter one is resumed.
- The sha256 is computed while writing (hashing the kept prefix first on a resume).
- Proxies: ``http_proxy``/``https_proxy``/``no_proxy`` (either case) from the given
  environment, through urllib's ``ProxyHandler`` (CONNECT tunnels for https); ``no_proxy``
  also takes networks (``10.0.0.0/8``) for IP-literal hosts.
- ``file://`` URLs (and plain absolute paths) read local files: air-gapped mirrors.
- ``User-Agent: goswitch/<version>``; credentials in mirror URLs never reach messages.
"""

from __future__ import annotations

import base64
import datetime
import email.utils
import errno
import hashlib
import http.client
import ipaddress
import itertools
import os
import random
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

from .. import __version__
from ..errors import GoswitchError, NetworkError, NotFoundError
from ..masking import redact
from . import encoding, served

USER_AGENT = f"goswitch/{__version__}"
CHUNK = 1 << 20
LOW_SPEED_BYTES = 1024
GZIP_MAGIC = encoding.GZIP_MAGIC
# An attempt that got this far before failing does not count as a retry (see failover),
# at most MAX_RESUMES times; a trickle or a stall after a few bytes still does.
RESUME_MIN_BYTES = 1 << 20
MAX_RESUMES = 100
MAX_RETRY_AFTER = 30.0
# A mirror that delivers, but so slowly that the rest would take more than SLOW_ETA
# timeouts (30 min at the CLI's 30 s, 10 min at the prompt's 10 s), gives way to the
# next mirror, which resumes the part; judged after SLOW_AFTER timeouts of transfer.
SLOW_ETA = 60
SLOW_AFTER = 2
# OpenSSL verify codes meaning "signed by a CA not in the trust store" (unable to get issuer
# certificate, self-signed, self-signed in chain, unable to get local issuer, unable to
# verify the first certificate): what a TLS-intercepting proxy or a private CA causes.
_UNKNOWN_CA = {2, 18, 19, 20, 21}
_pwrite = os.pwrite  # tests inject write errors here
_PERMANENT_HTTP = {400, 401, 403, 404, 405, 410, 451}


class NetOptions:
    """What every request needs: timeout, retries, backoff, the environment (proxies)."""

    def __init__(
        self,
        timeout: float = 30,
        retries: int = 3,
        environ=None,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        sleep=time.sleep,
    ):
        self.timeout = max(0.1, float(timeout))
        self.retries = max(1, int(retries))
        self.environ = os.environ if environ is None else environ
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep

    @classmethod
    def from_settings(cls, settings, environ=None) -> NetOptions:
        return cls(timeout=settings.timeout, retries=settings.retries, environ=environ)

    def with_retries(self, retries: int) -> NetOptions:
        return NetOptions(
            self.timeout, retries, self.environ, self.backoff, self.max_backoff, self.sleep
        )


class Transient(Exception):
    """Worth retrying (same mirror); ``retry_after`` from the server when it said so."""

    def __init__(self, why: str, retry_after: float | None = None):
        super().__init__(why)
        self.retry_after = retry_after


class Permanent(Exception):
    """This mirror cannot serve it; go to the next one.  ``missing``: a plain 404/410;
    ``unknown_ca``: its TLS certificate comes from a CA this machine does not trust."""

    def __init__(self, why: str, missing: bool = False, unknown_ca: bool = False):
        super().__init__(why)
        self.missing = missing
        self.unknown_ca = unknown_ca


class Restart(Exception):
    """The server will not continue a partial download: start over from byte 0."""


def join_url(base: str, name: str) -> str:
    """``base`` (a mirror: URL or absolute path, with or without trailing /) + file name.

    The name goes into the path; a query is kept (signed-URL mirrors need their token on
    every file), a fragment dropped (it is never sent)."""
    if base.startswith("/"):
        return os.path.join(base, name)
    try:
        parts = urllib.parse.urlsplit(base)
    except ValueError:  # settings reject such a URL; one that slips through fails its fetch
        return base.rstrip("/") + "/" + name
    path = parts.path if parts.path.endswith("/" + name) else parts.path.rstrip("/") + "/" + name
    return urllib.parse.urlunsplit(parts._replace(path=path, fragment=""))


# ---- proxies --------------------------------------------------------------------------


def _env(environ, name: str) -> tuple[str, str]:
    """(the variable set, its value): ``name`` in lower case first, as curl reads them."""
    for var in (name.lower(), name.upper()):
        value = (environ.get(var) or "").strip()
        if value:
            return var, value
    return name.upper(), ""


def proxy_for(url: str, environ) -> tuple[dict, str]:
    """(``ProxyHandler`` mapping, the variable it came from, as it is spelt) for ``url``;
    ({}, "") for none.  Honours ``*_proxy``, ``all_proxy`` and ``no_proxy``, in either case.
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    var, proxy = _env(environ, f"{scheme}_proxy")
    if not proxy:
        var, proxy = _env(environ, "all_proxy")
    if not proxy or scheme not in ("http", "https"):
        return {}, ""
    _, no_proxy = _env(environ, "no_proxy")
    host = parts.hostname or ""
    if no_proxy:
        if no_proxy == "*":
            return {}, ""
        hostport = host + (f":{parts.port}" if parts.port else "")
        if urllib.request.proxy_bypass_environment(hostport, {"no": no_proxy}):
            return {}, ""
        if _in_no_proxy_networks(host, no_proxy):
            return {}, ""
    if "://" not in proxy:
        proxy = "http://" + proxy
    return {scheme: proxy}, var


def _in_no_proxy_networks(host: str, no_proxy: str) -> bool:
    """An IP-literal host inside a ``no_proxy`` entry written as an address or a network
    (``10.0.0.0/8``, ``::1/128``), as Go and curl read them; urllib matches names only."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    for entry in no_proxy.replace(" ", ",").split(","):
        entry = entry.strip().strip("[]")
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if address.version == network.version and address in network:
            return True
    return False


def _check_proxy(proxies: dict, var: str) -> None:
    """urllib speaks to HTTP proxies only; a SOCKS one (Clash, v2ray) is said plainly."""
    for proxy in proxies.values():
        kind = proxy.partition("://")[0].lower()
        if kind not in ("http", "https"):
            raise Permanent(
                f"{var}={redact(proxy)} is a {kind} proxy, and goswitch speaks to HTTP proxies "
                "only (set HTTPS_PROXY and HTTP_PROXY to the proxy's HTTP port: Clash and v2ray "
                "offer one, e.g. http://127.0.0.1:7890)"
            )


def _credentials(url: str) -> tuple[str, str | None]:
    """(``url`` without user:password, the Basic ``Authorization`` value or None)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    pair = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
    token = base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return urllib.parse.urlunsplit(parts._replace(netloc=host)), f"Basic {token}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(
        scheme)


class _SameOriginAuth(urllib.request.HTTPRedirectHandler):
    """Redirects keep ``Authorization`` within the same scheme, host and port (Artifactory
    and Nexus redirect inside their own host) and drop it elsewhere (a CDN), as curl and
    requests do."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        auth = req.unredirected_hdrs.get("Authorization")
        if new is not None and auth and _origin(new.full_url) == _origin(req.full_url):
            new.add_unredirected_header("Authorization", auth)
        return new


def _credentials_hint(sent: str | None) -> str:
    if sent:
        return "the user and password in the URL were refused: check them"
    return ("the server wants a user and password: put them in the URL, "
            "https://user:password@host/..., with @ in the password written %40")


def _opener(url: str, proxies: dict) -> urllib.request.OpenerDirector:
    handlers: list = [urllib.request.ProxyHandler(proxies), _SameOriginAuth()]
    if url.startswith("https:"):
        handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context()))
    return urllib.request.build_opener(*handlers)


# ---- one request ----------------------------------------------------------------------


class _Response:
    """A started body: ``status``, ``offset`` (where it starts), ``total`` (full size or
    None), ``read(n)`` returning what is there (``b""`` at the end).  ``framed``: its end
    is known (a length, chunks, a file), so a cut is seen; else the connection's close
    ends it, and a cut looks like the end."""

    def __init__(
        self, status: int, offset: int, total: int | None, length: int | None, read, close,
        framed: bool = True,
    ):
        self.status, self.offset, self.total, self.length = status, offset, total, length
        self.read, self.close, self.framed = read, close, framed
        self.decoded = False  # a gzip Content-Encoding taken off (see encoding.py)


def _file_path(url: str) -> str | None:
    if url.startswith("/"):
        return url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "file":
        return None
    if parts.netloc not in ("", "localhost"):
        raise Permanent(f"file:// URL with a host ({parts.netloc!r}) is not a local file")
    return urllib.request.url2pathname(parts.path)


def _open_file(path: str, offset: int) -> _Response:
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the _Response
    except FileNotFoundError:
        raise Permanent("no such file", missing=True) from None
    except OSError as exc:
        raise Permanent(exc.strerror or str(exc)) from None
    total = os.fstat(f.fileno()).st_size
    if offset > total:
        f.close()
        raise Restart()
    f.seek(offset)
    return _Response(206 if offset else 200, offset, total, total - offset, f.read1, f.close)


def _retry_after(headers, now=None) -> float | None:
    """Seconds the server asks us to wait: ``Retry-After: 120`` or an HTTP date."""
    value = (headers.get("Retry-After") or "").strip() if headers is not None else ""
    if value.isdigit():
        return float(value)
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # a date without a zone: HTTP dates are GMT
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def retry_after_cap(opts: NetOptions) -> float:
    """The longest wait a Retry-After gets: 30 s, and never more than the timeout (10 s
    when the shell hook installs at the prompt); a server asking for more loses its turn."""
    return min(MAX_RETRY_AFTER, opts.timeout)


def _classify(exc: BaseException) -> Exception:
    """Map what urllib/http.client/socket raise to Transient or Permanent."""
    if isinstance(exc, urllib.error.HTTPError):
        code = exc.code
        if 300 <= code < 400:  # urllib gave up following (a loop, or no Location)
            return Permanent(f"redirect loop or bad redirect (HTTP {code})")
        reason = f"HTTP {code} {exc.reason}"
        if code in _PERMANENT_HTTP:
            return Permanent(reason, missing=code in (404, 410))
        return Transient(reason, _retry_after(exc.headers))
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, BaseException):
            return _classify(reason)
        return Transient(str(reason))
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Permanent(
            f"TLS certificate not trusted ({exc.verify_message})",
            unknown_ca=exc.verify_code in _UNKNOWN_CA,
        )
    if isinstance(exc, ssl.SSLError):
        return Transient(f"TLS error ({exc.reason or exc})")
    if isinstance(exc, socket.gaierror):
        return Permanent(f"cannot resolve host ({exc.strerror})")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return Transient("timed out")
    if isinstance(exc, ConnectionRefusedError):
        return Transient("connection refused")
    if isinstance(exc, ConnectionResetError):
        return Transient("connection reset")
    if isinstance(exc, http.client.IncompleteRead):
        return Transient("connection closed early (truncated body)")
    if isinstance(exc, http.client.HTTPException):
        return Transient(f"bad HTTP response ({type(exc).__name__}: {exc})")
    if isinstance(exc, OSError):
        return Transient(exc.strerror or str(exc))
    return Transient(str(exc))


def _proxy_wants_auth(proxies: dict, var: str) -> Permanent:
    """HTTP 407: another try cannot help; the credentials go in the proxy's URL."""
    proxy = next(iter(proxies.values()))
    parts = urllib.parse.urlsplit(proxy)
    if "@" in parts.netloc:
        why = f"refused the user and password in {var} (HTTP 407): check them"
    else:
        host = parts.netloc
        why = (f"wants a user and password (HTTP 407): set {var}="
               f"{parts.scheme}://user:password@{host}, with @ in the password written %40")
    return Permanent(f"the proxy {redact(proxy)} from {var} {why}")


def _tunnel_refused_407(exc: BaseException) -> bool:
    """http.client's CONNECT failure: ``OSError('Tunnel connection failed: 407 ...')``."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    return isinstance(exc, OSError) and "Tunnel connection failed: 407" in str(exc)


def _through(err: Exception, proxies: dict, var: str, exc: BaseException) -> Exception:
    """Name the proxy in a connection failure: it may be the proxy that refused."""
    if not proxies or isinstance(exc, urllib.error.HTTPError):  # the mirror's answer
        return err
    proxy = redact(next(iter(proxies.values())))
    err.args = (f"{err.args[0]} (through the proxy {proxy} from {var})",)
    return err


def _read_error(exc: BaseException) -> Exception:
    """What failed while reading a body, as Transient or Permanent."""
    if isinstance(exc, encoding.CutShort):
        return Transient("connection closed early (the gzip-encoded body is cut short)")
    if isinstance(exc, zlib.error):
        return Permanent(f"sent a damaged gzip-encoded body ({exc})")
    return _classify(exc)


def _content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """``bytes START-END/TOTAL`` -> (start, end, total or None)."""
    if not value:
        return None
    unit, _, spec = value.strip().partition(" ")
    rng, _, total = spec.partition("/")
    start, _, end = rng.partition("-")
    try:
        return int(start), int(end), (None if total.strip() == "*" else int(total))
    except ValueError:
        return None


def open_url(url: str, opts: NetOptions, offset: int = 0, size: int | None = None,
             magic: bytes | None = None) -> _Response:
    """Start a GET of ``url`` from byte ``offset``; raises Transient/Permanent/Restart.

    ``magic``: what the file starts with, to tell a ``Content-Encoding: gzip`` label on
    the raw file from a real second compression (decoded then; see encoding.py)."""
    path = _file_path(url)
    if path is not None:
        return _open_file(path, offset)
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise Permanent(f"unsupported URL scheme {scheme!r} (use https://, http:// or file://)")
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    proxies, var = proxy_for(url, opts.environ)
    _check_proxy(proxies, var)
    url, auth = _credentials(url)  # https://user:pass@artifactory.example/golang/
    req = urllib.request.Request(url, headers=headers)
    if auth:
        # Unredirected: only _SameOriginAuth passes it on, never to another host.
        req.add_unredirected_header("Authorization", auth)
    try:
        resp = _opener(url, proxies).open(req, timeout=opts.timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and offset:
            raise Restart() from None
        if exc.code == 401:
            raise Permanent(f"HTTP 401 {exc.reason} ({_credentials_hint(auth)})") from None
        if exc.code == 407 and proxies:
            raise _proxy_wants_auth(proxies, var) from None
        raise _through(_classify(exc), proxies, var, exc) from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if proxies and _tunnel_refused_407(exc):
            raise _proxy_wants_auth(proxies, var) from None
        raise _through(_classify(exc), proxies, var, exc) from None
    status = resp.status
    length_h = resp.headers.get("Content-Length")
    length = int(length_h) if length_h and length_h.strip().isdigit() else None
    if offset:
        if status != 206:
            resp.close()
            raise Restart()
        cr = _content_range(resp.headers.get("Content-Range"))
        if (
            cr is None
            or cr[0] != offset
            or (size is not None and (cr[2] not in (None, size) or cr[1] != size - 1))
        ):
            resp.close()
            raise Restart()
        total = cr[2]
    else:
        if status != 200:
            resp.close()
            raise Transient(f"unexpected HTTP status {status}")
        total = length
    framed = length is not None or bool(getattr(resp, "chunked", False))
    if not encoding.is_gzip_label(resp.headers):
        return _Response(status, offset, total, length, resp.read1, resp.close, framed)
    try:
        read, decoded = _encoded_body(resp, offset, magic)
    except BaseException:
        resp.close()
        raise
    if decoded:  # Content-Length and Content-Range count the encoded bytes
        total = length = None
    out = _Response(status, offset, total, length, read, resp.close, framed or decoded)
    out.decoded = decoded
    return out


def _encoded_body(resp, offset: int, magic: bytes | None):
    """(read, decoded) for a body labelled ``Content-Encoding: gzip`` (see encoding.py)."""
    try:
        if offset:
            head = resp.read1(CHUNK)
            if head.startswith(GZIP_MAGIC):
                raise Restart()  # a range compressed on its own cannot be appended
            return encoding.Replay(resp.read1, head).read, False
        return encoding.open_body(resp.read1, magic)
    except (OSError, http.client.HTTPException) as exc:
        raise _classify(exc) from None


# ---- retry and failover ---------------------------------------------------------------


def _backoff(opts: NetOptions, attempt: int, hint: float | None) -> None:
    if hint is not None:
        delay = hint
    else:
        delay = min(opts.max_backoff, opts.backoff * (2**attempt))
        delay *= 0.5 + random.random() / 2
    if delay > 0:
        opts.sleep(delay)


def failover(urls: list[str], opts: NetOptions, what: str, attempt_fn, notify=None,
             setting: str = "GOSWITCH_MIRRORS / mirrors", progress=None):
    """Call ``attempt_fn(url)`` over the mirrors with retries; return the first result.

    ``progress()`` (downloads) says how many bytes are in hand: an attempt that
    moved it forward by :data:`RESUME_MIN_BYTES` before failing does not use up a
    retry (a link that drops every 20 MB still gets there by resuming), up to
    :data:`MAX_RESUMES` times.
    Raises :class:`NotFoundError` when every mirror said 404, else :class:`NetworkError`
    listing each mirror and what went wrong with it.
    """
    failures: list[str] = []
    all_missing = True
    transient = unknown_ca = False
    resumes = 0
    proxy_vars = []  # as the user spelt them, for the advice at the end
    for i, url in enumerate(urls):
        var = proxy_for(url, opts.environ)[1] if "://" in url else ""
        if var and var not in proxy_vars:
            proxy_vars.append(var)
        # `what` already names a lone URL (the index): do not say it again per failure.
        label = "" if redact(url) in what else f"{redact(url)}: "
        attempt = 0
        while attempt < opts.retries:
            before = progress() if progress else 0
            try:
                return attempt_fn(url)
            except Permanent as exc:
                failures.append(f"{label}{exc}")
                all_missing = all_missing and exc.missing
                unknown_ca = unknown_ca or exc.unknown_ca
                break
            except Transient as exc:
                all_missing = False
                transient = True
                failures.append(f"{label}{exc}")
                moved = progress() - before if progress else 0
                if moved >= RESUME_MIN_BYTES and resumes < MAX_RESUMES:
                    resumes += 1
                    if notify:
                        notify(f"{redact(url)}: {exc}; resuming at byte {progress()}")
                    continue
                attempt += 1
                wait = exc.retry_after
                if wait is not None and wait > retry_after_cap(opts):
                    failures[-1] += (f" (its Retry-After asks for {wait:.0f} s, longer than "
                                     f"goswitch waits: {retry_after_cap(opts):g} s)")
                    break  # waiting would hold the prompt or the script: next mirror
                if attempt < opts.retries:
                    if notify:
                        said = f"{redact(url)}: {exc}; retrying ({attempt + 1}/{opts.retries})"
                        if wait is not None:
                            said += f" in {wait:.0f} s (the server's Retry-After)"
                        notify(said)
                    _backoff(opts, attempt - 1, wait)
        if notify and i + 1 < len(urls):
            last = failures[-1] if failures else redact(url)
            notify(f"{last}; trying the next mirror: {redact(urls[i + 1])}")
    why = _summary(failures) or "no mirror configured"
    if all_missing and failures:
        raise NotFoundError(
            what,
            f"not found on any mirror ({why})" if len(urls) > 1 else f"not found ({why})",
            f"check {setting}, or try another mirror",
        )
    proxies = f", the proxy in {' and '.join(proxy_vars)}," if proxy_vars else ""
    fix = f"check your network{proxies} and {setting}"
    if transient and len(urls) > 1:
        times = f"{opts.retries} times" if opts.retries > 1 else "once"
        fix += f"; goswitch tries each mirror up to {times} (retries / GOSWITCH_RETRIES)"
    elif transient and opts.retries == 1:  # more attempts: "(N attempts)" says it already
        fix += "; goswitch tried once (retries / GOSWITCH_RETRIES)"
    if unknown_ca:
        fix = (
            "behind a corporate TLS-intercepting proxy or for a mirror with a private CA, "
            "set SSL_CERT_FILE to a PEM bundle that includes that CA's certificate; "
            f"otherwise {fix}"
        )
    raise NetworkError(what, why, fix)


def _summary(failures: list[str]) -> str:
    """The failures joined, a run of identical ones said once with its count."""
    parts: list[str] = []
    for failure, group in itertools.groupby(failures):
        n = len(list(group))
        parts.append(f"{failure} ({n} attempts)" if n > 1 else failure)
    return "; ".join(parts)


def fetch_bytes(
    urls: list[str], opts: NetOptions, what: str, limit: int = 64 << 20, notify=None,
    setting: str = "GOSWITCH_MIRRORS / mirrors", parse=None,
) -> tuple[bytes, str]:
    """A small file (index, signature) in memory: ``(data, url that served it)``.

    ``parse(data)``, when given, makes the first item its result; it may raise
    :class:`Transient` for a body that is cut short where HTTP cannot tell (a
    close-delimited transfer), so that it is retried like any other.
    """

    def attempt(url: str) -> tuple[bytes, str]:
        try:
            resp = open_url(url, opts)
        except Restart:
            raise Transient("unexpected partial response") from None
        try:
            parts, got = [], 0
            while True:
                try:
                    block = resp.read(CHUNK)
                except (OSError, http.client.HTTPException, encoding.CutShort, zlib.error) as exc:
                    raise _read_error(exc) from None
                if not block:
                    break
                got += len(block)
                if got > limit:
                    raise Permanent(f"larger than {limit} bytes")
                parts.append(block)
            if resp.length is not None and got < resp.length:
                raise Transient(f"truncated body ({got} of {resp.length} bytes)")
            data = b"".join(parts)
            return (parse(data) if parse else data), url
        finally:
            resp.close()

    return failover(list(urls), opts, what, attempt, notify, setting)


# ---- the archive ----------------------------------------------------------------------


EARLIER = "an earlier, interrupted download"


class Fetched:
    """Result of :func:`download`: who served it, its sha256, whether a part was resumed,
    and every source of its bytes (``sources``: URLs, or "an earlier download" first).
    ``unsure_end``: neither the index nor the server gave a size and the connection's
    close ended the body, so it may have been cut short."""

    def __init__(
        self, url: str, sha256: str, size: int, resumed: bool, sources: list | None = None,
        unsure_end: bool = False,
    ):
        self.url, self.sha256, self.size, self.resumed = url, sha256, size, resumed
        self.sources = sources if sources is not None else [url]
        self.unsure_end = unsure_end


def disk_error(exc: OSError, what: str, doing: str, full_fix: str) -> GoswitchError:
    """A write to ``what`` failed: disk full (``full_fix`` says what to do), or another error."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return GoswitchError(
            what, f"disk full: no space left on the device while {doing}", full_fix
        )
    return GoswitchError(what, f"cannot write: {exc.strerror or exc}", "check the directory")


def download(
    urls: list[str],
    part: str,
    *,
    size: int | None,
    opts: NetOptions,
    what: str,
    sink=None,
    progress=None,
    notify=None,
    magic: bytes | None = None,
) -> Fetched:
    """Download to ``part`` (kept and resumed if present), hashing while writing.

    ``magic``: what the file starts with (gzip's): a body that starts otherwise
    (an HTML login or error page sent with status 200) fails that mirror before
    a byte is kept, instead of becoming a part file to resume later.

    ``sink`` (optional) hears ``advanced(n)`` after each write, ``reset()`` when the file
    starts over and ``finish(n)`` at the end: the extractor reading behind the writer.
    """
    os.makedirs(os.path.dirname(part) or ".", exist_ok=True)
    fd = os.open(part, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    state = {"n": 0, "hash": hashlib.sha256(), "resumed": False, "sources": []}
    try:
        have = os.fstat(fd).st_size
        if size is not None and have > size:
            have = 0
        os.ftruncate(fd, have)
        if have:
            h = state["hash"]
            pos = 0
            while pos < have:
                block = os.pread(fd, min(CHUNK, have - pos), pos)
                if not block:
                    break
                h.update(block)
                pos += len(block)
            state["n"] = pos
            state["resumed"] = True
            state["sources"].append(EARLIER)
            if sink is not None:
                sink.advanced(pos)
        if progress is not None:
            progress.start(what, size, state["n"])
        if size is not None and have and state["n"] == size:
            # complete already (a previous run was stopped before it could use it): the
            # caller's sha256 check decides whether it is good; no request needed
            if sink is not None:
                sink.finish(size)
            if progress is not None:
                progress.done()
            return Fetched(urls[0], state["hash"].hexdigest(), size, True, [EARLIER])

        def restart() -> None:
            os.ftruncate(fd, 0)
            state["n"], state["hash"], state["sources"] = 0, hashlib.sha256(), []
            state["resumed"] = False  # every byte comes from this fetch now
            if sink is not None:
                sink.reset()
            if progress is not None:
                progress.update(0)

        def attempt(url: str) -> Fetched:
            state["others"] = url != urls[-1]  # only then may a slow mirror give way
            try:
                resp = open_url(url, opts, state["n"], size, magic)
            except Restart:
                if notify and state["n"]:
                    notify(f"{redact(url)} cannot resume; starting over")
                restart()
                resp = open_url(url, opts, 0, size, magic)
            if progress is not None:
                progress.resume(state["n"])
            if resp.decoded and notify:
                notify(f"{redact(url)} sent the archive compressed again (Content-Encoding: "
                       "gzip, although goswitch asks for identity); decoding it")
            if state["n"] and resp.offset:
                state["resumed"] = True
            if url not in state["sources"]:
                state["sources"].append(url)
            try:
                _stream(resp, fd, state, size, opts, sink, progress, part, magic)
            finally:
                resp.close()
            unsure = size is None and resp.total is None and not resp.framed
            return Fetched(
                url, state["hash"].hexdigest(), state["n"], state["resumed"], state["sources"],
                unsure,
            )

        try:
            result = failover(list(urls), opts, what, attempt, notify, progress=lambda: state["n"])
        except BaseException:
            if progress is not None:
                progress.done()  # end the bar's line, so the error starts on its own
            raise
        if sink is not None:
            sink.finish(state["n"])
        if progress is not None:
            progress.done()
        return result
    finally:
        os.close(fd)


def _stream(
    resp: _Response,
    fd: int,
    state: dict,
    size: int | None,
    opts: NetOptions,
    sink,
    progress,
    part: str,
    magic: bytes | None = None,
) -> None:
    h = state["hash"]
    expect = size if size is not None else resp.total
    window_start, window_bytes = time.monotonic(), 0
    started, at_start, judged = window_start, state["n"], False
    read = resp.read
    while True:
        try:
            block = read(CHUNK)
        except (OSError, http.client.HTTPException, encoding.CutShort, zlib.error) as exc:
            raise _read_error(exc) from None
        if not block:
            break
        n = state["n"]
        if n == 0 and magic and len(block) >= len(magic) and not block.startswith(magic):
            raise Permanent(f"sent something other than the archive ({served.describe(block)})")
        if expect is not None and n + len(block) > expect:
            raise Permanent(f"sent more than the {expect} bytes the index lists")
        try:
            view = memoryview(block)
            while view:
                written = _pwrite(fd, view, n)
                view = view[written:]
                n += written
        except OSError as exc:
            raise disk_error(
                exc,
                part,
                "downloading",
                f"free space in {os.path.dirname(part)} (or set GOSWITCH_CACHE_DIR elsewhere) "
                "and run the command again; the partial download resumes",
            ) from None
        h.update(block)
        state["n"] = n
        if sink is not None:
            sink.advanced(n)
        if progress is not None:
            progress.update(n)
        window_bytes += len(block)
        now = time.monotonic()
        elapsed = now - window_start
        # A rate, not a count: blocks arrive when they please, so a window only closes
        # late; 512 bytes every 1.5 s must not pass a 1 KiB-per-2 s floor as "1 KiB in 3 s".
        if elapsed >= opts.timeout:
            if window_bytes * opts.timeout < LOW_SPEED_BYTES * elapsed:
                raise Transient(f"stalled (under {LOW_SPEED_BYTES} bytes in {opts.timeout:g}s)")
            window_start, window_bytes = now, 0
        if (not judged and expect and state.get("others")
                and now - started >= SLOW_AFTER * opts.timeout):
            judged = True  # once per attempt
            rate = (state["n"] - at_start) / (now - started)
            left = (expect - state["n"]) / max(rate, 1e-9)
            if left > SLOW_ETA * opts.timeout:
                raise Permanent(
                    f"too slow ({rate / 1e3:.1f} kB/s: about {left / 60:.0f} min left at that "
                    "rate)"
                )
    if expect is not None and state["n"] < expect:
        raise Transient(f"connection closed early (truncated: {state['n']} of {expect} bytes)")
