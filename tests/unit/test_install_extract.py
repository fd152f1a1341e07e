"""The safe extractor against hostile and odd archives built here (issue 4, point 5).

Every hostile case must raise, name the member, and write nothing outside the
destination; the caller (the installer) deletes the destination afterwards.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import threading

import pytest

from goswitch.errors import EXIT_VERIFY
from goswitch.install.extract import (
    CorruptArchiveError,
    ExtractAborted,
    UnsafeArchiveError,
    extract,
    unpack_limit,
)


def _ti(name, type_=tarfile.REGTYPE, mode=0o644, size=0, linkname="", mtime=1700000000):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.size, ti.linkname, ti.mtime = type_, mode, size, linkname, mtime
    return ti


def tar(members, fmt=tarfile.PAX_FORMAT) -> bytes:
    """``members``: (TarInfo, data or None); an uncompressed tar in memory."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tf:
        for ti, data in members:
            if data is not None:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            else:
                tf.addfile(ti)
    return raw.getvalue()


def build(members, fmt=tarfile.PAX_FORMAT) -> bytes:
    """``members``: (TarInfo, data or None); a .tar.gz in memory."""
    return gzip.compress(tar(members, fmt))


def base(extra=()):
    return [
        (_ti("go", tarfile.DIRTYPE, 0o755), None),
        (_ti("go/bin", tarfile.DIRTYPE, 0o755), None),
        (_ti("go/bin/go", mode=0o755), b"#!/bin/sh\necho go\n"),
        (_ti("go/VERSION"), b"go1.22.10\n"),
        *extra,
    ]


@pytest.fixture
def sandbox(tmp_path):
    """dest (empty) inside a box; ``outside`` must stay untouched."""
    box = tmp_path / "box"
    dest = box / "dest"
    dest.mkdir(parents=True)
    outside = box / "outside"
    outside.mkdir()
    (outside / "victim").write_text("original")
    return dest, outside


def run(data: bytes, dest) -> object:
    return extract(io.BytesIO(data), str(dest), what="test.tar.gz")


def assert_outside_untouched(outside):
    assert sorted(os.listdir(outside)) == ["victim"]
    assert (outside / "victim").read_text() == "original"


def test_normal_tree_is_extracted_with_go_prefix_stripped(sandbox):
    dest, _ = sandbox
    stats = run(build(base()), dest)
    assert (dest / "bin" / "go").read_bytes() == b"#!/bin/sh\necho go\n"
    assert (dest / "VERSION").read_text() == "go1.22.10\n"
    assert not (dest / "go").exists()
    assert stats.files == 2 and stats.dirs == 1
    assert os.stat(dest / "bin" / "go").st_mtime == 1700000000
    assert stat.S_IMODE(os.stat(dest / "bin" / "go").st_mode) & 0o111


def test_modes_are_normalised_no_setuid_no_world_write(sandbox):
    dest, _ = sandbox
    old = os.umask(0o022)
    try:
        run(
            build(
                base([(_ti("go/bin/suid", mode=0o4777), b"x"), (_ti("go/ww", mode=0o666), b"y")])
            ),
            dest,
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(dest / "bin" / "suid").st_mode) == 0o755
    assert stat.S_IMODE(os.stat(dest / "ww").st_mode) == 0o644


