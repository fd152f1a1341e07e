"""`goswitch use` (issue 5, point 1): install when needed, write the pin, keep files intact."""

from __future__ import annotations

import os
import sys
import types

import pytest

from goswitch import envexport, store, trust
from goswitch.store import Installed
from goswitch.versions import GoVersion
from tests.unit.test_cmd_common import gs  # noqa: F401 - fixture


@pytest.fixture
def installer(gs, monkeypatch):  # noqa: F811
    """A fake installer that creates a FIXTURE TREE and records what it was asked."""
    calls = []
    newest = {"1.22": "1.22.10", "1.21": "1.21.13", "latest": "1.23.4"}

    def install(spec, settings, environ, **kw):
        calls.append(spec)
        version = newest.get(spec, spec)
        root = gs.go_tree(version)
        return Installed(GoVersion.parse(version), str(root), True)

    monkeypatch.setattr(envexport, "install", install)
    return calls


@pytest.fixture
def systemd_calls(monkeypatch):
    """A stand-in for goswitch.systemd.refresh_if_enabled (the real one is another module)."""
    calls = []
    fake = types.ModuleType("goswitch.systemd")

    def refresh_if_enabled(settings, environ, key="default_version"):
        calls.append(settings.default_version if key == "default_version" else key)
        return "systemd: rewrote /fake/environment.d/60-goswitch.conf"

    fake.refresh_if_enabled = refresh_if_enabled
    monkeypatch.setitem(sys.modules, "goswitch.systemd", fake)
    return calls


def test_use_installs_a_missing_version_and_writes_go_version(gs, installer):  # noqa: F811
    result = gs("use", "1.22")
    assert result.code == 0, result
    assert installer == ["1.22"]
    assert (gs.project / ".go-version").read_text() == "1.22\n"
    assert result.out == ""  # messages are for humans: stderr
    assert "created" in result.err and "1.22.10" in result.err
    current = gs("current", "--short")
    assert current.out == "1.22.10\n"


def test_use_does_not_install_what_is_installed(gs, installer):  # noqa: F811
    gs.go_tree("1.22.3")
    assert gs("use", "1.22").code == 0
    assert installer == []  # "1.22" = newest installed 1.22.x
    assert gs("current", "--short").out == "1.22.3\n"


def test_exact_writes_the_version_picked(gs, installer):  # noqa: F811
    assert gs("use", "--exact", "latest").code == 0
    assert (gs.project / ".go-version").read_text() == "1.23.4\n"


def test_no_install_only_writes(gs, installer):  # noqa: F811
    result = gs("use", "--no-install", "1.21.13")
    assert result.code == 0 and installer == []
    assert (gs.project / ".go-version").read_text() == "1.21.13\n"
    assert "not installed yet" in result.err
    assert gs("use", "--no-install", "--exact", "1.21").code == 2


def test_use_marks_the_version_used(gs, installer):  # noqa: F811
    import os

    gs("use", "1.22")
    assert store.last_used(os.environ, GoVersion.parse("1.22.10")) is not None


def test_existing_goswitch_toml_is_edited_keeping_comments_and_layout(gs, installer):  # noqa: F811
    toml = gs.project / "goswitch.toml"
    original = (
        "# project Go settings\n"
        "[go]\n"
        'version = "1.21.13"   # bumped by hand last spring\n'
        'toolchain = "local"\n'
        "\n"
        "[env]  # applied when trusted\n"
        'GOFLAGS = "-mod=readonly"\n'
    )
    toml.write_text(original)
    gs.go_tree("1.21.13")
    assert gs("use", "1.22.10").code == 0
    assert toml.read_text() == original.replace('"1.21.13"', '"1.22.10"')
    assert not (gs.project / ".go-version").exists()


def test_goswitch_toml_without_go_table_gains_one(gs, installer):  # noqa: F811
    toml = gs.project / "goswitch.toml"
    toml.write_text('# only env so far\n[env]\nGOPRIVATE = "example.com/*"\n')
    assert gs("use", "1.22.10").code == 0
    text = toml.read_text()
    assert text.startswith('# only env so far\n[env]\nGOPRIVATE = "example.com/*"\n')
    assert '[go]\nversion = "1.22.10"' in text
    assert gs("current", "--json").out.count('"source": "file"') == 1


def test_a_trusted_goswitch_toml_stays_trusted(gs, installer):  # noqa: F811
    import os

    toml = gs.project / "goswitch.toml"
    toml.write_text('[go]\nversion = "1.21.13"\n[env]\nFOO = "bar"\n')
    gs.go_tree("1.21.13")
    assert gs("trust").code == 0
    result = gs("use", "1.22.10")
    assert "stays trusted" in result.err
    assert trust.is_trusted(os.environ, str(toml))


