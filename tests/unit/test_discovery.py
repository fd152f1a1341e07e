"""Which file pins the version: order within a directory, nearest wins, strict values."""

from __future__ import annotations

import os

import pytest

from goswitch.discovery import discover
from goswitch.errors import PinError


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def test_order_within_a_directory(tmp_path):
    d = tmp_path / "p"
    write(str(d / "go.mod"), "module x\n\ngo 1.20\n")
    write(str(d / ".tool-versions"), "nodejs 20\ngolang 1.21.1\n")
    assert discover(str(d)).pin.value == "1.21.1"
    write(str(d / ".go-version"), "1.21.2\n")
    assert discover(str(d)).pin.value == "1.21.2"
    write(str(d / "goswitch.toml"), '[go]\nversion = "1.21.3"\n')
    pin = discover(str(d)).pin
    assert (pin.value, pin.file, pin.line) == ("1.21.3", str(d / "goswitch.toml"), 2)


def test_goswitch_toml_without_version_falls_through(tmp_path):
    write(str(tmp_path / "goswitch.toml"), '[go]\ntoolchain = "auto"\n[env]\nA = "1"\n')
    write(str(tmp_path / ".go-version"), "1.22.1\n")
    found = discover(str(tmp_path))
    assert found.pin.value == "1.22.1"
    assert found.toolchain == "auto"
    assert found.env == {"A": "1"}


def test_nearest_directory_wins(tmp_path):
    write(str(tmp_path / ".go-version"), "1.21.0\n")
    write(str(tmp_path / "a" / "b" / "go.mod"), "module m\ngo 1.22.3\n")
    os.makedirs(tmp_path / "a" / "b" / "c")
    found = discover(str(tmp_path / "a" / "b" / "c"))
    assert found.pin.kind == "minimum" and str(found.pin.minimum) == "1.22.3"
    assert str(tmp_path / "a" / "b") in found.watched
    assert discover(str(tmp_path / "a")).pin.value == "1.21.0"
    assert discover(str(tmp_path / "a" / "b"), use_go_mod=False).pin.value == "1.21.0"


def test_go_version_tolerates_bom_crlf_comments_prefix(tmp_path):
    with open(tmp_path / ".go-version", "wb") as f:
        f.write(b"\xef\xbb\xbf# pinned\r\n\r\n  go1.21.6  \r\n")
    pin = discover(str(tmp_path)).pin
    assert (str(pin.spec.version), pin.line) == ("1.21.6", 3)


@pytest.mark.parametrize("text,kind,value", [
    ("module m\n\ngo 1.21\n", "minimum", "1.21.0"),
    ("module m\n\ngo 1.20\n", "minimum", "1.20"),
    ("module m\ngo 1.21.3\ntoolchain go1.22.10\n", "exact", "1.22.10"),
    # go never runs a toolchain older than the go line
    ("module m\ngo 1.22.3\ntoolchain go1.22.1\n", "minimum", "1.22.3"),
    ("module m // c\ngo 1.22rc1 // pre\n", "minimum", "1.22rc1"),
    ("module m\ngo 1.21.0\ntoolchain default\n", "minimum", "1.21.0"),
])
def test_go_mod(tmp_path, text, kind, value):
    write(str(tmp_path / "go.mod"), text)
    pin = discover(str(tmp_path)).pin
    assert pin.kind == kind
    assert str(pin.minimum if kind == "minimum" else pin.spec.version) == value


def test_go_work_decides_for_the_modules_below_it(tmp_path):
    """The go command takes its toolchain from the go.work in workspace mode."""
    ws = tmp_path / "ws"
    write(str(ws / "go.work"), "go 1.22.3\n\nuse ./mod1\n")
    write(str(ws / "mod1" / "go.mod"), "module m\n\ngo 1.21\n")
    found = discover(str(ws / "mod1"))
    assert (found.pin.file, found.pin.line, str(found.pin.minimum)) == (
        str(ws / "go.work"), 1, "1.22.3")
    assert str(ws / "go.work") in found.watched and str(ws) in found.watched
    # The workspace root itself (no go.mod there).
    assert str(discover(str(ws)).pin.minimum) == "1.22.3"
    # A go.work toolchain line is exact, as in go.mod.
    write(str(ws / "go.work"), "go 1.22.3\ntoolchain go1.22.10\nuse ./mod1\n")
    assert str(discover(str(ws / "mod1")).pin.spec.version) == "1.22.10"
    # GOWORK=off: no workspace, the module decides; read_go_mod off covers go.work too.
    assert str(discover(str(ws / "mod1"), gowork="off").pin.minimum) == "1.21.0"
    assert discover(str(ws / "mod1"), use_go_mod=False).pin is None
    assert discover(str(ws), use_go_mod=False).pin is None


