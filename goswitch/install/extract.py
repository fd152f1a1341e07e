"""Unpack a Go release ``.tar.gz`` safely, streaming, into a private temp directory.

One pass over the gzip stream (decompressed in chunks, never whole in memory), parsing tar
headers ourselves so every member is judged *before* anything is written:

- names: relative only (absolute paths are rejected, not stripped), no ``..`` component,
  everything under the top-level ``go/`` directory, which is stripped (``go/bin/go`` lands as
  ``<dest>/bin/go``);
- types: regular files, directories, symlinks, hard links; devices, fifos, sparse files and
  anything else are rejected;
- symlinks: relative targets that stay inside the tree (checked lexically at once, and again
  with ``realpath`` on the finished tree, which catches chains of links);
- hard links: only to a regular file extracted earlier from the same archive;
- nothing is ever written *through* a symlink or a file: every parent directory of a member
  is one this extraction created as a real directory (tracked in memory: the destination is
  a fresh ``0700`` directory nobody else writes to), and files are opened ``O_EXCL |
  O_NOFOLLOW``;
- modes are normalised to 0755/0644 (no setuid, no world-writable; the umask applies, as with
  ``tar`` run by a normal user); owners are never set; mtimes are kept;
- bounded: at most :data:`MAX_MEMBERS` members, :data:`MAX_BYTES` bytes, 4 KiB names.

Any violation raises :class:`UnsafeArchiveError` naming the member; the caller deletes the
temp directory, so a hostile archive leaves nothing behind.
"""

from __future__ import annotations

import os
import posixpath
import queue
import tarfile
import threading
import zlib

from ..errors import GoswitchError, VerifyError

IN_CHUNK = 1 << 18  # compressed bytes read at a time
OUT_MAX = 1 << 21  # decompressed bytes produced per zlib call (bounds memory on bombs)
BLOCK = 512
MAX_MEMBERS = 500_000
MAX_BYTES = 16 << 30
# Bytes are unpacked while they arrive, before their sha256 is known, so a mirror that
# controls neither the index nor the key could fill the disk with a small gzip bomb.
# A Go archive unpacks to about 3.2 times its size; the index's size bounds it.
UNPACK_RATIO = 8
UNPACK_FLOOR = 64 << 20


def unpack_limit(archive_size: int | None) -> int:
    """The most an archive of ``archive_size`` bytes (None: unknown) may unpack to."""
    if not archive_size or archive_size <= 0:
        return MAX_BYTES
    return min(MAX_BYTES, max(UNPACK_FLOOR, UNPACK_RATIO * archive_size))
MAX_NAME = 4096
MAX_META = 1 << 20  # pax / GNU long-name payloads

_O_CREATE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_write = os.write  # module-level names: fast lookups, and tests inject write errors here
_REGULAR = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE)
_REJECTED = {
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
    tarfile.FIFOTYPE: "a fifo",
    tarfile.GNUTYPE_SPARSE: "a sparse file",
}


class UnsafeArchiveError(VerifyError):
    """The archive holds something a Go release never does (and an attack might)."""


class CorruptArchiveError(GoswitchError):
    """Not a readable .tar.gz (truncated, damaged, not gzip)."""


class ExtractAborted(Exception):
    """Stopped from outside (Ctrl-C, failed download)."""


class Stats:
    __slots__ = ("files", "dirs", "symlinks", "hardlinks", "bytes")

    def __init__(self):
        self.files = self.dirs = self.symlinks = self.hardlinks = self.bytes = 0

    def __repr__(self) -> str:
        return (
            f"Stats(files={self.files}, dirs={self.dirs}, symlinks={self.symlinks}, "
            f"hardlinks={self.hardlinks}, bytes={self.bytes})"
        )


