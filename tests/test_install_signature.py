"""OpenPGP verification with the real gpgv/gpg (issue 4, point 4): the test key's signing
subkey signs the mirror's archives, like Google's subkeys sign Go's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.gpgkey import make_key
from tests.support.httpmirror import MirrorServer
from tests.test_install_support import (
    build_custom_mirror,
    gs,
    leftovers,
    mirror_env,
    small_release,
    versions,
)

pytestmark = pytest.mark.skipif(shutil.which("gpgv") is None, reason="gpgv is not installed")

SMALL = "go1.21.0.linux-amd64.tar.gz"


@pytest.fixture
def env(isolated_env, synthetic_mirror):
    return mirror_env(isolated_env, synthetic_mirror, retries="1")


def test_good_signature_checked_by_default(env, synthetic_mirror):
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert synthetic_mirror.count(SMALL + ".asc") == 1
    assert not list((Path(env["GOSWITCH_CACHE_DIR"]) / "downloads").iterdir())


def test_signature_by_a_key_not_in_the_keyring_is_rejected(env, synthetic_mirror):
    del env["GOSWITCH_KEYRING"]  # the bundled Go release key: it did not sign test archives
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 4, r.stderr
    assert "OpenPGP signature of go1.21.0.linux-amd64.tar.gz" in r.stderr
    assert "not in the trusted keyring" in r.stderr
    assert not (versions(env) / "1.21.0").exists() and leftovers(versions(env)) == []


def test_no_verify_signature_flag_and_setting(env, synthetic_mirror):
    del env["GOSWITCH_KEYRING"]
    r = gs(env, "install", "--no-verify-signature", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert synthetic_mirror.count(SMALL + ".asc") == 0
    env["GOSWITCH_VERIFY_SIGNATURE"] = "0"
    assert gs(env, "install", "1.20.1").returncode == 0
    assert synthetic_mirror.count("go1.20.1.linux-amd64.tar.gz.asc") == 0


def test_bad_signature_is_rejected(env, tmp_path, gpg_key):
    a, b = small_release("go1.18.10"), small_release("go1.18.9")
    root = build_custom_mirror(tmp_path / "m", gpg_key, [a, b])
    # serve a's (valid) signature as b's: BADSIG
    shutil.copyfile(root / "dl" / (a.filename + ".asc"), root / "dl" / (b.filename + ".asc"))
    with MirrorServer(root) as srv:
        env.use_mirror(srv)
        r = gs(env, "install", "1.18.9")
        assert r.returncode == 4 and "BAD signature" in r.stderr, r.stderr
        assert gs(env, "install", "1.18.10").returncode == 0


def test_missing_signature(env, tmp_path):
    root = build_custom_mirror(tmp_path / "m", None, [small_release()])  # no .asc files
    with MirrorServer(root) as srv:
        env.use_mirror(srv)
        env["GOSWITCH_VERIFY_SIGNATURE"] = "1"
        r = gs(env, "install", "1.18.10")
        assert r.returncode == 4 and "not found" in r.stderr, r.stderr
        assert "verify_signature = 1 requires it" in r.stderr
        assert not (versions(env) / "1.18.10").exists()
        env["GOSWITCH_VERIFY_SIGNATURE"] = "auto"
        # The flag is named when the flag asked for it, not the setting.
        r = gs(env, "install", "--verify-signature", "1.18.10")
        assert r.returncode == 4 and "--verify-signature requires it" in r.stderr, r.stderr
        r = gs(env, "install", "1.18.10")
        assert r.returncode == 0, r.stderr
        assert "note: no usable go1.18.10.linux-amd64.tar.gz.asc (not found" in r.stderr


def test_auto_does_not_fail_on_a_dead_mirror_while_looking_for_the_asc(env, tmp_path):
    """China: the archive from a mirror without .asc files, go.dev unreachable behind it."""
    root = build_custom_mirror(tmp_path / "m", None, [small_release()])  # no .asc files
    with MirrorServer(root) as srv:
        env.use_mirror(srv)
        env["GOSWITCH_MIRRORS"] = f"{srv.base_url} http://127.0.0.1:9/dl/"
        env["GOSWITCH_RETRIES"] = "3"
        r = gs(env, "install", "1.18.10")
        assert r.returncode == 0, r.stderr
        assert "relying on the index sha256 (verify_signature = auto)" in r.stderr
        assert (versions(env) / "1.18.10" / "bin" / "go").is_file()
        assert r.stderr.count("127.0.0.1:9") <= 2  # tried once, not once per retry


def test_an_html_page_served_as_the_asc_is_no_signature(env, tmp_path):
    rel = small_release()
    root = build_custom_mirror(tmp_path / "m", None, [rel])
    (root / "dl" / (rel.filename + ".asc")).write_text("<html><body>Not Found</body></html>\n")
    with MirrorServer(root) as srv:
        env.use_mirror(srv)
        r = gs(env, "install", "1.18.10")
        assert r.returncode == 0, r.stderr
        assert "the mirror sent something else (an HTML page?)" in r.stderr
        assert gs(env, "uninstall", "1.18.10").returncode == 0
        env["GOSWITCH_VERIFY_SIGNATURE"] = "1"
        r = gs(env, "install", "1.18.10")
        assert r.returncode == 4 and "--no-verify-signature" in r.stderr, r.stderr
        assert f"signature {rel.filename}.asc" in r.stderr


def test_expired_subkey_accepted_for_a_signature_made_while_it_was_valid(env, tmp_path):
    """Like every old Go release: gpgv says EXPKEYSIG + VALIDSIG; our rule accepts it."""
    key = make_key(tmp_path / "gpg-expired", expired_subkey=True)
    try:
        rel = small_release()
        root = build_custom_mirror(tmp_path / "m", key, [rel])
        proc = key.verify(root / "dl" / rel.filename)
        assert "EXPKEYSIG" in proc.stdout and "VALIDSIG" in proc.stdout  # gpg's own view
        env["GOSWITCH_KEYRING"] = str(key.pubkey_path)
        with MirrorServer(root) as srv:
            env.use_mirror(srv)
            r = gs(env, "install", "1.18.10")
        assert r.returncode == 0, r.stderr
        assert "which expired on" in r.stderr and "made while the key was valid" in r.stderr
    finally:
        key.close()


def test_gpg_is_used_when_gpgv_is_missing(env, tmp_path, synthetic_mirror):
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(shutil.which("gpg"), bindir / "gpg")
    env["PATH"] = os.pathsep.join([str(bindir), os.path.dirname(env["PATH"].split(os.pathsep)[0])])
    env["PATH"] = os.pathsep.join([str(bindir), env["PATH"].split(os.pathsep)[0]])
    del env["GOSWITCH_KEYRING"]  # wrong key: proves gpg really judged the signature
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 4 and "not in the trusted keyring" in r.stderr, r.stderr


def test_required_signature_without_any_gpg_tool(env, tmp_path, synthetic_mirror):
    env["PATH"] = env["PATH"].split(os.pathsep)[0]  # only the venv: no gpgv, no gpg
    env["GOSWITCH_VERIFY_SIGNATURE"] = "1"
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 1 and "neither gpgv nor gpg is installed" in r.stderr
    # Said before the download, not after it.
    assert synthetic_mirror.count("go1.21.0.linux-amd64.tar.gz") == 0
    env["GOSWITCH_VERIFY_SIGNATURE"] = "auto"  # auto: no tool, no check
    assert gs(env, "install", "1.21.0").returncode == 0


def test_damaged_keyring_is_named(env, tmp_path, synthetic_mirror):
    bad = tmp_path / "bad.asc"
    bad.write_text("not a key\n")
    env["GOSWITCH_KEYRING"] = str(bad)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 1 and "bad.asc" in r.stderr and "GOSWITCH_KEYRING" in r.stderr
    assert synthetic_mirror.count("go1.21.0.linux-amd64.tar.gz") == 0  # before downloading


@pytest.fixture
def other_mirror(synthetic_mirror_content):
    with MirrorServer(synthetic_mirror_content) as server:
        yield server


def another_releases_asc(content) -> str:
    return (content.dl_dir / "go1.20.1.linux-amd64.tar.gz.asc").read_text()


def test_a_bad_asc_on_one_mirror_is_replaced_by_the_next_mirrors(
    env, synthetic_mirror, other_mirror, synthetic_mirror_content
):
    """The archive matched the index sha256: a .asc that does not verify it is that
    mirror's mistake (here the signature of another release), not a reason to give up."""
    env["GOSWITCH_MIRRORS"] = f"{synthetic_mirror.base_url} {other_mirror.base_url}"
    asc = another_releases_asc(synthetic_mirror_content)
    synthetic_mirror.set_fault(SMALL + ".asc", "body", data=asc, ctype="text/plain")
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 0, r.stderr
    assert (f"{synthetic_mirror.url(SMALL)}.asc: BAD signature by key") in r.stderr
    assert "trying the next mirror's .asc" in r.stderr
    assert other_mirror.count(SMALL + ".asc") == 1
    assert other_mirror.count(SMALL) == 0  # the archive itself came from the first
    assert (versions(env) / "1.21.0" / "bin" / "go").is_file()


