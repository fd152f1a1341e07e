"""From a directory to a concrete version: override, files, default, store contents."""

from __future__ import annotations

import os

import pytest

from goswitch import settings
from goswitch.errors import GoswitchError, PinError
from goswitch.resolve import resolve


def make_tree(root, version):
    """An installed-looking Go tree: resolution only checks that bin/go exists."""
    bindir = os.path.join(root, version, "bin")
    os.makedirs(bindir)
    with open(os.path.join(bindir, "go"), "w") as f:
        f.write(f"#!/bin/sh\necho go version go{version} linux/amd64\n")
    os.chmod(os.path.join(bindir, "go"), 0o755)


@pytest.fixture
def env(tmp_path):
    environ = {"HOME": str(tmp_path / "home"), "GOSWITCH_HOME": str(tmp_path / "gs"),
               "GOSWITCH_CONFIG": str(tmp_path / "config.toml"),
               "GOSWITCH_CACHE_DIR": str(tmp_path / "cache")}
    for v in ("1.21.6", "1.21.13", "1.22.10", "1.22rc1"):
        make_tree(str(tmp_path / "gs" / "versions"), v)
    return environ


def run(path, environ):
    return resolve(str(path), settings.load(environ), environ)


def test_exact_prefix_latest(tmp_path, env):
    (tmp_path / "p").mkdir()
    for spec, want in [("1.21.6", "1.21.6"), ("1.21", "1.21.13"), ("go1.22", "1.22.10"),
                       ("latest", "1.22.10"), ("1.22rc1", "1.22rc1")]:
        (tmp_path / "p" / ".go-version").write_text(spec + "\n")
        res = run(tmp_path / "p", env)
        assert str(res.version) == want and res.goroot.endswith("/" + want)
        assert res.source == "file" and res.pin.line == 1


def test_pre_121_release_written_with_dot_zero(tmp_path, env):
    """go1.20 had no .0: a pin saying 1.20.0 finds (and would install) the tree named 1.20."""
    (tmp_path / ".go-version").write_text("1.20.0\n")
    res = run(tmp_path, env)
    assert res.missing and res.install_spec == "1.20.0"  # "1.20" would be the prefix
    make_tree(env["GOSWITCH_HOME"] + "/versions", "1.20")
    res = run(tmp_path, env)
    assert str(res.version) == "1.20" and res.goroot.endswith("/versions/1.20")


def test_missing_gives_install_spec(tmp_path, env):
    (tmp_path / ".go-version").write_text("1.23.4\n")
    res = run(tmp_path, env)
    assert res.missing and res.install_spec == "1.23.4" and res.goroot is None
    (tmp_path / ".go-version").write_text("1.19\n")
    res = run(tmp_path, env)
    assert res.missing and res.install_spec == "1.19"


def test_latest_uses_cached_index_offline(tmp_path, env):
    os.makedirs(env["GOSWITCH_CACHE_DIR"])
    with open(os.path.join(env["GOSWITCH_CACHE_DIR"], "latest-stable"), "w") as f:
        f.write("1.23.4\n")
    (tmp_path / ".go-version").write_text("latest\n")
    res = run(tmp_path, env)
    assert res.missing and res.install_spec == "1.23.4"


def test_go_mod_minimum(tmp_path, env):
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.21.7\n")
    assert str(run(tmp_path, env).version) == "1.21.13"  # newest installed of the line
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.21.20\n")
    res = run(tmp_path, env)
    assert res.missing and res.install_spec == "1.21.20"
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.23\n")
    assert run(tmp_path, env).install_spec == "1.23.0"


def test_override_default_and_none(tmp_path, env):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / ".go-version").write_text("1.21.6\n")
    assert run(tmp_path / "p", {**env, "GOSWITCH_GO_VERSION": "1.22"}).source == "override"
    assert str(run(tmp_path / "p", {**env, "GOSWITCH_GO_VERSION": "1.22"}).version) == "1.22.10"
    with pytest.raises(GoswitchError, match="GOSWITCH_GO_VERSION"):
        run(tmp_path / "p", {**env, "GOSWITCH_GO_VERSION": "nope"})
    (tmp_path / "q").mkdir()
    assert run(tmp_path / "q", env).source == "none"
    res = run(tmp_path / "q", {**env, "GOSWITCH_DEFAULT_VERSION": "1.21"})
    assert (res.source, str(res.version)) == ("global", "1.21.13")


def test_override_beats_broken_file(tmp_path, env):
    (tmp_path / ".go-version").write_text("garbage!\n")
    with pytest.raises(PinError):
        run(tmp_path, env)
    assert str(run(tmp_path, {**env, "GOSWITCH_GO_VERSION": "1.21.6"}).version) == "1.21.6"


def test_extra_read_only_store(tmp_path, env):
    make_tree(str(tmp_path / "opt"), "1.20.14")
    (tmp_path / ".go-version").write_text("1.20.14\n")
    assert run(tmp_path, env).missing
    res = run(tmp_path, {**env, "GOSWITCH_STORES": str(tmp_path / "opt")})
    assert res.goroot == str(tmp_path / "opt" / "1.20.14")


def test_env_table_needs_trust(tmp_path, env):
    from goswitch import trust

    toml = tmp_path / "goswitch.toml"
    toml.write_text('[go]\nversion = "1.21.6"\n[env]\nGOFLAGS = "-mod=readonly"\n')
    res = run(tmp_path, env)
    assert res.env == {} and res.env_untrusted and str(res.version) == "1.21.6"
    trust.trust(env, str(toml))
    assert run(tmp_path, env).env == {"GOFLAGS": "-mod=readonly"}
    toml.write_text('[go]\nversion = "1.21.6"\n[env]\nGOFLAGS = "-mod=mod"\n')
    res = run(tmp_path, env)
    assert res.env == {} and res.env_untrusted


@pytest.mark.parametrize("latest_cached, want", [
    (None, "1.22.10"),        # no index cached yet: the newest installed
    ("1.22.10", "1.22.10"),   # the newest release is installed
    ("1.21.13", "1.22.10"),   # an older cache never downgrades
    ("1.23.4", None),         # the hook would install 1.23.4, so nothing installed is chosen
])
def test_installed_choice_is_the_hooks_choice_for_latest(tmp_path, env, latest_cached, want):
    from goswitch.resolve import installed_choice
    from goswitch.store import Store

    if latest_cached:
        os.makedirs(env["GOSWITCH_CACHE_DIR"])
        with open(os.path.join(env["GOSWITCH_CACHE_DIR"], "latest-stable"), "w") as f:
            f.write(latest_cached + "\n")
    store = Store.from_settings(settings.load(env), env)
    got = installed_choice("latest", store, env)
    assert (str(got) if got else None) == want
    (tmp_path / ".go-version").write_text("latest\n")
    res = run(tmp_path, env)
    assert (None if res.missing else str(res.version)) == want


@pytest.mark.parametrize("text, want", [
    ("1.21", "1.21.13"), ("1.21.6", "1.21.6"), ("1.20", None), ("", None), (None, None),
    ("not-a-version", None),
])
def test_installed_choice_of_other_specs(env, text, want):
    from goswitch.resolve import installed_choice
    from goswitch.store import Store

    store = Store.from_settings(settings.load(env), env)
    got = installed_choice(text, store, env)
    assert (str(got) if got else None) == want
