"""The signature rule on gpg's --status-fd lines, sha256 messages, the policy matrix
(issue 4, point 4).  Pure: gpg's output is written out here; the real gpgv runs in
tests/test_install_signature.py."""

from __future__ import annotations

import pytest

from goswitch.errors import EXIT_VERIFY, GoswitchError, VerifyError
from goswitch.install import keyring, verify

PRIMARY = "EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796"
SUB2019 = "2F528D36D67B69EDF998D85778BD65473CB3BD13"  # valid 1563819182 .. 1658427182
SUB2025 = "0E225917414670F4442C250DFD533C07C264648F"  # valid 1736268781 .. 1830876781


@pytest.fixture(scope="module")
def keys():
    return keyring.load([verify.BUNDLED_KEY])[1]


def status(*lines: str) -> str:
    return "".join(f"[GNUPG:] {ln}\n" for ln in lines)


def validsig(signer: str, when: int, primary: str = PRIMARY) -> str:
    return f"VALIDSIG {signer} 2020-01-01 {when} 0 4 0 1 8 00 {primary}"


def test_good_signature_by_current_subkey(keys):
    v = verify.judge(
        status("NEWSIG", f"GOODSIG {SUB2025[-16:]} Google", validsig(SUB2025, 1740000000)),
        keys,
        "go1.24.0.linux-amd64.tar.gz",
    )
    assert v.primary == PRIMARY and v.signer == SUB2025 and v.note is None


def test_expired_subkey_accepted_when_signature_made_while_valid(keys):
    """Old releases: signed in 2020 by the 2019 subkey, which expired in 2022."""
    v = verify.judge(
        status(f"EXPKEYSIG {SUB2019[-16:]} Google", validsig(SUB2019, 1600000000)),
        keys,
        "go1.15.linux-amd64.tar.gz",
    )
    assert v.signer == SUB2019
    assert "expired on 2022-07-21" in v.note and "made while the key was valid" in v.note


def test_expired_subkey_rejected_when_signature_made_after_expiry(keys):
    """What a stolen retired key would produce: a fresh signature by an expired key."""
    with pytest.raises(VerifyError, match="which was not valid then") as err:
        verify.judge(
            status(f"EXPKEYSIG {SUB2019[-16:]} Google", validsig(SUB2019, 1700000000)),
            keys,
            "go1.21.5.linux-amd64.tar.gz",
        )
    assert err.value.exit_code == EXIT_VERIFY
    assert "go1.21.5.linux-amd64.tar.gz" in str(err.value)


def test_signature_before_key_creation_rejected(keys):
    with pytest.raises(VerifyError, match="not valid then"):
        verify.judge(
            status(f"EXPKEYSIG {SUB2019[-16:]} G", validsig(SUB2019, 1500000000)), keys, "x"
        )


def test_primary_fingerprint_must_be_trusted(keys):
    other = "1" * 40
    with pytest.raises(VerifyError, match=f"primary key {other}"):
        verify.judge(status("GOODSIG 1111 x", validsig("2" * 40, 1740000000, other)), keys, "x")


def test_signer_must_be_a_key_of_that_primary(keys):
    with pytest.raises(VerifyError, match="not a key of"):
        verify.judge(status("GOODSIG 1111 x", validsig("2" * 40, 1740000000)), keys, "x")


@pytest.mark.parametrize(
    "lines, match",
    [
        (("BADSIG 78BD65473CB3BD13 Google",), "BAD signature"),
        (("ERRSIG 1234567890ABCDEF 1 8 00 1700000000 9 -",), "not in the trusted keyring"),
        (("ERRSIG 1234567890ABCDEF 1 8 00 1700000000 4 -",), "ERRSIG code 4"),
        (("REVKEYSIG 78BD65473CB3BD13 Google",), "revoked"),
        (("EXPSIG 78BD65473CB3BD13 Google",), "signature itself has expired"),
        (("NODATA 1",), "no valid signature"),
        ((), "no valid signature"),
    ],
)
def test_failures(keys, lines, match):
    with pytest.raises(VerifyError, match=match):
        verify.judge(status(*lines), keys, "x")


def test_badsig_wins_over_a_validsig(keys):
    with pytest.raises(VerifyError, match="BAD"):
        verify.judge(status(f"BADSIG {SUB2025[-16:]} G", validsig(SUB2025, 1740000000)), keys, "x")


def test_iso_timestamps_are_understood(keys):
    v = verify.judge(
        status(f"GOODSIG {SUB2025[-16:]} G", validsig(SUB2025, "20250301T120000")),  # type: ignore[arg-type]
        keys,
        "x",
    )
    assert v.made == 1740830400


def test_sha256_mismatch_names_file_source_expected_and_actual():
    with pytest.raises(VerifyError) as err:
        verify.check_sha256("a" * 64, "B" * 64, "go1.22.10.linux-amd64.tar.gz", "http://m/dl/x")
    msg = str(err.value)
    assert "go1.22.10.linux-amd64.tar.gz" in msg and "http://m/dl/x" in msg
    assert "expected " + "b" * 64 in msg and "got " + "a" * 64 in msg
    assert err.value.exit_code == EXIT_VERIFY
    verify.check_sha256("A" * 64, "a" * 64, "x", "y")  # case does not matter


def test_policy_matrix(tmp_path):
    empty = {"PATH": str(tmp_path)}  # no gpgv/gpg on this PATH
    assert verify.signature_policy("auto", None, empty) == (False, "")
    assert verify.signature_policy("1", None, empty) == (True, "verify_signature = 1")
    assert verify.signature_policy("0", None, empty) == (False, "")
    assert verify.signature_policy("1", False, empty) == (False, "")  # --no-verify-signature
    # --verify-signature: messages name the flag, not the setting
    assert verify.signature_policy("0", True, empty) == (True, "--verify-signature")
    fake = tmp_path / "gpgv"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert verify.signature_policy("auto", None, empty) == (True, "")
    assert verify.find_tool(empty) == ("gpgv", str(fake))


def test_missing_tool_is_a_clear_error(tmp_path):
    with pytest.raises(GoswitchError, match="neither gpgv nor gpg") as err:
        verify.verify_signature("a", "a.asc", [verify.BUNDLED_KEY], "x", {"PATH": str(tmp_path)})
    assert "--no-verify-signature" in str(err.value)


def test_key_files_setting():
    class S:
        keyring = None

    assert verify.key_files(S()) == [verify.BUNDLED_KEY]
    S.keyring = "/a/k1.asc:/b/k2.asc"
    assert verify.key_files(S()) == ["/a/k1.asc", "/b/k2.asc"]


def test_expired_primary_signing_directly(keys):
    """A primary key that signs by itself and has expired since: same rule."""
    k = keyring.Key("C" * 40, 4, 1000, None)
    k.expires = 5000
    v = verify.judge(status("EXPKEYSIG x G", validsig("C" * 40, 2000, "C" * 40)), [k], "x")
    assert "expired on 1970-01-01" in v.note
    with pytest.raises(VerifyError, match="not valid then"):
        verify.judge(status("EXPKEYSIG x G", validsig("C" * 40, 6000, "C" * 40)), [k], "x")
