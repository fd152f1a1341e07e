"""`goswitch env` formats and `exec` argument handling (issue 5, point 2)."""

from __future__ import annotations

import json
import os

import pytest

from goswitch import envexport, paths
from goswitch.cli.commands.exec_ import split
from goswitch.errors import GoswitchError
from goswitch.store import Installed
from goswitch.versions import GoVersion
from tests.unit.test_cmd_common import gs  # noqa: F401 - fixture


@pytest.fixture
def pinned(gs):  # noqa: F811
    root = gs.go_tree("1.22.10")
    (gs.project / ".go-version").write_text("1.22.10\n")
    return root


def env_json(gs, *args):  # noqa: F811
    result = gs("env", "--shell", "json", *args)
    assert result.code == 0, result
    return json.loads(result.out)


def test_json_format(gs, pinned):  # noqa: F811
    data = env_json(gs)
    assert set(data) == {"version", "goroot", "set", "path", "unset"}
    gobin = str(gs.home / "go" / "bin")
    assert data["version"] == "1.22.10" and data["goroot"] == str(pinned)
    assert data["path"] == [f"{pinned}/bin", gobin]
    assert data["set"]["GOROOT"] == str(pinned)
    assert data["set"]["GOTOOLCHAIN"] == "local"
    assert data["set"]["PATH"] == f"{pinned}/bin:{gobin}:/usr/local/bin:/usr/bin:/bin"
    assert gs("env", "--json").out == gs("env", "-s", "json").out


def test_path_drops_other_goswitch_go_trees(gs, pinned):  # noqa: F811
    other = gs.go_tree("1.21.13")
    gs.setenv("PATH", f"{other}/bin:/usr/bin:{pinned}/bin")
    path = env_json(gs)["set"]["PATH"].split(":")
    assert path == [f"{pinned}/bin", str(gs.home / "go" / "bin"), "/usr/bin"]


def test_spec_argument_and_toolchain_from_project(gs, pinned):  # noqa: F811
    other = gs.go_tree("1.21.13")
    (gs.project / "goswitch.toml").write_text('[go]\nversion = "1.22.10"\ntoolchain = "auto"\n')
    data = env_json(gs, "1.21")
    assert data["goroot"] == str(other) and data["set"]["GOTOOLCHAIN"] == "auto"


def test_toolchain_inherit_leaves_gotoolchain_alone(gs, pinned):  # noqa: F811
    gs.setenv("GOSWITCH_TOOLCHAIN", "inherit")
    assert "GOTOOLCHAIN" not in env_json(gs)["set"]


def test_trusted_env_applies_untrusted_does_not(gs, pinned):  # noqa: F811
    (gs.project / "goswitch.toml").write_text('[go]\nversion = "1.22.10"\n[env]\nGOFLAGS = "-x"\n')
    result = gs("env", "--json")
    assert "GOFLAGS" not in json.loads(result.out)["set"]
    assert result.err.count("not trusted") == 1
    gs("trust")
    assert env_json(gs)["set"]["GOFLAGS"] == "-x"


def test_bash_and_fish_formats_use_the_shell_adapters(gs, pinned):  # noqa: F811
    bash = gs("env").out
    assert f"export GOROOT='{pinned}';\n" in bash and "export PATH=" in bash
    assert gs("env", "-s", "zsh").out == bash
    fish = gs("env", "-s", "fish").out
    assert f"set -gx GOROOT '{pinned}';\n" in fish
    assert f"set -gx PATH '{pinned}/bin' " in fish


def test_dotenv_quoting():
    # Bare where every reader agrees (docker --env-file keeps quotes as part of the value).
    path = "/usr/local/go:/home/josé/go/bin"
    assert envexport.dotenv_value(path) == path
    assert envexport.dotenv_value("local") == "local"
    assert envexport.dotenv_value("") == "''"
    assert envexport.dotenv_value("a b") == "'a b'"
    assert envexport.dotenv_value("x#y") == "'x#y'"
    assert envexport.dotenv_value("bad\udcff") == "'bad\udcff'"
    assert envexport.dotenv_value("plain $HOME") == "'plain $HOME'"
    assert envexport.dotenv_value("it's") == '"it\'s"'
    assert envexport.dotenv_value('a\n"b"\\') == '"a\\n\\"b\\"\\\\"'


def test_dotenv_format(gs, pinned):  # noqa: F811
    lines = gs("env", "-s", "dotenv").out.splitlines()
    assert lines[0] == f"GOROOT={pinned}"
    assert [line.split("=", 1)[0] for line in lines] == ["GOROOT", "GOTOOLCHAIN", "PATH"]


