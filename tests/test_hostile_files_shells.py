"""Hostile project files in real interactive bash, zsh and fish.

A file that cannot pin (too deep, too large, not a file, a reserved [env] name, ...)
is one bad pin: one message naming the file, the previous project's Go taken back,
nothing repeated at later prompts, and fixing the file is seen at the next prompt.
The fixture is test_hook_shells.py's ``world`` (real Go 1.21.13 and 1.22.10).
"""

from __future__ import annotations

import pytest

from tests import test_hook_shells as hook_shells
from tests.support.shells import SHELLS
from tests.test_hook_shells import V1, V2, cd, goroot_of, prompt

pytestmark = pytest.mark.shells
# The fixtures of test_hook_shells.py, for the tests here.
go_store, world = hook_shells.go_store, hook_shells.world


def bad_toml(world, name: str, text: str):
    proj = world.projects / name
    proj.mkdir()
    (proj / "goswitch.toml").write_text(text)
    return proj


@pytest.mark.parametrize("shell", SHELLS)
def test_toml_nested_too_deeply_is_a_bad_file_not_an_internal_error(world, shell):
    arrays = bad_toml(world, "arrays", f'[go]\nversion = "{V2}"\n[env]\n'
                      f'QA = {"[" * 100_000}{"]" * 100_000}\n')
    tables = bad_toml(world, "tables", f'[go]\nversion = "{V2}"\n[env]\n'
                      f'QA = {"{a=" * 5000}1{"}" * 5000}\n')
    sess = world.start(shell)
    for proj in (arrays, tables):
        cd(sess, world.old)
        assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
        out = cd(sess, proj)
        assert f"{proj}/goswitch.toml:4: invalid TOML: nested too deeply" in out, out
        assert "internal error" not in out and "Recursion" not in out, out
        env = sess.env()  # the previous project's Go is taken back
        assert "GOROOT" not in env and "__GOSWITCH_STATE" not in env
        assert "goswitch" not in prompt(sess)
