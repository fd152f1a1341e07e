"""environment.d syntax and goswitch-owned files, checked against systemd's real generator.

The oracle is ``30-systemd-environment-d-generator`` itself: we write a file,
run the generator with a temp ``XDG_CONFIG_HOME`` and a PATH we choose, and
read its output -- shell assignments -- with a real ``/bin/sh``, so the tests
trust neither goswitch's writer nor its parser.
"""

from __future__ import annotations

import os
import stat
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goswitch.systemd import envfile, owned

GENERATOR = "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator"
needs_generator = pytest.mark.skipif(
    not os.access(GENERATOR, os.X_OK), reason="systemd's environment.d generator is not installed"
)


def run_generator(config_home, home, path: str | None = "/usr/bin:/bin") -> dict[str, str]:
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(config_home)}
    if path is not None:
        env["PATH"] = path
    out = subprocess.run(
        [GENERATOR], env=env, capture_output=True, check=True, timeout=30
    ).stdout.decode("utf-8")
    return shell_read(out)


def shell_read(assignments: str) -> dict[str, str]:
    """Evaluate the generator's ``NAME=value`` lines in a real sh and read the values back."""
    names = [line.partition("=")[0] for line in assignments.split("\n") if "=" in line]
    script = assignments + "\nprintf '%s\\0' " + " ".join(f'"${{{n}}}"' for n in names)
    out = subprocess.run(
        ["/bin/sh", "-c", script], env={}, capture_output=True, check=True, timeout=30
    ).stdout.decode("utf-8")
    return dict(zip(names, out.split("\0")[:-1]))


def write_conf(config_home, text: str, name: str = "60-goswitch.conf"):
    d = config_home / "environment.d"
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")


NASTY = [
    "plain",
    "with space",
    "  leading and trailing  ",
    "dollar $HOME and ${HOME} and $$ and $",
    "${PATH:+x}${PATH:-y}",
    "back\\slash \\n \\$ \\\\ end\\",
    "double \"quotes\" and 'single'",
    "back`tick`",
    "#not a comment",
    "equals=sign;semi|pipe&amp<>",
    "percent %h %% {braces}",
    "non-ASCII: é ü ß ✓ 日本語 🐹",
    " ",
]


@needs_generator
def test_quoted_values_reach_the_generator_intact(tmp_path):
    body = "".join(f"V{i}={envfile.quote(v)}\n" for i, v in enumerate(NASTY))
    write_conf(tmp_path, body)
    got = run_generator(tmp_path, tmp_path)
    for i, value in enumerate(NASTY):
        assert got[f"V{i}"] == value, f"V{i}"


_SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=24
)


@needs_generator
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(_SAFE_TEXT, min_size=1, max_size=8))
def test_any_printable_text_round_trips(tmp_path, values):
    write_conf(tmp_path, "".join(f"V{i}={envfile.quote(v)}\n" for i, v in enumerate(values)))
    got = run_generator(tmp_path, tmp_path)
    assert [got[f"V{i}"] for i in range(len(values))] == values


@needs_generator
@pytest.mark.parametrize("mode", ["prepend", "append"])
def test_path_value_keeps_the_session_path_in_order(tmp_path, mode):
    entries = ["/opt/go root/bin", "/home/u/$go/bin"]
    write_conf(tmp_path, f"PATH={envfile.path_value(entries, mode)}\n")
    got = run_generator(tmp_path, tmp_path, path="/usr/local/bin:/usr/bin:/bin")
    session = ["/usr/local/bin", "/usr/bin", "/bin"]
    expected = entries + session if mode == "prepend" else session + entries
    assert got["PATH"].split(":") == expected


@needs_generator
@pytest.mark.parametrize("mode", ["prepend", "append"])
def test_path_value_with_no_session_path_adds_no_empty_entry(tmp_path, mode):
    write_conf(tmp_path, f"PATH={envfile.path_value(['/go/bin'], mode)}\n")
    got = run_generator(tmp_path, tmp_path, path=None)
    assert got["PATH"] == "/go/bin"  # no trailing ':' = no current directory on PATH


@needs_generator
def test_empty_values_are_refused_because_systemd_drops_them(tmp_path):
    write_conf(tmp_path, 'EMPTY=""\nSET=x\n')
    got = run_generator(tmp_path, tmp_path)
    assert "EMPTY" not in got and got["SET"] == "x"  # "invalid syntax, ignoring"
    with pytest.raises(envfile.UnsafeValue):
        envfile.check_value("GOPATH", "")