def test_github_appends_env_and_path_files(gs, pinned):  # noqa: F811
    (gs.project / "goswitch.toml").write_text(
        '[go]\nversion = "1.22.10"\n[env]\nNOTE = """line one\nline two"""\nGOFLAGS = "-x"\n'
    )
    gs("trust")
    env_file, path_file = gs.root / "github_env", gs.root / "github_path"
    env_file.write_text("EARLIER=1\n")
    gs.setenv("GITHUB_ENV", str(env_file))
    gs.setenv("GITHUB_PATH", str(path_file))
    result = gs("env", "--shell", "github")
    assert result.code == 0, result
    assert result.out == ""  # everything went to the files
    text = env_file.read_text()
    assert text.startswith("EARLIER=1\n")  # appended, not replaced
    assert f"GOROOT={pinned}\n" in text and "GOTOOLCHAIN=local\n" in text
    assert "GOFLAGS=-x\n" in text and "PATH=" not in text
    # The multi-line value uses the heredoc form with a delimiter absent from the value.
    start = text.index("NOTE<<")
    delimiter = text[start + len("NOTE<<") :].split("\n", 1)[0]
    assert delimiter.startswith("ghadelimiter_")
    assert f"NOTE<<{delimiter}\nline one\nline two\n{delimiter}\n" in text
    # Each GITHUB_PATH line is prepended in turn: GOROOT/bin last, so it ends up first.
    assert path_file.read_text() == f"{gs.home / 'go' / 'bin'}\n{pinned}/bin\n"


def test_github_ends_an_unterminated_last_line_first(gs, pinned):  # noqa: F811
    env_file, path_file = gs.root / "github_env", gs.root / "github_path"
    env_file.write_text("EARLIER=1")  # an earlier step ran `echo -n EARLIER=1 >> $GITHUB_ENV`
    path_file.write_text("/opt/tool/bin")
    gs.setenv("GITHUB_ENV", str(env_file))
    gs.setenv("GITHUB_PATH", str(path_file))
    assert gs("env", "--shell", "github").code == 0
    assert env_file.read_text().startswith(f"EARLIER=1\nGOROOT={pinned}\n")
    assert path_file.read_text().startswith("/opt/tool/bin\n")


def test_github_outside_actions_is_a_clear_error(gs, pinned):  # noqa: F811
    result = gs("env", "--shell", "github")
    assert result.code == 1
    assert "$GITHUB_ENV is not set" in result.err and "--shell dotenv" in result.err


def test_github_delimiter_collision_is_refused():
    with pytest.raises(GoswitchError):
        envexport.github_env_entry("X", "a\nEOF\n", delimiter="EOF")


def test_env_installs_missing_when_auto_install(gs, monkeypatch):  # noqa: F811
    asked = []

    def install(spec, settings, environ, **kw):
        asked.append(spec)
        return Installed(GoVersion.parse("1.23.4"), str(gs.go_tree("1.23.4")), True)

    monkeypatch.setattr(envexport, "install", install)
    (gs.project / ".go-version").write_text("1.23.4\n")
    assert env_json(gs)["version"] == "1.23.4" and asked == ["1.23.4"]
    assert os.path.exists(os.path.join(paths.usage_dir(os.environ), "1.23.4"))  # marked


def test_a_version_named_on_the_command_line_is_said_to_come_from_there(gs):  # noqa: F811
    gs.setenv("GOSWITCH_AUTO_INSTALL", "0")
    result = gs("env", "1.23.4")
    assert result.code == 3
    assert "not installed (asked for by the command line) and auto_install is off" in result.err


def test_env_with_auto_install_off_says_how_to_install(gs):  # noqa: F811
    (gs.project / ".go-version").write_text("1.23.4\n")
    gs.setenv("GOSWITCH_AUTO_INSTALL", "0")
    result = gs("env")
    assert result.code == 3 and "goswitch install 1.23.4" in result.err and result.out == ""


def test_env_with_nothing_pinned_fails_instead_of_printing_nothing(gs):  # noqa: F811
    result = gs("env")
    assert result.code == 3 and result.out == ""


def test_env_refuses_system_pin(gs):  # noqa: F811
    (gs.project / ".go-version").write_text("system\n")
    assert gs("env").code == 3


def test_the_override_may_say_system_too(gs, pinned):  # noqa: F811
    """GOSWITCH_GO_VERSION=system: this shell keeps its own Go, whatever the files pin."""
    gs.setenv("GOSWITCH_GO_VERSION", "system")
    current = gs("current")
    assert current.code == 0, current
    assert "version  none" in current.out
    assert "system ($GOSWITCH_GO_VERSION: the shell keeps its own Go)" in current.out
    result = gs("env")
    assert result.code == 3 and "$GOSWITCH_GO_VERSION: pins `system`" in result.err
    gs.setenv("GOSWITCH_GO_VERSION", "sytem")
    assert "or system" in gs("current").err


