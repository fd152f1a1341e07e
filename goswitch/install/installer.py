"""Install and remove Go versions in the store: locked, verified, atomic.

An install of version V (see ``docs/install.md`` for the whole story):

1. Already in any store (ours or a read-only one)?  Done - no network at all.
2. Resolve the spec against the release index (cached, TTL); pick this platform's archive.
3. Take V's lock (``$GOSWITCH_HOME/locks/V.lock``, filelock/flock: released by the kernel if
   the process dies).  A second process waits here, then finds V installed and returns.
4. Clean what killed runs left: ``versions/.tmp-*`` and ``.trash-*`` whose version lock is
   free (a live install holds its lock, so its temp dir is never touched).
5. Download to ``$GOSWITCH_CACHE_DIR/downloads/<file>.part`` (resumed if a previous run was
   cut off), hashing while writing; at the same time a thread extracts the bytes already
   written into ``versions/.tmp-V-XXXX`` (same file system as the store).
6. sha256 against the index (a mismatch deletes the download and tries the next mirror);
   the OpenPGP signature when enabled; the tree must have ``bin/go`` and a matching VERSION.
7. ``rename(.tmp-V-XXXX, versions/V)``: the only step that makes V visible.  Before it, a
   crash leaves only a dot-directory that nobody reads and the next run deletes.

Uninstall renames ``versions/V`` to ``.trash-V-XXXX`` first, then deletes it, under the
same lock: a killed uninstall never leaves a half-deleted tree under V's name.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import threading
import time

from .. import paths
from ..atomic import take
from ..errors import EXIT_USAGE, GoswitchError, NetworkError, NotFoundError, VerifyError
from ..resolve import parse_user_spec as parse_spec
from ..settings import DEFAULT_MIRRORS
from ..store import Installed, Store
from ..versions import GoVersion, Spec, VersionError
from . import index as index_mod
from . import platform as platform_mod
from . import signature, verify
from .download import (
    EARLIER,
    GZIP_MAGIC,
    NetOptions,
    disk_error,
    download,
    join_url,
    redact,
)
from .extract import CorruptArchiveError, ExtractAborted, extract, unpack_limit
from .progress import Reporter
from .stream import Aborted, GrowingFile, Restarted

TMP_PREFIX = ".tmp-"
TRASH_PREFIX = ".trash-"
PART_MAX_AGE = 7 * 86400  # abandoned partial downloads are deleted after a week


# ---- small helpers --------------------------------------------------------------------


def downloads_dir(environ) -> str:
    return os.path.join(paths.cache_dir(environ), "downloads")


def version_lock(environ, version, timeout: float = -1):
    """The per-version lock (a ``filelock.FileLock``, not yet acquired)."""
    from filelock import FileLock

    directory = paths.locks_dir(environ)
    os.makedirs(directory, exist_ok=True)
    return FileLock(os.path.join(directory, f"{version}.lock"), timeout=timeout)


class _Locked:
    """Hold V's lock; say so when another process has it and we must wait."""

    def __init__(self, environ, version, reporter: Reporter, doing: str = "installing"):
        self.lock = version_lock(environ, version)
        self.version, self.reporter, self.doing = version, reporter, doing
        self.waited = False

    def __enter__(self):
        self.waited = take(
            self.lock,
            self.reporter.message,
            f"waiting for another goswitch process {self.doing} Go {self.version}...",
        )
        return self

    def found(self, hit: Installed) -> Installed:
        """The other process's work, said when we waited for it."""
        if self.waited:
            self.reporter.message(f"Go {self.version} was installed meanwhile, in {hit.root}")
        return hit

    def __exit__(self, *exc):
        self.lock.release()


def _version_of_leftover(name: str) -> str | None:
    for prefix in (TMP_PREFIX, TRASH_PREFIX):
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            version, sep, _ = rest.rpartition("-")
            return version if sep and version else None
    return None


