"""Build and serve a local mirror of Go releases: the one API tests, the demo and ``bench/`` use.

A built mirror directory::

    ROOT/dl/<file>            archives (real hard links into the cache, synthetic ones written)
    ROOT/dl/<file>.sha256     hex digest only, no newline (like go.dev)
    ROOT/dl/<file>.asc        detached armored signature by the test key's signing subkey
    ROOT/index.json           go.dev's ``?mode=json&include=all`` list
    ROOT/manifest.json        per file: real or SYNTHETIC, sha256, size; the key fingerprint
    ROOT/keys/test-key.asc    the armored public key (what GOSWITCH_KEYRING takes)

Also a script, stdlib only, for the demo and benchmarks::

    python tests/support/mirror.py build DIR [--no-real]   # DIR/gnupg holds the key
    python tests/support/mirror.py serve DIR [--port-file F] [--port N]
    python -m tests.support.mirror archives                  # just build/print the archives

The real archives live in the cache (``archives.py``); the mirror hard-links them (copying
when the cache is on another file system). Never modify files in a mirror: they may be the
cache's own. Use ``MirrorServer.set_fault`` to serve broken bytes instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the package importable, then re-import
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.support"  # noqa: A001 - documented trick for relative imports
    import tests.support  # noqa: F401

from .archives import REAL_VERSIONS, archive_sha256, build_archives, default_cache_dir
from .gpgkey import SigningKey, make_key
from .httpmirror import MirrorServer, write_port_file
from .releases import MirrorFile, go_version_key, make_index, real_files, synthetic_files

__all__ = [
    "REAL_VERSIONS",
    "Mirror",
    "MirrorFile",
    "MirrorServer",
    "SigningKey",
    "build_archives",
    "build_mirror",
    "default_cache_dir",
    "go_version_key",
    "make_key",
]


@dataclass
class Mirror:
    """A built mirror directory and what is in it."""

    root: Path
    files: dict[str, MirrorFile]  # by file name (the downloadables, not their sidecars)
    fingerprint: str  # primary fingerprint of the signing key ("" when unsigned)
    pubkey_path: Path | None

    @property
    def dl_dir(self) -> Path:
        return self.root / "dl"

    @property
    def index_path(self) -> Path:
        return self.root / "index.json"

    @property
    def index(self) -> list[dict]:
        return json.loads(self.index_path.read_text())

    @property
    def file_url(self) -> str:
        """``file://`` mirror base (for air-gapped tests), with the trailing slash."""
        return self.dl_dir.resolve().as_uri() + "/"

    def archive(self, version: str, os_: str = "linux", arch: str = "amd64") -> MirrorFile:
        for f in self.files.values():
            if (f.version, f.os, f.arch, f.kind) == (version, os_, arch, "archive"):
                return f
        raise KeyError(f"no {os_}-{arch} archive for {version} in {self.root}")

    def real(self) -> list[MirrorFile]:
        return [f for f in self.files.values() if not f.synthetic]

    def synthetic(self) -> list[MirrorFile]:
        return [f for f in self.files.values() if f.synthetic]

    @classmethod
    def load(cls, root: Path | str) -> Mirror:
        """Re-open a mirror built earlier (reads ``manifest.json``)."""
        root = Path(root)
        man = json.loads((root / "manifest.json").read_text())
        files = {}
        for d in man["files"]:
            d["path"] = Path(d["path"]) if d.get("path") else None
            files[d["filename"]] = MirrorFile(**d)
        pub = man.get("pubkey")
        return cls(root, files, man.get("fingerprint", ""), Path(pub) if pub else None)


