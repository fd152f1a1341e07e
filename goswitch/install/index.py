"""The release index: go.dev's JSON list, fetched, validated, cached with a TTL.

``index_url`` (default ``https://go.dev/dl/?mode=json&include=all``; golang.google.cn serves
the same JSON; ``file://`` works) is fetched at most once per ``index_ttl`` seconds and kept
in ``$GOSWITCH_CACHE_DIR/index.json`` with the URL and the time it was fetched.  Each fetch
also writes ``$GOSWITCH_CACHE_DIR/latest-stable`` (one line, the newest stable version) so
the hook resolves ``latest`` without reading JSON.  Concurrent goswitch processes fetch it
once: the refresh happens under ``index.lock`` and re-checks the cache inside it.

When the network fails and a cached copy exists, the cached copy is used (with a warning)
unless ``--refresh`` was asked for explicitly.

The index is the *only* source of sha256 values: entries are validated (64 hex digits, a
plain file name, a size) and malformed ones are dropped, so a hostile index cannot make us
write outside the cache.
"""

from __future__ import annotations

import json
import os
import time
import zlib

from .. import paths
from ..atomic import take, write_atomic
from ..errors import EXIT_NETWORK, GoswitchError, NetworkError, NotFoundError
from ..resolve import LATEST_FILE
from ..settings import DEFAULT_INDEX_URL
from ..versions import GoVersion, Spec, VersionError
from . import served
from .download import NetOptions, Transient, fetch_bytes, redact
from .platform import Platform

# go.dev is blocked in mainland China; Google serves the same index and files there.
CHINA_HINT = (
    "where go.dev cannot be reached, as in mainland China: goswitch config set index_url "
    "'https://golang.google.cn/dl/?mode=json&include=all' and goswitch config set mirrors "
    "https://golang.google.cn/dl/"
)


def with_china_hint(exc: NetworkError) -> NetworkError:
    """``exc`` whose fix also says how to get Go where go.dev cannot be reached."""
    return NetworkError(exc.what, exc.why, f"{exc.fix}; {CHINA_HINT}")


INDEX_FILE = "index.json"
LOCK_FILE = "index.lock"
CACHE_FORMAT = 1
_HEX = frozenset("0123456789abcdef")


class ArchiveFile:
    """One downloadable file of a release, as listed in the index."""

    __slots__ = ("filename", "os", "arch", "version", "sha256", "size", "kind")

    def __init__(
        self,
        filename: str,
        os_: str,
        arch: str,
        version: GoVersion,
        sha256: str,
        size: int | None,
        kind: str,
    ):
        self.filename, self.os, self.arch, self.version = filename, os_, arch, version
        self.sha256, self.size, self.kind = sha256, size, kind

    @property
    def platform(self) -> str:
        return f"{self.os}-{self.arch}"

    def to_dict(self) -> dict:
        return {
            "filename": self.filename,
            "os": self.os,
            "arch": self.arch,
            "sha256": self.sha256,
            "size": self.size,
            "kind": self.kind,
        }

    def __repr__(self) -> str:
        return f"ArchiveFile({self.filename!r})"


class Release:
    __slots__ = ("version", "files", "marked_unstable", "unusable")

    def __init__(self, version: GoVersion, files: list[ArchiveFile], marked_unstable=False,
                 unusable: list[ArchiveFile] | None = None):
        self.version, self.files = version, files
        # The index's own "stable": false (go.dev sets it on rc/beta; a mirror may on
        # a release it withdrew): never `latest`, never a prefix's pick.
        self.marked_unstable = marked_unstable
        # Entries dropped for a missing or malformed sha256 (``sha256`` holds what the
        # index gave, as text): named when they are what was asked for.
        self.unusable = unusable if unusable is not None else []

    @property
    def stable(self) -> bool:
        return not self.version.is_prerelease and not self.marked_unstable

    def archive(self, platform: Platform) -> ArchiveFile | None:
        """The ``.tar.gz`` archive for ``platform`` (not the installer, not the source)."""
        return next((f for f in self.files if _is_archive_for(f, platform)), None)

    def unusable_archive(self, platform: Platform) -> ArchiveFile | None:
        """The archive for ``platform`` the index lists without a valid sha256."""
        return next((f for f in self.unusable if _is_archive_for(f, platform)), None)

    def platforms(self) -> list[str]:
        return sorted({f.platform for f in self.files if f.kind == "archive" and f.os})

    def __repr__(self) -> str:
        return f"Release({self.version})"