def cleanup_stale(
    environ, store_root: str, held: str | None = None, reporter: Reporter | None = None
) -> list[str]:
    """Delete leftovers of killed runs whose version lock nobody holds; returns them."""
    from filelock import Timeout

    removed = []
    try:
        names = os.listdir(store_root)
    except OSError:
        return removed
    for name in names:
        version = _version_of_leftover(name)
        if version is None:
            continue
        path = os.path.join(store_root, name)
        if version == held:
            _remove_leftover(path, removed)
            continue
        lock = version_lock(environ, version)
        try:
            lock.acquire(timeout=0)
        except (Timeout, OSError):
            continue  # a live install or uninstall owns it (or its lock is not ours to take)
        try:
            _remove_leftover(path, removed)
        finally:
            lock.release()
    downloads = downloads_dir(environ)
    now = time.time()
    try:
        for name in os.listdir(downloads):
            path = os.path.join(downloads, name)
            try:
                if name.endswith((".part", ".asc")) and now - os.stat(path).st_mtime > PART_MAX_AGE:
                    os.unlink(path)
            except OSError:
                pass
    except OSError:
        pass
    if removed and reporter is not None:
        reporter.message(f"removed {len(removed)} leftover(s) of an interrupted run")
    return removed


def _remove_leftover(path: str, removed: list[str]) -> None:
    """Delete ``path``; counted only when it is really gone (another user's 0700 temp
    tree in a shared store is not ours to remove)."""
    shutil.rmtree(path, ignore_errors=True)
    if not os.path.lexists(path):
        removed.append(path)


def _disk_full(exc: OSError, where: str) -> GoswitchError:
    return disk_error(
        exc,
        where,
        "extracting",
        f"free space on the file system of {where} and run the command again",
    )


def check_tree(root: str, version: GoVersion, what: str) -> None:
    """The extracted tree must be a Go toolchain of ``version``."""
    go = os.path.join(root, "bin", "go")
    try:
        st = os.lstat(go)
    except OSError:
        st = None
    if st is None or not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o111:
        raise CorruptArchiveError(
            what,
            "has no executable go/bin/go: not a Go release archive",
            "check that you have the right file",
        )
    # Every Go release archive names itself in go/VERSION; `go version`, the store and
    # `goswitch list` all go by it, so a tree without it (or naming another) is refused.
    try:
        with open(os.path.join(root, "VERSION"), encoding="utf-8", errors="replace") as f:
            first = f.readline(200).strip()  # the file is the mirror's: read a line's worth
    except OSError:
        raise CorruptArchiveError(
            what,
            "has no go/VERSION: not a Go release archive",
            "check that you have the right file",
        ) from None
    if first != version.go_name:
        raise VerifyError(
            what,
            f"contains {first[:40] or 'an empty VERSION'}, not {version.go_name}",
            "check that you have the right file",
        )