def test_an_untrusted_goswitch_toml_stays_untrusted(gs, installer):  # noqa: F811
    import os

    toml = gs.project / "goswitch.toml"
    toml.write_text('[go]\nversion = "1.21.13"\n[env]\nFOO = "bar"\n')
    assert gs("use", "1.22.10").code == 0
    assert not trust.is_trusted(os.environ, str(toml))


def test_go_version_keeps_comments_crlf_and_bom(gs, installer):  # noqa: F811
    pin = gs.project / ".go-version"
    pin.write_bytes(b"\xef\xbb\xbf# team pin\r\ngo1.21.13\r\n")
    assert gs("use", "1.22.10").code == 0
    assert pin.read_bytes() == b"\xef\xbb\xbf# team pin\r\n1.22.10\r\n"


def test_tool_versions_go_line_is_edited_in_place(gs, installer):  # noqa: F811
    pin = gs.project / ".tool-versions"
    pin.write_text("nodejs 20.1.0\ngolang 1.21.13  # for the api\npython 3.12.1\n")
    assert gs("use", "1.22.10").code == 0
    assert pin.read_text() == "nodejs 20.1.0\ngolang 1.22.10 # for the api\npython 3.12.1\n"
    assert not (gs.project / ".go-version").exists()
    # asdf's fallback versions after the first one are kept.
    pin.write_text("golang 1.21.13 system # c\n")
    assert gs("use", "1.22.10").code == 0
    assert pin.read_text() == "golang 1.22.10 system # c\n"


def test_tool_versions_without_go_is_left_alone(gs, installer):  # noqa: F811
    (gs.project / ".tool-versions").write_text("nodejs 20.1.0\n")
    assert gs("use", "1.22.10").code == 0
    assert (gs.project / ".tool-versions").read_text() == "nodejs 20.1.0\n"
    assert (gs.project / ".go-version").read_text() == "1.22.10\n"


def test_go_mod_is_never_edited(gs, installer):  # noqa: F811
    gomod = gs.project / "go.mod"
    gomod.write_text("module x\n\ngo 1.21\n")
    assert gs("use", "1.22.10").code == 0
    assert gomod.read_text() == "module x\n\ngo 1.21\n"
    assert gs("current", "--short").out == "1.22.10\n"


def test_file_option_picks_the_file_and_warns_when_shadowed(gs, installer):  # noqa: F811
    (gs.project / ".go-version").write_text("1.21.13\n")
    gs.go_tree("1.21.13")
    result = gs("use", "--file", ".tool-versions", "1.22.10")
    assert result.code == 0
    assert (gs.project / ".tool-versions").read_text() == "golang 1.22.10\n"
    assert ".go-version still decides here" in result.err
    assert gs("use", "--file", "go.mod", "1.22").code == 2


def test_symlinked_pin_file_is_written_through(gs, installer):  # noqa: F811
    shared = gs.root / "shared.go-version"
    shared.write_text("1.21.13\n")
    (gs.project / ".go-version").symlink_to(shared)
    result = gs("use", "1.22.10")
    assert result.code == 0
    assert (gs.project / ".go-version").is_symlink()
    assert shared.read_text() == "1.22.10\n"
    # Other projects may share that file: say which file changed.
    assert f"updated {shared} (through the symlink {gs.project}/.go-version)" in result.err


@pytest.mark.parametrize("name", [".go-version", ".tool-versions", "goswitch.toml"])
def test_symlink_to_a_file_that_is_no_pin_is_never_written_through(gs, installer, name):  # noqa: F811
    """A cloned project decides where its links point: `.go-version -> ~/.bashrc`."""
    victim = gs.root / "bashrc"
    victim.write_text("export GOROOT=/usr/lib/go\n# mine\n")
    (gs.project / name).symlink_to(victim)
    result = gs("use", "--file", name, "1.22.10")
    assert result.code == 1, result
    assert f"it is a symlink to {victim}, which does not already pin a Go version" in result.err
    assert "remove the link" in result.err
    assert victim.read_text() == "export GOROOT=/usr/lib/go\n# mine\n"


def test_dangling_symlink_creates_nothing(gs, installer):  # noqa: F811
    (gs.project / ".go-version").symlink_to(gs.root / "nowhere" / "pin")
    result = gs("use", "1.22.10")
    assert result.code == 1 and "which does not exist" in result.err, result
    assert not (gs.root / "nowhere").exists()


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_pin_path_that_is_not_a_file_is_refused_without_opening_it(gs, installer, kind):  # noqa: F811
    path = gs.project / ".go-version"
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    result = gs("use", "--file", ".go-version", "1.22.10")  # a pipe would block a read
    assert result.code == 1, result
    what = "a named pipe" if kind == "fifo" else "a directory"
    assert f"{path}: it is {what}, not a file (remove or rename it" in result.err