def _is_archive_for(f: ArchiveFile, platform: Platform) -> bool:
    return (f.kind == "archive" and f.os == platform.os and f.arch == platform.arch
            and f.filename.endswith(".tar.gz"))


def _valid_sha(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value.lower()) <= _HEX


def _valid_name(value) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= 255
        and "/" not in value
        and "\\" not in value
        and value.isascii()
        and value.isprintable()  # no control characters: it is shown and becomes a file name
        and not value.startswith(".")
    )


def parse(data, where: str) -> list[Release]:
    """Releases from go.dev's JSON (bytes, text or the decoded list), newest first."""
    try:
        raw = json.loads(data) if isinstance(data, (bytes, str)) else data
    except (ValueError, RecursionError) as exc:
        raise GoswitchError(
            where, f"not a JSON release index ({_json_why(exc)})",
            "check index_url / GOSWITCH_INDEX_URL"
        ) from None
    if not isinstance(raw, list):
        raise GoswitchError(
            where,
            "not a go.dev release index (expected a JSON list)",
            "check index_url / GOSWITCH_INDEX_URL",
        )
    releases: dict[GoVersion, Release] = {}
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("version"), str):
            continue
        try:
            version = GoVersion.parse(entry["version"])
        except VersionError:
            continue  # e.g. very old "go1" names: not installable by version anyway
        files, unusable = [], []
        for f in entry.get("files") or []:
            if not isinstance(f, dict):
                continue
            name, sha = f.get("filename"), f.get("sha256")
            size = f.get("size")
            if not _valid_name(name):
                continue
            if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
                size = None  # 0 too: no Go archive is empty, so it means "unknown"
            good = _valid_sha(sha)
            (files if good else unusable).append(
                ArchiveFile(
                    name,
                    str(f.get("os") or ""),
                    str(f.get("arch") or ""),
                    version,
                    sha.lower() if good else ("" if sha is None else str(sha)[:80]),
                    size,
                    str(f.get("kind") or ""),
                )
            )
        rel = releases.get(version)
        if rel is None:
            releases[version] = Release(version, files, entry.get("stable") is False, unusable)
        else:
            rel.files.extend(files)
            rel.unusable.extend(unusable)
    return sorted(releases.values(), key=lambda r: r.version, reverse=True)


class Index:
    """The parsed index and where it came from (``origin``: network | cache | stale)."""

    def __init__(self, releases: list[Release], url: str, fetched: float, origin: str):
        self.releases, self.url, self.fetched, self.origin = releases, url, fetched, origin
        self._by_version = {r.version: r for r in releases}

    def find(self, version: GoVersion) -> Release | None:
        return self._by_version.get(version)

    def matching(self, spec: Spec | None, include_prerelease: bool = False) -> list[Release]:
        """Releases ``spec`` covers, newest first; pre-releases only when exact or asked for."""
        out = []
        for r in self.releases:
            v = r.version
            if spec is None or spec.kind == "latest":
                ok = True
            elif spec.kind == "exact":
                ok = v == spec.version
            else:
                ok = v.major == spec.major and (spec.minor is None or v.minor == spec.minor)
            exact = spec is not None and spec.kind == "exact"
            if ok and (exact or include_prerelease or r.stable):
                out.append(r)
        return out

    def latest_stable(self) -> Release | None:
        return newest_stable(self.releases)

    def resolve(self, spec: Spec) -> Release:
        """The release ``spec`` names: exact, or the newest stable match; else NotFoundError."""
        if spec.kind == "exact":
            rel = self.find(spec.version)  # type: ignore[arg-type]
        else:
            rel = next(iter(self.matching(spec)), None)
        if rel is None:
            raise NotFoundError(
                f"Go {spec.text}",
                f"no such release in the index {redact(self.url)}",
                "see `goswitch list-remote --all` for the versions that exist",
            )
        return rel

    def by_filename(self, name: str) -> ArchiveFile | None:
        for r in self.releases:
            for f in r.files:
                if f.filename == name:
                    return f
        return None


