"""Paths agree with platformdirs; settings come from config then GOSWITCH_* variables."""

from __future__ import annotations

import os

import platformdirs
import pytest

from goswitch import paths, settings
from goswitch.settings import KEYS, SettingError


@pytest.mark.parametrize("xdg", [None, "", "   ", "/x/data"])
def test_paths_match_platformdirs(monkeypatch, tmp_path, xdg):
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        if xdg is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, xdg)
    import os

    env = dict(os.environ)
    assert paths.user_data_dir(env) == platformdirs.user_data_dir("goswitch", appauthor=False)
    assert paths.user_config_dir(env) == platformdirs.user_config_dir("goswitch", appauthor=False)
    assert paths.user_cache_dir(env) == platformdirs.user_cache_dir("goswitch", appauthor=False)


def test_relative_xdg_values_are_ignored(tmp_path):
    """The XDG spec: relative paths are invalid; the systemd writer ignores them too."""
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": "relative/cfg", "XDG_DATA_HOME": "d"}
    assert paths.user_config_dir(env) == f"{tmp_path}/.config/goswitch"
    assert paths.user_data_dir(env) == f"{tmp_path}/.local/share/goswitch"


def test_overrides(tmp_path):
    env = {"HOME": str(tmp_path), "GOSWITCH_HOME": "/gs", "GOSWITCH_CONFIG": "/c.toml",
           "GOSWITCH_CACHE_DIR": "/cache"}
    assert paths.versions_dir(env) == "/gs/versions"
    assert paths.config_file(env) == "/c.toml"
    assert paths.cache_dir(env) == "/cache"


@pytest.mark.parametrize("env,want", [
    ({"GOBIN": "/gb"}, "/gb"),
    ({"GOPATH": "/gp1:/gp2"}, "/gp1/bin"),
    ({}, "HOME/go/bin"),
    ({"HOME": ""}, ""),  # go: no HOME, no default GOPATH; not /go/bin
])
def test_default_gobin(tmp_path, env, want):
    env = {"HOME": str(tmp_path), **env}
    assert paths.default_gobin(env) == want.replace("HOME", str(tmp_path))


