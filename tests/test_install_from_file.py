"""Air-gapped machines: `install --from FILE` and file:// mirrors (issue 4, point 1)."""

from __future__ import annotations

import shutil

import pytest

from tests.test_install_support import (
    build_custom_mirror,
    gs,
    leftovers,
    small_release,
    targz,
    versions,
)

SMALL = "go1.21.0.linux-amd64.tar.gz"


@pytest.fixture
def env(isolated_env):
    isolated_env["GOSWITCH_RETRIES"] = "1"
    isolated_env["GOSWITCH_TIMEOUT"] = "2"
    return isolated_env


def test_from_file_checked_against_the_cached_index_offline(
    env, synthetic_mirror, synthetic_mirror_content, tmp_path
):
    env.use_mirror(synthetic_mirror)
    assert gs(env, "list-remote").returncode == 0  # caches the index
    synthetic_mirror.stop()  # same index URL, now unreachable: the cached copy is used
    src = tmp_path / SMALL
    shutil.copyfile(synthetic_mirror_content.dl_dir / SMALL, src)
    r = gs(env, "install", "--from", str(src))
    assert r.returncode == 0, r.stderr
    assert (versions(env) / "1.21.0" / "bin" / "go").is_file()
    assert r.stdout == ""


def test_a_renamed_copy_is_checked_under_its_official_name(
    env, synthetic_mirror, synthetic_mirror_content, tmp_path
):
    env.use_mirror(synthetic_mirror)
    assert gs(env, "list-remote").returncode == 0  # caches the index
    synthetic_mirror.stop()
    src = tmp_path / "go.tgz"  # what a USB stick or a browser download may call it
    shutil.copyfile(synthetic_mirror_content.dl_dir / SMALL, src)
    r = gs(env, "install", "--from", str(src), "1.21.0")
    assert r.returncode == 0, r.stderr
    assert (versions(env) / "1.21.0" / "bin" / "go").is_file()