def test_go_work_behind_its_module_is_not_used_to_go_older(tmp_path):
    write(str(tmp_path / "go.work"), "go 1.21\nuse ./m\n")
    write(str(tmp_path / "m" / "go.mod"), "module m\ngo 1.22.3\n")
    pin = discover(str(tmp_path / "m")).pin
    assert (pin.file, str(pin.minimum)) == (str(tmp_path / "m" / "go.mod"), "1.22.3")


def test_gowork_variable_names_the_workspace_file(tmp_path):
    write(str(tmp_path / "elsewhere" / "my.work"), "go 1.23.1\n")
    write(str(tmp_path / "go.work"), "go 1.22.0\n")  # not the one: $GOWORK wins
    write(str(tmp_path / "m" / "go.mod"), "module m\ngo 1.21\n")
    found = discover(str(tmp_path / "m"), gowork=str(tmp_path / "elsewhere" / "my.work"))
    assert str(found.pin.minimum) == "1.23.1"
    assert str(tmp_path / "elsewhere" / "my.work") in found.watched
    # Missing or relative: the go command would fail; goswitch goes by the module.
    assert str(discover(str(tmp_path / "m"), gowork="rel.work").pin.minimum) == "1.21.0"
    # The go command uses $GOWORK from any directory, in a module or not.
    (tmp_path / "elsewhere" / "notes").mkdir()
    found = discover(str(tmp_path / "elsewhere" / "notes"),
                     gowork=str(tmp_path / "elsewhere" / "my.work"))
    assert str(found.pin.minimum) == "1.23.1"
    assert str(tmp_path / "elsewhere") in found.watched  # the file moved away shows there


@pytest.mark.parametrize("name,text,line", [
    (".go-version", "# c\n1.21.x\n", 2),
    (".go-version", "$(touch /tmp/pwned)\n", 1),
    (".go-version", "1.21.6 extra\n", 1),
    (".tool-versions", "golang ref:master\n", 1),
    (".tool-versions", "golang ../../etc\n", 1),
    ("goswitch.toml", '[go]\nversion = "latest; rm"\n', 2),
    ("goswitch.toml", '[go]\nversion = 1\n', 2),
    ("goswitch.toml", '[go\nversion = "1"\n', 1),
    ("goswitch.toml", '[env]\nPATH = "/evil"\n', 2),
    ("go.mod", "module m\ngo banana\n", 2),
])
def test_bad_files_name_file_line_value(tmp_path, name, text, line):
    write(str(tmp_path / name), text)
    with pytest.raises(PinError) as err:
        discover(str(tmp_path))
    assert err.value.path == str(tmp_path / name)
    assert err.value.line == line
    assert str(tmp_path / name) in err.value.message


