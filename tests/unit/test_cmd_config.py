"""`goswitch config get|set|unset|list|path` (issue 5, point 5)."""

from __future__ import annotations

import json

import pytest

from goswitch.settings import KEYS
from tests.unit.test_cmd_common import gs  # noqa: F401 - fixture


def test_list_shows_every_key_with_value_and_source(gs):  # noqa: F811
    result = gs("config", "list")
    assert result.code == 0
    lines = result.out.splitlines()
    assert [line.split(" = ")[0] for line in lines] == [k.name for k in KEYS]
    assert "auto_install = true  # default" in lines
    assert "default_version = (unset)  # default" in lines


def test_list_verbose_documents_every_key(gs):  # noqa: F811
    out = gs("config", "list", "-v").out
    for key in KEYS:
        assert key.doc in out and f"variable {key.env_var}" in out


def test_every_key_is_readable_from_its_variable_and_shown_as_override(gs):  # noqa: F811
    gs.config.parent.mkdir(parents=True)
    gs.config.write_text("auto_install = true\n")
    gs.setenv("GOSWITCH_AUTO_INSTALL", "0")
    gs.setenv("GOSWITCH_MIRRORS", "file:///srv/go https://go.dev/dl/")
    lines = gs("config", "list").out.splitlines()
    assert "auto_install = false  # env GOSWITCH_AUTO_INSTALL, overrides config true" in lines
    assert 'mirrors = ["file:///srv/go", "https://go.dev/dl/"]  # env GOSWITCH_MIRRORS' in lines
    assert gs("config", "get", "mirrors").out == "file:///srv/go\nhttps://go.dev/dl/\n"
    for key in KEYS:
        assert key.env_var == "GOSWITCH_" + key.name.replace(".", "_").upper()


def test_every_key_round_trips_through_its_variable(gs):  # noqa: F811
    samples = {"bool": ("1", True), "int": ("7", 7), "list": ("/a /b", ["/a", "/b"])}
    for key in KEYS:
        if key.kind == "choice":
            raw, want = key.choices[-1], key.choices[-1]
        elif key.name == "index_url":
            raw, want = ("https://golang.google.cn/dl/?mode=json", "https://golang.google.cn/dl/?mode=json")
        elif key.name in ("gobin", "gopath", "keyring"):
            raw, want = ("/opt/go-things", "/opt/go-things")
        elif key.kind == "str":
            raw, want = ("1.22.10", "1.22.10")
        else:
            raw, want = samples[key.kind]
        gs.setenv(key.env_var, raw)
        data = json.loads(gs("config", "get", key.name, "--json").out)
        assert data == {"name": key.name, "value": want, "source": "env"}, key.name
        gs.delenv(key.env_var)


def test_list_json(gs):  # noqa: F811
    data = json.loads(gs("config", "list", "--json").out)
    assert data["config_file"] == str(gs.config)
    assert [k["name"] for k in data["keys"]] == [k.name for k in KEYS]
    assert set(data["keys"][0]) == {
        "name",
        "value",
        "source",
        "env_var",
        "config_value",
        "default",
        "type",
        "choices",
        "doc",
    }


def test_set_keeps_comments_and_layout(gs):  # noqa: F811
    gs.config.parent.mkdir(parents=True)
    original = (
        "# goswitch settings\n"
        "auto_install = true   # keep installing\n"
        "\n"
        "[systemd]\n"
        "# the IDE needs Go\n"
        'path = "prepend"\n'
    )
    gs.config.write_text(original)
    assert gs("config", "set", "auto_install", "false").code == 0
    assert gs("config", "set", "systemd.path", "append").code == 0
    gs.delenv("GOSWITCH_MIRRORS")
    assert gs("config", "set", "mirrors", "https://a.example/", "https://b.example/").code == 0
    text = gs.config.read_text()
    assert text.startswith("# goswitch settings\nauto_install = false   # keep installing\n")
    assert '[systemd]\n# the IDE needs Go\npath = "append"\n' in text
    assert gs("config", "get", "mirrors").out == "https://a.example/\nhttps://b.example/\n"
    assert gs("config", "get", "auto_install").out == "false\n"


def test_set_validates(gs):  # noqa: F811
    assert gs("config", "set", "auto_install", "maybe").code == 2
    assert gs("config", "set", "toolchain", "sometimes").code == 2
    assert gs("config", "set", "default_version", "rm -rf").code == 2
    assert gs("config", "set", "timeout", "1", "2").code == 2
    result = gs("config", "set", "no_such_key", "1")
    assert result.code == 2 and "unknown key" in result.err
    assert not gs.config.exists()


def test_set_notes_an_overriding_variable(gs):  # noqa: F811
    gs.setenv("GOSWITCH_TIMEOUT", "5")
    result = gs("config", "set", "timeout", "60")
    assert result.code == 0 and "$GOSWITCH_TIMEOUT is set and overrides" in result.err
    assert gs("config", "get", "timeout").out == "5\n"


def test_unset(gs):  # noqa: F811
    gs("config", "set", "index_ttl", "60")
    assert gs("config", "get", "index_ttl").out == "60\n"
    assert "removed index_ttl" in gs("config", "unset", "index_ttl").err
    assert gs("config", "get", "index_ttl").out == "3600\n"
    assert "was not set" in gs("config", "unset", "index_ttl").err


