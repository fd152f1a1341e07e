"""The fast TOML subset reader agrees with tomllib, or defers to it."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goswitch import tomlread

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SAMPLES = [
    '[go]\nversion = "1.21.6"\n',
    '# c\n[go]\nversion = "1.21.6" # pinned\ntoolchain = \'local\'\n\n'
    '[env]\nGOFLAGS = "-mod=readonly"\n',
    'auto_install = false\nmirrors = ["https://a/", "file:///b"]\nindex_ttl = 60\n',
    '[go]\nversion = "a#b"\n',
    '[go]\nversion = "esc\\"aped"\n',
    '[go]\nversion = """multi"""\n',
    'a.b = 1\n',
    '[env]\nX = { y = 1 }\n',
    "[go]\r\nversion = '1.22'\r\n",
    '\ufeff[go]\nversion = "1.22"\n',
    'x = 1.5\n',
    'x = 2024-01-01\n',
    'x = [1, [2]]\n',
    'x = []\n',
    '[a]\n[a]\n',
    'x = 1\nx = 2\n',
    'x = "tab\there"\n',
    "x = 'it''s'\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_agrees_with_tomllib(text):
    try:
        want = tomllib.loads(text.lstrip("\ufeff"))
    except tomllib.TOMLDecodeError:
        with pytest.raises(tomlread.TomlError):
            tomlread.loads(text, "f.toml")
        return
    assert tomlread.loads(text, "f.toml") == want


def test_error_names_file_and_line():
    with pytest.raises(tomlread.TomlError) as err:
        tomlread.loads('[go]\nversion = "1.21\n', "/p/goswitch.toml")
    assert err.value.path == "/p/goswitch.toml"
    assert err.value.line == 2


keys = st.text("abcxyz_-", min_size=1, max_size=5)
values = st.one_of(st.booleans(), st.integers(-1000, 1000),
                   st.text(st.characters(blacklist_categories=("Cs",)), max_size=8))


@given(st.dictionaries(keys, values, max_size=5))
def test_generated_documents(data):
    import json

    lines = ["[t]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in data.items()]
    text = "\n".join(lines) + "\n"
    try:
        want = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    assert tomlread.loads(text) == want


@pytest.mark.parametrize("text, line", [
    ("[env]\nQA = " + "[" * 100_000 + "]" * 100_000 + "\n", 2),
    ('[go]\nversion = "1.22"\n\nx = ' + "{a=" * 5000 + "1" + "}" * 5000 + "\n", 4),
])
def test_nesting_too_deep_for_the_parser_is_a_toml_error(text, line):
    """tomllib recurses per level: a RecursionError would be an internal error in the
    hook and a traceback in the CLI."""
    with pytest.raises(tomlread.TomlError) as err:
        tomlread.loads(text, "/p/goswitch.toml")
    assert (err.value.path, err.value.line, err.value.why) == (
        "/p/goswitch.toml", line, "nested too deeply")