def _make_visible(tmp: str, final: str) -> None:
    """rename(tmp, final); a stale incomplete ``final`` is moved aside first."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o755 & ~mask)
    try:
        os.rename(tmp, final)
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
            raise
    if os.path.isfile(os.path.join(final, "bin", "go")):
        shutil.rmtree(tmp, ignore_errors=True)  # complete already (installed by hand?)
        return
    parent, name = os.path.split(final)
    trash = tempfile.mkdtemp(prefix=f"{TRASH_PREFIX}{name}-", dir=parent)
    os.rename(final, os.path.join(trash, name))
    os.rename(tmp, final)
    shutil.rmtree(trash, ignore_errors=True)


# ---- extraction running behind the download -------------------------------------------


class _ExtractJob:
    """Extract ``<part>`` into a fresh temp dir while the downloader is still writing it.

    The downloader calls ``advanced``/``reset``/``finish`` (the sink protocol of
    :func:`goswitch.install.download.download`); a reset starts over in a new temp dir.
    """

    def __init__(
        self, growing: GrowingFile, parent: str, version: GoVersion, what: str,
        size: int | None = None,
    ):
        self.growing, self.parent, self.version, self.what = growing, parent, version, what
        self.max_bytes = unpack_limit(size)  # the index's size: see extract.UNPACK_RATIO
        self.tmp: str | None = None
        self._thread: threading.Thread | None = None
        self._abort = threading.Event()
        self._error: BaseException | None = None
        self._stats = None

    def start(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{self.version}-", dir=self.parent)
        self._abort = threading.Event()
        self._error, self._stats = None, None
        reader = self.growing.reader()
        self._thread = threading.Thread(
            target=self._run,
            args=(reader, self.tmp, self._abort),
            daemon=True,
            name=f"extract-{self.version}",
        )
        self._thread.start()

    def _run(self, reader, tmp: str, abort: threading.Event) -> None:
        try:
            self._stats = extract(reader, tmp, what=self.what, abort=abort,
                                  max_bytes=self.max_bytes)
        except (Aborted, Restarted, ExtractAborted):
            pass
        except OSError as exc:
            self._error = _disk_full(exc, self.parent)
        except BaseException as exc:  # reported by wait()
            self._error = exc
        finally:
            reader.close()

    def _stop(self) -> None:
        self._abort.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    # sink protocol
    def advanced(self, n: int) -> None:
        self.growing.advanced(n)

    def finish(self, n: int) -> None:
        self.growing.finish(n)

    def reset(self) -> None:
        self.growing.reset()
        self._stop()
        self.start()

    def wait(self):
        """The temp dir holding the finished tree; raises what stopped the extraction."""
        assert self._thread is not None
        self._thread.join()
        self._thread = None
        if self._error is not None:
            raise self._error
        if self._stats is None:
            raise CorruptArchiveError(self.what, "extraction stopped early", None)
        return self.tmp

    def discard(self) -> None:
        self.growing.abort()
        self._stop()


# ---- install --------------------------------------------------------------------------


def _installed(store: Store, version: GoVersion) -> Installed | None:
    root = store.find(version)
    if root is None:
        return None
    return Installed(version, root, os.path.dirname(root) == store.root)


def _installed_match(spec: Spec, store: Store) -> Installed | None:
    """An installed version ``spec`` accepts, without asking the index (None for latest)."""
    if spec.kind == "exact":
        return _installed(store, spec.version)  # type: ignore[arg-type]
    if spec.kind == "latest":
        return None  # "newest" is a question for the index (cached within its TTL)
    best = spec.pick(store.versions())
    return _installed(store, best) if best is not None else None


def install(
    spec: str | None,
    settings,
    environ=os.environ,
    *,
    refresh: bool = False,
    verify_signature: bool | None = None,
    from_file: str | None = None,
    sha256: str | None = None,
    allow_unverified: bool = False,
    progress: Reporter | None = None,
    platform: platform_mod.Platform | None = None,
) -> Installed:
    """Install the Go that ``spec`` names (exact, prefix, ``latest``, pre-release).

    Returns at once, with no network access, when a matching version is already in any
    store (``refresh`` re-checks the index for a prefix).  ``from_file`` installs a local
    ``goX.Y.Z.OS-ARCH.tar.gz``, checked against the index sha256 when it is known, else
    against ``sha256``; with neither, ``allow_unverified`` must be set.  Raises
    :class:`goswitch.errors.GoswitchError` subclasses naming what failed and the fix.
    """
    reporter = progress or Reporter()
    store = Store.from_settings(settings, environ)
    if from_file:
        return _install_from_file(
            from_file,
            spec,
            settings,
            environ,
            store,
            reporter,
            sha256=sha256,
            allow_unverified=allow_unverified,
            verify_signature=verify_signature,
            platform=platform,
        )
    if not spec:
        raise GoswitchError(
            "install", "no version given", "name one, e.g. 1.22.10 or latest", exit_code=EXIT_USAGE
        )
    parsed = parse_spec(spec)
    if not refresh:
        hit = _installed_match(parsed, store)
        if hit is not None:
            return _already(hit, reporter)
    opts = NetOptions.from_settings(settings, environ)
    idx = index_mod.load(settings, environ, refresh=refresh, opts=opts, reporter=reporter)
    try:
        release = idx.resolve(parsed)
    except NotFoundError:
        if idx.origin == "network":
            raise
        idx = index_mod.load(settings, environ, refresh=True, opts=opts, reporter=reporter)
        release = idx.resolve(parsed)
    version = release.version
    hit = _installed(store, version)
    if hit is not None:
        return _already(hit, reporter)
    plat = platform or platform_mod.detect()
    archive = release.archive(plat)
    unusable = release.unusable_archive(plat) if archive is None else None
    if unusable is not None:
        given = f"it gives {unusable.sha256!r}" if unusable.sha256 else "it gives none"
        raise GoswitchError(
            f"Go {version} for {plat}",
            f"the index entry for {unusable.filename} has no valid sha256 ({given}; "
            "64 hexadecimal digits expected), so the download could not be checked",
            f"fix the index at {redact(idx.url)} (GOSWITCH_INDEX_URL / index_url), or install "
            f"the file with --from FILE --sha256 HEX taken from a source you trust",
        )
    if archive is None:
        have = ", ".join(release.platforms()) or "none"
        raise NotFoundError(
            f"Go {version} for {plat}",
            f"the index lists no {plat} archive for this release (it has: {have})",
            "pick another version (`goswitch list-remote`) or build Go from source",
        )
    mirrors = [m for m in settings.mirrors if m.strip()]
    if not mirrors:
        raise GoswitchError(
            "mirrors", "the mirror list is empty", "set GOSWITCH_MIRRORS or mirrors in the config"
        )
    check_sig, sig_required = verify.signature_policy(
        settings.verify_signature, verify_signature, environ
    )
    if not check_sig and verify_signature is None and settings.verify_signature == "auto":
        reporter.message(
            "note: neither gpgv nor gpg is installed; the OpenPGP signature is "
            "not checked (the sha256 from the release index is)"
        )
    if check_sig:
        verify.preflight(verify.key_files(settings), archive.filename, environ)
    os.makedirs(store.root, exist_ok=True)
    with _Locked(environ, version, reporter) as locked:
        cleanup_stale(environ, store.root, held=str(version), reporter=reporter)
        hit = _installed(store, version)
        if hit is not None:
            return locked.found(hit)  # another process installed it while we waited
        reporter.message(f"installing Go {version} ({plat}) from {redact(mirrors[0])}")
        root = _fetch_and_install(
            archive,
            version,
            mirrors,
            settings,
            environ,
            store,
            opts,
            reporter,
            check_sig,
            sig_required,
        )
    reporter.message(f"installed Go {version} in {root}")
    return Installed(version, root, True)


def _fetch_and_install(
    archive,
    version: GoVersion,
    mirrors: list[str],
    settings,
    environ,
    store: Store,
    opts: NetOptions,
    reporter: Reporter,
    check_sig: bool,
    sig_required: str,
) -> str:
    part_dir = downloads_dir(environ)
    os.makedirs(part_dir, exist_ok=True)
    part, part_lock = _claim_part(part_dir, archive.filename)
    # 0666 less the umask: a group-writable shared cache stays usable by the group.
    os.close(os.open(part, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666))
    growing = GrowingFile(part)
    job = _ExtractJob(growing, store.root, version, archive.filename, archive.size)
    job.start()
    done = False
    try:
        urls = [join_url(m, archive.filename) for m in mirrors]
        fetched = None
        fresh_retry = cut_retry = False
        failures: list[VerifyError] = []
        while urls:
            try:
                fetched = download(
                    urls,
                    part,
                    size=archive.size,
                    opts=opts,
                    what=archive.filename,
                    sink=job,
                    progress=reporter,
                    notify=reporter.message,
                    magic=GZIP_MAGIC if archive.filename.endswith(".tar.gz") else None,
                )
            except NotFoundError as exc:
                # The index lists the release: the mirrors failed it (exit 5, not 3).
                raise NetworkError(exc.what, exc.why, exc.fix) from None
            except NetworkError as exc:
                if list(mirrors) != list(DEFAULT_MIRRORS):
                    raise
                # The index may have come from a cache or golang.google.cn: the bytes
                # still came from go.dev, which mainland China cannot reach.
                raise index_mod.with_china_hint(exc) from None
            # A file put together from several sources (a resumed part) is blamed on all.
            served = " + ".join(s if s == EARLIER else redact(s) for s in fetched.sources)
            try:
                verify.check_sha256(fetched.sha256, archive.sha256, archive.filename, served)
                break
            except VerifyError as exc:
                if fetched.unsure_end and not cut_retry:
                    # No size known and the close ended the body: maybe it was cut short.
                    # Ask for the rest (a Range past the end restarts the whole file).
                    cut_retry = True
                    reporter.message(
                        f"{exc.why}; {redact(fetched.url)} gave no size and closed the "
                        "connection, so the file may have been cut short: asking for the rest"
                    )
                    job.reset()  # the extractor starts over on the same part
                    urls = [fetched.url] + [u for u in urls if u != fetched.url]
                    continue
                os.truncate(part, 0)
                job.reset()
                if fetched.resumed and not fresh_retry:
                    # The kept part may be the bad piece (a mirror with a damaged short
                    # copy): once more, whole, first from the mirror that finished it.
                    fresh_retry = True
                    reporter.message(
                        f"{exc.why}, put together from {served}; downloading the whole "
                        f"file again from {redact(fetched.url)}"
                    )
                    urls = [fetched.url] + [u for u in urls if u != fetched.url]
                    continue
                failures.append(exc)
                urls = urls[urls.index(fetched.url) + 1 :]
                if urls:
                    reporter.message(f"{served}: {exc.why}; trying the next mirror: "
                                     f"{redact(urls[0])}")
        else:
            try:
                os.unlink(part)
            except OSError:
                pass
            last = failures[-1]
            if len(failures) > 1:
                tried = "; ".join(f"{f.what}: {f.why}" for f in failures)
                raise VerifyError(last.what, f"every mirror served bad bytes ({tried})", last.fix)
            raise last
        assert fetched is not None
        if check_sig:
            asc = {join_url(m, archive.filename): join_url(m, archive.filename + ".asc")
                   for m in mirrors}  # not url + ".asc": a mirror URL may have a query
            sig_urls = [asc[fetched.url]] + [asc[u] for u in urls if u != fetched.url]
            signature.check_from_mirrors(
                part, archive.filename, sig_urls, settings, environ, opts, reporter, sig_required
            )
        tmp = job.wait()
        check_tree(tmp, version, archive.filename)
        final = store.path_for(version)
        _make_visible(tmp, final)
        job.tmp = None
        done = True
        try:
            os.unlink(part)
        except OSError:
            pass
        return final
    finally:
        if not done:
            job.discard()
            try:  # an empty part (no mirror sent a byte) has nothing to resume; nor has ours
                if part_lock is None or os.path.getsize(part) == 0:
                    os.unlink(part)
            except OSError:
                pass
        if part_lock is not None:
            os.close(part_lock)  # the flock goes with it


def _already(hit: Installed, reporter: Reporter) -> Installed:
    """Said, so that a CI log shows which Go was used even when nothing was downloaded."""
    reporter.message(f"Go {hit.version} is already installed in {hit.root}")
    return hit


def _claim_part(part_dir: str, filename: str):
    """``(part path, fd holding its lock, or None)``: the shared, resumable part when no
    other process is downloading the same file, else one of our own.

    Jobs that share ``GOSWITCH_CACHE_DIR`` but not ``GOSWITCH_HOME`` (CI caches) do not
    share the per-version lock; without this they appended to and "resumed" each
    other's part, and the sha256 check then blamed the mirror.  The lock is a flock on
    the part itself, so no lock file is left beside it.
    """
    import fcntl

    shared = os.path.join(part_dir, filename + ".part")
    for _ in range(3):
        try:
            fd = os.open(shared, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError:  # another user's part in a shared cache
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_ino == os.stat(shared).st_ino:
                return shared, fd
        except OSError:  # busy: another process downloads it now
            os.close(fd)
            break
        os.close(fd)  # finished and removed meanwhile: take the new one
    return os.path.join(part_dir, f"{filename}.{os.getpid()}.part"), None


# ---- --from FILE ----------------------------------------------------------------------


def _name_parts(filename: str) -> tuple[GoVersion | None, str | None]:
    """``go1.22.10.linux-amd64.tar.gz`` -> (1.22.10, "linux-amd64")."""
    if not filename.startswith("go") or not filename.endswith(".tar.gz"):
        return None, None
    stem = filename[: -len(".tar.gz")]
    left, _, plat = stem.rpartition(".")
    try:
        return GoVersion.parse(left), plat
    except VersionError:
        return None, None


def _install_from_file(
    path: str,
    spec: str | None,
    settings,
    environ,
    store: Store,
    reporter: Reporter,
    *,
    sha256: str | None,
    allow_unverified: bool,
    verify_signature: bool | None,
    platform: platform_mod.Platform | None,
) -> Installed:
    path = os.path.abspath(os.path.expanduser(path))
    name = os.path.basename(path)
    if not os.path.isfile(path):
        if os.path.exists(path):
            raise GoswitchError(path, "not a regular file",
                                "give the path of a goX.Y.Z.OS-ARCH.tar.gz", exit_code=EXIT_USAGE)
        raise NotFoundError(path, "no such file", "give the path of a goX.Y.Z.OS-ARCH.tar.gz")
    named, plat_name = _name_parts(name)
    version = named
    if spec:
        parsed = parse_spec(spec)
        if parsed.kind != "exact":
            raise GoswitchError(
                f"version {spec!r}",
                "--from needs an exact version",
                "e.g. goswitch install --from FILE 1.22.10",
                exit_code=EXIT_USAGE,
            )
        if named is not None and named != parsed.version:
            raise GoswitchError(
                path,
                f"the file name says Go {named}, not {parsed.version}",
                "check that you have the right file",
                exit_code=EXIT_USAGE,
            )
        version = parsed.version
    if version is None:
        raise GoswitchError(
            path,
            "cannot tell the Go version from the file name",
            "name the version too: goswitch install --from FILE 1.22.10",
            exit_code=EXIT_USAGE,
        )
    plat = platform or platform_mod.detect()
    if plat_name is not None and plat_name != plat.name:
        raise GoswitchError(
            path,
            f"is a {plat_name} archive, this machine is {plat}",
            f"use go{version}.{plat}.tar.gz",
        )
    hit = _installed(store, version)
    if hit is not None:
        return _already(hit, reporter)
    if sha256 is not None:
        sha256 = sha256.strip().lower()
        if not index_mod._valid_sha(sha256):
            raise GoswitchError(
                f"--sha256 {sha256!r}",
                "not 64 hexadecimal digits",
                "copy the value from go.dev/dl or your mirror's index",
                exit_code=EXIT_USAGE,
            )
    # The index knows the official name; a renamed copy (go.tgz) is looked up under it.
    official = f"go{version}.{plat.name}.tar.gz"
    sig = path + ".asc"
    check_sig, sig_required = verify.signature_policy(
        settings.verify_signature, verify_signature, environ
    )
    # The network only when nothing local vouches: a --sha256, or a .asc beside the file
    # that will be checked (an air-gapped host would wait for DNS timeouts otherwise).
    vouched = sha256 is not None or (check_sig and os.path.isfile(sig))
    known = _index_sha256(official, settings, environ, reporter, offline=vouched)
    if sha256 and known and sha256 != known:
        raise VerifyError(
            path,
            f"--sha256 {sha256} disagrees with the release index ({known})",
            "check where the value came from",
        )
    expected = known or sha256
    # Air-gapped with no index: the .asc copied beside the archive vouches for it alone,
    # so it must then be there and good.  --unverified waives a missing sha256 only: a
    # signature that is there is still checked.
    signed_only = expected is None and check_sig and os.path.isfile(sig)
    if check_sig and (sig_required or os.path.isfile(sig)):
        verify.preflight(verify.key_files(settings), name, environ)
    if signed_only:
        sig_required = sig_required or "a --from archive without a known sha256"
    elif expected is None and not allow_unverified:
        raise VerifyError(
            path,
            "its sha256 is unknown: the release index does not list it (or is unreachable)",
            f"pass --sha256 <hex> from a trusted source, put the release's signature beside "
            f"it as {os.path.basename(sig)}, or pass --unverified to install it unchecked",
        )
    elif expected is None:
        reporter.message(f"warning: installing {name} UNVERIFIED (--unverified): no sha256 known")
    os.makedirs(store.root, exist_ok=True)
    with _Locked(environ, version, reporter) as locked:
        cleanup_stale(environ, store.root, held=str(version), reporter=reporter)
        hit = _installed(store, version)
        if hit is not None:
            return locked.found(hit)
        reporter.message(f"installing Go {version} from {path}")
        tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{version}-", dir=store.root)
        try:
            actual, failed = _hash_and_extract(path, tmp, name)
            if expected is not None:
                verify.check_sha256(  # a wrong file, first
                    actual,
                    expected,
                    name,
                    path,
                    "the file is not the release "
                    + ("the index lists" if known else "--sha256 names")
                    + " (damaged, cut short, or another build); it was left as it is: "
                    "copy it again",
                    expected_from="the release index" if known else "--sha256",
                )
            if failed is not None:
                raise failed
            if check_sig:
                if os.path.isfile(sig):
                    signature.check_local(path, sig, name, settings, environ, reporter)
                elif sig_required:
                    raise VerifyError(
                        f"signature {sig}",
                        f"missing, and {sig_required} requires it",
                        "put the .asc beside the archive, or pass --no-verify-signature",
                    )
            check_tree(tmp, version, name)
            final = store.path_for(version)
            _make_visible(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    reporter.message(f"installed Go {version} in {final}")
    return Installed(version, final, True)


def _index_sha256(
    filename: str, settings, environ, reporter: Reporter, offline: bool
) -> str | None:
    """The index's sha256 for ``filename``: any cached index first, the network if allowed."""
    cached = index_mod.cached(settings, environ)
    if cached is not None:
        f = cached.by_filename(filename)
        if f is not None:
            return f.sha256
    if offline:
        return None
    try:
        idx = index_mod.load(settings, environ, reporter=reporter)
    except GoswitchError as exc:
        reporter.message(f"note: cannot read the release index ({exc.why})")
        return None
    f = idx.by_filename(filename)
    return f.sha256 if f is not None else None