@pytest.mark.parametrize(
    "value, path_entry, why",
    [
        ("/a\nb", False, "control character"),
        ("/a\tb", False, "control character"),
        ("/bad\udcff", False, "UTF-8"),
        ("/a:b", True, "':'"),
        ("relative/bin", True, "absolute"),
    ],
)
def test_values_environment_d_cannot_hold_are_refused(value, path_entry, why):
    with pytest.raises(envfile.UnsafeValue) as err:
        envfile.check_value("GOROOT", value, path_entry=path_entry)
    assert why in err.value.message


def test_output_parser_reads_generator_and_systemctl_quoting():
    text = (
        'A=plain\nB="a b\\\\c\\"d\\$e\\`f"\nC=$\'tab\\there \\\'q\\\' \\\\ \\x41\'\nD="é ✓"\nE=\n'
    )
    assert envfile.parse_assignments(text) == {
        "A": "plain",
        "B": 'a b\\c"d$e`f',
        "C": "tab\there 'q' \\ A",
        "D": "é ✓",
        "E": "",
    }


def test_compose_and_strip_match_what_the_file_expands_to():
    assert envfile.compose_path(["/g/bin"], "/usr/bin", "prepend") == "/g/bin:/usr/bin"
    assert envfile.compose_path(["/g/bin"], "/usr/bin", "append") == "/usr/bin:/g/bin"
    assert envfile.compose_path(["/g/bin"], "", "append") == "/g/bin"


# -- owned files ------------------------------------------------------------------------


def test_stamp_detects_any_edit(tmp_path):
    path = tmp_path / "f.conf"
    text = owned.stamp(["# header"], {"version": "1.22.10"}, "A=1\n")
    path.write_text(text)
    insp = owned.inspect(str(path))
    assert insp.state == owned.OURS and insp.meta == {"version": "1.22.10"}
    for edited in (
        text + "B=2\n",
        text.replace("# header", "# header!"),
        text.replace("A=1", "A=2"),
        text.replace("1.22.10", "1.22.11"),
    ):
        path.write_text(edited)
        assert owned.inspect(str(path)).state == owned.EDITED
    path.write_text("A=1\n")
    assert owned.inspect(str(path)).state == owned.FOREIGN
    assert owned.inspect(str(tmp_path / "nope")).state == owned.ABSENT


def test_atomic_write_is_0644_whatever_the_umask_and_leaves_no_temp(tmp_path):
    path = tmp_path / "environment.d" / "60-goswitch.conf"
    old_umask = os.umask(0o077)
    try:
        owned.atomic_write(str(path), "A=1\n")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert os.listdir(path.parent) == ["60-goswitch.conf"]


def test_atomic_write_replaces_by_rename(tmp_path):
    path = tmp_path / "60-goswitch.conf"
    owned.atomic_write(str(path), "A=1\n")
    with open(path) as reader:  # opened before the rewrite: sees the old file whole
        inode = os.fstat(reader.fileno()).st_ino
        owned.atomic_write(str(path), "A=2\n")
        assert reader.read() == "A=1\n"
    assert path.read_text() == "A=2\n"
    assert path.stat().st_ino != inode


def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "60-goswitch.conf"
    owned.atomic_write(str(path), "A=1\n")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        owned.atomic_write(str(path), "A=2\n")
    assert path.read_text() == "A=1\n"
    assert os.listdir(tmp_path) == ["60-goswitch.conf"]


def test_missing_and_remove_dirs(tmp_path):
    target = tmp_path / "a" / "b" / "c"
    made = owned.missing_dirs(str(target))
    assert made == [str(tmp_path / "a"), str(tmp_path / "a" / "b"), str(target)]
    target.mkdir(parents=True)
    (tmp_path / "a" / "keep").write_text("user file")
    owned.remove_dirs(made)
    assert not (tmp_path / "a" / "b").exists()
    assert (tmp_path / "a" / "keep").exists()  # not empty: left alone


def test_atomic_write_into_an_unwritable_directory_names_the_file_not_the_temp(
    tmp_path, monkeypatch
):
    """`goswitch use --global` with a read-only config directory: the message must name
    config.toml, not `.config.toml.1234.tmp`."""
    from goswitch.atomic import write_atomic

    real_open = os.open

    def denied(path, *args, **kw):  # what a 0500 directory does (root would not feel it)
        if str(path).endswith(".tmp"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kw)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(PermissionError) as err:
        write_atomic(str(tmp_path / "config.toml"), b"x")
    assert err.value.filename == str(tmp_path / "config.toml")