@pytest.mark.parametrize("second", ["bad", "missing"])
def test_when_no_mirror_has_a_good_asc_the_install_fails_naming_them(
    env, synthetic_mirror, other_mirror, synthetic_mirror_content, second
):
    env["GOSWITCH_MIRRORS"] = f"{synthetic_mirror.base_url} {other_mirror.base_url}"
    asc = another_releases_asc(synthetic_mirror_content)
    synthetic_mirror.set_fault(SMALL + ".asc", "body", data=asc, ctype="text/plain")
    if second == "bad":
        other_mirror.set_fault(SMALL + ".asc", "body", data=asc, ctype="text/plain")
    else:
        other_mirror.set_fault(SMALL + ".asc", 404)
    r = gs(env, "install", "1.21.0")
    assert r.returncode == 4, r.stderr
    assert "no mirror's .asc verifies it (" in r.stderr
    assert f"{synthetic_mirror.url(SMALL)}.asc: BAD signature" in r.stderr
    if second == "bad":
        assert f"{other_mirror.url(SMALL)}.asc: BAD signature" in r.stderr
    assert "though the archive matches the index sha256" in r.stderr
    assert "altered" not in r.stderr and "report the bad .asc to its mirror" in r.stderr
    assert not (versions(env) / "1.21.0").exists() and leftovers(versions(env)) == []
