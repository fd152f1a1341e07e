"""Which ``goswitch.toml`` files may set variables through ``[env]``.

An ``[env]`` table can set anything (``LD_PRELOAD`` ...), so it applies only
after ``goswitch trust`` recorded the file's real path together with the
sha256 of its content: any edit needs a new trust.  The record is a plain
text file (one ``<sha256> <path>`` per line) so the hook can read it with
the stdlib only.
"""

from __future__ import annotations

import os

from . import paths


def digest_file(path: str) -> str:
    import hashlib  # lazily: costs more than the rest of a hook run

    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _encode(path: str) -> str:
    # A path may hold newlines or any byte; keep one record per line.
    return os.fsencode(path).hex()


def _records(environ) -> dict[str, str]:
    records: dict[str, str] = {}
    try:
        with open(paths.trust_file(environ), encoding="ascii", errors="replace") as f:
            for line in f:
                fields = line.split()
                if len(fields) == 2:
                    records[fields[1]] = fields[0]
    except OSError:
        pass
    return records


def is_trusted(environ, path: str) -> bool:
    real = os.path.realpath(path)
    want = _records(environ).get(_encode(real))
    if want is None:
        return False
    try:
        return digest_file(real) == want
    except OSError:
        return False


def _write(environ, records: dict[str, str]) -> None:
    target = paths.trust_file(environ)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = f"{target}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="ascii") as f:
        for key in sorted(records):
            f.write(f"{records[key]} {key}\n")
    os.replace(tmp, target)


def trust(environ, path: str) -> str:
    """Trust the file as it is now; returns its real path."""
    real = os.path.realpath(path)
    records = _records(environ)
    records[_encode(real)] = digest_file(real)
    _write(environ, records)
    return real


def untrust(environ, path: str) -> bool:
    real = os.path.realpath(path)
    records = _records(environ)
    if records.pop(_encode(real), None) is None:
        return False
    _write(environ, records)
    return True


def trusted(environ) -> list[tuple[str, bool]]:
    """Every recorded file and whether it still matches its recorded content."""
    out = []
    for key, want in sorted(_records(environ).items()):
        path = os.fsdecode(bytes.fromhex(key))
        try:
            ok = digest_file(path) == want
        except OSError:
            ok = False
        out.append((path, ok))
    return out