@pytest.mark.parametrize(
    "member, why",
    [
        ((_ti("/etc/evil"), b"x"), "absolute path"),
        ((_ti("go/../../outside/victim"), b"pwned"), "'..'"),
        ((_ti("go/bin/../../outside/victim"), b"pwned"), "'..'"),
        ((_ti("../outside/victim"), b"pwned"), "'..'"),
        ((_ti("other/file"), b"x"), "outside the top-level go/"),
        ((_ti("go/dev", tarfile.CHRTYPE), None), "character device"),
        ((_ti("go/blk", tarfile.BLKTYPE), None), "block device"),
        ((_ti("go/fifo", tarfile.FIFOTYPE), None), "fifo"),
        ((_ti("go/abs", tarfile.SYMTYPE, linkname="/etc/passwd"), None), "absolute path"),
        ((_ti("go/up", tarfile.SYMTYPE, linkname="../../outside"), None), "outside the tree"),
        ((_ti("go/bin/up", tarfile.SYMTYPE, linkname="../../x"), None), "outside the tree"),
        ((_ti("go/hl", tarfile.LNKTYPE, linkname="/etc/passwd"), None), "outside the tree"),
        ((_ti("go/hl", tarfile.LNKTYPE, linkname="../outside/victim"), None), "outside the tree"),
        ((_ti("go/hl", tarfile.LNKTYPE, linkname="go/nothing"), None), "not a file extracted"),
        ((_ti("go/empty", tarfile.SYMTYPE, linkname=""), None), "empty target"),
        ((_ti("go/odd", b"V"), None), "unsupported tar member type"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_hostile_members_are_rejected(sandbox, member, why):
    dest, outside = sandbox
    with pytest.raises(UnsafeArchiveError) as err:
        run(build(base([member])), dest)
    assert why in str(err.value)
    assert "member" in str(err.value)
    assert err.value.exit_code == EXIT_VERIFY
    assert_outside_untouched(outside)


def test_write_through_a_symlinked_directory_is_rejected(sandbox):
    """`go/link -> .` is harmless by itself, but writing `go/link/x` goes through it."""
    dest, outside = sandbox
    evil = [
        (_ti("go/lnk", tarfile.SYMTYPE, linkname="bin"), None),
        (_ti("go/lnk/planted"), b"x"),
    ]
    with pytest.raises(UnsafeArchiveError, match="through a symlink"):
        run(build(base(evil)), dest)
    assert not (dest / "bin" / "planted").exists()
    assert_outside_untouched(outside)


def test_symlink_chain_escaping_is_caught_on_the_finished_tree(sandbox):
    """Each link is lexically inside, the chain resolves outside: realpath check."""
    dest, outside = sandbox
    evil = [
        (_ti("go/a", tarfile.DIRTYPE, 0o755), None),
        (_ti("go/a/b", tarfile.DIRTYPE, 0o755), None),
        (_ti("go/a/b/l", tarfile.SYMTYPE, linkname=".."), None),  # -> go/a
        (_ti("go/esc", tarfile.SYMTYPE, linkname="a/b/l/../.."), None),  # lexically go/
    ]
    # lexically a/b/l/../.. == "a/.." == "" (inside); physically go/a/b/l -> go/a,
    # then /.. /.. leaves the tree
    with pytest.raises(UnsafeArchiveError, match="resolving outside the tree"):
        run(build(base(evil)), dest)
    assert_outside_untouched(outside)


def test_hardlink_to_symlink_is_rejected(sandbox):
    dest, outside = sandbox
    evil = [
        (_ti("go/s", tarfile.SYMTYPE, linkname="VERSION"), None),
        (_ti("go/h", tarfile.LNKTYPE, linkname="go/s"), None),
    ]
    with pytest.raises(UnsafeArchiveError, match="not a file extracted"):
        run(build(base(evil)), dest)


def test_inside_links_are_kept(sandbox):
    dest, _ = sandbox
    ok = [
        (_ti("go/bin/gofmt", tarfile.SYMTYPE, linkname="go"), None),
        (_ti("go/misc", tarfile.DIRTYPE, 0o755), None),
        (_ti("go/misc/up", tarfile.SYMTYPE, linkname="../VERSION"), None),
        (_ti("go/VERSION2", tarfile.LNKTYPE, linkname="go/VERSION"), None),
    ]
    stats = run(build(base(ok)), dest)
    assert os.readlink(dest / "bin" / "gofmt") == "go"
    assert (dest / "misc" / "up").read_text() == "go1.22.10\n"
    assert os.stat(dest / "VERSION2").st_ino == os.stat(dest / "VERSION").st_ino
    assert stats.symlinks == 2 and stats.hardlinks == 1


def test_duplicate_member_later_wins_and_replaces_a_symlink_safely(sandbox):
    dest, outside = sandbox
    dup = [
        (_ti("go/x", tarfile.SYMTYPE, linkname="VERSION"), None),
        (_ti("go/x"), b"second"),
    ]
    run(build(base(dup)), dest)
    assert not os.path.islink(dest / "x")
    assert (dest / "x").read_bytes() == b"second"
    assert (dest / "VERSION").read_text() == "go1.22.10\n"  # not written through the link
    assert_outside_untouched(outside)


def test_dir_and_file_with_the_same_name_are_rejected(sandbox):
    dest, _ = sandbox
    with pytest.raises(UnsafeArchiveError, match="share this name"):
        run(build(base([(_ti("go/bin"), b"file over a dir")])), dest)


def test_implicit_parent_directories_are_created(sandbox):
    dest, _ = sandbox
    run(build([(_ti("go/bin/go", mode=0o755), b"x"), (_ti("go/a/b/c/d.txt"), b"d")]), dest)
    assert (dest / "a" / "b" / "c" / "d.txt").read_bytes() == b"d"


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_long_names_in_every_tar_format(sandbox, fmt):
    dest, _ = sandbox
    depth = 3 if fmt == tarfile.USTAR_FORMAT else 6  # ustar: 155-byte prefix + 100-byte name
    deep = "go/" + "/".join(["d" * 40] * depth) + "/" + "n" * 90 + ".go"
    run(build(base([(_ti(deep), b"deep")]), fmt=fmt), dest)
    assert (dest / deep[3:]).read_bytes() == b"deep"


def test_long_hostile_name_via_pax_is_still_judged(sandbox):
    dest, outside = sandbox
    name = "go/" + "a" * 120 + "/../../../outside/victim"
    with pytest.raises(UnsafeArchiveError, match="'..'"):
        run(build(base([(_ti(name), b"pwned")])), dest)
    assert_outside_untouched(outside)


def test_truncated_gzip(sandbox):
    dest, _ = sandbox
    data = build(base([(_ti("go/big"), os.urandom(100_000))]))
    with pytest.raises(CorruptArchiveError):
        run(data[: len(data) // 2], dest)


def test_damaged_gzip(sandbox):
    dest, _ = sandbox
    data = bytearray(build(base([(_ti("go/big"), b"a" * 100_000)])))
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(CorruptArchiveError, match="damaged gzip|ends inside"):
        run(bytes(data), dest)


def test_not_gzip_and_empty(sandbox):
    dest, _ = sandbox
    with pytest.raises(CorruptArchiveError):
        run(b"PK\x03\x04 this is a zip", dest)
    with pytest.raises(CorruptArchiveError, match="empty"):
        run(b"", dest)


def test_multi_member_gzip_and_trailing_zero_padding(sandbox):
    dest, _ = sandbox
    blob = tar(base())
    two = gzip.compress(blob[:1024]) + gzip.compress(blob[1024:]) + b"\0" * 512
    run(two, dest)
    assert (dest / "bin" / "go").exists()


def test_abort_stops_extraction(sandbox):
    dest, _ = sandbox
    abort = threading.Event()
    abort.set()
    with pytest.raises(ExtractAborted):
        extract(io.BytesIO(build(base())), str(dest), abort=abort)


def test_top_level_entry_that_is_a_file_is_rejected(sandbox):
    dest, _ = sandbox
    with pytest.raises(UnsafeArchiveError, match="top-level"):
        run(build([(_ti("go"), b"not a dir")]), dest)


def test_sparse_files_are_rejected(sandbox):
    dest, _ = sandbox
    ti = _ti("go/sparse", tarfile.GNUTYPE_SPARSE)
    with pytest.raises(UnsafeArchiveError, match="sparse"):
        run(build(base([(ti, None)]), fmt=tarfile.GNU_FORMAT), dest)


def test_oversized_member_count_is_bounded(sandbox, monkeypatch):
    import goswitch.install.extract as ex

    monkeypatch.setattr(ex, "MAX_MEMBERS", 3)
    dest, _ = sandbox
    with pytest.raises(UnsafeArchiveError, match="more than 3 members"):
        run(build(base([(_ti("go/a"), b"a"), (_ti("go/b"), b"b")])), dest)


def test_unpacked_bytes_are_bounded_by_the_archive_size(sandbox):
    """Bytes unpack before their sha256 is known: a small gzip bomb from a mirror that
    controls neither index nor key stops at a few times the index's size."""
    dest, _ = sandbox
    zeros = bytes(100 << 20)  # 100 MiB of zeros: about 100 KiB compressed
    data = build(base([(_ti("go/pkg/bomb"), zeros)]))
    assert len(data) < 1 << 20
    with pytest.raises(UnsafeArchiveError, match="unpacks to more than 64 MiB"):
        extract(io.BytesIO(data), str(dest), max_bytes=unpack_limit(len(data)))
    written = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
    assert written < 1 << 20  # refused before the member was written
    # A real release (about 3.2 times its size unpacked) is far from the bound.
    assert unpack_limit(66_611_723) > 3.3 * 66_611_723 and unpack_limit(None) == 16 << 30