def test_get_unset_value_prints_nothing(gs):  # noqa: F811
    result = gs("config", "get", "default_version")
    assert result.code == 0 and result.out == ""
    assert json.loads(gs("config", "get", "default_version", "--json").out)["value"] is None


def test_path(gs):  # noqa: F811
    assert gs("config", "path").out == f"{gs.config}\n"


def test_list_survives_a_bad_value_and_says_so(gs):  # noqa: F811
    gs.config.parent.mkdir(parents=True)
    gs.config.write_text('timeout = "soon"\n')
    result = gs("config", "list")
    assert result.code == 0 and "timeout = 30  # default" in result.out
    assert "timeout" in result.err and "ignored" in result.err
    assert gs("config", "set", "timeout", "10").code == 0  # and it can be fixed from here


@pytest.mark.parametrize(
    "name, value, why",
    [
        ("timeout", "0", ">= 1"),
        ("retries", "-1", ">= 1"),
        ("index_ttl", "-5", ">= 0"),
        ("gobin", "relbin", "absolute path"),
        ("gopath", "/ok:rel", "absolute path"),
        ("stores", "rostore", "absolute path"),
        ("keyring", "keys/k.asc", "absolute path"),
    ],
)
def test_values_that_cannot_work_are_refused(gs, name, value, why):  # noqa: F811
    result = gs("config", "set", name, value)
    assert result.code == 2 and why in result.err, result
    gs.setenv("GOSWITCH_" + name.upper(), value)  # the variable is checked the same way
    result = gs("current")
    assert result.code == 1 and f"GOSWITCH_{name.upper()}" in result.err and why in result.err


@pytest.mark.parametrize("var", ["GOSWITCH_HOME", "GOSWITCH_CONFIG", "GOSWITCH_CACHE_DIR"])
def test_relative_locations_are_refused_and_home_relative_ones_expanded(gs, var):  # noqa: F811
    gs.setenv(var, "gsrel")
    result = gs("current")
    assert result.code == 1 and f"goswitch: {var}: 'gsrel': expected an absolute path" in result.err
    gs.setenv(var, "~/gs-place")
    from goswitch import paths

    assert str(gs.home / "gs-place") in (paths.home(), paths.config_file(), paths.cache_dir())


def test_a_misspelled_setting_is_reported_not_silently_ignored(gs):  # noqa: F811
    gs.config.parent.mkdir(parents=True)
    gs.config.write_text('auto_instal = false\n[sytemd]\nx = 1\n[systemd]\npth = "append"\n')
    result = gs("current")
    assert result.code == 0
    assert f"{gs.config}: unknown setting 'auto_instal' (ignored; did you mean auto_install?)" in (
        result.err
    )
    assert "unknown setting 'sytemd' (ignored; did you mean systemd?)" in result.err
    assert "unknown setting 'systemd.pth' (ignored; did you mean systemd.path?)" in result.err
    listed = gs("config", "list")
    assert listed.code == 0 and listed.err.count("unknown setting") == 3


def test_mirror_paths_may_start_with_home_but_file_urls_need_an_absolute_path(gs):  # noqa: F811
    gs.setenv("GOSWITCH_MIRRORS", "~/gomirror https://golang.google.cn/dl/")
    data = json.loads(gs("config", "get", "mirrors", "--json").out)
    assert data["value"] == [f"{gs.home}/gomirror", "https://golang.google.cn/dl/"]
    gs.setenv("GOSWITCH_MIRRORS", "file://~/gomirror")
    result = gs("current")
    assert result.code == 1 and "a file:// URL takes an absolute path" in result.err


def test_a_bad_list_item_is_named_alone(gs):  # noqa: F811
    result = gs("config", "set", "mirrors", "https://golang.google.cn/dl/", "ftp://bad/")
    assert result.code == 2
    assert "config mirrors: 'ftp://bad/': expected an https://" in result.err


def test_passwords_in_mirror_and_index_urls_are_masked_wherever_shown(gs):  # noqa: F811
    url = "http://u:p%40ss@host.example/golang/"
    gs.delenv("GOSWITCH_MIRRORS")
    gs.delenv("GOSWITCH_INDEX_URL")
    result = gs("config", "set", "mirrors", url)
    assert result.code == 0
    assert "http://***@host.example/golang/" in result.err and "p%40ss" not in result.err
    assert url in gs.config.read_text()  # stored as given: the file is the raw value
    assert gs("config", "get", "mirrors").out == "http://***@host.example/golang/\n"
    got = json.loads(gs("config", "get", "mirrors", "--json").out)
    assert got["value"] == ["http://***@host.example/golang/"]
    gs.setenv("GOSWITCH_INDEX_URL", "https://bob:hunter2@idx.example/dl/?mode=json")
    listed = gs("config", "list").out + gs("config", "list", "--json").out
    assert "p%40ss" not in listed and "hunter2" not in listed
    assert "https://***@idx.example/dl/?mode=json" in listed
    bad = gs("config", "set", "mirrors", "ftp://u:secret@host/")  # refused, still masked
    assert bad.code == 2 and "secret" not in bad.err and "ftp://***@host/" in bad.err
    gs.setenv("GOSWITCH_MIRRORS", "ftp://u:secret@host/")
    for args in (("config", "get", "index_url"), ("config", "list")):
        r = gs(*args)
        assert "secret" not in r.err + r.out, args
