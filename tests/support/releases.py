"""The go.dev-style JSON index: real entries, and clearly separated SYNTHETIC ones.

go.dev's ``/dl/?mode=json&include=all`` is a list of ``{"version", "stable", "files": [...]}``,
newest first, each file ``{"filename", "os", "arch", "version", "sha256", "size", "kind"}``
with ``kind`` one of ``archive``/``installer``/``source`` (sources have ``os``/``arch`` "").

REAL entries: the two archives rebuilt from wheels (``archives.py``) with their real sha256.

SYNTHETIC entries (``SYNTHETIC_RELEASES``, ``synthetic_files``): tiny but valid archives for the
edge cases the real releases cannot give us cheaply: rc/beta releases, a pre-release newer than
every stable release (``latest`` must skip it), pre-1.21 names (``go1.20`` has no ``.0``),
other OS/arch files, ``source`` and ``installer`` kinds. Their ``go/bin/go`` is a POSIX ``sh``
stub that answers ``go version`` and ``go env`` like the real one, so install-path tests run in
milliseconds. They are never mixed up with real ones: ``MirrorFile.synthetic`` says which is
which, and ``manifest.json`` in a built mirror records it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import tarfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

_VERSION_RE = re.compile(r"^go(\d+)\.(\d+)(?:\.(\d+))?(?:(beta|rc)(\d+))?$")


def go_version_key(version: str) -> tuple[int, int, int, int]:
    """Sort key in Go's release order: ``go1.21beta2 < go1.21rc2 < go1.21.0 < go1.21.1``,
    ``go1.20 == go1.20.0 < go1.20.1``. Independent of goswitch's own parser on purpose."""
    m = _VERSION_RE.match(version)
    if not m:
        raise ValueError(f"not a Go release name: {version!r}")
    major, minor, patch, pre, n = m.groups()
    if pre and patch:
        raise ValueError(f"not a Go release name: {version!r}")
    if pre:
        return int(major), int(minor), {"beta": 0, "rc": 1}[pre], int(n)
    return int(major), int(minor), 2, int(patch or 0)


@dataclass
class MirrorFile:
    """One downloadable file of a mirror, as listed in the index."""

    filename: str
    version: str
    os: str
    arch: str
    kind: str  # archive | installer | source
    sha256: str
    size: int
    stable: bool
    synthetic: bool
    path: Path | None = None  # where it lives in the mirror directory

    def index_entry(self) -> dict:
        """The go.dev JSON object, keys in go.dev's order."""
        return {
            "filename": self.filename,
            "os": self.os,
            "arch": self.arch,
            "version": self.version,
            "sha256": self.sha256,
            "size": self.size,
            "kind": self.kind,
        }

    def to_json(self) -> dict:
        d = asdict(self)
        d["path"] = str(self.path) if self.path else None
        return d


def file_name(version: str, os_: str, arch: str, kind: str) -> str:
    if kind == "source":
        return f"{version}.src.tar.gz"
    if kind == "installer":
        return f"{version}.{os_}-{arch}.{'msi' if os_ == 'windows' else 'pkg'}"
    return f"{version}.{os_}-{arch}.{'zip' if os_ == 'windows' else 'tar.gz'}"


def make_index(files: Iterable[MirrorFile], include_all: bool = True) -> list[dict]:
    """go.dev's JSON list: versions newest first; in a version the source first, then by name.

    ``include_all=False`` mimics go.dev without ``include=all``: only the newest stable release
    of the two newest stable minor lines."""
    by_version: dict[str, list[MirrorFile]] = {}
    for f in files:
        by_version.setdefault(f.version, []).append(f)
    versions = sorted(by_version, key=go_version_key, reverse=True)
    if not include_all:
        picked, lines = [], set()
        for v in versions:
            line = go_version_key(v)[:2]
            if by_version[v][0].stable and line not in lines and len(lines) < 2:
                lines.add(line)
                picked.append(v)
        versions = picked
    out = []
    for v in versions:
        fs = sorted(by_version[v], key=lambda f: (f.kind != "source", f.filename))
        out.append({"version": v, "stable": fs[0].stable, "files": [f.index_entry() for f in fs]})
    return out