def test_from_file_with_other_bytes_than_the_index(
    env, synthetic_mirror, synthetic_mirror_content, tmp_path
):
    env.use_mirror(synthetic_mirror)
    src = tmp_path / SMALL
    data = bytearray((synthetic_mirror_content.dl_dir / SMALL).read_bytes())
    data[len(data) // 2] ^= 1
    src.write_bytes(bytes(data))
    want = synthetic_mirror_content.archive("go1.21.0").sha256
    r = gs(env, "install", "--from", str(src))
    assert r.returncode == 4 and f"expected {want}" in r.stderr and str(src) in r.stderr
    assert "it was left as it is" in r.stderr and "GOSWITCH_MIRRORS" not in r.stderr
    assert src.exists()  # the user's file is never deleted
    assert not (versions(env) / "1.21.0").exists() and leftovers(versions(env)) == []


@pytest.fixture
def unlisted(tmp_path):
    """A SYNTHETIC go1.18.10 archive no index lists."""
    rel = small_release()
    path = tmp_path / "in" / rel.filename
    path.parent.mkdir()
    path.write_bytes(rel.data)
    return path, rel


def test_unknown_file_needs_sha256_or_unverified(env, unlisted):
    path, rel = unlisted  # the index is unreachable (NOWHERE) and not cached
    r = gs(env, "install", "--from", str(path))
    assert r.returncode == 4 and "sha256 is unknown" in r.stderr
    assert "--sha256" in r.stderr and "--unverified" in r.stderr
    r = gs(env, "install", "--from", str(path), "--sha256", "0" * 64)
    assert r.returncode == 4 and "expected " + "0" * 64 in r.stderr
    r = gs(env, "install", "--from", str(path), "--sha256", "xyz")
    assert r.returncode == 2
    r = gs(env, "install", "--from", str(path), "--sha256", rel.sha256.upper())
    assert r.returncode == 0, r.stderr
    assert (versions(env) / "1.18.10" / "bin" / "go").is_file()


def test_unverified_is_explicit_and_loud(env, unlisted):
    path, _ = unlisted
    r = gs(env, "install", "--from", str(path), "--unverified")
    assert r.returncode == 0, r.stderr
    assert "UNVERIFIED" in r.stderr
    assert (versions(env) / "1.18.10" / "bin" / "go").is_file()


def test_signature_beside_the_file_is_checked(env, unlisted, gpg_key):
    path, rel = unlisted
    gpg_key.sign(path)
    r = gs(env, "install", "--from", str(path), "--sha256", rel.sha256, "--verify-signature")
    assert r.returncode == 0, r.stderr
    gs(env, "uninstall", "1.18.10")
    shutil.copyfile(path.with_name(path.name + ".asc"), path.with_name("x.asc"))
    path.with_name(path.name + ".asc").write_text("junk\n")
    r = gs(env, "install", "--from", str(path), "--sha256", rel.sha256, "--verify-signature")
    assert r.returncode == 4, r.stderr


def test_signature_alone_vouches_when_no_sha256_is_known(env, unlisted, gpg_key):
    """Air-gapped, no index: the archive and its .asc copied from go.dev are enough."""
    path, _ = unlisted
    gpg_key.sign(path)
    r = gs(env, "install", "--from", str(path))
    assert r.returncode == 0, r.stderr
    assert "UNVERIFIED" not in r.stderr
    assert "cannot read the release index" not in r.stderr  # the network was not tried
    assert (versions(env) / "1.18.10" / "bin" / "go").is_file()


@pytest.mark.parametrize("policy", [[], ["--verify-signature"]])
def test_unverified_never_waives_a_bad_signature(env, unlisted, gpg_key, policy):
    """--unverified waives the missing sha256; a signature that is there must be good."""
    path, _ = unlisted
    gpg_key.sign(path)
    other = path.with_name("other.bin")
    other.write_bytes(b"another file")
    gpg_key.sign(other)
    shutil.copyfile(other.with_name("other.bin.asc"), path.with_name(path.name + ".asc"))
    r = gs(env, "install", "--from", str(path), "--unverified", *policy)
    assert r.returncode == 4, r.stderr
    assert "another mirror" not in r.stderr and "is the signature of this archive" in r.stderr
    assert not (versions(env) / "1.18.10").exists() and leftovers(versions(env)) == []


def test_from_file_checks_name_version_and_platform(env, tmp_path, unlisted):
    path, rel = unlisted
    other = tmp_path / "go1.18.10.darwin-arm64.tar.gz"
    shutil.copyfile(path, other)
    r = gs(env, "install", "--from", str(other), "--unverified")
    assert r.returncode == 1 and "darwin-arm64 archive" in r.stderr
    renamed = tmp_path / "go1.18.9.linux-amd64.tar.gz"
    shutil.copyfile(path, renamed)
    r = gs(env, "install", "--from", str(renamed), "--unverified")
    assert r.returncode == 4 and "contains go1.18.10, not go1.18.9" in r.stderr
    assert not (versions(env) / "1.18.9").exists()
    anon = tmp_path / "toolchain.tgz"
    shutil.copyfile(path, anon)
    r = gs(env, "install", "--from", str(anon), "--unverified")
    assert r.returncode == 2 and "cannot tell the Go version" in r.stderr
    r = gs(env, "install", "--from", str(anon), "--unverified", "1.18.10")
    assert r.returncode == 0, r.stderr
    r = gs(env, "install", "--from", str(anon), "1.18")
    assert r.returncode == 2 and "exact version" in r.stderr
    r = gs(env, "install", "--sha256", "a" * 64, "1.18.10")
    assert r.returncode == 2 and "only apply to --from" in r.stderr


def test_a_tree_without_version_is_not_a_go_release(env, tmp_path):
    """go/VERSION names the release: without it `goswitch list` and `go version` could
    disagree (a 1.21 tree installed as 1.22)."""
    import tarfile

    from tests.test_install_support import small_release as make

    rel = make("go1.18.10")
    src = tmp_path / "in.tar.gz"
    src.write_bytes(rel.data)
    out = tmp_path / "go1.18.10.linux-amd64.tar.gz"
    with tarfile.open(src) as tin, tarfile.open(out, "w:gz") as tout:
        for member in tin.getmembers():
            if member.name != "go/VERSION":
                tout.addfile(member, tin.extractfile(member) if member.isfile() else None)
    r = gs(env, "install", "--from", str(out), "--unverified")
    assert r.returncode == 1 and "has no go/VERSION: not a Go release archive" in r.stderr
    assert not (versions(env) / "1.18.10").exists() and leftovers(versions(env)) == []


def test_not_a_go_archive(env, tmp_path):
    bogus = tmp_path / "go1.18.10.linux-amd64.tar.gz"
    bogus.write_bytes(targz({"go/README": (b"hello", 0o644)}))
    r = gs(env, "install", "--from", str(bogus), "--unverified")
    assert r.returncode == 1 and "has no executable go/bin/go" in r.stderr
    assert leftovers(versions(env)) == []


def test_file_mirror_and_file_index(env, tmp_path, gpg_key):
    """An air-gapped mirror on a shared disk: index and archives via file://."""
    rel = small_release()
    root = build_custom_mirror(tmp_path / "mirror dir", gpg_key, [rel])
    env["GOSWITCH_INDEX_URL"] = (root / "index.json").as_uri()
    env["GOSWITCH_MIRRORS"] = (root / "dl").as_uri() + "/"
    r = gs(env, "install", "1.18")
    assert r.returncode == 0, r.stderr
    assert (versions(env) / "1.18.10" / "bin" / "go").is_file()
    gs(env, "uninstall", "1.18.10")
    (tmp_path / "plain").symlink_to(root / "dl")  # (the variable splits on spaces)
    env["GOSWITCH_MIRRORS"] = str(tmp_path / "plain")  # a plain path works too
    assert gs(env, "install", "1.18.10").returncode == 0


def test_from_something_that_is_not_a_file(env):
    r = gs(env, "install", "--from", "/dev/null", "--unverified", "1.22.10")
    assert r.returncode == 2 and "/dev/null: not a regular file" in r.stderr, r.stderr
