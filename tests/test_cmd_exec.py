"""`goswitch exec` and `goswitch env` as separate processes (issue 5, point 2).

Fast tests use FIXTURE TREES (`bin/go` is a sh script printing its version); the
@slow tests install the real Go archives from the loopback mirror and run real `go`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.unit.test_cmd_common import go_tree


@pytest.fixture
def xenv(isolated_env):
    store = Path(isolated_env["GOSWITCH_HOME"]) / "versions"
    isolated_env.trees = {v: go_tree(store, v) for v in ("1.22.10", "1.21.13")}
    project = isolated_env.root / "project"
    project.mkdir()
    (project / ".go-version").write_text("1.22.10\n")
    isolated_env.project = project
    return isolated_env


def gs(env, *args, **kw):
    kw.setdefault("cwd", env.project)
    return env.run(["goswitch", *args], **kw)


def test_exec_runs_the_pinned_go(xenv):
    result = gs(xenv, "exec", "--", "go", "version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "go version go1.22.10 linux/amd64\n"


def test_exec_with_spec_and_without_dashes(xenv):
    assert gs(xenv, "exec", "1.21", "--", "go", "version").stdout.startswith("go version go1.21.13")
    assert gs(xenv, "exec", "1.21", "go", "version").stdout.startswith("go version go1.21.13")
    assert gs(xenv, "exec", "go", "version").stdout.startswith("go version go1.22.10")


def test_exit_status_passes_through(xenv):
    for code in (0, 1, 3, 42, 255):
        assert gs(xenv, "exec", "--", "sh", "-c", f"exit {code}").returncode == code


def test_exec_replaces_the_process(xenv):
    """No wrapper stays around: signals and the pid belong to the command itself."""
    proc = subprocess.Popen(
        ["goswitch", "exec", "--", "sh", "-c", "echo $$; kill -TERM $$"],
        env=xenv,
        cwd=xenv.project,
        stdout=subprocess.PIPE,
        text=True,
    )
    out, _ = proc.communicate(timeout=60)
    assert int(out) == proc.pid
    assert proc.returncode == -15


def test_child_environment(xenv):
    probe = 'printf "%s\\n" "$GOROOT" "$GOTOOLCHAIN" "${GOSWITCH_GO_VERSION-unset}" "$PATH"'
    out = gs(xenv, "exec", "--", "sh", "-c", probe).stdout.splitlines()
    tree = xenv.trees["1.22.10"]
    assert out[0] == str(tree) and out[1] == "local" and out[2] == "unset"
    assert out[3].split(":")[0] == f"{tree}/bin"
    assert out[3].split(":")[1] == str(Path(xenv["HOME"]) / "go" / "bin")
    # With an explicit version, a nested shell with the hook keeps that version.
    out = gs(xenv, "exec", "1.21.13", "--", "sh", "-c", probe).stdout.splitlines()
    assert out[0] == str(xenv.trees["1.21.13"]) and out[2] == "1.21.13"


def test_arguments_reach_the_command_untouched(xenv):
    args = ["--help", "-x", "--", "$(touch pwned)", "a b", ""]
    result = gs(
        xenv,
        "exec",
        "--",
        "python3",
        "-c",
        "import sys,json;print(json.dumps(sys.argv[1:]))",
        *args,
    )
    assert json.loads(result.stdout) == args
    assert not (xenv.project / "pwned").exists()


def test_command_not_found_is_127(xenv):
    result = gs(xenv, "exec", "--", "no-such-command-xyz")
    assert result.returncode == 127
    assert result.stderr == "goswitch: no-such-command-xyz: command not found (check the name)\n"


def test_not_executable_is_126(xenv):
    script = xenv.project / "script.sh"
    script.write_text("#!/bin/sh\n")
    result = gs(xenv, "exec", "--", str(script))
    assert result.returncode == 126


def test_executable_without_a_shebang_runs_under_sh(xenv):
    """As execvp(3) and shells do: no #! line means a /bin/sh script."""
    script = xenv.project / "noshebang"
    script.write_text('echo "go is $GOROOT; args: $*"\n')
    script.chmod(0o755)
    result = gs(xenv, "exec", "--", str(script), "a b", "c")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("go is /") and result.stdout.endswith("args: a b c\n")


def test_nothing_pinned_is_3(xenv):
    other = xenv.root / "elsewhere"
    other.mkdir()
    result = gs(xenv, "exec", "--", "true", cwd=other)
    assert result.returncode == 3 and result.stdout == ""


def test_exec_hint_for_untrusted_env_goes_to_stderr_once(xenv):
    (xenv.project / "goswitch.toml").write_text('[go]\nversion = "1.22.10"\n[env]\nX = "1"\n')
    result = gs(xenv, "exec", "--", "sh", "-c", 'echo "${X-unset}"')
    assert result.stdout == "unset\n" and result.stderr.count("not trusted") == 1
    gs(xenv, "trust")
    assert gs(xenv, "exec", "--", "sh", "-c", 'echo "$X"').stdout == "1\n"


def test_exec_marks_use(xenv):
    gs(xenv, "exec", "--", "true")
    assert (Path(xenv["GOSWITCH_HOME"]) / "used" / "1.22.10").exists()


# -- env output evaluated by real shells ----------------------------------------------------

HOSTILE = {
    "Q1": 'it\'s "quoted" $(touch pwned) `touch pwned2` ${HOME}',
    "Q2": "line one\nline two\ttab \\ backslash",
    "Q3": "ünïcødé ✓ -- ; & | < > * ? [ ]",
}


