"""Hostile project files in real interactive bash, zsh and fish.

A file that cannot pin (too deep, too large, not a file, a reserved [env] name, ...)
is one bad pin: one message naming the file, the previous project's Go taken back,
nothing repeated at later prompts, and fixing the file is seen at the next prompt.
The fixture is test_hook_shells.py's ``world`` (real Go 1.21.13 and 1.22.10).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import test_hook_shells as hook_shells
from tests.support.shells import SHELLS
from tests.test_hook_shells import GOSWITCH, V1, V2, cd, goroot_of, prompt

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


@pytest.mark.parametrize("shell", SHELLS)
def test_a_broken_pin_fixed_is_seen_at_the_next_prompt(world, shell):
    """After an error the prompt still watches the project's directories and files, as it
    does after a success: a fix in place, by mv, or by deleting a broken file shows at
    once, not only at the next cd."""
    proj = world.old
    pin = proj / ".go-version"
    sess = world.start(shell)
    cd(sess, proj)
    pin.write_text("banana\n")
    out = prompt(sess)
    assert f"{pin}:1: 'banana' is not a Go version" in out, out
    assert "GOROOT" not in sess.env()
    pin.write_text(V1 + "\n")  # fixed in place
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    pin.write_text("banana\n")
    assert "banana" in prompt(sess)
    (proj / "new").write_text(V2 + "\n")
    (proj / "new").rename(pin)  # fixed by a rename over it
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    toml = proj / "goswitch.toml"
    toml.write_text("[go]\nverison = 1\n")  # a broken file that comes first
    assert f"{toml}:2: 'verison': unknown [go] key" in prompt(sess)
    assert "GOROOT" not in sess.env()
    toml.unlink()  # fixed by deleting it
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_bad_default_is_fixed_by_a_pin_created_here(world, shell):
    """A bad default_version where nothing pins: creating a pin file here is seen at the
    next prompt (the directories were watched through the error too)."""
    here = world.projects / "unpinned"
    here.mkdir()
    Path(world.env["GOSWITCH_CONFIG"]).write_text('default_version = "x.y"\n')
    sess = world.start(shell)  # says it once, at the first prompt
    cd(sess, here)
    assert "GOROOT" not in sess.env()
    (here / ".go-version").write_text(V1 + "\n")
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_trusted_env_value_too_large_to_export_is_refused(world, shell):
    """QA_L over 128 KiB exported makes every later command fail with E2BIG, the hook's
    own too, so leaving could not take it back.  Trusted before goswitch refused it."""
    from goswitch import trust

    proj = bad_toml(world, "huge-env", f'[go]\nversion = "{V2}"\n[env]\nSMALL = "1"\n'
                    f'QA_L = "{"x" * 140_000}"\n')
    trust.trust(world.env, str(proj / "goswitch.toml"))
    sess = world.start(shell)
    cd(sess, world.old)
    out = cd(sess, proj)
    assert f"{proj}/goswitch.toml:5: 'QA_L': QA_L=value is 140005 bytes" in out, out[:500]
    assert "Argument list too long" in out and len(out) < 1000
    env = sess.env()
    assert "QA_L" not in env and "SMALL" not in env and "GOROOT" not in env
    assert "goswitch" not in prompt(sess)
    assert f"go{V1}" in sess.run(f"cd {world.old} && go version")


HOSTILE = "/nonexistent $(touch CANARY)"


@pytest.mark.parametrize("shell", SHELLS)
def test_env_names_of_the_shell_or_the_hook_are_refused(world, shell):
    """Trusted, these ran code at every prompt (PS1's $(...)), broke the hook
    (__goswitch_python) or the shell (zsh's path is PATH, fish's function path)."""
    from goswitch import trust

    names = ["PROMPT_COMMAND", "PS1", "__goswitch_python", "__GOSWITCH_WATCH", "IFS",
             "path", "fpath", "RPROMPT", "status", "fish_function_path", "SHLVL"]
    sess = world.start(shell)
    for name in names:
        proj = bad_toml(world, f"env-{name}", f'[go]\nversion = "{V2}"\n[env]\n'
                        f'{name} = "{HOSTILE}"\n')
        trust.trust(world.env, str(proj / "goswitch.toml"))
        cd(sess, world.old)
        out = cd(sess, proj)
        assert f"{proj}/goswitch.toml:4: '{name}': " in out and "(remove it from [env])" in out, (
            name, out)
        assert "nonexistent" not in (sess.var(name) or ""), name
        assert "GOROOT" not in sess.env(), name
        assert "goswitch" not in prompt(sess)
    assert f"go{V1}" in sess.run(f"cd {world.old} && go version")  # the hook still works
    assert not list(world.tmp.rglob("CANARY")) and not list(world.home.rglob("CANARY"))


@pytest.mark.parametrize("shell", SHELLS)
def test_a_vertical_tab_in_a_pin_makes_it_invalid_and_shows_escaped(world, shell):
    """`1.21.13\\v1.22.10` read as 1.21.13 (str.splitlines broke the line at \\v)."""
    proj = world.projects / "vt"
    proj.mkdir()
    (proj / ".go-version").write_text(f"{V1}\v{V2}\n")
    sess = world.start(shell)
    out = cd(sess, proj)
    assert f"{proj}/.go-version:1: '{V1}\\x0b{V2}' is not a Go version" in out, out
    assert "GOROOT" not in sess.env()


@pytest.mark.parametrize("shell", SHELLS)
def test_a_long_go_mod_is_read_whole_and_a_too_large_one_is_said(world, shell):
    """goswitch read the first 1 MiB of a go.mod: a go line after it gave no Go, silently."""
    long_mod = world.projects / "long"
    long_mod.mkdir()
    requires = "".join(f"\texample.com/module{i:07d} v1.0.0\n" for i in range(60_000))
    (long_mod / "go.mod").write_text(f"module m\n\nrequire (\n{requires})\n\ngo 1.22\n")
    huge = world.projects / "huge"
    huge.mkdir()
    with open(huge / "go.mod", "wb") as f:
        f.write(b"module m\n\ngo 1.22\n")
        f.truncate((16 << 20) + 1)
    sess = world.start(shell)
    cd(sess, long_mod)
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    out = cd(sess, huge)
    assert f"{huge}/go.mod: it is larger than 16 MiB" in out, out
    assert "GOROOT" not in sess.env()


def replace_pin(pin, make) -> None:
    """Swap the pin file for something else (the directory's date changes: the prompt sees
    it)."""
    if pin.is_dir() and not pin.is_symlink():
        pin.rmdir()
    elif pin.exists() or pin.is_symlink():
        pin.unlink()
    make(pin)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_pin_that_is_not_a_file_is_a_bad_pin_said_once(world, shell):
    """A FIFO, a directory, a link to a device or to nothing was skipped without a word
    (the directory above then decided, or none); now it is named and Go is taken back."""
    proj = world.projects / "odd"
    proj.mkdir()
    pin = proj / ".go-version"
    pin.write_text(V2 + "\n")
    shared = world.tmp / "shared-pin"
    sess = world.start(shell)
    cd(sess, proj)
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    cases = [
        (os.mkfifo, "it is a named pipe, not a file (remove or rename it)"),
        (lambda p: p.symlink_to("/dev/zero"), "it is a symlink to /dev/zero, which is a device"),
        (lambda p: p.symlink_to("/dev/tty"), "it is a symlink to /dev/tty, which is a device"),
        (lambda p: p.symlink_to("/proc/self/fd/0"), "it is a symlink to /proc/self/fd/0, which"),
        (os.mkdir, "it is a directory, not a file"),
        (lambda p: p.symlink_to(p.name), "it is a symlink to .go-version, which cannot be follo"),
        (lambda p: p.symlink_to(shared), f"it is a symlink to {shared}, which does not exist"),
    ]
    for make, why in cases:
        replace_pin(pin, make)
        out = prompt(sess)
        assert out.count("goswitch") == 1 and f"{pin}: {why}" in out, (why, out)
        assert "GOROOT" not in sess.env(), why
        assert "goswitch" not in prompt(sess)
    shared.write_text(V1 + "\n")  # what the dangling link names, created: seen at once
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    out = sess.run(f"{GOSWITCH} current; {GOSWITCH} which go; {GOSWITCH} env >/dev/null; "
                   f"{GOSWITCH} exec -- go version")
    assert f"go{V1}" in out and "goswitch:" not in out, out
    replace_pin(pin, os.mkfifo)
    out = sess.run(f"{GOSWITCH} current")
    assert f"{pin}: it is a named pipe, not a file" in out and sess.status == 1, out


@pytest.mark.skipif(os.geteuid() == 0, reason="root searches any directory; run as a user")
@pytest.mark.parametrize("shell", SHELLS)
def test_a_pin_behind_a_directory_made_unsearchable_is_a_bad_pin(world, shell):
    """chmod 000 on a parent while the shell is below it: the pin there cannot be seen;
    silently taking what a directory further up pins (or none) was wrong."""
    deeper = world.new / "sub" / "deeper"
    config = Path(world.env["GOSWITCH_CONFIG"])
    sess = world.start(shell)
    cd(sess, deeper)
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    world.new.chmod(0)
    try:
        config.write_text("# changed: the next prompt evaluates again\n")
        out = prompt(sess)
        assert (f"{deeper}/goswitch.toml: cannot look at it: Permission denied (check the "
                "permissions of the directories above it)") in out, out
        assert "GOROOT" not in sess.env()
        assert "goswitch" not in prompt(sess)
        assert "cannot look at it" in sess.run(f"{GOSWITCH} current") and sess.status == 1
    finally:
        world.new.chmod(0o755)
    config.write_text("# changed again\n")
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
