"""Bodies a server labelled ``Content-Encoding: gzip`` although we asked for ``identity``.

Two kinds of servers do it.  Some compress the file again (a ``.tar.gz`` gzipped once
more): the bytes must be decoded, or the download is a different file, too long or cut
short.  Others only add the label to bytes that are the file itself (a ``.tar.gz``
served as "gzip-encoded"): those must be kept as they are.  The first bytes tell them
apart: decoding one layer of a ``.tar.gz`` labelled for nothing gives a tar header, of
one compressed again gives the archive's own gzip header.
"""

from __future__ import annotations

import zlib

GZIP_MAGIC = b"\x1f\x8b"
PROBE_BYTES = 64 << 10  # enough to inflate a few bytes of any gzip stream
_CHUNK = 1 << 20


class CutShort(Exception):
    """The encoded stream ended before its gzip trailer: the transfer was cut."""


def is_gzip_label(headers) -> bool:
    value = (headers.get("Content-Encoding") or "").strip().lower() if headers else ""
    return value in ("gzip", "x-gzip")


class Gunzipped:
    """``read(n)`` of the decoded body; built by :func:`open_body`."""

    def __init__(self, read, head: bytes):
        self._read = read
        self._inflater = zlib.decompressobj(wbits=31)
        self._input = head
        self._ended = False

    def read(self, n: int) -> bytes:
        while True:
            data = self._inflater.unconsumed_tail or self._input
            self._input = b""
            if data:
                out = self._inflater.decompress(data, max(n, 1))
                if out:
                    return out
                if self._inflater.eof:
                    return b""  # bytes after the gzip trailer are not the file's
                continue
            if self._ended:
                return b""
            block = self._read(_CHUNK)
            if not block:
                self._ended = True
                if not self._inflater.eof:
                    raise CutShort()
                return b""
            self._input = block


def open_body(read, magic: bytes | None):
    """(a ``read(n)`` of the body as the file's own bytes, whether it was decoded).

    ``magic``: what the file itself starts with (gzip's for a ``.tar.gz``), which tells
    a label on the raw file from a real second encoding.
    """
    head = b""
    while len(head) < PROBE_BYTES:
        block = read(_CHUNK)
        if not block:
            break
        head += block
        if len(head) >= 2 and not head.startswith(GZIP_MAGIC):
            break  # not gzip at all: only the label
        if len(_peek(head)) >= len(magic or GZIP_MAGIC):
            break
    if not head.startswith(GZIP_MAGIC):
        return Replay(read, head).read, False
    if magic is not None and not _peek(head).startswith(magic):
        return Replay(read, head).read, False  # the file itself, merely labelled gzip
    return Gunzipped(read, head).read, True


def _peek(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(wbits=31).decompress(head, 16)
    except zlib.error:
        return b""


class Replay:
    """``read`` that first returns the bytes read while probing."""

    def __init__(self, read, head: bytes):
        self._read, self._head = read, head

    def read(self, n: int) -> bytes:
        if self._head:
            out, self._head = self._head[:n], self._head[n:]
            return out
        return self._read(n)
