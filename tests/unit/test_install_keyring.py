"""OpenPGP key parsing: fingerprints and expiry of the bundled Go release key."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from goswitch.install import keyring
from goswitch.install.verify import BUNDLED_KEY, GO_RELEASE_KEY

# From `gpg --show-keys --with-colons --with-subkey-fingerprint` on the bundled key:
# (fingerprint, created, expires)
SUBKEYS = [
    ("3B068FB4789ABE4AEFA3BB491397BC53640DB551", 1460440520, 1555048520),
    ("3E50F6D3EC278FDEB655C8CA6494C6D6997C215E", 1485225932, 1579833932),
    ("2F528D36D67B69EDF998D85778BD65473CB3BD13", 1563819182, 1658427182),
    ("8461EFA0E74ABAE010DE66994EB27DB2A3B88B8B", 1635257503, 1729865503),
    ("A5F483CD733A4EBAEA378B2AE88979FB9B30ACF2", 1676474712, 1771082712),
    ("0F06FF86BEEAF4E71866EE5232EE5355A6BC6E42", 1706646134, 1801254134),
    ("0E225917414670F4442C250DFD533C07C264648F", 1736268781, 1830876781),
]


def test_bundled_key_primary_and_subkeys_match_gpg():
    ring, keys = keyring.load([BUNDLED_KEY])
    primaries = [k for k in keys if k.is_primary]
    assert [k.fingerprint for k in primaries] == [GO_RELEASE_KEY]
    assert primaries[0].expires is None and not primaries[0].revoked
    subs = [(k.fingerprint, k.created, k.expires) for k in keys if not k.is_primary]
    assert subs == SUBKEYS
    assert all(k.primary_fingerprint == GO_RELEASE_KEY for k in keys)
    assert ring[0] & 0x80  # binary, for gpgv --keyring


def test_valid_at_uses_creation_and_expiry():
    _, keys = keyring.load([BUNDLED_KEY])
    k2019 = next(k for k in keys if k.fingerprint.startswith("2F528D36"))
    assert k2019.valid_at(1600000000)  # 2020: inside its life
    assert not k2019.valid_at(1700000000)  # 2023: after it expired
    assert not k2019.valid_at(1500000000)  # before it existed


def test_damaged_armor_is_named(tmp_path):
    text = Path(BUNDLED_KEY).read_text()
    lines = text.splitlines()
    body = next(
        i
        for i, ln in enumerate(lines)
        if ln and not ln.startswith(("-", "Comment", "Version")) and i > 2
    )
    line = lines[body]
    lines[body] = ("B" if line[0] != "B" else "C") + line[1:]
    bad = tmp_path / "bad.asc"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(keyring.KeyringError, match="bad.asc"):
        keyring.load([str(bad)])


def test_not_a_key(tmp_path):
    f = tmp_path / "nokey.asc"
    f.write_text("hello\n")
    with pytest.raises(keyring.KeyringError, match="no '-----BEGIN"):
        keyring.load([str(f)])
    with pytest.raises(keyring.KeyringError, match="missing.asc"):
        keyring.load([str(tmp_path / "missing.asc")])


def test_binary_keyring_passes_and_several_files_combine(tmp_path):
    ring, keys = keyring.load([BUNDLED_KEY])
    binfile = tmp_path / "k.gpg"
    binfile.write_bytes(ring)
    ring2, keys2 = keyring.load([str(binfile), BUNDLED_KEY])
    assert ring2 == ring + ring and len(keys2) == 2 * len(keys)


def test_crc24_known_value():
    # RFC 4880 armor checksum of the empty string is the CRC init value
    assert keyring._crc24(b"") == 0xB704CE
    assert base64.b64encode((keyring._crc24(b"abc")).to_bytes(3, "big"))
