"""Real interactive bash, zsh and fish sessions in a pty, driven line by line.

Why real shells: goswitch lives in prompt hooks (bash ``PROMPT_COMMAND``, zsh ``precmd``, fish
``fish_prompt`` events); only a real interactive shell shows whether they run, what they
export, and whether an idle prompt starts a process.

How it works: the rc text you give is written where the shell reads it (bash: ``--noprofile
--rcfile ~/.bashrc``; zsh: ``$ZDOTDIR/.zshrc``; fish: ``$XDG_CONFIG_HOME/fish/config.fish``),
followed by a small harness block that sets a prompt carrying a unique marker
``__GSP_<token>_<shell pid>_<prompt number>_<exit status>_``. The harness only *adds* to the
prompt machinery (a counter bumped from ``PROMPT_COMMAND``/``precmd``/``fish_prompt`` event),
so your hooks still run before every prompt. ``run(cmd)`` types the line and waits for a prompt
with a new (pid, number): fish repaints old prompts while you type, and a nested shell has its
own pid. Everything is builtins: the harness itself starts no process at a prompt.

Use::

    with ShellSession("bash", rc="set -u\\n" + init_text, env=env, cwd=tmp) as sh:
        sh.run("cd project")
        assert sh.env()["GOROOT"].endswith("1.22.10")
        assert sh.var("GOROOT") is not None     # any shell variable, exported or not
        with sh.nested():                        # an interactive bash inside, same pty
            assert "go1.22.10" in sh.run("go version")

    env() after a step shows the state the hooks left at the prompt that ended that step.
    With ``strace_to=PATH``: ``sh.mark("a"); sh.run(""); sh.mark("b")`` then
    ``sh.execs_between("a", "b") == []`` proves an idle prompt started no process.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import tempfile
import time
from pathlib import Path
from typing import Mapping

import pexpect

SHELLS = ("bash", "zsh", "fish")

_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]"
)
_FISH_NEWLINE_MARK = re.compile(r"⏎ *\r⏎ \r")  # fish's "output had no trailing newline" dance
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ShellError(RuntimeError):
    """The shell did not come back to a prompt as expected (the message has the screen tail)."""


def _harness(shell: str, token: str) -> str:
    """The rc block appended after the user's rc text."""
    if shell == "bash":
        # Status is saved first thing in PROMPT_COMMAND (before any hook can clobber $?).
        return f"""
# --- goswitch test harness (tests/support/shells.py) ---
__gs_n=0
__gs_st=0
PROMPT_COMMAND="__gs_st=\\$?; __gs_n=\\$((__gs_n+1)); ${{PROMPT_COMMAND:-}}"
PS1='__GSP_{token}_$$_${{__gs_n}}_${{__gs_st}}_ '
PS2='__GSP2_{token}_ '
HISTFILE=
"""
    if shell == "zsh":
        # zsh keeps $? intact across precmd functions, so %? is the command's status.
        return f"""
# --- goswitch test harness (tests/support/shells.py) ---
typeset -gi __gs_n=0
__gs_precmd() {{ typeset -g __gs_n=$((__gs_n+1)); return 0 }}  # -g: warn_nested_var
precmd_functions=(__gs_precmd $precmd_functions)
setopt PROMPT_SUBST
unsetopt PROMPT_SP
PROMPT='__GSP_{token}_$$_${{__gs_n}}_%?_ '
RPROMPT=''
PROMPT2='__GSP2_{token}_ '
unset HISTFILE
"""
    if shell == "fish":
        return f"""
# --- goswitch test harness (tests/support/shells.py) ---
set -g __gs_n 0
function __gs_prompt_count --on-event fish_prompt
    set -g __gs_n (math $__gs_n + 1)
end
function fish_prompt
    printf '__GSP_{token}_%s_%s_%s_ ' $fish_pid $__gs_n $status
end
function fish_right_prompt; end
function fish_mode_prompt; end
set -g fish_greeting
set -g fish_history ''
"""
    raise ValueError(f"unknown shell {shell!r}; one of {SHELLS}")