def _hash_and_extract(path: str, dest: str, what: str):
    """(sha256 of ``path``, extraction error or None), hashed while a thread extracts it."""
    import hashlib

    result: dict = {}

    def work() -> None:
        try:
            with open(path, "rb") as f:
                extract(f, dest, what=what, max_bytes=unpack_limit(os.fstat(f.fileno()).st_size))
        except OSError as exc:
            result["error"] = _disk_full(exc, os.path.dirname(dest))
        except BaseException as exc:
            result["error"] = exc

    worker = threading.Thread(target=work, daemon=True, name="extract-file")
    worker.start()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    worker.join()
    return h.hexdigest(), result.get("error")


# ---- uninstall ------------------------------------------------------------------------


def _systemd_version(environ) -> str | None:
    """The version the systemd environment.d file points at, when that module exists."""
    try:
        from ..systemd import version_in_use  # type: ignore[attr-defined]
    except ImportError:
        return None
    found = version_in_use(environ)
    return str(found) if found else None


def _wanted_for(version: GoVersion, settings, environ, store: Store) -> str | None:
    """Why something still asks for ``version`` (why prune would keep it), if anything."""
    from ..prune import protected

    try:
        cwd = os.getcwd()
    except OSError:
        return None
    return protected(settings, environ, cwd, store).get(version)


