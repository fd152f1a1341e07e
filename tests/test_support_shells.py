"""The shell-session helpers drive real bash, zsh and fish the way goswitch's hooks need."""

from __future__ import annotations

import shutil

import pytest

from tests.support.shells import ShellError, clean_output

SHELLS = ["bash", "zsh", "fish"]

# A prompt hook in each shell, installed the way goswitch installs its own: it counts its
# runs in an EXPORTED variable, using builtins only (so an idle prompt starts no process).
HOOKS = {
    "bash": (
        "set -u\n"
        "export HOOK_RUNS=0\n"
        "_t_hook() { local st=$?; HOOK_RUNS=$((HOOK_RUNS+1)); HOOK_PWD=$PWD; return $st; }\n"
        'PROMPT_COMMAND="_t_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"\n'
    ),
    "zsh": (
        "export HOOK_RUNS=0\n"
        "_t_hook() { HOOK_RUNS=$((HOOK_RUNS+1)); HOOK_PWD=$PWD }\n"
        "autoload -Uz add-zsh-hook\n"
        "add-zsh-hook precmd _t_hook\n"
    ),
    "fish": (
        "set -gx HOOK_RUNS 0\n"
        "function _t_hook --on-event fish_prompt\n"
        "    set -gx HOOK_RUNS (math $HOOK_RUNS + 1)\n"
        "    set -g HOOK_PWD $PWD\n"
        "end\n"
    ),
}

EXPORT_NEWLINE = {
    "bash": "export MULTI=$'first line\\nsecond line'",
    "zsh": "export MULTI=$'first line\\nsecond line'",
    "fish": "set -gx MULTI 'first line'\\n'second line'",
}


@pytest.mark.parametrize("shell", SHELLS)
def test_hooks_run_at_every_prompt_and_env_reads_back(shell_session, tmp_path, shell):
    (tmp_path / "proj").mkdir()
    sh = shell_session(shell, rc=HOOKS[shell])
    # env() snapshots the state left by the last prompt's hooks: here the first prompt's.
    assert sh.env()["HOOK_RUNS"] == "1"
    sh.run("cd proj")
    assert sh.var("HOOK_PWD") == str(tmp_path / "proj")
    sh.run("")  # an empty line is a prompt too
    env = sh.env()
    assert env["HOOK_RUNS"] == "5"  # +1 after env(), cd, var(), the empty line
    assert env["PWD"] == str(tmp_path / "proj")
    assert env["HOME"] == sh.env_in["HOME"]
    sh.run(EXPORT_NEWLINE[shell])
    assert sh.env()["MULTI"] == "first line\nsecond line"
    assert sh.var("MULTI") == "first line\nsecond line"
    assert sh.var("HOOK_PWD") is not None and "HOOK_PWD" not in sh.env()  # not exported
    assert sh.var("NO_SUCH_VARIABLE") is None


@pytest.mark.parametrize("shell", SHELLS)
def test_output_and_status(shell_session, shell):
    sh = shell_session(shell, rc=HOOKS[shell])
    assert sh.run("echo out; echo err >&2") == "out\nerr\n"
    assert sh.status == 0
    sh.run("false")
    assert sh.status == 1
    sh.env()  # reading state keeps the last command's status and output
    assert sh.status == 1
    assert sh.run("printf 'no newline'") == "no newline"
    assert sh.run("echo 'a long line " + "x" * 500 + "'") == "a long line " + "x" * 500 + "\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_hook_output_is_part_of_the_step(shell_session, shell):
    rc = {
        "bash": 'PROMPT_COMMAND="echo hook-says-hi >&2"\n',
        "zsh": "precmd() { echo hook-says-hi >&2 }\n",
        "fish": "function _h --on-event fish_prompt; echo hook-says-hi >&2; end\n",
    }[shell]
    sh = shell_session(shell, rc=rc)
    assert sh.run("echo cmd") == "cmd\nhook-says-hi\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_nested_shell(shell_session, shell):
    sh = shell_session(shell, rc=HOOKS[shell])
    sh.run("set -gx OUTER 1" if shell == "fish" else "export OUTER=1")
    outer_pid = sh.pid
    with sh.nested():
        assert sh.depth == 1 and sh.pid != outer_pid
        env = sh.env()
        assert env["OUTER"] == "1"
        # The nested shell read the same rc (HOOK_RUNS restarts at 0) and its own hook ran at
        # its first prompt.
        assert env["HOOK_RUNS"] == "1"
        assert int(env["SHLVL"]) >= 2
    assert sh.depth == 0 and sh.pid == outer_pid
    assert sh.run("echo back") == "back\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_idle_prompt_starts_no_process(shell_session, tmp_path, shell):
    log = tmp_path / "strace.log"
    sh = shell_session(shell, rc=HOOKS[shell], strace_to=log)
    sh.mark("a")
    for _ in range(3):
        sh.run("")
    sh.mark("b")
    assert sh.execs_between("a", "b") == []
    # Positive control: a command that runs a program is counted.
    sh.mark("c")
    sh.run("/bin/sh -c :")
    sh.mark("d")
    execs = sh.execs_between("c", "d")
    assert len(execs) == 1 and '"/bin/sh"' in execs[0]


def test_strace_sees_a_hook_that_forks(shell_session, tmp_path):
    rc = 'PROMPT_COMMAND="/bin/true hook-process"\n'
    sh = shell_session("bash", rc=rc, strace_to=tmp_path / "s.log")
    sh.mark("a")
    sh.run("")
    sh.mark("b")
    assert [ln for ln in sh.execs_between("a", "b") if "hook-process" in ln] != []


def test_bash_rc_with_set_u(shell_session):
    sh = shell_session("bash", rc="set -u\n")
    assert sh.run("echo ${UNSET_THING:-ok}") == "ok\n"
    sh.run("echo $UNSET_THING")
    assert sh.status != 0 and "unbound variable" in sh.output
    assert sh.var("UNSET_THING") is None
    assert "PATH" in sh.env()


def test_source_text_runs_multiline_in_the_current_shell(shell_session):
    sh = shell_session("zsh")
    sh.source_text("x=1\nif [[ $x == 1 ]]; then\n  export FROM_SCRIPT=yes\nfi\n")
    assert sh.env()["FROM_SCRIPT"] == "yes"
    with pytest.raises(ValueError):
        sh.run("echo a\necho b")


def test_incomplete_input_is_an_error_not_a_hang(shell_session):
    sh = shell_session("bash", timeout=5)
    with pytest.raises(ShellError, match="incomplete"):
        sh.run("echo 'unterminated")
    assert sh.run("echo fine") == "fine\n"


def test_environment_is_isolated(shell_session, isolated_env):
    sh = shell_session("fish")
    env = sh.env()
    assert env["HOME"] == str(isolated_env.home)
    assert env["GOSWITCH_HOME"] == isolated_env["GOSWITCH_HOME"]
    assert "GOROOT" not in env and "VIRTUAL_ENV" not in env
    assert env["GOSWITCH_MIRRORS"].startswith("http://127.0.0.1:")


def test_clean_output():
    assert clean_output("a\r\r\nb\x1b[?2004h\r\n") == "a\nb\n"
    assert clean_output("50%\r100%\n") == "100%\n"


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace missing")
def test_mark_requires_strace(shell_session):
    sh = shell_session("bash")
    with pytest.raises(ShellError):
        sh.mark("x")
