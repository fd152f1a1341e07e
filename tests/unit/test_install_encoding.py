"""Bodies labelled Content-Encoding: gzip: decoded when compressed again, kept when the
label sits on the raw file (goswitch/install/encoding.py)."""

from __future__ import annotations

import gzip
import io
import random

import pytest

from goswitch.install import encoding

ARCHIVE = gzip.compress(random.Random(1).randbytes(300_000))  # stands in for a .tar.gz


def reader(data: bytes, piece: int = 7000):
    stream = io.BytesIO(data)
    return lambda n: stream.read(min(n, piece))


def read_all(read) -> bytes:
    out = []
    while True:
        block = read(1 << 16)
        if not block:
            return b"".join(out)
        out.append(block)


def test_an_archive_compressed_again_is_decoded():
    read, decoded = encoding.open_body(reader(gzip.compress(ARCHIVE)), encoding.GZIP_MAGIC)
    assert decoded and read_all(read) == ARCHIVE


@pytest.mark.parametrize("magic", [encoding.GZIP_MAGIC, None])
def test_a_label_on_bytes_that_are_not_gzip_is_ignored(magic):
    read, decoded = encoding.open_body(reader(b"-----BEGIN PGP SIGNATURE-----\n"), magic)
    assert not decoded and read_all(read) == b"-----BEGIN PGP SIGNATURE-----\n"


def test_a_label_on_the_raw_archive_is_ignored():
    read, decoded = encoding.open_body(reader(ARCHIVE), encoding.GZIP_MAGIC)
    assert not decoded and read_all(read) == ARCHIVE


def test_a_small_file_sent_gzipped_is_decoded_when_nothing_is_expected_of_it():
    read, decoded = encoding.open_body(reader(gzip.compress(b"[1, 2]")), None)
    assert decoded and read_all(read) == b"[1, 2]"


def test_a_cut_encoded_body_is_said_to_be_cut():
    data = gzip.compress(ARCHIVE)
    read, _ = encoding.open_body(reader(data[: len(data) // 2]), encoding.GZIP_MAGIC)
    with pytest.raises(encoding.CutShort):
        read_all(read)