@pytest.mark.parametrize("text, message", [
    ('[go]\nversion = "1.2x"\n', "2: '1.2x' is not a Go version: "),
    ('[go\nversion = "1"\n', "1: invalid TOML: "),
    ('go = 5\n', "1: go must be a table (write [go] and version = \"1.22\")"),
    ('[go]\ntoolchain = "newest"\n', "2: 'newest': not a [go] toolchain (write toolchain = "),
    ('[go]\ntoolchain = true\n', "2: 'true': not a [go] toolchain"),  # TOML's spelling
    ('[go]\nversion = 1.21\n', "2: '1.21': [go] version must be a string (quote it: version"),
    ('[env]\n"BAD NAME" = "x"\n', "2: 'BAD NAME': not a variable name"),
    # The line of the key in its own table, not the first `version =` anywhere.
    ('[env]\nversion = "x"\n[go]\nversion = "bad"\n', "4: 'bad' is not a Go version"),
    ('go.version = "bad"\n', "1: 'bad' is not a Go version"),
    # goswitch's own file: what it does not know is said, not skipped.
    ('[go]\nverison = "1.22"\n', "2: 'verison': unknown [go] key (did you mean [go] version?)"),
    ('version = "1.22"\n', "1: 'version': unknown key (put it under [go]"),
    ('[tool]\nx = 1\n', "1: 'tool': unknown key (the file holds only [go], [env])"),
    ('[env]\nPATH = "/evil"\n', "2: 'PATH': goswitch manages this variable itself (remove it"),
    ('[env]\nA = [1]\n', "2: 'A': [env] values are strings (write A = \"text\")"),
    ('[env]\nGOSWITCH_GO_VERSION = "1.21"\n', "2: 'GOSWITCH_GO_VERSION': goswitch manages this"),
    ('[env]\n"BAD NAME" = "x"\n', "'BAD NAME': not a variable name (use letters, digits"),
])
def test_goswitch_toml_problems_say_what_is_wrong(tmp_path, text, message):
    write(str(tmp_path / "goswitch.toml"), text)
    with pytest.raises(PinError) as err:
        discover(str(tmp_path))
    assert err.value.message.startswith(f"{tmp_path}/goswitch.toml")
    assert message in err.value.message
    assert ("is not a Go version" in err.value.message) == ("is not a Go version" in message)


def test_non_utf8(tmp_path):
    with open(tmp_path / ".go-version", "wb") as f:
        f.write(b"1.21.\xff\n")
    with pytest.raises(PinError, match="not UTF-8"):
        discover(str(tmp_path))


def _make_fifo(path):
    os.mkfifo(path)


def _make_socket(path):
    import socket

    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()


@pytest.mark.parametrize("make, why", [
    (_make_fifo, "it is a named pipe, not a file (remove or rename it)"),
    (os.mkdir, "it is a directory, not a file (remove or rename it)"),
    (_make_socket, "it is a socket, not a file"),
    (lambda p: os.symlink("/dev/zero", p), "it is a symlink to /dev/zero, which is a device, no"),
    (lambda p: os.symlink("/dev/stdin", p), "it is a symlink to /dev/stdin, which is a"),
    (lambda p: os.symlink("/dev/tty", p), "it is a symlink to /dev/tty, which is a device, not"),
    (lambda p: os.symlink("/proc/self/fd/0", p), "it is a symlink to /proc/self/fd/0, which is"),
    (lambda p: os.symlink("nowhere/pin", p), "it is a symlink to nowhere/pin, which does not exi"),
    (lambda p: os.symlink(p.name, p), "it is a symlink to .go-version, which cannot be followed"),
])
def test_a_pin_that_is_not_a_file_is_said_never_opened(tmp_path, make, why):
    """Skipped silently before; a pipe or a device must never be opened (the prompt would
    hang, or read /dev/zero for ever)."""
    write(str(tmp_path / ".go-version"), "1.21.0\n")  # the parent's pin must not win
    (tmp_path / "p").mkdir()
    make(tmp_path / "p" / ".go-version")
    with pytest.raises(PinError) as err:
        discover(str(tmp_path / "p"))
    assert err.value.message.startswith(f"{tmp_path}/p/.go-version: {why}"), err.value.message
    assert str(tmp_path / "p") in err.value.watched  # replaced: the directory changes


def test_a_dangling_symlink_is_watched_for_the_file_it_names(tmp_path):
    (tmp_path / ".go-version").symlink_to(tmp_path / "shared")
    with pytest.raises(PinError) as err:
        discover(str(tmp_path))
    assert str(tmp_path / ".go-version") in err.value.watched
    (tmp_path / "shared").write_text("1.22.1\n")
    assert discover(str(tmp_path)).pin.value == "1.22.1"


def test_a_pin_behind_a_directory_that_cannot_be_searched(tmp_path):
    """chmod 000 on a parent while the shell is below it: the pins there cannot be seen,
    which is said, rather than taking the pin of a directory further up."""
    if os.geteuid() == 0:
        pytest.skip("root searches any directory")
    write(str(tmp_path / ".go-version"), "1.21.0\n")
    os.makedirs(tmp_path / "p" / "sub")
    write(str(tmp_path / "p" / ".go-version"), "1.22.1\n")
    os.chmod(tmp_path / "p", 0)
    try:
        with pytest.raises(PinError) as err:
            discover(str(tmp_path / "p" / "sub"))
    finally:
        os.chmod(tmp_path / "p", 0o755)
    assert err.value.message == (
        f"{tmp_path}/p/sub/goswitch.toml: cannot look at it: Permission denied "
        "(check the permissions of the directories above it)")


