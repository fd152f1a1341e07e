"""`goswitch current` and `goswitch which` (issue 5, point 2)."""

from __future__ import annotations

import json
import os

from tests.unit.test_cmd_common import gs  # noqa: F401 - fixture

# The documented, stable keys of `goswitch current --json` (docs/commands.md).
CURRENT_KEYS = {
    "version",
    "goroot",
    "source",
    "file",
    "line",
    "spec",
    "installed",
    "install_spec",
    "toolchain",
    "missing",
    "description",
    "env_file",
    "env_trusted",
}


def current_json(gs):  # noqa: F811
    result = gs("current", "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert set(data) == CURRENT_KEYS
    return data


def test_file_and_line_that_decided(gs):  # noqa: F811
    root = gs.go_tree("1.22.10")
    (gs.project / ".go-version").write_text("# pinned for the api\n\n1.22.10\n")
    sub = gs.project / "cmd" / "server"
    sub.mkdir(parents=True)
    result = gs("current", cwd=sub)
    assert result.out.splitlines() == [
        "version  1.22.10",
        f"goroot   {root}",
        f"source   {gs.project / '.go-version'}:3",
    ]
    gs._mp.chdir(sub)
    data = current_json(gs)
    assert data["source"] == "file" and data["line"] == 3 and data["installed"] is True
    assert data["file"] == str(gs.project / ".go-version") and data["goroot"] == str(root)


def test_prefix_shows_what_it_resolved_to(gs):  # noqa: F811
    gs.go_tree("1.22.3")
    gs.go_tree("1.22.10")
    (gs.project / "goswitch.toml").write_text('[go]\nversion = "1.22"\n')
    first = gs("current").out.splitlines()[0]
    assert first == "version  1.22.10  (from 1.22)"
    assert gs("current", "--short").out == "1.22.10\n"


def test_global_default(gs):  # noqa: F811
    gs.go_tree("1.21.13")
    gs.setenv("GOSWITCH_DEFAULT_VERSION", "1.21.13")
    data = current_json(gs)
    assert (data["source"], data["version"], data["file"]) == ("global", "1.21.13", None)
    assert data["description"] == "global default"
    assert gs("current").out.splitlines()[-1] == "source   global default"


def test_override(gs):  # noqa: F811
    gs.go_tree("1.21.13")
    (gs.project / ".go-version").write_text("1.22.10\n")
    gs.setenv("GOSWITCH_GO_VERSION", "1.21.13")
    data = current_json(gs)
    assert (data["source"], data["version"]) == ("override", "1.21.13")
    assert gs("current").out.splitlines()[-1] == "source   override ($GOSWITCH_GO_VERSION=1.21.13)"


def test_none(gs):  # noqa: F811
    result = gs("current")
    assert result.code == 0
    assert result.out.splitlines()[0] == "version  none"
    assert result.out.splitlines()[-1].startswith("source   none")
    data = current_json(gs)
    assert data["source"] == "none" and data["version"] is None and data["installed"] is False


def test_missing_version_is_reported_with_a_hint(gs):  # noqa: F811
    (gs.project / ".go-version").write_text("1.22.10\n")
    result = gs("current")
    assert result.out.splitlines()[0] == "version  1.22.10 (not installed)"
    assert "goswitch install 1.22.10" in result.err
    data = current_json(gs)
    assert data["missing"] is True and data["install_spec"] == "1.22.10"


def test_broken_pin_is_an_error_naming_file_and_line(gs):  # noqa: F811
    (gs.project / ".go-version").write_text("\n$(reboot)\n")
    result = gs("current")
    assert result.code == 1 and result.out == ""
    assert f"{gs.project / '.go-version'}:2" in result.err


def test_untrusted_env_gets_one_hint_and_the_version_applies(gs):  # noqa: F811
    gs.go_tree("1.22.10")
    toml = gs.project / "goswitch.toml"
    toml.write_text('[go]\nversion = "1.22.10"\n[env]\nGOFLAGS = "-mod=mod"\n')
    result = gs("current", "--short")
    assert result.out == "1.22.10\n"
    assert result.err.count("not trusted") == 1 and "goswitch trust" in result.err
    data = current_json(gs)
    assert data["env_file"] == str(toml) and data["env_trusted"] is False
    gs("trust")
    assert gs("current").err == ""
    assert current_json(gs)["env_trusted"] is True


# -- which -----------------------------------------------------------------------------


def test_which_go_gofmt_and_tools(gs):  # noqa: F811
    root = gs.go_tree("1.22.10")
    (gs.project / ".go-version").write_text("1.22.10\n")
    assert gs("which").out == f"{root}/bin/go\n"
    assert gs("which", "gofmt").out == f"{root}/bin/gofmt\n"
    assert gs("which", "vet").out == f"{root}/pkg/tool/linux_amd64/vet\n"


def test_which_finds_go_installed_tools_in_gobin(gs):  # noqa: F811
    gs.go_tree("1.22.10")
    (gs.project / ".go-version").write_text("1.22.10\n")
    gobin = gs.home / "go" / "bin"
    gobin.mkdir(parents=True)
    (gobin / "golangci-lint").write_text("#!/bin/sh\n")
    (gobin / "golangci-lint").chmod(0o755)
    assert gs("which", "golangci-lint").out == f"{gobin}/golangci-lint\n"
    gs.setenv("GOBIN", str(gs.root / "tools"))
    assert gs("which", "golangci-lint").code == 3


def test_which_errors(gs):  # noqa: F811
    (gs.project / ".go-version").write_text("1.22.10\n")
    result = gs("which", "go")
    assert result.code == 3 and "not installed" in result.err and result.out == ""
    assert "auto_install is off" not in result.err  # it is on; `which` just never installs
    gs.setenv("GOSWITCH_AUTO_INSTALL", "0")
    assert "auto_install is off" in gs("env").err
    gs.go_tree("1.22.10")
    result = gs("which", "nope")
    assert result.code == 3 and result.err.startswith("goswitch: nope: not found for Go 1.22.10")
    assert gs("which", "../bin/go").code == 2  # not a program name: a usage error
    assert gs("which", "").code == 2
    (gs.project / ".go-version").unlink()  # nothing pinned: still a usage error first
    assert gs("which", "../bin/go").code == 2


def test_which_does_not_install_or_mark(gs):  # noqa: F811
    from goswitch import paths

    gs.go_tree("1.22.10")
    (gs.project / ".go-version").write_text("1.22.10\n")
    gs("which")
    assert not os.path.exists(paths.usage_dir(os.environ))