def _inflate(source, what: str, abort: threading.Event | None):
    """Yield decompressed chunks of a (possibly multi-member) gzip stream from ``source``."""
    d = zlib.decompressobj(31)
    started = False
    try:
        while True:
            if abort is not None and abort.is_set():
                raise ExtractAborted()
            data = source.read(IN_CHUNK)
            if not data:
                break
            while data:
                if d.eof:
                    if not data.strip(b"\0"):
                        break  # zero padding after the last member (some tools add it)
                    d = zlib.decompressobj(31)
                started = True
                out = d.decompress(data, OUT_MAX)
                if out:
                    yield out
                data = d.unused_data if d.eof else d.unconsumed_tail
    except zlib.error as exc:
        raise CorruptArchiveError(what, f"damaged gzip data ({exc})", "download it again") from None
    if not started:
        raise CorruptArchiveError(what, "empty file", "download it again")
    if not d.eof:
        raise CorruptArchiveError(what, "the gzip stream ends early (truncated file)", None)


class _Failed:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException):
        self.exc = exc


_DONE = object()


def _ahead(chunks, depth: int = 8):
    """Run the ``chunks`` generator in its own thread, ``depth`` items ahead.

    Decompression (zlib releases the GIL) then overlaps with creating files, as ``gzip``
    and ``tar`` overlap in ``tar -xzf``; on file systems where creating a file is costly
    this is the difference between matching ``tar`` and trailing it.
    """
    q: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in chunks:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer
            put(_Failed(exc))

    worker = threading.Thread(target=run, daemon=True, name="inflate")
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()


class _Reader:
    """Exact reads and zero-copy writes over the decompressed chunks."""

    def __init__(self, chunks, what: str):
        self._chunks = chunks
        self._buf = b""
        self._pos = 0
        self.what = what
        self.offset = 0  # position in the tar stream

    def _more(self) -> bool:
        chunk = next(self._chunks, None)
        if chunk is None:
            return False
        rest = len(self._buf) - self._pos
        self._buf = self._buf[self._pos :] + chunk if rest else chunk
        self._pos = 0
        return True

    def _truncated(self) -> CorruptArchiveError:
        return CorruptArchiveError(
            self.what, f"the tar data ends inside a member (offset {self.offset})", None
        )

    def header(self) -> bytes | None:
        """The next 512-byte block, or None at a clean end of data."""
        if len(self._buf) - self._pos < BLOCK:
            while len(self._buf) - self._pos < BLOCK:
                if not self._more():
                    if self._pos == len(self._buf):
                        return None
                    raise self._truncated()
        block = self._buf[self._pos : self._pos + BLOCK]
        self._pos += BLOCK
        self.offset += BLOCK
        return block

    def read(self, n: int) -> bytes:
        while len(self._buf) - self._pos < n:
            if not self._more():
                raise self._truncated()
        data = self._buf[self._pos : self._pos + n]
        self._pos += n
        self.offset += n
        return data

    def skip(self, n: int) -> None:
        self.copy_to(None, n)

    def copy_to(self, fd: int | None, n: int) -> None:
        """Consume ``n`` bytes, writing them to ``fd`` (dropping them when it is None)."""
        while n:
            avail = len(self._buf) - self._pos
            if not avail:
                if not self._more():
                    raise self._truncated()
                continue
            k = min(n, avail)
            if fd is not None:
                view = memoryview(self._buf)[self._pos : self._pos + k]
                while view:
                    written = _write(fd, view)
                    view = view[written:]
            self._pos += k
            self.offset += k
            n -= k


def _padding(size: int) -> int:
    return -size % BLOCK