# --------------------------------------------------------------------------------------------
# SYNTHETIC releases. Everything below is made up for tests; nothing here is a real Go build.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticRelease:
    version: str
    stable: bool
    time: str  # the "time ..." line of go/VERSION
    platforms: tuple[tuple[str, str, str], ...]  # (os, arch, kind); source is always added


# Files go.dev lists beside linux-amd64 for every release: a test picking files[0], or the
# first "linux" file, must get it wrong on this index as it would on go.dev's.
OTHER_PLATFORMS: tuple[tuple[str, str, str], ...] = (
    ("darwin", "arm64", "archive"),
    ("darwin", "arm64", "installer"),
    ("freebsd", "amd64", "archive"),
    ("linux", "386", "archive"),
    ("linux", "arm64", "archive"),
    ("windows", "amd64", "archive"),
    ("windows", "amd64", "installer"),
)
LINUX_AMD64 = (("linux", "amd64", "archive"),)

SYNTHETIC_RELEASES: tuple[SyntheticRelease, ...] = (
    # A pre-release newer than every stable one: `latest`/`stable` must not pick it.
    SyntheticRelease("go1.23rc2", False, "2024-07-16T17:48:52Z", LINUX_AMD64),
    SyntheticRelease("go1.22rc1", False, "2023-12-19T19:06:33Z", LINUX_AMD64 + OTHER_PLATFORMS),
    SyntheticRelease("go1.21.0", True, "2023-08-08T15:55:20Z", LINUX_AMD64),
    SyntheticRelease("go1.21rc2", False, "2023-06-21T17:49:37Z", LINUX_AMD64),
    SyntheticRelease("go1.21beta2", False, "2023-06-01T15:00:00Z", LINUX_AMD64),
    # Before 1.21 the first release of a line had no ".0".
    SyntheticRelease("go1.20.1", True, "2023-02-14T18:09:29Z", LINUX_AMD64),
    SyntheticRelease("go1.20", True, "2023-02-01T19:08:39Z", LINUX_AMD64),
)
"""Synthetic versions (go1.23rc2 is extra: a pre-release above the newest stable)."""

# Synthetic siblings of the REAL versions (their other OS/arch, source and installer files).
SYNTHETIC_SIBLINGS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("go1.22.10", OTHER_PLATFORMS),
    ("go1.21.13", OTHER_PLATFORMS),
)

_MTIME = 1700000000  # fixed: synthetic archives are byte-for-byte reproducible


def _go_stub(version: str, os_: str, arch: str) -> bytes:
    return f"""#!/bin/sh
# SYNTHETIC Go toolchain stub from goswitch's tests/support/releases.py: not a real go.
# It answers `go version` and `go env [VAR...]` like the real one, nothing else.
root=$(cd "${{0%/*}}/.." && pwd -P)
case "${{1:-}}" in
  version) echo "go version {version} {os_}/{arch}" ;;
  env)
    shift
    for v in "$@"; do
      case "$v" in
        GOROOT) echo "${{GOROOT:-$root}}" ;;
        GOVERSION) echo "{version}" ;;
        GOOS) echo "{os_}" ;;
        GOARCH) echo "{arch}" ;;
        GOTOOLCHAIN) echo "${{GOTOOLCHAIN:-auto}}" ;;
        GOPATH) echo "${{GOPATH:-$HOME/go}}" ;;
        GOBIN) echo "${{GOBIN:-}}" ;;
        *) echo "" ;;
      esac
    done
    [ $# -gt 0 ] || echo "GOROOT='${{GOROOT:-$root}}'"
    ;;
  *) echo "go {version} (synthetic stub): unsupported command: $*" >&2; exit 2 ;;
esac
""".encode()


_GOFMT_STUB = b"""#!/bin/sh
# SYNTHETIC gofmt stub from goswitch's tests/support/releases.py: copies input to output.
exec cat -- "$@"
"""

_GO_ENV = b"""# SYNTHETIC copy of the go.env that Go 1.21+ ships.
GOPROXY=https://proxy.golang.org,direct
GOSUMDB=sum.golang.org
GOTOOLCHAIN=auto
"""


