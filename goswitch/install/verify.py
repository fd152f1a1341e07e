"""Is this archive the one Go released?  sha256 from the index, and the OpenPGP signature.

sha256: always checked, against the value in the release index (never against a
``.sha256`` file from the mirror that served the bytes: a mirror that can swap the archive
can swap its sidecar too).

OpenPGP: the ``.asc`` beside the archive is checked by ``gpgv`` (else ``gpg --verify`` with a
throwaway home) against the bundled Google Linux Packages Signing Authority key, or the
key files in ``keyring`` / ``GOSWITCH_KEYRING``.  The verdict is ours, taken from gpg's
``--status-fd`` lines, never from its exit code or its human-readable text:

1. There must be a ``VALIDSIG`` line, and its *primary-key* fingerprint (the last field)
   must belong to a primary key in the keyring we gave.  For the bundled key that is
   ``EB4C 1BFD 4F04 2F6D DDCC  EC91 7721 F63B D38B 4796``.
2. ``BADSIG``, ``ERRSIG`` (no key / unusable), ``REVKEYSIG`` (revoked key) and ``EXPSIG``
   (the signature itself carried an expiry that has passed) are failures.
3. Expired keys: Google rotates the signing subkey about every two years and each expires,
   so the signature of every older Go release names a subkey that has expired since.  gpg
   says ``EXPKEYSIG`` + ``VALIDSIG`` (exit 0), judging expiry by *today's* date only.  Our
   rule: an expired key is accepted **only if the signature was made while the key was
   valid** - the ``VALIDSIG`` signature time is at or after the signing key's creation and
   before its expiry (and its primary's), as stated by the key's newest self-signature in
   our keyring.  A signature dated after its key expired is rejected: that is what a stolen
   retired key would produce.  A revoked key is rejected whenever the signature was made.
"""

from __future__ import annotations

import calendar
import hmac
import os
import shutil
import subprocess
import tempfile
import time

from ..errors import GoswitchError, VerifyError
from . import keyring

BUNDLED_KEY = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "data",
    "google-linux-packages-signing-key.asc",
)
GO_RELEASE_KEY = "EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796"  # primary of the bundled key

GPG_TIMEOUT = 120  # seconds; gpgv hashes ~70 MB in well under a second


DOWNLOAD_MISMATCH_FIX = (
    "the download is corrupt or was tampered with and has been deleted; try again or "
    "use another mirror (GOSWITCH_MIRRORS)"
)


def check_sha256(
    actual: str, expected: str, what: str, source: str, fix: str = DOWNLOAD_MISMATCH_FIX,
    expected_from: str = "the release index",
) -> None:
    """Raise :class:`VerifyError` naming both values unless they are equal."""
    if not hmac.compare_digest(actual.lower(), expected.lower()):
        raise VerifyError(
            f"{what} from {source}",
            f"sha256 mismatch: expected {expected.lower()} (from {expected_from}), "
            f"got {actual.lower()}",
            fix,
        )


def looks_like_signature(data: bytes) -> bool:
    """An armored OpenPGP block, or a binary packet (tag bit set): not an HTML error page."""
    head = data.lstrip()[:64]
    return head.startswith(b"-----BEGIN PGP ") or bool(head and head[0] & 0x80)


def key_files(settings) -> list[str]:
    """The key files to trust: ``keyring`` setting (':'-separated) or the bundled key."""
    custom = getattr(settings, "keyring", None)
    if custom:
        return [os.path.expanduser(p) for p in custom.split(os.pathsep) if p.strip()]
    return [BUNDLED_KEY]


def find_tool(environ=os.environ) -> tuple[str, str] | None:
    """``("gpgv", path)`` or ``("gpg", path)``, preferring gpgv; None when neither exists."""
    search = environ.get("PATH", os.defpath)
    for name in ("gpgv", "gpg"):
        path = shutil.which(name, path=search)
        if path:
            return name, path
    return None


def signature_policy(setting: str | None, override: bool | None, environ=os.environ):
    """``(check, required)``; ``required`` names what demands a checked signature (for
    messages: ``--verify-signature`` or ``verify_signature = 1``), "" when nothing does.

    ``override`` is the command line (``--verify-signature`` / ``--no-verify-signature``) or
    the ``verify_signature`` argument of :func:`goswitch.install.install`; else the setting:
    ``1`` = check, and fail when the signature cannot be checked; ``0`` = skip; ``auto`` =
    check when gpgv/gpg is installed, and accept a mirror that publishes no ``.asc`` (the
    index sha256 still binds the bytes) - a signature that *is* there must be good.
    """
    if override is not None:
        return bool(override), "--verify-signature" if override else ""
    if setting == "1":
        return True, "verify_signature = 1"
    if setting == "0":
        return False, ""
    return find_tool(environ) is not None, ""


class Verdict:
    """A good signature: who made it, when, and any note worth telling the user."""

    def __init__(self, signer: str, primary: str, made: int, note: str | None = None):
        self.signer, self.primary, self.made, self.note = signer, primary, made, note

    def __repr__(self) -> str:
        return f"Verdict(signer={self.signer}, primary={self.primary}, made={self.made})"


def _timestamp(text: str) -> int:
    """gpg prints seconds since the epoch, or ISO 8601 ``20240101T120000`` in some modes."""
    if text.isdigit():
        return int(text)
    return calendar.timegm(time.strptime(text, "%Y%m%dT%H%M%S"))


