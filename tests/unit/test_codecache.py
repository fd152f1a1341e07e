"""Where the run-time code caches may live: only directories nobody else can write or swap."""

from __future__ import annotations

import os

from goswitch import codecache


def test_private_chain_is_accepted(tmp_path):
    mine = tmp_path / "cache" / "code"
    mine.mkdir(parents=True, mode=0o700)
    assert codecache.is_private(str(mine))


def test_a_directory_others_can_write_anywhere_above_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    mine = shared / "code"
    mine.mkdir(mode=0o700)
    for mode in (0o777, 0o775, 0o757):
        os.chmod(shared, mode)
        assert not codecache.is_private(str(mine)), oct(mode)
    os.chmod(shared, 0o1777)  # sticky and root's (the tests run as root, like /tmp)
    assert codecache.is_private(str(mine)) is (os.geteuid() == 0)


def test_symlinks_are_followed_and_checked_both_ways(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to("real")  # relative, like a ~/.cache moved to another disk
    assert codecache.is_private(str(link / "."))
    assert codecache.is_private(str(link))
    os.chmod(real, 0o777)  # where it leads is open to all
    assert not codecache.is_private(str(link))
    os.chmod(real, 0o700)
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    assert not codecache.is_private(str(loop))


def test_files_and_missing_paths_are_refused(tmp_path):
    (tmp_path / "file").write_text("")
    assert not codecache.is_private(str(tmp_path / "file"))
    assert not codecache.is_private(str(tmp_path / "missing"))


def test_user_cache_is_one_directory_per_installation(tmp_path):
    env = {"GOSWITCH_CACHE_DIR": str(tmp_path)}
    path = codecache.user_cache(env)
    assert path.startswith(f"{tmp_path}/code/")
    name = path.rsplit("/", 1)[1]
    assert "/" not in name and name.replace("%2F", "/").replace("%25", "%") == \
        codecache.PACKAGE_DIR


def test_for_writing_prefers_the_package(tmp_path):
    assert codecache.for_writing({"GOSWITCH_CACHE_DIR": str(tmp_path)}) == \
        codecache.PACKAGE_CACHE  # this checkout is writable
