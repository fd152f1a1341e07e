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


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return len(text) % 2 == 0


def _records(environ) -> dict[str, str]:
    records: dict[str, str] = {}
    try:
        with open(paths.trust_file(environ), encoding="ascii", errors="replace") as f:
            for line in f:
                fields = line.split()
                # A damaged line (hand edits, a full disk long ago) is skipped, not fatal.
                if len(fields) == 2 and len(fields[0]) == 64 and _is_hex(fields[0] + fields[1]):
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


def _locked(environ):
    """Two `goswitch trust` at once must not lose either record (read-modify-write)."""
    from .atomic import locked

    return locked(paths.trust_file(environ))


def _write(environ, records: dict[str, str]) -> None:
    from .atomic import write_atomic

    text = "".join(f"{records[key]} {key}\n" for key in sorted(records))
    write_atomic(paths.trust_file(environ), text.encode("ascii"), 0o600)


def trust(environ, path: str) -> str:
    """Trust the file as it is now; returns its real path."""
    real = os.path.realpath(path)
    digest = digest_file(real)
    with _locked(environ):
        records = _records(environ)
        records[_encode(real)] = digest
        _write(environ, records)
    return real


def untrust(environ, path: str) -> bool:
    real = os.path.realpath(path)
    with _locked(environ):
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
