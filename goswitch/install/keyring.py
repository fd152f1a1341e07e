"""OpenPGP public keys, read just far enough to judge a signature: no cryptography here.

``gpgv`` does the cryptography. What it does not tell us, and what our signature rule needs
(see :mod:`goswitch.install.verify`), is *when* a signing subkey expired and *which primary*
keys the keyring holds; both are plain data in the key packets (RFC 4880 / RFC 9580):

- a v4 key's fingerprint is ``SHA1(0x99 || len16 || key packet body)``, v6's is
  ``SHA256(0x9B || len32 || body)``;
- its expiry is the key-expiration subpacket (type 9, seconds after the key's creation time)
  of its newest self-signature: a subkey binding (0x18) for a subkey, a certification
  (0x10-0x13) or direct-key signature (0x1F) for a primary; none means "never".

Also turns ASCII-armored key files into the binary keyring ``gpgv --keyring`` wants (gpgv
cannot read armor), checking the armor's CRC24 so a damaged key file is named as such.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

ARMOR_BEGIN = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
ARMOR_END = "-----END PGP PUBLIC KEY BLOCK-----"

TAG_SIGNATURE = 2
TAG_PUBLIC_KEY = 6
TAG_USER_ID = 13
TAG_PUBLIC_SUBKEY = 14
TAG_USER_ATTRIBUTE = 17

SUB_CREATED = 2
SUB_KEY_EXPIRES = 9
SUB_ISSUER = 16
SUB_ISSUER_FPR = 33

CERTIFICATIONS = (0x10, 0x11, 0x12, 0x13)
SUBKEY_BINDING = 0x18
DIRECT_KEY = 0x1F
KEY_REVOCATION = 0x20
SUBKEY_REVOCATION = 0x28


class KeyringError(ValueError):
    """The key file is not an OpenPGP public key we can read."""


class Key:
    """One primary key or subkey."""

    __slots__ = ("fingerprint", "version", "created", "expires", "primary", "revoked", "_sig")

    def __init__(self, fingerprint: str, version: int, created: int, primary: Key | None):
        self.fingerprint = fingerprint  # upper-case hex
        self.version = version
        self.created = created  # seconds since the epoch
        self.expires: int | None = None  # seconds since the epoch; None: never
        self.primary = primary  # None for a primary key
        self.revoked = False
        self._sig = -1  # creation time of the self-signature the expiry came from

    @property
    def is_primary(self) -> bool:
        return self.primary is None

    @property
    def primary_fingerprint(self) -> str:
        return self.fingerprint if self.primary is None else self.primary.fingerprint

    @property
    def key_id(self) -> str:
        return self.fingerprint[-16:] if self.version == 4 else self.fingerprint[:16]

    def valid_at(self, when: int) -> bool:
        """Was the key (and, for a subkey, its primary) live at ``when``?"""
        if when < self.created:
            return False
        if self.expires is not None and when >= self.expires:
            return False
        return self.primary is None or self.primary.valid_at(when)

    def __repr__(self) -> str:
        kind = "primary" if self.primary is None else "subkey"
        return f"Key({kind} {self.fingerprint}, expires={self.expires})"


def _crc24(data: bytes) -> int:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def dearmor(data: bytes, where: str = "key file") -> bytes:
    """Binary packets of every armored public-key block in ``data`` (binary input passes)."""
    if data[:1] and data[0] & 0x80:
        return data  # already binary
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyringError(f"{where}: neither an armored nor a binary OpenPGP key") from None
    out = []
    lines = iter(text.splitlines())
    for line in lines:
        if line.strip() != ARMOR_BEGIN:
            continue
        for header in lines:  # armor headers ("Version: ...") end at a blank line
            if not header.strip():
                break
        body, crc = [], None
        for row in lines:
            row = row.strip()
            if row == ARMOR_END:
                break
            if row.startswith("=") and len(row) == 5:
                crc = row[1:]
            elif row:
                body.append(row)
        else:
            raise KeyringError(f"{where}: armored block has no {ARMOR_END} line")
        try:
            packets = base64.b64decode("".join(body), validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError(f"{where}: damaged armor (not base64)") from None
        if crc is not None:
            try:
                want = int.from_bytes(base64.b64decode(crc, validate=True), "big")
            except (binascii.Error, ValueError):
                raise KeyringError(f"{where}: damaged armor checksum line") from None
            if want != _crc24(packets):
                raise KeyringError(f"{where}: armor checksum mismatch (the file is damaged)")
        out.append(packets)
    if not out:
        raise KeyringError(f"{where}: no '{ARMOR_BEGIN}' block")
    return b"".join(out)


def packets(data: bytes):
    """Yield ``(tag, body)`` for each OpenPGP packet (old and new header formats)."""
    i, n = 0, len(data)
    while i < n:
        head = data[i]
        i += 1
        if not head & 0x80:
            raise KeyringError(f"not an OpenPGP packet at byte {i - 1}")
        if head & 0x40:  # new format
            tag = head & 0x3F
            if i >= n:
                raise KeyringError("truncated packet header")
            first = data[i]
            i += 1
            if first < 192:
                size = first
            elif first < 224:
                size = ((first - 192) << 8) + data[i] + 192
                i += 1
            elif first == 255:
                size = int.from_bytes(data[i : i + 4], "big")
                i += 4
            else:
                raise KeyringError("partial-length packets do not occur in key files")
        else:
            tag = (head >> 2) & 0x0F
            kind = head & 3
            if kind == 3:
                size = n - i
            else:
                width = 1 << kind
                size = int.from_bytes(data[i : i + width], "big")
                i += width
        if i + size > n:
            raise KeyringError(f"truncated packet (tag {tag})")
        yield tag, data[i : i + size]
        i += size


def _key_packet(body: bytes, primary: Key | None) -> Key | None:
    if not body:
        raise KeyringError("empty key packet")
    version = body[0]
    if version == 4:
        fpr = hashlib.sha1(b"\x99" + len(body).to_bytes(2, "big") + body).hexdigest()
    elif version == 6:
        fpr = hashlib.sha256(b"\x9b" + len(body).to_bytes(4, "big") + body).hexdigest()
    elif version == 5:
        fpr = hashlib.sha256(b"\x9a" + len(body).to_bytes(4, "big") + body).hexdigest()
    else:
        return None  # v3 keys: obsolete, gpgv refuses them too
    created = int.from_bytes(body[1:5], "big")
    return Key(fpr.upper(), version, created, primary)


def _subpackets(block: bytes) -> dict:
    out: dict = {}
    i, n = 0, len(block)
    while i < n:
        first = block[i]
        i += 1
        if first < 192:
            size = first
        elif first < 255:
            size = ((first - 192) << 8) + block[i] + 192
            i += 1
        else:
            size = int.from_bytes(block[i : i + 4], "big")
            i += 4
        if size < 1 or i + size > n:
            raise KeyringError("damaged signature subpacket")
        out.setdefault(block[i] & 0x7F, block[i + 1 : i + size])
        i += size
    return out


def _signature(body: bytes):
    """(type, hashed subpackets, unhashed subpackets) of a v4/v5/v6 signature, else None."""
    if len(body) < 6 or body[0] not in (4, 5, 6):
        return None
    width = 4 if body[0] == 6 else 2
    at = 4
    hlen = int.from_bytes(body[at : at + width], "big")
    hashed = body[at + width : at + width + hlen]
    at += width + hlen
    ulen = int.from_bytes(body[at : at + width], "big")
    unhashed = body[at + width : at + width + ulen]
    return body[1], _subpackets(hashed), _subpackets(unhashed)


def _issued_by(key: Key, hashed: dict, unhashed: dict) -> bool:
    fpr = hashed.get(SUB_ISSUER_FPR) or unhashed.get(SUB_ISSUER_FPR)
    if fpr:
        return fpr[1:].hex().upper() == key.fingerprint
    issuer = hashed.get(SUB_ISSUER) or unhashed.get(SUB_ISSUER)
    if issuer:
        return issuer.hex().upper() == key.key_id
    return True  # no issuer named: a self-signature by position (old keys)


def parse_keys(data: bytes) -> list[Key]:
    """Every primary key and subkey in binary ``data``, in file order."""
    keys: list[Key] = []
    primary: Key | None = None
    current: Key | None = None  # the key the next signatures belong to
    for tag, body in packets(data):
        if tag == TAG_PUBLIC_KEY:
            primary = current = _key_packet(body, None)
            if primary is not None:
                keys.append(primary)
        elif tag == TAG_PUBLIC_SUBKEY:
            current = _key_packet(body, primary) if primary is not None else None
            if current is not None:
                keys.append(current)
        elif tag in (TAG_USER_ID, TAG_USER_ATTRIBUTE):
            current = primary
        elif tag == TAG_SIGNATURE and current is not None and primary is not None:
            sig = _signature(body)
            if sig is None:
                continue
            sigtype, hashed, unhashed = sig
            if not _issued_by(primary, hashed, unhashed):
                continue  # a third-party certification says nothing about expiry
            if sigtype in (KEY_REVOCATION, SUBKEY_REVOCATION):
                current.revoked = True
                continue
            self_sig = (current is primary and sigtype in (*CERTIFICATIONS, DIRECT_KEY)) or (
                current is not primary and sigtype == SUBKEY_BINDING
            )
            if not self_sig:
                continue
            made = int.from_bytes(hashed.get(SUB_CREATED, b"\0\0\0\0"), "big")
            if made < current._sig:
                continue  # the newest self-signature wins
            current._sig = made
            life = hashed.get(SUB_KEY_EXPIRES)
            seconds = int.from_bytes(life, "big") if life else 0
            current.expires = current.created + seconds if seconds else None
    return keys


def load(paths) -> tuple[bytes, list[Key]]:
    """Read armored or binary key files: (binary keyring for gpgv, keys found)."""
    blobs, keys = [], []
    for path in paths:
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as exc:
            raise KeyringError(f"{path}: {exc.strerror or exc}") from None
        binary = dearmor(raw, str(path))
        found = parse_keys(binary)
        if not any(k.is_primary for k in found):
            raise KeyringError(f"{path}: holds no OpenPGP public key")
        blobs.append(binary)
        keys.extend(found)
    return b"".join(blobs), keys