def clean_output(text: str) -> str:
    """Terminal bytes -> what a person would read: no escapes, ``\\r`` overwrites applied."""
    text = _FISH_NEWLINE_MARK.sub(lambda m: "", text)
    text = _ANSI.sub("", text).replace("\x07", "")
    text = re.sub(r"\r+\n", "\n", text)
    lines = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]
    return "\n".join(lines)


class _Nested:
    def __init__(self, session: ShellSession) -> None:
        self.session = session

    def __enter__(self) -> ShellSession:
        return self.session

    def __exit__(self, *exc: object) -> None:
        if self.session.depth > 0 and self.session.alive:
            self.session.exit()


class ShellSession:
    """One interactive shell in a pty. ``output``/``status`` describe the last ``run``."""

    def __init__(
        self,
        shell: str,
        rc: str = "",
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        strace_to: Path | str | None = None,
        timeout: float = 20.0,
        columns: int = 2000,
    ) -> None:
        if shell not in SHELLS:
            raise ValueError(f"unknown shell {shell!r}; one of {SHELLS}")
        exe = shutil.which(shell)
        if not exe:
            raise FileNotFoundError(f"{shell} is not installed")
        self.shell, self.exe, self.timeout = shell, exe, timeout
        self.token = secrets.token_hex(4)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"gs-{shell}-"))
        self.env_in: dict[str, str] = dict(env if env is not None else _minimal_env())
        home = Path(self.env_in.get("HOME") or self.workdir / "home")
        home.mkdir(parents=True, exist_ok=True)
        self.env_in["HOME"] = str(home)
        self.env_in.setdefault("TERM", "dumb")
        self.env_in.setdefault("LANG", "C.UTF-8")
        self.env_in["SHELL"] = exe
        self.rc_path = self._write_rc(rc, home)
        self.strace_to = Path(strace_to) if strace_to else None
        self.output = ""
        self.status: int | None = None
        self.raw = ""  # terminal bytes of the last step, before cleaning
        self._pids: list[int] = []  # pid of each shell level, outermost first
        self._last: tuple[int, int] | None = None
        self._seq = 0
        self._env_tool = shutil.which("env", path=os.defpath) or "/usr/bin/env"
        self._true = shutil.which("true", path=os.defpath) or "/bin/true"
        self._prompt = re.compile(rf"__GSP_{self.token}_(\d+)_(\d+)_(\d+)_ ")
        self._prompt2 = f"__GSP2_{self.token}_ "

        argv = self._argv()
        if self.strace_to:
            argv = [
                "strace",
                "-f",
                "-qq",
                "-s",
                "256",
                "-e",
                "trace=execve",
                "-o",
                str(self.strace_to),
                *argv,
            ]
        self.child = pexpect.spawn(
            argv[0],
            argv[1:],
            env=self.env_in,
            cwd=str(cwd or home),
            dimensions=(50, columns),
            encoding="utf-8",
            codec_errors="replace",
            timeout=timeout,
            echo=True,
        )
        self._wait_prompt("<shell start>", timeout * 2)  # strace + first start can be slow
        self._pids.append(self._last[0])  # type: ignore[index]

    # ---- setup ----------------------------------------------------------------------------

    def _write_rc(self, rc: str, home: Path) -> Path:
        text = rc.rstrip("\n") + "\n" + _harness(self.shell, self.token)
        if self.shell == "bash":
            path = home / ".bashrc"  # a nested plain `bash` reads it too
        elif self.shell == "zsh":
            zdot = Path(self.env_in.get("ZDOTDIR") or home)
            self.env_in["ZDOTDIR"] = str(zdot)
            path = zdot / ".zshrc"
        else:
            xdg = Path(self.env_in.get("XDG_CONFIG_HOME") or home / ".config")
            self.env_in["XDG_CONFIG_HOME"] = str(xdg)
            path = xdg / "fish" / "config.fish"
            uvars = path.with_name("fish_variables")
            # As after a first run, so fish starts no background man-page scan (a process
            # that would show up in strace counts).
            if not uvars.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                uvars.write_text("# VERSION: 3.0\nSETUVAR __fish_initialized:3400\n")
            data = Path(self.env_in.get("XDG_DATA_HOME") or home / ".local" / "share")
            (data / "fish" / "generated_completions").mkdir(parents=True, exist_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def _argv(self) -> list[str]:
        if self.shell == "bash":
            return [self.exe, "--noprofile", "--rcfile", str(self.rc_path), "-i"]
        return [self.exe, "-i"]

    # ---- driving --------------------------------------------------------------------------

    @property
    def depth(self) -> int:
        """0 in the outer shell, 1 inside one ``nested()``, ..."""
        return len(self._pids) - 1

    @property
    def alive(self) -> bool:
        return self.child.isalive()

    @property
    def pid(self) -> int:
        """pid of the shell currently reading input (the innermost)."""
        return self._pids[-1]

    def _wait_prompt(self, what: str, timeout: float | None = None) -> str:
        """Read until a prompt with a new (pid, number); returns the text before it."""
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = ""
        while True:
            left = deadline - time.monotonic()
            try:
                i = self.child.expect(
                    [self._prompt, self._prompt2, pexpect.EOF], timeout=max(left, 0.01)
                )
            except pexpect.TIMEOUT:
                tail = clean_output(seen + (self.child.before or ""))[-2000:]
                raise ShellError(
                    f"{self.shell}: no prompt after {what!r} within "
                    f"{timeout or self.timeout}s; screen tail:\n{tail}"
                ) from None
            seen += self.child.before
            if i == 2:
                raise ShellError(f"{self.shell} exited after {what!r}:\n{clean_output(seen)}")
            if i == 1:
                self.child.sendcontrol("c")  # abandon the line, then resync on the new prompt
                self._wait_prompt("^C after incomplete input", timeout)
                raise ShellError(f"{self.shell}: {what!r} is incomplete (continuation prompt)")
            m = self.child.match
            key = (int(m.group(1)), int(m.group(2)))
            if key != self._last:
                self._last = key
                self.status = int(m.group(3))
                return seen
            seen += m.group(0)

    def run(self, command: str, timeout: float | None = None) -> str:
        """Type ``command`` + Enter, wait for the next prompt (after the hooks ran), return
        the output (stdout and stderr as the terminal showed them, hook messages included).
        ``status`` is the command's exit status. One line only: use ``source_text`` for more."""
        if "\n" in command or "\r" in command:
            raise ValueError("one line per run(); use source_text() for scripts")
        self.child.send(command + "\r")
        raw = self._wait_prompt(command, timeout)
        self.raw = raw
        # Drop repaints of the previous prompt, then the echoed command line.
        tail = re.split(rf"__GSP_{self.token}_\d+_\d+_\d+_ ", raw)[-1]
        # A bare CR right before the prompt (zsh PROMPT_CR, fish) would "erase" a last line
        # without newline; keep that text as output.
        text = clean_output(tail.rstrip("\r"))
        self.output = text.split("\n", 1)[1] if "\n" in text else ""
        return self.output

    def source_text(self, script: str, timeout: float | None = None) -> str:
        """Write ``script`` to a file and source it in the current shell (multi-line input)."""
        self._seq += 1
        path = self.workdir / f"script{self._seq}"
        path.write_text(script)
        verb = "source" if self.shell == "fish" else "."
        return self.run(f"{verb} {shlex.quote(str(path))}", timeout)

    def send_intr(self, timeout: float | None = None) -> str:
        """Ctrl-C (e.g. during an install) and wait for the prompt to come back."""
        self.child.sendcontrol("c")
        self.output = clean_output(self._wait_prompt("^C", timeout))
        return self.output

    # ---- reading state --------------------------------------------------------------------

    def _quiet(self, command: str) -> None:
        """Run a harness command without touching ``output``/``status`` of the user's step."""
        saved = (self.output, self.status, self.raw)
        try:
            self.run(command)
        finally:
            self.output, self.status, self.raw = saved

    def env(self) -> dict[str, str]:
        """The shell's EXPORTED environment now (``env -0`` into a file; newlines survive).
        Costs one prompt cycle, so the prompt hooks run once more (same directory)."""
        self._seq += 1
        path = self.workdir / f"env{self._seq}"
        self._quiet(f"{self._env_tool} -0 > {shlex.quote(str(path))}")
        data = path.read_bytes().decode("utf-8", "surrogateescape")
        out: dict[str, str] = {}
        for item in data.split("\0"):
            if "=" in item:
                k, v = item.split("=", 1)
                out[k] = v
        out.pop("_", None)  # bash sets it to the path of `env` itself
        return out

    def var(self, name: str) -> str | None:
        """A shell variable (exported or not), None when unset. Arrays/lists come back as
        the shell's quoted expansion ("$x": zsh/bash arrays joined by space, fish PATH-like
        lists by ':', other fish lists by space)."""
        if not _NAME.match(name):
            raise ValueError(f"not a variable name: {name!r}")
        self._seq += 1
        out = self.workdir / f"var{self._seq}"
        path = shlex.quote(str(out))
        if self.shell == "fish":
            cmd = (
                f"begin; if set -q {name}; printf 'S%s' \"${name}\"; else; printf U; end; "
                f"end > {path}"
            )
        else:
            cmd = (
                f'{{ if [ -n "${{{name}+x}}" ]; then builtin printf \'S%s\' "${{{name}}}"; '
                f"else builtin printf U; fi; }} > {path}"
            )
        self._quiet(cmd)
        data = out.read_text()
        return data[1:] if data.startswith("S") else None

    # ---- nesting --------------------------------------------------------------------------

    def nested(self, command: str | None = None) -> _Nested:
        """Start a nested interactive shell of the same kind (``command`` defaults to the bare
        shell name, which reads the same rc) and drive it; use as ``with sess.nested():`` or
        call ``exit()`` yourself."""
        self.run(command or self.shell)
        if self._last is None or self._last[0] in self._pids:
            raise ShellError(f"{command or self.shell!r} did not start a nested shell")
        self._pids.append(self._last[0])
        return _Nested(self)

    def exit(self) -> None:
        """Leave the innermost nested shell (back to its parent's prompt)."""
        if self.depth == 0:
            raise ShellError("not in a nested shell; use close()")
        self._pids.pop()
        self.run("exit")

    # ---- strace ---------------------------------------------------------------------------

    def mark(self, label: str) -> None:
        """Put a marker into the strace log (an ``execve`` of ``true <marker>``)."""
        if not self.strace_to:
            raise ShellError("mark() needs ShellSession(..., strace_to=PATH)")
        self._quiet(f"{self._true} __GSMARK_{self.token}_{label}__")

    def execs_between(self, start: str, end: str, timeout: float = 5.0) -> list[str]:
        """``execve`` lines of the strace log between two ``mark()`` calls (markers excluded).
        Between ``mark('a')`` and ``mark('b')`` lie the prompt after ``a`` and every step run
        in between, each with its prompt hooks."""
        if not self.strace_to:
            raise ShellError("execs_between() needs ShellSession(..., strace_to=PATH)")
        a, b = f"__GSMARK_{self.token}_{start}__", f"__GSMARK_{self.token}_{end}__"
        deadline = time.monotonic() + timeout
        while True:
            lines = self.strace_to.read_text(errors="replace").splitlines()
            ia = next((i for i, ln in enumerate(lines) if a in ln and "execve(" in ln), None)
            ib = next((i for i, ln in enumerate(lines) if b in ln and "execve(" in ln), None)
            if ia is not None and ib is not None:
                break
            if time.monotonic() > deadline:
                raise ShellError(f"markers {start!r}/{end!r} not both in {self.strace_to}")
            time.sleep(0.05)
        return [ln for ln in lines[ia + 1 : ib] if "execve(" in ln and "resumed>" not in ln]

    # ---- teardown -------------------------------------------------------------------------

    def close(self) -> None:
        if self.child.isalive():
            try:
                for _ in range(len(self._pids)):
                    self.child.sendline("exit")
                self.child.expect(pexpect.EOF, timeout=3)
            except (pexpect.TIMEOUT, OSError):
                pass
        self.child.close(force=True)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> ShellSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _minimal_env() -> dict[str, str]:
    """Used when no env is given: a PATH and nothing of the caller's Go or goswitch state."""
    return {"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8"}