def _link_or_copy(src: Path, dst: Path) -> None:
    if dst.exists():
        dst.unlink()
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def build_mirror(
    dest: Path | str,
    key: SigningKey | None,
    archives: dict[str, Path] | None = None,
    synthetic: bool = True,
) -> Mirror:
    """Write a mirror into ``dest``: ``archives`` (from ``build_archives``; None: no real
    releases) plus the SYNTHETIC releases, each with ``.sha256`` and (if ``key``) ``.asc``.

    The synthetic siblings of the real versions (their darwin/windows/source files) are added
    only when real archives are, so a synthetic-only mirror never lists a real version without
    its linux-amd64 archive.
    """
    root = Path(dest)
    dl = root / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    files: list[MirrorFile] = []
    if archives:
        sums = {v: archive_sha256(p) for v, p in archives.items()}
        for f in real_files(archives, sums):
            target = dl / f.filename
            assert f.path is not None
            _link_or_copy(f.path, target)
            f.path = target
            files.append(f)
    if synthetic:
        files += synthetic_files(dl, siblings=bool(archives))
    for f in files:
        assert f.path is not None
        (dl / (f.filename + ".sha256")).write_text(f.sha256)
        if key is not None:
            key.sign(f.path)
    (root / "index.json").write_text(json.dumps(make_index(files), indent=1) + "\n")
    pub = None
    if key is not None:
        (root / "keys").mkdir(exist_ok=True)
        pub = root / "keys" / "test-key.asc"
        shutil.copyfile(key.pubkey_path, pub)
    mirror = Mirror(root, {f.filename: f for f in files}, key.fingerprint if key else "", pub)
    manifest = {
        "note": "Files with synthetic=true are made-up stand-ins for tests, not Go releases.",
        "fingerprint": mirror.fingerprint,
        "pubkey": str(pub) if pub else None,
        "files": [f.to_json() for f in files],
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return mirror


# ---- command line -----------------------------------------------------------------------


def _cmd_archives(args: argparse.Namespace) -> int:
    for version, path in build_archives(args.cache).items():
        print(f"{version} {path}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    if root.exists() and any(root.iterdir()) and not args.force:
        print(f"{root} is not empty (use --force to rebuild it)", file=sys.stderr)
        return 2
    if args.force and root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    key = make_key(root / "gnupg")
    try:
        archives = None if args.no_real else build_archives(args.cache)
        mirror = build_mirror(root, key, archives, synthetic=not args.no_synthetic)
    finally:
        key.close()
    print(
        json.dumps(
            {
                "root": str(root),
                "fingerprint": mirror.fingerprint,
                "pubkey": str(mirror.pubkey_path),
                "files": len(mirror.files),
                "real": sorted(f.filename for f in mirror.real()),
            },
            indent=1,
        )
    )
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    if not (root / "index.json").exists():
        print(f"{root} is not a built mirror (run: mirror.py build {root})", file=sys.stderr)
        return 2
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    with MirrorServer(root, port=args.port) as server:
        if args.port_file:
            write_port_file(args.port_file, server.port)
        print(f"serving {root} at {server.base_url}  index: {server.index_url}", flush=True)
        done.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="mirror.py", description=__doc__.split("\n")[0])
    p.add_argument("--cache", default=None, help=f"archive cache (default {default_cache_dir()})")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("archives", help="build (if missing) and print the cached real archives")
    b = sub.add_parser("build", help="build a mirror directory (real + synthetic, signed)")
    b.add_argument("dir")
    b.add_argument("--no-real", action="store_true", help="synthetic releases only (fast)")
    b.add_argument("--no-synthetic", action="store_true",
                   help="real releases only (what the demo serves)")
    b.add_argument("--force", action="store_true", help="replace an existing directory")
    s = sub.add_parser("serve", help="serve a built mirror on 127.0.0.1 until SIGTERM/SIGINT")
    s.add_argument("dir")
    s.add_argument("--port", type=int, default=0, help="default: a free random port")
    s.add_argument("--port-file", help="write the port here (atomically) once listening")
    args = p.parse_args(argv)
    return {"archives": _cmd_archives, "build": _cmd_build, "serve": _cmd_serve}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