def _parse_pax(data: bytes, what: str) -> dict:
    out, i, n = {}, 0, len(data)
    while i < n and data[i] != 0:
        sp = data.find(b" ", i)
        try:
            length = int(data[i:sp]) if sp > i else 0
        except ValueError:
            length = 0
        rec = data[i : i + length]
        if length < 5 or len(rec) != length or not rec.endswith(b"\n"):
            raise CorruptArchiveError(what, "damaged pax header", None)
        key, eq, value = rec[sp - i + 1 : -1].partition(b"=")
        if not eq:
            raise CorruptArchiveError(what, "damaged pax record", None)
        out[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        i += length
    return out


class Extraction:
    """State of one extraction into ``dest`` (an existing, empty, private directory)."""

    def __init__(
        self, dest: str, top: str = "go", what: str = "archive", max_bytes: int = MAX_BYTES
    ):
        self.dest = dest
        self.top = top
        self.what = what
        self.max_bytes = max_bytes
        self.kinds: dict[str, str] = {"": "d"}  # relative path -> d(ir) f(ile) l(ink)
        self.dir_times: list[tuple[str, int]] = []
        self.links: list[str] = []
        self.stats = Stats()

    # ---- judging names ----------------------------------------------------------------

    def unsafe(self, member: str, why: str) -> UnsafeArchiveError:
        return UnsafeArchiveError(
            f"{self.what}: member {member!r}",
            why,
            "refusing to install it: a Go release never contains this; nothing was installed",
        )

    def relpath(self, name: str) -> str:
        """The member's path inside the tree (``""`` is the tree itself), or raise."""
        if len(name) > MAX_NAME:
            raise self.unsafe(name[:80] + "...", "name longer than 4096 characters")
        if name.startswith("/"):
            raise self.unsafe(name, "absolute path")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise self.unsafe(name, "path contains '..'")
        if "\0" in name:
            raise self.unsafe(name, "path contains a NUL byte")
        if not parts or parts[0] != self.top:
            raise self.unsafe(name, f"outside the top-level {self.top}/ directory")
        return "/".join(parts[1:])

    def _parent_dirs(self, member: str, rel: str) -> None:
        parent = rel.rpartition("/")[0]
        if self.kinds.get(parent) == "d":
            return
        parts = parent.split("/")
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            kind = self.kinds.get(prefix)
            if kind is None:
                os.mkdir(os.path.join(self.dest, prefix), 0o755)
                self.kinds[prefix] = "d"
                self.stats.dirs += 1
            elif kind != "d":
                what = "a symlink" if kind == "l" else "a file"
                raise self.unsafe(member, f"would be written through {what} ({prefix!r})")

    def _replace(self, member: str, rel: str, kind: str) -> bool:
        """Make room for ``rel``; True when it is already the directory it should be."""
        old = self.kinds.get(rel)
        if old is None:
            return False
        if old == "d" or kind == "d":
            if old == kind:
                return True
            raise self.unsafe(member, "a directory and a non-directory share this name")
        os.unlink(os.path.join(self.dest, rel))  # a later duplicate wins, as in tar
        del self.kinds[rel]
        return False

    # ---- the members ------------------------------------------------------------------

    def run(self, reader: _Reader, abort: threading.Event | None = None) -> Stats:
        pax_global: dict = {}
        pax: dict = {}
        long_name = long_link = None
        members = 0
        while True:
            if abort is not None and abort.is_set():
                raise ExtractAborted()
            block = reader.header()
            if block is None or block.count(0) == BLOCK:
                break  # end of archive (two zero blocks, or EOF at a member boundary)
            try:
                info = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
            except tarfile.HeaderError as exc:
                raise CorruptArchiveError(
                    self.what, f"damaged tar header at offset {reader.offset - BLOCK} ({exc})", None
                ) from None
            t = info.type
            if t in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE):
                if info.size > MAX_META:
                    raise self.unsafe(info.name, "oversized pax header")
                data = reader.read(info.size + _padding(info.size))[: info.size]
                (pax_global if t == tarfile.XGLTYPE else pax).update(_parse_pax(data, self.what))
                continue
            if t in (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK):
                if info.size > MAX_META:
                    raise self.unsafe(info.name, "oversized GNU long name")
                data = reader.read(info.size + _padding(info.size))[: info.size]
                text = data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
                if t == tarfile.GNUTYPE_LONGNAME:
                    long_name = text
                else:
                    long_link = text
                continue
            meta = {**pax_global, **pax}
            name = meta.get("path") or long_name or info.name
            link = meta.get("linkpath") or long_link or info.linkname
            size = info.size
            mtime = info.mtime
            try:
                if "size" in meta:
                    size = int(meta["size"])
                if "mtime" in meta:
                    mtime = float(meta["mtime"])
            except ValueError:
                raise CorruptArchiveError(
                    self.what, f"bad pax size/mtime for {name!r}", None
                ) from None
            if any(k.startswith("GNU.sparse") for k in meta):
                raise self.unsafe(name, "a sparse file")
            pax, long_name, long_link = {}, None, None
            members += 1
            if members > MAX_MEMBERS:
                raise self.unsafe(name, f"more than {MAX_MEMBERS} members")
            if size < 0:
                raise CorruptArchiveError(self.what, f"negative size for {name!r}", None)
            self.member(reader, name, t, size, int(mtime), info.mode, link)
        return self.finish()

    def member(
        self, reader: _Reader, name: str, t: bytes, size: int, mtime: int, mode: int, link: str
    ) -> None:
        if t in _REJECTED:
            raise self.unsafe(name, _REJECTED[t])
        rel = self.relpath(name)
        path = os.path.join(self.dest, rel) if rel else self.dest
        if t in _REGULAR:
            if not rel:
                raise self.unsafe(name, "the top-level directory is a file")
            self.stats.bytes += size
            if self.stats.bytes > self.max_bytes:
                raise self.unsafe(name, f"unpacks to more than {self.max_bytes >> 20} MiB")
            self._parent_dirs(name, rel)
            self._replace(name, rel, "f")
            fd = os.open(path, _O_CREATE, 0o755 if mode & 0o111 else 0o644)
            try:
                reader.copy_to(fd, size)
                os.utime(fd, ns=(mtime * 1_000_000_000, mtime * 1_000_000_000))
            finally:
                os.close(fd)
            reader.skip(_padding(size))
            self.kinds[rel] = "f"
            self.stats.files += 1
            return
        if size:  # only regular files carry data
            reader.skip(size + _padding(size))
        if t == tarfile.DIRTYPE:
            if rel:
                self._parent_dirs(name, rel)
                if not self._replace(name, rel, "d"):
                    os.mkdir(path, 0o755)
                    self.kinds[rel] = "d"
                    self.stats.dirs += 1
            self.dir_times.append((path, mtime))
            return
        if t == tarfile.SYMTYPE:
            if not rel:
                raise self.unsafe(name, "the top-level directory is a symlink")
            if not link:
                raise self.unsafe(name, "symlink with an empty target")
            if link.startswith("/"):
                raise self.unsafe(name, f"symlink to an absolute path ({link!r})")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), link))
            if target == ".." or target.startswith("../"):
                raise self.unsafe(name, f"symlink pointing outside the tree ({link!r})")
            self._parent_dirs(name, rel)
            self._replace(name, rel, "l")
            os.symlink(link, path)
            self.kinds[rel] = "l"
            self.links.append(rel)
            self.stats.symlinks += 1
            return
        if t == tarfile.LNKTYPE:
            if not rel:
                raise self.unsafe(name, "the top-level directory is a hard link")
            try:
                target = self.relpath(link)
            except UnsafeArchiveError:
                raise self.unsafe(name, f"hard link to {link!r}, outside the tree") from None
            if self.kinds.get(target) != "f":
                raise self.unsafe(
                    name, f"hard link to {link!r}, which is not a file extracted before it"
                )
            self._parent_dirs(name, rel)
            self._replace(name, rel, "f")
            os.link(os.path.join(self.dest, target), path, follow_symlinks=False)
            self.kinds[rel] = "f"
            self.stats.hardlinks += 1
            return
        raise self.unsafe(name, f"unsupported tar member type {t!r}")

    def finish(self) -> Stats:
        root = os.path.realpath(self.dest)
        for rel in self.links:
            real = os.path.realpath(os.path.join(self.dest, rel))
            if real != root and not real.startswith(root + os.sep):
                raise self.unsafe(self.top + "/" + rel, "symlink resolving outside the tree")
        for path, mtime in reversed(self.dir_times):  # children first, as tar does
            try:
                os.utime(path, ns=(mtime * 1_000_000_000,) * 2, follow_symlinks=False)
            except OSError:
                pass
        return self.stats


def extract(
    source,
    dest: str,
    *,
    top: str = "go",
    what: str = "archive",
    abort: threading.Event | None = None,
    max_bytes: int = MAX_BYTES,
) -> Stats:
    """Extract the ``.tar.gz`` read from ``source`` (anything with ``read(n)``) into ``dest``.

    ``dest`` must exist and be empty; on error it is left for the caller to delete.
    """
    reader = _Reader(_ahead(_inflate(source, what, abort)), what)
    return Extraction(dest, top, what, max_bytes).run(reader, abort)