def test_system_pin(gs, installer):  # noqa: F811
    assert gs("use", "system").code == 0
    assert (gs.project / ".go-version").read_text() == "system\n"
    assert gs("current", "--json").out.count('"source": "system"') == 1
    assert installer == []


def test_bad_spec_is_a_usage_error_that_names_it(gs, installer):  # noqa: F811
    result = gs("use", "../../etc")
    assert result.code == 2
    assert result.err.startswith("goswitch: version '../../etc': not a Go version")
    assert not (gs.project / ".go-version").exists()


def test_global_sets_default_keeping_comments_and_refreshes_systemd(
    gs,  # noqa: F811
    installer,
    systemd_calls,
):
    gs.config.parent.mkdir(parents=True)
    gs.config.write_text("# my settings\nauto_install = true  # yes please\n")
    result = gs("use", "--global", "1.22")
    assert result.code == 0, result
    text = gs.config.read_text()
    assert text.startswith("# my settings\nauto_install = true  # yes please\n")
    assert 'default_version = "1.22"' in text
    assert systemd_calls == ["1.22"]  # called after the write, with fresh settings
    assert "goswitch: systemd: rewrote /fake/environment.d/60-goswitch.conf" in result.err
    assert not (gs.project / ".go-version").exists()
    other = gs.root / "elsewhere"
    other.mkdir()
    assert gs("current", cwd=other).out.splitlines()[-1] == "source   global default"


def test_global_without_systemd_module_still_works(gs, installer, monkeypatch):  # noqa: F811
    monkeypatch.setitem(sys.modules, "goswitch.systemd", None)  # import raises ImportError
    assert gs("use", "--global", "1.22.10").code == 0
    assert 'default_version = "1.22.10"' in gs.config.read_text()


def test_global_system_removes_the_default(gs, installer, systemd_calls):  # noqa: F811
    gs("use", "--global", "1.22.10")
    assert gs("use", "--global", "system").code == 0
    assert "default_version" not in gs.config.read_text()


def test_global_notes_a_pin_that_still_decides_here(gs, installer, systemd_calls):  # noqa: F811
    (gs.project / ".go-version").write_text("1.22.10\n")
    result = gs("use", "--global", "1.21.13")
    assert "still decides" in result.err


def test_override_in_the_environment_is_pointed_out(gs, installer):  # noqa: F811
    gs.setenv("GOSWITCH_GO_VERSION", "1.21.13")
    gs.go_tree("1.21.13")
    result = gs("use", "1.22.10")
    assert result.code == 0 and "GOSWITCH_GO_VERSION=1.21.13 overrides" in result.err


def test_global_and_file_together_is_a_usage_error(gs, installer):  # noqa: F811
    assert gs("use", "--global", "--file", ".go-version", "1.22").code == 2


def test_a_pin_older_than_go_mod_asks_for_is_flagged(gs, installer):  # noqa: F811
    """go.mod says go 1.22: pinning 1.21.13 would make every build fail (GOTOOLCHAIN=local)."""
    (gs.project / "go.mod").write_text("module m\n\ngo 1.22\n")
    gs.go_tree("1.21.13")
    result = gs("use", "1.21.13")
    assert result.code == 0, result
    assert f"{gs.project}/go.mod:3 asks for Go 1.22.0 or newer" in result.err
    assert "pin 1.22.0 or newer" in result.err
    gs.go_tree("1.22.10")
    assert "asks for Go" not in gs("use", "1.22.10").err


def test_a_newer_toolchain_line_alone_is_no_reason_to_warn(gs, installer):  # noqa: F811
    """`toolchain go1.22.10` is a preference: go 1.21.13 builds the module with
    GOTOOLCHAIN=local; only the go line is a minimum."""
    (gs.project / "go.mod").write_text("module m\ngo 1.21\ntoolchain go1.22.10\n")
    gs.go_tree("1.21.13")
    result = gs("use", "1.21.13")
    assert result.code == 0 and "asks for Go" not in result.err, result


def test_a_pin_line_with_a_form_feed_is_replaced_whole(gs, installer):  # noqa: F811
    """Lines end at \\n only, as the hook reads them: the \\f belongs to the bad line."""
    pin = gs.project / ".go-version"
    pin.write_bytes(b"# c\r\n\x0c1.21.13\r\n")
    assert "'\\x0c1.21.13' is not a Go version" in gs("current").err
    assert gs("use", "1.22.10").code == 0
    assert pin.read_bytes() == b"# c\r\n1.22.10\r\n"
