"""Throwaway OpenPGP signing keys made with the real ``gpg``.

Why a subkey: real Go releases are signed by a *signing subkey* of the Google Linux Packages
Signing Authority key, so the signature's issuer fingerprint differs from the primary
fingerprint a user pins. Our test key has the same shape (primary: certify only).

``make_key(..., expired_subkey=True)`` backdates the key with ``--faked-system-time`` so the
signing subkey is already expired today, and ``SigningKey.sign`` signs at a moment it was
valid: exactly the situation of an old Go release signed by a since-rotated subkey (``gpgv``
then reports ``EXPKEYSIG`` but exits 0). ``expired=True`` expires the primary key as well.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER_ID = "goswitch test signing key <goswitch-test@example.invalid>"


def _gpg_time(when: dt.datetime) -> str:
    # The trailing "!" freezes the clock at that moment instead of letting it run from there.
    return when.strftime("%Y%m%dT%H%M%S") + "!"


def _gpg(gnupghome: Path, *args: str, faked: dt.datetime | None = None) -> str:
    cmd = [
        "gpg",
        "--homedir",
        str(gnupghome),
        "--batch",
        "--yes",
        "--no-tty",
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
    ]
    if faked is not None:
        cmd += ["--faked-system-time", _gpg_time(faked)]
    proc = subprocess.run([*cmd, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd + list(args))} failed:\n{proc.stderr}")
    return proc.stdout


@dataclass
class SigningKey:
    """A key living in ``gnupghome``; ``pubkey_path`` is the armored public key (what
    ``GOSWITCH_KEYRING`` takes), ``keyring_path`` the same key dearmored (what ``gpgv
    --keyring`` takes)."""

    gnupghome: Path
    fingerprint: str  # primary key, upper-case hex, 40 chars
    subkey_fingerprint: str  # the signing subkey that actually makes signatures
    pubkey_path: Path
    keyring_path: Path
    sign_time: dt.datetime | None = None  # None: sign "now"

    def sign(self, path: Path | str, out: Path | str | None = None) -> Path:
        """Detached armored signature ``<path>.asc`` (like go.dev's)."""
        path = Path(path)
        out = Path(out) if out else path.with_name(path.name + ".asc")
        _gpg(
            self.gnupghome,
            "--local-user",
            self.subkey_fingerprint + "!",
            "--armor",
            "--detach-sign",
            "--output",
            str(out),
            str(path),
            faked=self.sign_time,
        )
        return out

    def verify(
        self, path: Path | str, sig: Path | str | None = None
    ) -> subprocess.CompletedProcess:
        """Run ``gpgv`` against this key only; returns the process (``--status-fd 1``)."""
        path = Path(path)
        sig = Path(sig) if sig else path.with_name(path.name + ".asc")
        return subprocess.run(
            [
                "gpgv",
                "--homedir",
                str(self.gnupghome),
                "--status-fd",
                "1",
                "--keyring",
                str(self.keyring_path),
                str(sig),
                str(path),
            ],
            capture_output=True,
            text=True,
        )

    def close(self) -> None:
        """Stop the gpg-agent that gpg started for this home (it would outlive the tests)."""
        if shutil.which("gpgconf"):
            subprocess.run(
                ["gpgconf", "--homedir", str(self.gnupghome), "--kill", "all"],
                capture_output=True,
            )


def _fingerprints(gnupghome: Path) -> tuple[str, list[tuple[str, str]]]:
    """(primary fpr, [(subkey fpr, capabilities)]) from ``--with-colons``."""
    out = _gpg(gnupghome, "--with-colons", "--fixed-list-mode", "--list-secret-keys")
    primary, subs, current = "", [], None
    for line in out.splitlines():
        f = line.split(":")
        if f[0] in ("sec", "ssb"):
            current = f
        elif f[0] == "fpr" and current is not None:
            if current[0] == "sec" and not primary:
                primary = f[9]
            elif current[0] == "ssb":
                subs.append((f[9], current[11]))
            current = None
    return primary, subs


def make_key(
    gnupghome: Path | str | None = None,
    expired_subkey: bool = False,
    expired: bool = False,
    algo: str = "ed25519",
) -> SigningKey:
    """Generate a passphrase-less primary (certify) key with one signing subkey.

    ``gnupghome`` is created if needed (mode 0700); ``None`` makes a short temp dir (gpg-agent
    socket paths must stay under ~100 characters). The public key is exported to
    ``<gnupghome>/pubkey.asc`` and ``<gnupghome>/pubkey.gpg``.
    """
    home = Path(gnupghome) if gnupghome else Path(tempfile.mkdtemp(prefix="gs-gpg-"))
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    backdated = expired or expired_subkey
    t_primary = now - dt.timedelta(days=30) if backdated else None
    t_sub = now - dt.timedelta(days=20) if backdated else None
    primary_expiry = "15d" if expired else "2y"
    sub_expiry = "5d" if (expired_subkey or expired) else "1y"

    _gpg(home, "--quick-gen-key", USER_ID, algo, "cert", primary_expiry, faked=t_primary)
    fpr, _ = _fingerprints(home)
    _gpg(home, "--quick-add-key", fpr, algo, "sign", sub_expiry, faked=t_sub)
    fpr, subs = _fingerprints(home)
    signing = [s for s, caps in subs if "s" in caps]
    if not signing:
        raise RuntimeError(f"gpg made no signing subkey in {home}")

    pub = home / "pubkey.asc"
    pub.write_text(_gpg(home, "--armor", "--export", fpr))
    ring = home / "pubkey.gpg"
    subprocess.run(
        [
            "gpg",
            "--homedir",
            str(home),
            "--batch",
            "--yes",
            "--dearmor",
            "--output",
            str(ring),
            str(pub),
        ],
        check=True,
        capture_output=True,
    )
    sign_time = t_sub + dt.timedelta(hours=1) if t_sub is not None else None
    return SigningKey(home, fpr, signing[0], pub, ring, sign_time)