def test_system_keeps_shell_go(tmp_path):
    write(str(tmp_path / ".go-version"), "system\n")
    assert discover(str(tmp_path)).pin.kind == "system"


def test_nothing_found_watches_all_ancestors(tmp_path):
    d = tmp_path / "x" / "y"
    os.makedirs(d)
    found = discover(str(d))
    assert found.pin is None
    assert found.watched[0] == str(d) and found.watched[-1] == "/"


def test_an_error_carries_what_was_looked_at(tmp_path):
    """The hook watches these after an error too, so a fixed file shows at the next prompt."""
    write(str(tmp_path / ".go-version"), "banana\n")
    os.makedirs(tmp_path / "a" / "b")
    with pytest.raises(PinError) as err:
        discover(str(tmp_path / "a" / "b"))
    watched = err.value.watched
    assert watched[:2] == [str(tmp_path / "a" / "b"), str(tmp_path / "a")]
    assert str(tmp_path) in watched and str(tmp_path / ".go-version") in watched


def test_env_sizes_stay_far_below_what_the_kernel_refuses(tmp_path):
    """One NAME=value over 128 KiB, or too much in all, and no program starts any more."""
    from goswitch.discovery import MAX_ENV_ENTRY, MAX_ENV_TOTAL

    fits = "x" * (MAX_ENV_ENTRY - len("A="))
    write(str(tmp_path / "goswitch.toml"), f'[env]\nA = "{fits}"\n')
    assert discover(str(tmp_path)).env == {"A": fits}
    write(str(tmp_path / "goswitch.toml"), f'[env]\nA = "{fits}é"\n')  # bytes, not chars
    with pytest.raises(PinError, match=r"toml:2: 'A': A=value is 65538 bytes; goswitch allo"):
        discover(str(tmp_path))
    entries = "".join(f'A{i} = "{"x" * 60_000}"\n' for i in range(5))
    write(str(tmp_path / "goswitch.toml"), "[env]\n" + entries)
    with pytest.raises(PinError) as err:
        discover(str(tmp_path))
    assert err.value.line == 6 and f"goswitch allows {MAX_ENV_TOTAL} in all" in err.value.why


@pytest.mark.parametrize("name", [
    "PATH", "GOROOT", "GOTOOLCHAIN", "GOSWITCH_HOME", "__GOSWITCH_STATE",
    "__goswitch_python", "__goswitch_watch", "_goswitch_hook", "__GoSwitch_x",
    "PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS4", "PROMPT", "RPROMPT", "TMOUT",
    "chpwd_functions", "precmd_functions",
    "PWD", "OLDPWD", "UID", "EUID", "PPID", "SHLVL", "BASHOPTS", "SHELLOPTS", "BASH_ENV",
    "BASH_XTRACEFD", "IFS", "RANDOM", "SECONDS", "LINENO", "EPOCHREALTIME", "EPOCHSECONDS",
    "SRANDOM", "HISTCMD",
    "path", "fpath", "cdpath", "manpath", "status", "pipestatus", "argv", "options",
    # zsh's prompt is PS1; FPATH, CDPATH, ... are tied to the arrays (leaving emptied them)
    "prompt", "FPATH", "CDPATH", "MODULE_PATH", "MAILPATH", "PSVAR",
    "fish_function_path", "fish_user_paths", "version", "FISH_VERSION", "hostname",
    "history", "umask", "_", "CMD_DURATION", "fish_pid", "last_pid", "COLUMNS", "LINES",
])
def test_env_names_of_goswitch_the_shell_or_its_prompt_are_refused(tmp_path, name):
    write(str(tmp_path / "goswitch.toml"), f'[go]\nversion = "1.22.1"\n[env]\n{name} = "x"\n')
    with pytest.raises(PinError) as err:
        discover(str(tmp_path))
    assert err.value.line == 4 and err.value.fix == "remove it from [env]", err.value.message