@pytest.fixture
def hostile(xenv):
    lines = ["[go]", 'version = "1.22.10"', "[env]"]
    lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in HOSTILE.items()]
    (xenv.project / "goswitch.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert gs(xenv, "trust").returncode == 0
    return xenv


def _env0(text: str) -> dict:
    out = {}
    for item in text.split("\0"):
        if "=" in item:
            k, v = item.split("=", 1)
            out[k] = v
    return out


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_env_output_round_trips_in_real_shells(hostile, shell):
    code = gs(hostile, "env", "--shell", shell).stdout
    runner = {
        "bash": ["bash", "--norc", "-c"],
        "zsh": ["zsh", "-f", "-c"],
        "fish": ["fish", "--no-config", "-c"],
    }[shell]
    verb = 'eval "$code"' if shell != "fish" else "eval $code"
    if shell == "fish":
        script = f"set code (goswitch env --shell fish | string collect); {verb}; env -0"
    else:
        script = f"code=$(goswitch env --shell {shell}); {verb}; env -0"
    result = hostile.run([*runner[:-1], runner[-1], script], cwd=hostile.project)
    assert result.returncode == 0, result.stderr
    env = _env0(result.stdout)
    for k, v in HOSTILE.items():
        assert env[k] == v, (shell, k)
    tree = hostile.trees["1.22.10"]
    assert env["GOROOT"] == str(tree) and env["PATH"].split(":")[0] == f"{tree}/bin"
    assert not (hostile.project / "pwned").exists() and not (hostile.project / "pwned2").exists()
    assert code  # something was printed for the shell


def test_env_then_go_in_bash(xenv):
    script = 'eval "$(goswitch env 1.21)" && go version'
    result = xenv.run(["bash", "--norc", "-c", script], cwd=xenv.project)
    assert result.stdout == "go version go1.21.13 linux/amd64\n"


def test_goroot_with_awkward_characters(isolated_env):
    home = isolated_env.root / "it's a $dir"
    isolated_env["GOSWITCH_HOME"] = str(home)
    tree = go_tree(home / "versions", "1.22.10")
    script = 'eval "$(goswitch env 1.22.10)" && printf "%s\\n" "$GOROOT" && go version'
    result = isolated_env.run(["bash", "--norc", "-c", script])
    assert result.stdout.splitlines() == [str(tree), "go version go1.22.10 linux/amd64"]


# -- real Go toolchains from the loopback mirror (slow) -------------------------------------


def _installer_ready() -> bool:
    try:
        from goswitch.install import install  # noqa: F401
    except ImportError:
        return False
    return True


needs_installer = pytest.mark.skipif(not _installer_ready(), reason="installer not available")


@needs_installer
def test_use_installs_real_go_then_exec_and_env_run_it(isolated_env, mirror, go_archives):
    env = isolated_env.use_mirror(mirror)
    project = env.root / "proj"
    project.mkdir()
    result = env.run(["goswitch", "use", "1.22.10"], cwd=project, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (project / ".go-version").read_text() == "1.22.10\n"
    out = env.run(["goswitch", "exec", "--", "go", "version"], cwd=project)
    assert out.stdout.startswith("go version go1.22.10 ")
    out = env.run(["goswitch", "exec", "--", "go", "env", "GOROOT", "GOTOOLCHAIN"], cwd=project)
    goroot = str(Path(env["GOSWITCH_HOME"]) / "versions" / "1.22.10")
    assert out.stdout.splitlines() == [goroot, "local"]
    script = 'eval "$(goswitch env)" && gofmt -l . && go version'
    out = env.run(["bash", "--norc", "-c", script], cwd=project)
    assert out.returncode == 0 and out.stdout.strip().startswith("go version go1.22.10")
    which = env.run(["goswitch", "which", "vet"], cwd=project)
    assert which.returncode == 0 and os.access(which.stdout.strip(), os.X_OK)
    assert "/pkg/tool/" in which.stdout


@needs_installer
def test_exec_installs_a_missing_real_version(isolated_env, mirror, go_archives):
    env = isolated_env.use_mirror(mirror)
    out = env.run(["goswitch", "exec", "1.21.13", "--", "go", "version"], timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("go version go1.21.13 ")


def test_closed_stderr_still_runs_the_command(xenv):
    """`goswitch exec ... 2>&-`: Python leaves sys.stderr None; the command must still run,
    and its own stderr must not land in a file goswitch opened on fd 2."""
    done = xenv.run(["bash", "-c", 'goswitch exec -- sh -c "echo out; echo err >&2" 2>&-'],
                    cwd=xenv.project)
    assert done.returncode == 0 and done.stdout == "out\n", done


def test_a_reader_leaving_early_is_not_a_failure(xenv):
    """GitHub Actions runs bash with pipefail: `goswitch list | head -1` must not fail
    because head left first (the output is written in one go)."""
    script = ("set -o pipefail; for i in $(seq 20); do "
              "goswitch list | head -1 >/dev/null || { echo ${PIPESTATUS[*]}; exit 9; }; done")
    done = xenv.run(["bash", "-c", script], cwd=xenv.project)
    assert done.returncode == 0, done
    assert done.stderr == ""


def test_a_deleted_working_directory_goes_by_the_shells_pwd(xenv):
    """`mkdir d; cd d; rmdir ../d`: the pins above it still count, as for the hook."""
    script = ('mkdir gone && cd gone && rmdir ../gone && '
              'goswitch exec -- go version && goswitch list >/dev/null && goswitch current --short')
    done = xenv.run(["bash", "-c", script], cwd=xenv.project)
    assert done.returncode == 0, done
    assert done.stdout.startswith("go version go1.22.10") and done.stdout.endswith("1.22.10\n")