def _tree(rel: SyntheticRelease, os_: str, arch: str, kind: str) -> dict[str, tuple[bytes, int]]:
    """Path -> (content, mode) of a synthetic Go tree."""
    tree = {"go/VERSION": (f"{rel.version}\ntime {rel.time}\n".encode(), 0o644)}
    if kind == "source":
        tree["go/src/make.bash"] = (b"#!/bin/sh\necho 'SYNTHETIC source tree' >&2\nexit 1\n", 0o755)
        return tree
    exe = ".exe" if os_ == "windows" else ""
    tree[f"go/bin/go{exe}"] = (_go_stub(rel.version, os_, arch), 0o755)
    tree[f"go/bin/gofmt{exe}"] = (_GOFMT_STUB, 0o755)
    tree[f"go/pkg/tool/{os_}_{arch}/README"] = (b"SYNTHETIC: no tools here\n", 0o644)
    if go_version_key(rel.version) >= (1, 21, 0, 0):
        tree["go/go.env"] = (_GO_ENV, 0o644)
    return tree


def targz(tree: dict[str, tuple[bytes, int]], extra=None) -> bytes:
    """A reproducible .tar.gz of ``tree`` (parents first, like tar); ``extra(tf)`` may add
    members (hostile archives in the installer tests)."""
    buf = io.BytesIO()
    with (
        gzip.GzipFile(filename="", fileobj=buf, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf,
    ):
        dirs = sorted(
            {"/".join(p.split("/")[:i]) for p in tree for i in range(1, p.count("/") + 1)}
        )
        for name in sorted(dirs + list(tree)):
            ti = tarfile.TarInfo(name)
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = "root"
            ti.mtime = _MTIME
            if name in tree:
                data, ti.mode = tree[name]
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            else:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(ti)
        if extra is not None:
            extra(tf)
    return buf.getvalue()


def _zip(tree: dict[str, tuple[bytes, int]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(tree):
            data, mode = tree[name]
            info = zipfile.ZipInfo(name, date_time=(2023, 11, 14, 22, 13, 20))
            info.external_attr = (0o100000 | mode) << 16
            info.create_system = 3
            zf.writestr(info, data)
    return buf.getvalue()


def synthetic_content(rel: SyntheticRelease, os_: str, arch: str, kind: str) -> bytes:
    """Bytes of one SYNTHETIC file (deterministic)."""
    if kind == "installer":
        return f"SYNTHETIC {kind} placeholder for {rel.version} {os_}/{arch}\n".encode()
    tree = _tree(rel, os_, arch, kind)
    return _zip(tree) if os_ == "windows" and kind == "archive" else targz(tree)


def synthetic_files(dest: Path | None = None, siblings: bool = True) -> list[MirrorFile]:
    """All SYNTHETIC files: the ``SYNTHETIC_RELEASES`` and, with ``siblings``, the other-platform
    files of the real versions. Written into ``dest`` when given."""
    jobs: list[tuple[SyntheticRelease, tuple[str, str, str]]] = []
    for rel in SYNTHETIC_RELEASES:
        jobs += [(rel, p) for p in (("", "", "source"), *rel.platforms)]
    if siblings:
        for version, platforms in SYNTHETIC_SIBLINGS:
            rel = SyntheticRelease(version, True, "2024-01-01T00:00:00Z", platforms)
            jobs += [(rel, p) for p in (("", "", "source"), *platforms)]
    out = []
    for rel, (os_, arch, kind) in jobs:
        data = synthetic_content(rel, os_, arch, kind)
        name = file_name(rel.version, os_, arch, kind)
        path = None
        if dest is not None:
            path = Path(dest) / name
            path.write_bytes(data)
        out.append(
            MirrorFile(
                name,
                rel.version,
                os_,
                arch,
                kind,
                hashlib.sha256(data).hexdigest(),
                len(data),
                rel.stable,
                True,
                path,
            )
        )
    return out


def real_files(archives: dict[str, Path], sha256: dict[str, str]) -> list[MirrorFile]:
    """REAL index entries for ``archives.build_archives()`` output (sha256 given by caller)."""
    out = []
    for version, path in archives.items():
        out.append(
            MirrorFile(
                path.name,
                version,
                "linux",
                "amd64",
                "archive",
                sha256[version],
                path.stat().st_size,
                True,
                False,
                path,
            )
        )
    return out