@pytest.mark.parametrize("name", ["HOME", "LD_PRELOAD", "GOFLAGS", "http_proxy", "CGO_ENABLED",
                                  "PATHS", "Status", "goswitch_notes", "MANPATH", "BASHFUL"])
def test_other_env_names_are_the_projects_to_set(tmp_path, name):
    write(str(tmp_path / "goswitch.toml"), f'[env]\n{name} = "x"\n')
    assert discover(str(tmp_path)).env == {name: "x"}


@pytest.mark.parametrize("name, text, line, shown", [
    (".go-version", "1.21.13\v1.22.10\n", 1, r"'1.21.13\x0b1.22.10'"),
    (".go-version", "\f1.21.13\n", 1, r"'\x0c1.21.13'"),
    (".go-version", "# note\x85more\n1.21.x\n", 2, "'1.21.x'"),
    (".go-version", "1.21.13\u20281.22.10\n", 1, r"'1.21.13\u20281.22.10'"),
    (".go-version", "1.21.13\r1.22.10\r\n", 1, r"'1.21.13\r1.22.10'"),
    (".tool-versions", "nodejs 20\x1c\ngolang\x1e1.21.13\ngolang 1.2x\n", 3, "'1.2x'"),
    (".tool-versions", "golang 1.21.13\x1d\n", 1, r"'1.21.13\x1d'"),
    ("go.mod", "module m\u2029\n\ngo 1.21\v\n", 3, r"'1.21\x0b'"),
])
def test_lines_end_at_newline_only(tmp_path, name, text, line, shown):
    """str.splitlines() also broke lines at \\v, \\f, \\x1c-\\x1e, \\x85, U+2028/9: such a
    character accepted a value it cut off, and shifted the line numbers after it."""
    write(str(tmp_path / name), text)
    with pytest.raises(PinError) as err:
        discover(str(tmp_path))
    assert err.value.line == line and f":{line}: {shown}" in err.value.message, err.value.message


def test_a_long_bad_value_is_shown_by_both_ends(tmp_path):
    write(str(tmp_path / ".go-version"), "1.21.13" + " " * 100_000 + "x\n")
    with pytest.raises(PinError) as err:
        discover(str(tmp_path))
    shown = f"'1.21.13{' ' * 33}...{' ' * 19}x'"
    assert f"{shown} is not a Go version: one version" in err.value.message


def test_a_go_line_after_the_first_mib_of_go_mod_is_found(tmp_path):
    """The go command reads all of a go.mod; goswitch read its first 1 MiB only."""
    requires = "".join(f"\texample.com/module{i:07d} v1.0.0\n" for i in range(60_000))
    write(str(tmp_path / "go.mod"), f"module m\n\nrequire (\n{requires})\n\ngo 1.22.3\n")
    assert (tmp_path / "go.mod").stat().st_size > 1 << 20
    pin = discover(str(tmp_path)).pin
    assert (str(pin.minimum), pin.line) == ("1.22.3", 60_006)


@pytest.mark.parametrize("name, size, limit", [
    ("go.mod", (16 << 20) + 1, "16 MiB"),
    (".go-version", (1 << 20) + 1, "1 MiB"),
    ("goswitch.toml", (1 << 20) + 1, "1 MiB"),
])
def test_a_file_larger_than_what_is_read_is_an_error(tmp_path, name, size, limit):
    """Not a pin silently missing from the part read; said before reading any of it."""
    path = tmp_path / name
    with open(path, "wb") as f:
        f.truncate(size)  # sparse: the size is what counts, nothing is read
    with pytest.raises(PinError) as err:
        discover(str(tmp_path))
    assert err.value.message.startswith(f"{path}: it is larger than {limit}, as much as")
    assert str(path) in err.value.watched  # shortened in place: seen at the next prompt


def test_read_bytes_reads_a_large_file_whole_and_stops_at_the_limit(tmp_path):
    from goswitch import fs

    data = bytes(range(256)) * (12 * 1024)  # 3 MiB
    (tmp_path / "f").write_bytes(data)
    assert fs.read_bytes(str(tmp_path / "f"), 16 << 20) == data
    assert fs.read_bytes(str(tmp_path / "f"), 100_001) == data[:100_001]
    assert fs.read_bytes(str(tmp_path / "f"), 10) == data[:10]
