"""Hostile values reach bash, zsh and fish byte for byte and never execute.

Property tests: hypothesis generates values full of quotes, ``$(...)``,
backticks, newlines, globs, non-ASCII and non-UTF-8 bytes; each is exported
through the shell adapter in a real shell, read back exactly, and a canary
file that any command substitution would create must never appear.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goswitch.shells import get_shell

SHELLS = ("bash", "zsh", "fish")

hostile_pieces = st.sampled_from(
    [
        "'",
        '"',
        "\\",
        "$",
        "`",
        "$(touch CANARY)",
        "`touch CANARY`",
        "; touch CANARY",
        "\n",
        "\r",
        "\t",
        "*",
        "?",
        "[a]",
        "{a,b}",
        "~",
        "!",
        "#",
        "%",
        "&",
        "|",
        "<",
        ">",
        "(",
        ")",
        " ",
        "é",
        "日本",
        "\U0001f600",
        "\x1b[31m",
        "\x7f",
        "\x01",
        "\udcff",
        "\udc80",
        "\udce9",
        "'\\''",
        "$'\\x41'",
        "\\x41",
        "\\X41",
        "$HOME",
        "${HOME}",
        "%s",
        "--",
        "-e",
    ]
)
values = (
    st.lists(st.one_of(hostile_pieces, st.text(max_size=4)), max_size=8)
    .map("".join)
    .filter(
        lambda v: (
            "\0" not in v
            and not any(0xD800 <= ord(c) <= 0xDFFF and not 0xDC80 <= ord(c) <= 0xDCFF for c in v)
        )
    )
)


def read_back(shell_name: str, value: str, tmp_path) -> bytes:
    shell = get_shell(shell_name)
    canary = tmp_path / "CANARY"
    code = shell.export("GS_VALUE", value) + shell.set_local("gs_local", value)
    script = tmp_path / "code"
    script.write_bytes(code.encode("utf-8", "surrogateescape"))
    out = tmp_path / "out"
    if shell_name == "fish":
        driver = f"source {script}; printf '%s' \"$GS_VALUE\" > {out}"
        argv = ["fish", "--no-config", "-c", driver]
    else:
        driver = f'eval "$(cat {script})"; printf "%s" "$GS_VALUE" > {out}'
        argv = [shell_name, "-f" if shell_name == "zsh" else "--norc", "-c", driver]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LC_ALL": "C.UTF-8"}
    subprocess.run(argv, cwd=tmp_path, env=env, check=True, timeout=20, stdin=subprocess.DEVNULL)
    assert not canary.exists(), f"{shell_name} executed part of {value!r}"
    return out.read_bytes()


@pytest.mark.parametrize("shell_name", SHELLS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=values)
def test_values_round_trip_and_never_run(shell_name, value, tmp_path):
    got = read_back(shell_name, value, tmp_path)
    want = value.encode("utf-8", "surrogateescape")
    if shell_name == "fish":
        # fish variables end at the first NUL only; everything else must be exact.
        assert got == want
    else:
        assert got == want


@pytest.mark.parametrize("shell_name", SHELLS)
def test_path_export_keeps_entries(shell_name, tmp_path):
    shell = get_shell(shell_name)
    value = "/a b/bin:/x'y/$(touch CANARY)/bin:/usr/bin:/bin"
    code = shell.export_path(value)
    script = tmp_path / "code"
    script.write_text(code)
    out = tmp_path / "out"
    if shell_name == "fish":
        argv = ["fish", "--no-config", "-c", f"source {script}; printf '%s' \"$PATH\" > {out}"]
        # fish shows PATH as a list; exported, it is joined with ':' again
        argv = [
            "fish",
            "--no-config",
            "-c",
            f"source {script}; /usr/bin/env | /usr/bin/grep '^PATH=' > {out}",
        ]
    else:
        argv = [shell_name, "-c", f'eval "$(cat {script})"; printf "PATH=%s\\n" "$PATH" > {out}']
    subprocess.run(
        argv,
        cwd=tmp_path,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=20,
    )
    assert out.read_text().strip() == "PATH=" + value
    assert not (tmp_path / "CANARY").exists()
