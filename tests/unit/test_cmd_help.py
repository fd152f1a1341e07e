"""`--help` with examples for every command, and docs/commands.md covering them (point 8)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from goswitch import errors
from goswitch.cli.app import cli
from goswitch.settings import KEYS
from tests.unit.test_cmd_common import gs  # noqa: F401 - fixture

MINE = ["use", "current", "which", "exec", "env", "trust", "untrust", "prune", "config"]
CONFIG_SUBCOMMANDS = ["list", "get", "set", "unset", "path"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "commands.md"


def _command(path):
    ctx = click.Context(cli)
    cmd = cli.get_command(ctx, path[0])
    for name in path[1:]:
        cmd = cmd.get_command(ctx, name)
    return cmd


ALL = [[name] for name in MINE] + [["config", sub] for sub in CONFIG_SUBCOMMANDS]


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_help_has_examples_kept_verbatim(gs, path):  # noqa: F811
    result = gs(*path, "--help")
    assert result.code == 0 and result.err == ""
    assert "Examples:\n" in result.out
    examples = result.out.split("Examples:\n", 1)[1]
    first = examples.splitlines()[0]
    # click's \b kept the example lines as written (not re-wrapped into a paragraph)
    assert re.match(r"^ {4}(goswitch |eval |\$EDITOR )", first), first


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_every_example_is_a_valid_command_line(path):
    """Each example parses: right command, known options (catches stale help text)."""
    cmd = _command(path)
    doc = cmd.help or ""
    block = doc.split("Examples:", 1)[1]
    for line in block.splitlines():
        command_part = re.split(r"\s{2,}", line.strip())[0]  # comments sit 2+ spaces right
        words = shlex.split(command_part)
        if not words or words[0] != "goswitch":
            continue
        args = []
        for word in words[1:]:
            if word in ("|", ">"):
                break
            args.append(word)
        sub = cli.get_command(click.Context(cli), args[0])
        assert sub is not None, line
        sub.make_context(args[0], args[1:], resilient_parsing=False, parent=click.Context(cli))


def test_docs_cover_every_command_option_key_and_exit_code():
    text = DOCS.read_text()
    for name in MINE:
        assert f"## goswitch {name}" in text, name
        cmd = _command([name])
        params = list(cmd.params)
        if isinstance(cmd, click.Group):
            for sub in CONFIG_SUBCOMMANDS:
                assert f"goswitch config {sub}" in text
                params += cmd.get_command(click.Context(cli), sub).params
        for param in params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-"):
                    assert opt in text, f"{name}: {opt} is not documented"
    for key in KEYS:
        assert f"`{key.name}`" in text and f"`{key.env_var}`" in text, key.name
    codes = [v for k, v in vars(errors).items() if k.startswith("EXIT_")]
    for code in codes + [126, 127]:
        assert f"| {code} |" in text, code


def test_usage_errors_are_one_line_like_every_error(gs):  # noqa: F811
    """docs/commands.md, "Output": `goswitch: <what>: <why> (<what to do>)`, exit 2."""
    result = gs("prune", "--older-than", "abc")
    assert result.code == 2
    assert result.err == ("goswitch: prune: Invalid value for '--older-than': 'abc' is not a "
                          "valid integer range (see `goswitch prune --help`)\n")
    result = gs("no-such-command")
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith("goswitch: No such command 'no-such-command'")


@pytest.mark.parametrize("path", [[], ["config"], ["systemd"]], ids=lambda p: " ".join(p) or "-")
def test_a_group_alone_shows_its_help(gs, path):  # noqa: F811
    """click >= 8.2 reports a group without a subcommand as a usage error, which came
    out folded into one line (`\\x0a`) with exit 2; click 8.1 (Python 3.9) showed help."""
    result = gs(*path)
    assert result.code == 0 and result.err == "", result
    assert result.out.startswith(f"Usage: {' '.join(['goswitch', *path])} [OPTIONS] COMMAND")
    assert "\\x0a" not in result.out and "\nCommands:\n" in result.out
