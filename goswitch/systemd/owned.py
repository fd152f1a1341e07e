"""Files goswitch owns: written atomically, stamped so that user edits are noticed.

Every file goswitch writes for systemd starts with comment lines saying who
owns it and how to undo it, a ``# goswitch-meta: {json}`` line (what was
written, so ``disable`` and ``refresh`` know what to take back without any
other state) and a ``# goswitch-sha256: <hex>`` line: the SHA-256 of the
whole file without that line.  Any edit, even to a comment, changes the hash,
and goswitch then neither overwrites nor deletes the file without ``--force``.
The stamp lives in the file itself, so it survives a wiped ``$GOSWITCH_HOME``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os

from .. import fs
from ..atomic import write_atomic

SUM_PREFIX = "# goswitch-sha256: "
META_PREFIX = "# goswitch-meta: "

ABSENT = "absent"  # no file
OURS = "ours"  # written by goswitch, unchanged since
EDITED = "edited"  # written by goswitch, changed since
FOREIGN = "foreign"  # not written by goswitch (no stamp)


class Inspection:
    __slots__ = ("path", "state", "text", "meta")

    def __init__(self, path: str, state: str, text: str | None = None, meta: dict | None = None):
        self.path, self.state, self.text = path, state, text
        self.meta = meta or {}

    @property
    def exists(self) -> bool:
        return self.state != ABSENT


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def stamp(header: list[str], meta: dict, body: str) -> str:
    """The file text: ``header`` comment lines, the meta line, the hash line, ``body``."""
    meta_line = META_PREFIX + json.dumps(meta, sort_keys=True, separators=(",", ":")) + "\n"
    unstamped = "".join(line + "\n" for line in header) + meta_line + body
    at = len(unstamped) - len(body)
    return unstamped[:at] + SUM_PREFIX + _digest(unstamped) + "\n" + unstamped[at:]


def inspect(path: str) -> Inspection:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except (FileNotFoundError, NotADirectoryError):  # nothing can be under a file
        return Inspection(path, ABSENT)
    except IsADirectoryError:
        return Inspection(path, FOREIGN)
    text = data.decode("utf-8", "surrogateescape")
    lines = text.split("\n")  # not splitlines(): U+2028 etc. may be inside a value
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    sum_at = next((i for i, line in enumerate(lines) if line.startswith(SUM_PREFIX)), None)
    if sum_at is None:
        return Inspection(path, FOREIGN, text)
    meta: dict = {}
    for line in lines:
        if line.startswith(META_PREFIX):
            try:
                loaded = json.loads(line[len(META_PREFIX) :])
            except ValueError:
                loaded = None
            meta = loaded if isinstance(loaded, dict) else {}
            break
    recorded = lines[sum_at][len(SUM_PREFIX) :].strip()
    rest = "".join(lines[:sum_at] + lines[sum_at + 1 :])
    state = OURS if recorded == _digest(rest) else EDITED
    return Inspection(path, state, text, meta)


def missing_dirs(directory: str) -> list[str]:
    """The directories ``os.makedirs(directory)`` would create, outermost first."""
    out: list[str] = []
    for d in fs.ancestors(os.path.abspath(directory)):
        if os.path.isdir(d):
            break
        out.append(d)
    return out[::-1]


def remove_dirs(dirs) -> None:
    """``rmdir`` what goswitch created, innermost first, where it is still empty."""
    for d in sorted((x for x in dirs if isinstance(x, str)), key=len, reverse=True):
        with contextlib.suppress(OSError):
            os.rmdir(d)


def atomic_write(path: str, text: str, mode: int = 0o644) -> None:
    """Write ``path`` atomically, durably (systemd reads it at the next login)."""
    write_atomic(path, text.encode("utf-8", "surrogateescape"), mode, sync_dir=True)