# -- exec argument handling (the process part is in tests/test_cmd_exec.py) ----------------


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ([], ["go", "version"], (None, ["go", "version"])),
        (["1.22"], ["go", "version"], ("1.22", ["go", "version"])),
        (["1.22"], [], ("1.22", [])),
        (["go", "version"], None, (None, ["go", "version"])),
        (["1.22", "go", "version"], None, ("1.22", ["go", "version"])),
        (["1.22"], None, ("1.22", [])),
        (["make", "--", "x"], None, (None, ["make", "--", "x"])),
    ],
)
def test_exec_split(before, after, expected):
    assert split(before, after) == expected


def test_exec_two_words_before_dashes_is_a_usage_error():
    with pytest.raises(GoswitchError) as info:
        split(["1.22", "1.21"], ["go"])
    assert info.value.exit_code == 2


def test_explicit_spec_ignores_a_broken_pin_here(gs):  # noqa: F811
    gs.go_tree("1.21.13")
    (gs.project / ".go-version").write_text("not-a-version\n")
    assert gs("env").code == 1
    assert env_json(gs, "1.21.13")["version"] == "1.21.13"


def test_spec_exports_the_override_without_spec_not(gs, pinned):  # noqa: F811
    assert "GOSWITCH_GO_VERSION" not in env_json(gs)["set"]
    assert env_json(gs, "1.22")["set"]["GOSWITCH_GO_VERSION"] == "1.22.10"


HOSTILE = ["it's", "a\nb", "$(touch CANARY)", "`touch CANARY`", "*", "tab\there", "\\", "é",
           "''", "x'\\''y", "!", "-n"]


@pytest.mark.parametrize("shell", ["dash", "bash", "zsh"])
def test_default_output_evals_in_posix_sh_bash_and_zsh(gs, pinned, shell, tmp_path):  # noqa: F811
    """`eval "$(goswitch env)"` in a Dockerfile RUN (dash) as well as in bash and zsh."""
    import shutil
    import subprocess

    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed")
    values = {f"V{i}": v for i, v in enumerate(HOSTILE)}
    table = "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
    (gs.project / "goswitch.toml").write_text(f'[go]\nversion = "1.22.10"\n[env]\n{table}')
    gs("trust")
    out = gs("env").out
    script = out + "".join(f'printf "%s\\0" "${k}"\n' for k in values) + 'printf "%s" "$GOROOT"'
    done = subprocess.run([shell, "-c", 'eval "$1"', "sh", script], cwd=tmp_path,
                          capture_output=True)
    assert done.returncode == 0, done.stderr
    *got, goroot = done.stdout.decode().split("\0")
    assert got == list(values.values()) and goroot == str(pinned)
    assert not (tmp_path / "CANARY").exists()


def test_a_non_utf8_value_comes_out_as_its_bytes(gs, pinned):  # noqa: F811
    import subprocess
    import sys

    weird = gs.root / os.fsdecode(b"bin\xff")
    weird.mkdir()
    gs.setenv("PATH", f"{weird}:/usr/bin:/bin")
    done = subprocess.run([sys.executable, "-m", "goswitch", "env"], capture_output=True,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert b"bin\xff:/usr/bin:/bin'" in done.stdout


def test_a_trusted_gobin_or_gopath_is_what_goes_on_path(gs, pinned):  # noqa: F811
    """`go install` writes to the exported GOBIN (or GOPATH/bin): PATH and `which` follow it."""
    tools = gs.root / "tools"
    (tools / "bin").mkdir(parents=True)
    tool = tools / "bin" / "mytool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    for table, entry in ((f'GOBIN = "{tools}/bin"', f"{tools}/bin"),
                         (f'GOPATH = "{tools}"', f"{tools}/bin")):
        (gs.project / "goswitch.toml").write_text(f'[go]\nversion = "1.22.10"\n[env]\n{table}\n')
        assert gs("trust").code == 0
        data = env_json(gs)
        assert data["path"] == [f"{pinned}/bin", entry]
        assert gs("which", "mytool").out.strip() == str(tool)


def test_a_relative_gobin_puts_nothing_on_path(gs, pinned):  # noqa: F811
    gs.setenv("GOBIN", "relbin")
    assert env_json(gs)["path"] == [f"{pinned}/bin"]
    gs.setenv("GOBIN", f"{pinned}/bin/")  # the same directory, written with a slash
    assert env_json(gs)["path"] == [f"{pinned}/bin"]