def uninstall(
    spec: str,
    settings,
    environ=os.environ,
    *,
    force: bool = False,
    progress: Reporter | None = None,
) -> Installed:
    """Remove one version from our store (never from a read-only store)."""
    reporter = progress or Reporter()
    parsed = parse_spec(spec)
    store = Store.from_settings(settings, environ)
    if parsed.kind == "exact":
        candidates = [parsed.version]
    elif parsed.minor is not None and store.find(GoVersion(parsed.major, parsed.minor)):
        candidates = [GoVersion(parsed.major, parsed.minor)]  # "1.20" names release 1.20
    else:
        candidates = [v for v in store.versions() if parsed.matches(v)]
        if len(candidates) > 1:
            listed = ", ".join(str(v) for v in candidates)
            raise GoswitchError(
                f"version {spec!r}",
                f"matches several installed versions ({listed})",
                "name one exactly",
                exit_code=EXIT_USAGE,
            )
    version = candidates[0] if candidates else None
    ours = store.path_for(version) if version is not None else None
    if version is None or ours is None or not os.path.isdir(ours):
        elsewhere = store.find(version) if version is not None else None
        if elsewhere is not None:
            raise GoswitchError(
                f"Go {version} at {elsewhere}",
                f"it is in the read-only store {os.path.dirname(elsewhere)}; goswitch never "
                "removes from read-only stores",
                "remove it yourself if you manage that store, or drop it from GOSWITCH_STORES",
            )
        raise NotFoundError(f"Go {spec}", "not installed", "see `goswitch list`")
    in_use = _systemd_version(environ)
    if in_use == str(version) and not force:
        raise GoswitchError(
            f"Go {version}",
            "the systemd session environment (environment.d) points at it",
            "switch it first (`goswitch systemd enable --version V` or `goswitch systemd "
            "disable`), or pass --force",
        )
    wanted = _wanted_for(version, settings, environ, store)
    with _Locked(environ, version, reporter, doing="using"):
        cleanup_stale(environ, store.root, held=str(version))
        if not os.path.isdir(ours):
            raise NotFoundError(f"Go {version}", "not installed (removed meanwhile)", None)
        trash = tempfile.mkdtemp(prefix=f"{TRASH_PREFIX}{version}-", dir=store.root)
        os.rename(ours, os.path.join(trash, "tree"))
        shutil.rmtree(trash, ignore_errors=True)
    reporter.message(f"removed Go {version} from {store.root}")
    if wanted and store.find(version) is None:
        comes_back = (
            "shells using it keep it uninstalled; the hook installs it again when a shell "
            "enters a directory that asks for it"
            if settings.auto_install
            else f"`goswitch install {version}` brings it back"
        )
        reporter.message(f"note: Go {version} was {wanted}: {comes_back}")
    still = store.find(version)
    if still is not None:
        reporter.message(
            f"note: Go {version} is still available from the read-only store "
            f"{os.path.dirname(still)}"
        )
    return Installed(version, ours, True)
