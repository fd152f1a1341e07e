"""The state variable round-trips anything and refuses other formats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goswitch.hook.state import State, StateError, remove_entries

text = st.text(st.characters(blacklist_characters="\0"), max_size=12)


@given(st.lists(text.filter(bool), max_size=3),
       st.dictionaries(text.filter(bool), st.one_of(st.none(), text)))
def test_roundtrip(added, saved):
    state = State(added, saved)
    back = State.decode(state.encode())
    assert (back.path_added, back.saved) == (added, saved)


@pytest.mark.parametrize("raw", ["2\x1fwhatever", "1\x1fonly", "1\x1fa\x1fb\x1fc\x1fX\x1eweird",
                                 "1\x1f1.21.6\x1f/go\x1f/go/bin\x1fGOROOT\x1e-"])
def test_other_formats_refused(raw):
    with pytest.raises(StateError):
        State.decode(raw)


def test_remove_entries_keeps_user_additions():
    path = "/go/bin:/gobin:/mine:/usr/bin"
    assert remove_entries(path, ["/go/bin", "/gobin"]) == "/mine:/usr/bin"
    # The user added the same directory again: one copy (ours) goes, theirs stays.
    assert remove_entries("/go/bin:/usr/bin:/go/bin", ["/go/bin"]) == "/usr/bin:/go/bin"
    assert remove_entries("/usr/bin", ["/gone"]) == "/usr/bin"


def test_messages_reach_the_terminal_without_control_characters():
    from goswitch.hook.main import _bounded, _printable

    hostile = "dir\x1b[31m\x9b31m\x07\x7f\udcff é"
    shown = _printable(hostile)
    assert shown == "dir\\x1b[31m\\x9b31m\\x07\\x7f\\xff é"
    assert all(not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F) for c in shown)
    assert len(_bounded("x" * 10_000)) == 1000