def _day(ts: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


# What to do about a signature that fails, when the archive came from a mirror.
MIRROR_FIX = (
    "nothing was installed; try another mirror (GOSWITCH_MIRRORS) and report it if it persists"
)


def judge(status: str, keys: list[keyring.Key], what: str, fix: str = MIRROR_FIX) -> Verdict:
    """Apply the rule in this module's docstring to gpg's ``--status-fd`` output."""
    lines = [ln[9:].split() for ln in status.splitlines() if ln.startswith("[GNUPG:] ")]
    lines = [ln for ln in lines if ln]
    by_kind: dict[str, list[list[str]]] = {}
    for ln in lines:
        by_kind.setdefault(ln[0], []).append(ln)
    def fail(why: str, fix: str = fix) -> VerifyError:
        return VerifyError(f"OpenPGP signature of {what}", why, fix)

    if "BADSIG" in by_kind:
        raise fail(f"BAD signature by key {by_kind['BADSIG'][0][1]}: it does not sign these bytes")
    if "REVKEYSIG" in by_kind:
        raise fail(f"made by revoked key {by_kind['REVKEYSIG'][0][1]}")
    if "EXPSIG" in by_kind:
        raise fail("the signature itself has expired")
    if "ERRSIG" in by_kind:
        err = by_kind["ERRSIG"][0]
        code = err[6] if len(err) > 6 else "?"
        if code == "9":
            raise fail(
                f"made by key {err[1]}, which is not in the trusted keyring",
                "if you use a mirror of your own, set GOSWITCH_KEYRING to its signing key",
            )
        raise fail(f"gpg could not check it (ERRSIG code {code} for key {err[1]})")
    if "VALIDSIG" not in by_kind:
        raise fail("gpg reported no valid signature (the .asc holds none)")

    known = {k.fingerprint: k for k in keys}
    trusted = {k.fingerprint for k in keys if k.is_primary and not k.revoked}
    for sig in by_kind["VALIDSIG"]:
        signer = sig[1].upper()
        primary = (sig[10] if len(sig) > 10 else sig[1]).upper()
        made = _timestamp(sig[3])
        if primary not in trusted:
            raise fail(
                f"signed by primary key {primary}, not by a key in the trusted keyring "
                f"({', '.join(sorted(trusted)) or 'empty'})"
            )
        key = known.get(signer)
        if key is None or key.primary_fingerprint != primary:
            raise fail(f"signing key {signer} is not a key of {primary} in the trusted keyring")
        if key.revoked or (key.primary is not None and key.primary.revoked):
            raise fail(f"made by revoked key {signer}")
        if "GOODSIG" in by_kind:
            return Verdict(signer, primary, made)
        if "EXPKEYSIG" in by_kind:
            if key.valid_at(made):
                end = key.expires
                if end is None and key.primary is not None:
                    end = key.primary.expires
                note = (
                    f"signed on {_day(made)} by subkey {signer[-16:]}, which expired on "
                    f"{_day(end) if end else '?'}; accepted: the signature was made while "
                    "the key was valid"
                )
                return Verdict(signer, primary, made, note)
            raise fail(
                f"made on {_day(made)} by key {signer}, which was not valid then "
                f"(created {_day(key.created)}, expires "
                f"{_day(key.expires) if key.expires else 'never'}; primary "
                f"{_day(key.primary.expires) if key.primary and key.primary.expires else ''})"
            )
    raise fail("gpg reported VALIDSIG without GOODSIG or EXPKEYSIG")


def _gpg_command(tool: tuple[str, str], home: str, ring: str, sig: str, data: str) -> list[str]:
    name, path = tool
    if name == "gpgv":
        return [path, "--homedir", home, "--status-fd", "1", "--keyring", ring, sig, data]
    return [
        path,
        "--homedir",
        home,
        "--batch",
        "--no-tty",
        "--no-autostart",
        "--no-default-keyring",
        "--keyring",
        ring,
        "--trust-model",
        "always",
        "--status-fd",
        "1",
        "--verify",
        sig,
        data,
    ]


def preflight(key_paths: list[str], what: str, environ=os.environ, tool=None):
    """``(tool, keyring bytes, keys)`` for checking signatures, or the error that would stop
    it; the installer asks before downloading, so a missing gpgv or a broken keyring is
    not found only after a 66 MB download."""
    tool = tool or find_tool(environ)
    if tool is None:
        raise GoswitchError(
            f"OpenPGP signature of {what}",
            "neither gpgv nor gpg is installed",
            "install gnupg (gpgv), or pass --no-verify-signature / set GOSWITCH_VERIFY_SIGNATURE=0",
        )
    try:
        ring, keys = keyring.load(key_paths)
    except keyring.KeyringError as exc:
        raise GoswitchError(
            "trusted keyring",
            str(exc),
            "fix GOSWITCH_KEYRING / keyring, or unset it to use the bundled Go release key",
        ) from None
    return tool, ring, keys


def verify_signature(
    data_path: str,
    sig_path: str,
    key_paths: list[str],
    what: str,
    environ=os.environ,
    tool: tuple[str, str] | None = None,
    fix: str = MIRROR_FIX,
) -> Verdict:
    """Check ``sig_path`` (armored detached signature) over ``data_path``; raise VerifyError
    whose fix is ``fix``."""
    tool, ring, keys = preflight(key_paths, what, environ, tool)
    home = tempfile.mkdtemp(prefix="goswitch-gpg-")
    try:
        os.chmod(home, 0o700)
        ring_path = os.path.join(home, "trusted.gpg")
        with open(ring_path, "wb") as f:
            f.write(ring)
        env = {k: v for k, v in environ.items() if not k.startswith("GNUPG")}
        env["LC_ALL"] = "C"
        cmd = _gpg_command(tool, home, ring_path, sig_path, data_path)
        try:
            proc = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                env=env,
                timeout=GPG_TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GoswitchError(
                f"OpenPGP signature of {what}", f"could not run {tool[1]}: {exc}", None
            ) from None
        return judge(proc.stdout, keys, what, fix)
    finally:
        shutil.rmtree(home, ignore_errors=True)