def test_config_then_env(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('# mine\ndefault_version = "1.21"\nauto_install = false\n'
                   'mirrors = ["https://a/"]\n[systemd]\npath = "append"\n')
    env = {"HOME": str(tmp_path), "GOSWITCH_CONFIG": str(cfg)}
    s = settings.load(env)
    assert (s.default_version, s.auto_install, s.mirrors, s.systemd_path) == (
        "1.21", False, ["https://a/"], "append")
    assert s.sources["auto_install"] == "config"
    env.update(GOSWITCH_AUTO_INSTALL="1", GOSWITCH_MIRRORS="file:///m, https://b/ https://c/",
               GOSWITCH_VERIFY_SIGNATURE="0", GOSWITCH_STORES="/s1:/s2")
    s = settings.load(env)
    assert s.auto_install is True and s.sources["auto_install"] == "env:GOSWITCH_AUTO_INSTALL"
    assert s.mirrors == ["file:///m", "https://b/", "https://c/"]
    assert s.verify_signature == "0" and s.stores == ["/s1", "/s2"]


def test_every_key_has_a_variable_and_doc():
    names = {k.env_var for k in KEYS}
    assert "GOSWITCH_AUTO_INSTALL" in names and "GOSWITCH_INDEX_URL" in names
    assert "GOSWITCH_READ_GO_MOD" in names and "GOSWITCH_KEYRING" in names
    assert all(k.doc for k in KEYS)


def test_bad_values(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("auto_install = \"maybe\"\n")
    env = {"HOME": str(tmp_path), "GOSWITCH_CONFIG": str(cfg)}
    with pytest.raises(SettingError) as err:
        settings.load(env)
    assert str(cfg) in str(err.value) and "auto_install" in str(err.value)
    lenient = settings.load(env, strict=False)  # the hook keeps going with the default
    assert lenient.auto_install is True and lenient.errors
    cfg.write_text("auto_install = \n")
    assert settings.load(env, strict=False).errors


@pytest.mark.parametrize("var, said", [
    ("GOSWITCH_AUTO_INSTALL", "expected 1/0, true/false, yes/no or on/off"),
    ("GOSWITCH_VERIFY_SIGNATURE", "expected auto, 1/0, true/false, yes/no or on/off"),
    ("GOSWITCH_TOOLCHAIN", "expected local, auto or inherit"),
])
def test_a_bad_choice_names_every_accepted_form(tmp_path, var, said):
    with pytest.raises(SettingError) as err:
        settings.load({"HOME": str(tmp_path), "GOSWITCH_CONFIG": str(tmp_path / "c"),
                       var: "maybe"})
    assert said in str(err.value)
    for accepted in ("on", "off", "yes", "no", "true", "false"):
        if "1/0" in said:
            settings.load({"HOME": str(tmp_path), "GOSWITCH_CONFIG": str(tmp_path / "c"),
                           var: accepted})


@pytest.mark.parametrize("var,value", [
    ("GOSWITCH_MIRRORS", "ftp://example.com/go/"),
    ("GOSWITCH_MIRRORS", "https://ok/ mirrors.aliyun.com/golang/"),
    ("GOSWITCH_INDEX_URL", "golang.google.cn/dl/?mode=json"),
])
def test_download_locations_must_be_urls_or_paths(tmp_path, var, value):
    env = {"HOME": str(tmp_path), var: value}
    with pytest.raises(SettingError) as err:
        settings.load(env)
    assert var in str(err.value) and "URL" in str(err.value)


@pytest.mark.parametrize("var,value,why", [
    # urllib raised ValueError on these at download time: a traceback, no next mirror.
    ("GOSWITCH_MIRRORS", "http://u:p@[::1 https://ok.example/", "IPv6 address goes in brackets"),
    ("GOSWITCH_INDEX_URL", "http://u:secret@[::1/x/", "IPv6 address goes in brackets"),
    ("GOSWITCH_MIRRORS", "https://h.example:99999/", "'99999' is not a port number"),
    ("GOSWITCH_MIRRORS", "https://h.example:8o/", "'8o' is not a port number"),
    ("GOSWITCH_MIRRORS", "http://:80/", "no host name"),
    ("GOSWITCH_MIRRORS", "https:///golang/", "no host name"),
])
def test_a_url_with_an_impossible_host_or_port_is_a_setting_error(tmp_path, var, value, why):
    with pytest.raises(SettingError) as err:
        settings.load({"HOME": str(tmp_path), var: value})
    assert why in str(err.value) and "secret" not in str(err.value)


@pytest.mark.parametrize("url", [
    "http://u:p@[::1]:8080/x/", "https://mirrors.aliyun.com/golang/", "http://h:/",
    "https://u:p%40ss@h.example:443/a?token=x#f", "http://127.0.0.1:9701/m/",
])
def test_good_urls_pass_the_host_check(tmp_path, url):
    assert settings.load({"HOME": str(tmp_path), "GOSWITCH_MIRRORS": url}).mirrors == [url]


def test_download_locations_accepted(tmp_path):
    env = {"HOME": str(tmp_path), "GOSWITCH_MIRRORS": "https://a/,file:///b /srv/go",
           "GOSWITCH_INDEX_URL": "https://golang.google.cn/dl/?mode=json&include=all"}
    s = settings.load(env)
    assert s.mirrors == ["https://a/", "file:///b", "/srv/go"]


def test_home_unset_falls_back_to_the_passwd_entry():
    """cron or `env -i`: not `/.cache/goswitch` under the root directory."""
    import pwd

    want = pwd.getpwuid(os.getuid()).pw_dir
    assert paths.user_cache_dir({}) == f"{want.rstrip('/') or ''}/.cache/goswitch"


def test_a_runtime_dir_we_cannot_write_is_not_used(tmp_path, monkeypatch):
    """After `su` (not `su -`) XDG_RUNTIME_DIR is still the other user's: stamps go to
    the cache instead of failing, which would run the hook at every prompt."""
    import posix

    run = tmp_path / "run"
    run.mkdir()
    env = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(run)}
    assert paths.runtime_dir(env) == f"{run}/goswitch"
    real = posix.access
    monkeypatch.setattr(posix, "access", lambda p, m: False if str(p) == str(run) else real(p, m))
    assert paths.runtime_dir(env) == f"{tmp_path}/.cache/goswitch/run"


@pytest.mark.parametrize("value", ["", "   ", " , ", ",", ", ,"])
def test_an_empty_list_variable_is_unset_however_it_is_written(tmp_path, value):
    """GOSWITCH_MIRRORS="" used go.dev while " , " was an empty mirror list (an error)."""
    env = {"HOME": str(tmp_path), "GOSWITCH_CONFIG": str(tmp_path / "c.toml"),
           "GOSWITCH_MIRRORS": value}
    s = settings.load(env)
    assert s.mirrors == list(settings.DEFAULT_MIRRORS) and s.sources["mirrors"] == "default"
    (tmp_path / "c.toml").write_text('mirrors = ["file:///srv/go/"]\n')
    s = settings.load(env)
    assert s.mirrors == ["file:///srv/go/"] and s.sources["mirrors"] == "config"
    (tmp_path / "c.toml").write_text("mirrors = []\n")  # the file's empty list too
    assert settings.load(env).mirrors == list(settings.DEFAULT_MIRRORS)
