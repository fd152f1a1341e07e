"""The archive's ``.asc``, fetched from the mirrors and checked: the first good one wins
(or, for ``install --from FILE``, the ``FILE.asc`` beside it).

The archive has matched the index sha256 by now, so a ``.asc`` that does not verify
it is most often that mirror's mistake (the signature of another release); the next
mirror's ``.asc`` is tried.  Nothing is weakened: the archive is accepted only with a
good signature by a trusted key, whichever mirror served it; when none verifies, the
install fails naming each mirror's bad ``.asc``.  ``verify_signature = auto`` accepts
a ``.asc`` that no mirror has (the index sha256 still binds the bytes); ``1`` does not.
"""

from __future__ import annotations

import os

from ..errors import NetworkError, NotFoundError, VerifyError
from . import verify
from .download import NetOptions, Permanent, fetch_bytes, redact
from .progress import Reporter

BAD_ASC_FIX = (
    "nothing was installed; report the bad .asc to its mirror, or put one with good "
    ".asc files (such as https://go.dev/dl/) in GOSWITCH_MIRRORS"
)


def _signature_bytes(data: bytes) -> bytes:
    if not verify.looks_like_signature(data):  # a mirror's "not found" page, sent as 200
        raise Permanent("the mirror sent something else (an HTML page?)")
    return data


def check_from_mirrors(
    data_path: str,
    filename: str,
    sig_urls: list[str],
    settings,
    environ,
    opts: NetOptions,
    reporter: Reporter,
    required: str,
) -> None:
    """Verify ``data_path`` with the first ``.asc`` of ``sig_urls`` that is good (the
    mirror that served the archive first); raise VerifyError when none is."""
    what = f"signature {filename}.asc"
    if not required:  # auto: a missing .asc costs no retries of dead mirrors
        opts = opts.with_retries(1)
    bad: list[VerifyError] = []
    where_bad: list[str] = []
    remaining = list(sig_urls)
    unavailable: NotFoundError | NetworkError | None = None
    while remaining:
        try:
            data, got = fetch_bytes(remaining, opts, what, limit=1 << 20,
                                    notify=reporter.message, parse=_signature_bytes)
        except (NotFoundError, NetworkError) as exc:
            unavailable = exc
            break
        remaining = remaining[remaining.index(got) + 1 :]
        sig_path = data_path + ".asc"
        try:
            with open(sig_path, "wb") as f:
                f.write(data)
            verdict = verify.verify_signature(
                data_path, sig_path, verify.key_files(settings), filename, environ,
                fix=BAD_ASC_FIX,
            )
        except VerifyError as exc:
            bad.append(exc)
            where_bad.append(f"{redact(got)}: {exc.why}")
            if remaining:
                reporter.message(f"{redact(got)}: {exc.why}; trying the next mirror's .asc")
            continue
        finally:
            try:
                os.unlink(sig_path)
            except OSError:
                pass
        if verdict.note:
            reporter.message(verdict.note)
        return
    if bad:
        fixes = list(dict.fromkeys(exc.fix for exc in bad if exc.fix))
        raise VerifyError(
            f"OpenPGP signature of {filename}",
            f"no mirror's .asc verifies it ({'; '.join(where_bad)}), though the archive "
            "matches the index sha256",
            "; ".join(fixes) or BAD_ASC_FIX,
        )
    assert unavailable is not None
    if required:
        raise VerifyError(
            unavailable.what,
            f"{unavailable.why}, and {required} requires it",
            "use a mirror that carries .asc files, or pass --no-verify-signature",
        )
    # auto: the sha256 from the index has already matched; say what was skipped.
    reporter.message(
        f"note: no usable {filename}.asc ({unavailable.why}); relying on the index "
        "sha256 (verify_signature = auto)"
    )


def check_local(data_path: str, sig_path: str, filename: str, settings, environ,
                reporter: Reporter) -> None:
    """``--from FILE`` with ``FILE.asc`` beside it: no mirror is involved."""
    fix = (f"nothing was installed; check that {sig_path} is the signature of this archive, "
           "from where you got it")
    verdict = verify.verify_signature(
        data_path, sig_path, verify.key_files(settings), filename, environ, fix=fix
    )
    if verdict.note:
        reporter.message(verdict.note)
