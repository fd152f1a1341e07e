"""Completions (issue 5, point 7): generated from the click app, checked in, fresh, and
working when loaded by REAL bash, zsh and fish.

The version candidates come from the store (FIXTURE TREES: `bin/go` is a tiny sh script)
and from the installer's cached index (`$GOSWITCH_CACHE_DIR/index.json`, go.dev format).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from goswitch.cli import completion
from tests.unit.test_cmd_common import go_tree

ROOT = Path(__file__).resolve().parents[1]
COMPLETIONS = ROOT / "completions"
BASH = COMPLETIONS / "goswitch.bash"
ZSH = COMPLETIONS / "_goswitch"
FISH = COMPLETIONS / "goswitch.fish"

INDEX = [
    {"version": "go1.24rc1", "stable": False, "files": []},
    {"version": "go1.23.4", "stable": True, "files": []},
    {"version": "go1.22.10", "stable": True, "files": []},
    {"version": "go1.22.9", "stable": True, "files": []},
    {"version": "go1.21.13", "stable": True, "files": []},
]


def test_checked_in_scripts_are_fresh():
    assert completion.stale(str(COMPLETIONS)) == [], "run scripts/gen-completions"
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen-completions"), "--check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_staleness_is_detected(tmp_path):
    completion.write_all(str(tmp_path))
    assert completion.stale(str(tmp_path)) == []
    (tmp_path / "goswitch.fish").write_text("# edited by hand\n")
    assert completion.stale(str(tmp_path)) == [str(tmp_path / "goswitch.fish")]
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen-completions"), "--check", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 1 and "stale" in check.stderr


@pytest.fixture
def cenv(isolated_env):
    """isolated_env + installed 1.22.3 and 1.21.13 + a cached index; cwd = a project."""
    store = Path(isolated_env["GOSWITCH_HOME"]) / "versions"
    go_tree(store, "1.22.3")
    go_tree(store, "1.21.13")
    cache = Path(isolated_env["GOSWITCH_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    # The installer's cache document (goswitch/install/index.py): the go.dev list in "index".
    doc = {"format": 1, "url": isolated_env["GOSWITCH_INDEX_URL"], "fetched": 0, "index": INDEX}
    (cache / "index.json").write_text(json.dumps(doc))
    project = isolated_env.root / "project"
    project.mkdir()
    (project / ".go-version").write_text("1.22.3\n")
    isolated_env.project = project
    return isolated_env


def _run(env, argv, **kw):
    result = env.run(argv, cwd=env.project, **kw)
    assert result.returncode == 0, result.stderr
    return result.stdout


# -- bash ----------------------------------------------------------------------------------


def bash_complete(env, *words: str) -> list[str]:
    """Load the script in a real bash, call the registered function as readline would."""
    script = f"""