# ---- cache --------------------------------------------------------------------------


def _read_cache(path: str, url: str):
    """(raw list, fetched time) from the cache file when it is for ``url``, else None."""
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read())
    except (OSError, ValueError, RecursionError):
        return None
    if (
        not isinstance(doc, dict)
        or doc.get("format") != CACHE_FORMAT
        or doc.get("url") != url
        or not isinstance(doc.get("fetched"), (int, float))
        or not isinstance(doc.get("index"), list)
    ):
        return None
    return doc["index"], float(doc["fetched"])


def _fresh(fetched: float, ttl: int, now: float) -> bool:
    return ttl > 0 and 0 <= now - fetched < ttl


def _json_why(exc: Exception) -> str:
    """Why the index is not JSON, in words about the file, not about Python's limits."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if "int_max_str_digits" in str(exc) or "Exceeds the limit" in str(exc):
        return "a number with thousands of digits"
    return str(exc)


# go.dev's full index (include=all) is a few MB; a gzip bomb stops here.
def _gunzipped(data: bytes, limit: int = 32 << 20) -> bytes:
    """The index as sent gzip-compressed anyway (some servers ignore our Accept-Encoding)."""
    if data[:2] != b"\x1f\x8b":
        return data
    inflater = zlib.decompressobj(wbits=31)
    out = inflater.decompress(data, limit)
    if inflater.unconsumed_tail:
        raise ValueError(f"more than {limit} bytes once decompressed")
    if not inflater.eof:
        raise Transient(f"truncated body (the gzip stream ends early, after {len(data)} bytes)")
    return out


class NotAnIndex(GoswitchError):
    """The index URL answered, completely, with something that is not the index."""


def _not_an_index(url: str, data: bytes, why: str) -> NotAnIndex:
    html = served.is_html(data)  # a directory listing, or a login/captive page
    fix = (
        f"set index_url / GOSWITCH_INDEX_URL to a JSON index such as {DEFAULT_INDEX_URL} "
        "or https://golang.google.cn/dl/?mode=json&include=all"
    )
    code = None
    if html:
        why = ("sent an HTML page, not the JSON list of releases (a proxy's or Wi-Fi login "
               f"page? {served.first_line(data)!r})")
        fix = f"if a Wi-Fi or proxy login page sent it, log in and try again; otherwise {fix}"
        code = EXIT_NETWORK  # most often the network in the way, like a proxy's refusal
    return NotAnIndex(f"release index {redact(url)}", why, fix, exit_code=code)


def _decoder(url: str):
    """``fetch_bytes``'s ``parse`` for the index: the JSON list, else Transient for a body
    cut short (worth another try) or NotAnIndex (a whole answer that is something else)."""

    def decode(data: bytes) -> list:
        try:
            raw = json.loads(_gunzipped(data))
        except (ValueError, RecursionError, zlib.error) as exc:
            if isinstance(exc, json.JSONDecodeError) and served.json_ends_early(exc):
                # A close-delimited transfer cut short looks complete to HTTP.
                raise Transient(
                    f"truncated body (the JSON ends early, after {len(data)} bytes)"
                ) from None
            raise _not_an_index(url, data, f"not JSON ({_json_why(exc)})") from None
        if not isinstance(raw, list):
            raise _not_an_index(url, data, "not a go.dev release index (expected a JSON list)")
        return raw

    return decode


def _acquire(lock, opts: NetOptions, reporter) -> bool:
    """Take the index lock; say so and wait (bounded) when another process holds it.

    Returns whether we had to wait.  The holder's fetch is bounded by its timeout and
    retries, so waiting longer than ours would take means something is stuck.
    """
    from filelock import Timeout

    bound = opts.timeout * opts.retries + 30
    waiting = "waiting for another goswitch process fetching the release index..."
    try:
        return take(lock, reporter.message if reporter else None, waiting, bound)
    except Timeout:
        raise NetworkError(
            "release index",
            f"another goswitch process has held its lock for over {bound:.0f} s",
            f"try again; if it persists, remove {lock.lock_file}",
        ) from None


def newest_stable(releases: list[Release]) -> Release | None:
    """The first stable release of a newest-first list."""
    return next((r for r in releases if r.stable), None)


def write_latest(cache: str, releases: list[Release]) -> None:
    newest = newest_stable(releases)
    if newest is not None:
        write_atomic(os.path.join(cache, LATEST_FILE), f"{newest.version}\n".encode())


def load(
    settings,
    environ=os.environ,
    *,
    refresh: bool = False,
    opts: NetOptions | None = None,
    reporter=None,
    now: float | None = None,
) -> Index:
    """The index: from the cache when fresh, else fetched (once across processes)."""
    from filelock import FileLock  # CLI-only dependency, imported late

    url = settings.index_url
    cache = paths.cache_dir(environ)
    path = os.path.join(cache, INDEX_FILE)
    ttl = int(settings.index_ttl)
    clock = time.time if now is None else (lambda: now)
    started = clock()
    if not refresh:
        cached = _read_cache(path, url)
        if cached is not None and _fresh(cached[1], ttl, started):
            return Index(parse(cached[0], path), url, cached[1], "cache")
    opts = opts or NetOptions.from_settings(settings, environ)
    os.makedirs(cache, exist_ok=True)
    lock = FileLock(os.path.join(cache, LOCK_FILE))
    waited = _acquire(lock, opts, reporter)
    try:
        cached = _read_cache(path, url)  # another process may have fetched it meanwhile
        fresh_now = cached is not None and (
            (refresh and cached[1] >= started) or (not refresh and _fresh(cached[1], ttl, clock()))
        )
        if fresh_now:
            return Index(parse(cached[0], path), url, cached[1], "cache")
        if waited:
            # The other process just failed at it: trying again at once would only make
            # this one wait as long again (two shells' prompts on a dead mirror).
            failed = NetworkError(
                f"release index {redact(url)}",
                "another goswitch process could not fetch it just now",
                "see its message, check GOSWITCH_INDEX_URL / index_url, and try again",
            )
            if cached is None or refresh:
                raise failed
            if reporter is not None:
                reporter.message(f"warning: {failed.message}; using the cached index")
            return Index(parse(cached[0], path), url, cached[1], "stale")
        what = f"release index {redact(url)}"
        try:
            raw, _ = fetch_bytes(
                [url],
                opts,
                what,
                notify=reporter.message if reporter else None,
                setting="GOSWITCH_INDEX_URL / index_url",
                parse=_decoder(url),
            )
            releases = parse(raw, what)
            if not releases:
                raise _not_an_index(url, b"", "lists no Go release")
        except (NetworkError, NotFoundError, NotAnIndex) as exc:
            if url == DEFAULT_INDEX_URL and isinstance(exc, NetworkError):
                exc = with_china_hint(exc)
            if cached is None or refresh:
                raise exc from None
            if reporter is not None:
                age = (time.time() - cached[1]) / 3600
                # Not the fix of a wrong index_url: the same URL gave the cached copy.
                said = f"{exc.what}: {exc.why}" if isinstance(exc, NotAnIndex) else exc.message
                reporter.message(f"warning: {said}; using the cached index ({age:.0f} h old)")
            return Index(parse(cached[0], path), url, cached[1], "stale")
        fetched = time.time()
        doc = {"format": CACHE_FORMAT, "url": url, "fetched": fetched, "index": raw}
        try:
            # The URL is the cache's key; one with a password is for this user's eyes.
            private = "@" in url.split("://", 1)[-1].split("/", 1)[0]
            write_atomic(path, json.dumps(doc, separators=(",", ":")).encode(),
                         mode=0o600 if private else None)
            write_latest(cache, releases)
        except OSError as exc:
            if reporter is not None:
                reporter.message(f"warning: cannot cache the index in {cache}: {exc.strerror}")
        return Index(releases, url, fetched, "network")
    finally:
        lock.release()


def cached(settings, environ=os.environ) -> Index | None:
    """The cached index for ``index_url``, whatever its age; None when there is none.
    Never touches the network (shell completion uses it)."""
    url = settings.index_url
    path = os.path.join(paths.cache_dir(environ), INDEX_FILE)
    found = _read_cache(path, url)
    if found is None:
        return None
    try:
        return Index(parse(found[0], path), url, found[1], "cache")
    except GoswitchError:
        return None