source {BASH}
spec=$(complete -p goswitch) || exit 9
func=${{spec##*-F }}; func=${{func%% *}}
COMP_WORDS=({" ".join(_q(w) for w in words)})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}
COMPREPLY=()
compopt() {{ local IFS=' '; printf '<compopt %s>\\n' "$*"; }}  # readline applies it after we return
"$func" goswitch "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    return [line for line in _run(env, ["bash", "--norc", "-c", script]).splitlines() if line]


def _q(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def test_bash_registers_the_completion(cenv):
    out = _run(cenv, ["bash", "--norc", "-c", f"source {BASH}; complete -p goswitch"])
    assert out.strip() == "complete -o nosort -F _goswitch_completion goswitch"


def test_bash_commands_options_and_choices(cenv):
    assert bash_complete(cenv, "goswitch", "con") == ["config"]
    assert bash_complete(cenv, "goswitch", "unt") == ["untrust"]
    assert bash_complete(cenv, "goswitch", "env", "--shell", "") == [
        "sh",
        "bash",
        "zsh",
        "fish",
        "json",
        "dotenv",
        "github",
    ]
    assert bash_complete(cenv, "goswitch", "use", "--ex") == ["--exact"]
    assert bash_complete(cenv, "goswitch", "config", "set", "toolchain", "") == [
        "local",
        "auto",
        "inherit",
    ]
    assert "systemd.path" in bash_complete(cenv, "goswitch", "config", "get", "sys")


def test_bash_versions_installed_first_then_cached_index(cenv):
    assert bash_complete(cenv, "goswitch", "use", "1.2") == [
        "1.22.3",
        "1.21.13",
        "1.23.4",
        "1.22.10",
        "1.22.9",
    ]
    assert bash_complete(cenv, "goswitch", "use", "1.22.1") == ["1.22.10"]
    assert bash_complete(cenv, "goswitch", "exec", "1.21") == ["1.21.13"]
    assert bash_complete(cenv, "goswitch", "env", "go1.23") == ["1.23.4"]
    # pre-releases only when asked for
    assert bash_complete(cenv, "goswitch", "use", "1.24") == []
    assert bash_complete(cenv, "goswitch", "use", "1.24r") == ["1.24rc1"]
    # uninstall: only installed versions, each once
    assert bash_complete(cenv, "goswitch", "uninstall", "") == ["1.22.3", "1.21.13"]
    assert bash_complete(cenv, "goswitch", "uninstall", "1.22.3", "") == ["1.21.13"]


def test_bash_exec_completes_a_version_then_files(cenv):
    (cenv.project / "run-me.sh").write_text("")
    assert bash_complete(cenv, "goswitch", "exec", "1.21") == ["1.21.13"]
    # after `--` it is the command's turn: bash's own filename completion (compopt -o default)
    assert bash_complete(cenv, "goswitch", "exec", "--", "run-") == ["<compopt -o default>"]
    assert bash_complete(cenv, "goswitch", "exec", "1.22", "--", "ru") == ["<compopt -o default>"]


def test_bash_without_index_falls_back_to_installed(cenv):
    (Path(cenv["GOSWITCH_CACHE_DIR"]) / "index.json").write_text("{not json")
    assert bash_complete(cenv, "goswitch", "use", "1.2") == ["1.22.3", "1.21.13"]
    (Path(cenv["GOSWITCH_CACHE_DIR"]) / "index.json").unlink()
    assert bash_complete(cenv, "goswitch", "use", "") == ["1.22.3", "1.21.13", "latest"]


def test_versions_from_the_index_the_real_installer_cached(isolated_env, synthetic_mirror):
    env = isolated_env.use_mirror(synthetic_mirror)
    listed = env.run(["goswitch", "list-remote"])  # fetches and caches the index
    assert listed.returncode == 0, listed.stderr
    env.project = env.home
    assert bash_complete(env, "goswitch", "use", "1.2") == ["1.21.0", "1.20.1", "1.20"]
    assert bash_complete(env, "goswitch", "use", "1.23rc") == ["1.23rc2"]


def test_bash_tools_of_the_active_go(cenv):
    assert bash_complete(cenv, "goswitch", "which", "gof") == ["gofmt"]


# -- zsh -----------------------------------------------------------------------------------

ZSH_STUBS = r"""
compadd() { local n=${argv[-1]}; print -rl -- "${(@P)n}" }
_describe() { local n=$3 a; for a in "${(@P)n}"; do print -r -- "${a%%:*}"; done }
_path_files() { print -r -- "<files>" }
"""


def zsh_complete(env, *words: str, autoload: bool = False) -> list[str]:
    """compinit in a real zsh, the script loaded by fpath autoload or by `source`, then the
    registered completer called with zsh's words/CURRENT (compadd/_describe stubbed to print)."""
    if autoload:
        load = f"fpath=({COMPLETIONS} $fpath); autoload -Uz compinit; compinit -u -D"
    else:
        load = f"autoload -Uz compinit; compinit -u -D; source {ZSH}"
    script = f"""
{load}
handler=$_comps[goswitch]
[[ -n $handler ]] || exit 9
print -r -- "handler=$handler"
{ZSH_STUBS}
words=({" ".join(_q(w) for w in words)})
CURRENT=${{#words}}
$handler
"""
    lines = _run(env, ["zsh", "-f", "-c", script]).splitlines()
    return [line for line in lines if line]


def test_zsh_sourced(cenv):
    out = zsh_complete(cenv, "goswitch", "use", "1.22")
    assert out[0] == "handler=_goswitch_completion"
    assert out[1:] == ["1.22.3", "1.22.10", "1.22.9"]


def test_zsh_from_fpath(cenv):
    out = zsh_complete(cenv, "goswitch", "con", autoload=True)
    assert out[0] == "handler=_goswitch"
    assert out[1:] == ["config"]
    out = zsh_complete(cenv, "goswitch", "env", "--shell", "f", autoload=True)
    assert out[1:] == ["fish"]


# -- fish ----------------------------------------------------------------------------------


def fish_complete(env, line: str, autoload: bool = False) -> list[str]:
    if autoload:  # fish loads ~/.config/fish/completions/goswitch.fish by itself
        target = Path(env["XDG_CONFIG_HOME"]) / "fish" / "completions" / "goswitch.fish"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FISH, target)
        script = f"complete -C {_q(line)}"
    else:
        script = f"source {FISH}; complete -C {_q(line)}"
    out = _run(
        env, ["fish", "--no-config", "-c", script] if not autoload else ["fish", "-c", script]
    )
    return [entry.split("\t")[0] for entry in out.splitlines() if entry]


def test_fish_versions_with_descriptions(cenv):
    out = _run(
        cenv, ["fish", "--no-config", "-c", f"source {FISH}; complete -C 'goswitch use 1.22'"]
    )
    assert "1.22.3\tinstalled" in out.splitlines()
    assert "1.22.10\tavailable" in out.splitlines()


def test_fish_commands_and_choices(cenv):
    assert fish_complete(cenv, "goswitch con") == ["config"]
    assert sorted(fish_complete(cenv, "goswitch env --shell ")) == sorted(
        ["sh", "bash", "zsh", "fish", "json", "dotenv", "github"]
    )


def test_fish_autoloads_from_its_completions_dir(cenv):
    assert fish_complete(cenv, "goswitch use 1.21", autoload=True) == ["1.21.13"]


# -- interactive: TAB in a real terminal ----------------------------------------------------

RC = {
    "bash": f"source {BASH}",
    "zsh": f"fpath=({COMPLETIONS} $fpath); autoload -Uz compinit; compinit -u -D",
    "fish": f"source {FISH}",
}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_tab_completes_a_version_interactively(cenv, shell_session, shell):
    sh = shell_session(shell, rc=RC[shell], env=cenv, cwd=cenv.project)
    sh.child.send("goswitch use --no-install 1.21.1\t")
    sh.child.expect("1.21.13", timeout=20)  # the line was completed in place ...
    sh.run("")  # ... and Enter runs it
    assert sh.status == 0, sh.output
    assert (cenv.project / ".go-version").read_text() == "1.21.13\n"
