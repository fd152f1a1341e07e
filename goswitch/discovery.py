"""Find what pins the Go version: walk up from a directory to ``/``.

In each directory the first file that pins a version wins, in this order:
``goswitch.toml`` (``[go] version``), ``.go-version``, ``.tool-versions``
(``golang X`` / ``go X``), ``go.mod`` (``toolchain goX.Y.Z`` exact, else the
``go`` line as a minimum), ``go.work``.  The nearest directory with a pin wins.

A go.mod inside a workspace is read the way the go command reads it: when a
``go.work`` is found above it (or ``$GOWORK`` names one; ``GOWORK=off`` turns
workspaces off), the go command takes its toolchain from the go.work, so that
file decides; goswitch takes whichever of the two asks for more, so a go.work
that lags behind its module fails in Go's own words rather than ours.

Stdlib only, on the hook path: each file is stat'ed once (the stat also tells
the hook what to watch) and only regular files are opened, so a FIFO or a
device named ``.go-version`` cannot hang the prompt; such a file is a bad pin
(see :func:`stat_pin`).
"""

from __future__ import annotations

from time import time_ns

from . import fs
from .errors import PinError
from .versions import GoVersion, Spec, VersionError

TOML_NAME = "goswitch.toml"
GO_VERSION_NAME = ".go-version"
TOOL_VERSIONS_NAME = ".tool-versions"
GO_MOD_NAME = "go.mod"
GO_WORK_NAME = "go.work"
# How much of a file goswitch reads.  A pin file holds a version in its first lines; the
# go command reads all of a go.mod (its require blocks can run long, the go line may come
# last), so go.mod and go.work get far more.  A larger file is an error, never a pin
# silently not found in the part that was read.
MAX_PIN_FILE = 1 << 20
MAX_GO_MOD = 16 << 20
SYSTEM = "system"  # `system` in a pin file: keep the shell's own Go here
_ENV_NAME_OK = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
# What a project's [env] may not set.  A trusted file may set anything else (LD_PRELOAD
# too: that is what trust is for), but these break goswitch, the shell or its prompt, or
# run code at every prompt.  (why, names, name prefixes); the message says the why.
RESERVED_ENV = (
    # goswitch sets these from [go] (PATH gets Go's bin first); GOSWITCH_* steer goswitch
    # itself (GOSWITCH_GO_VERSION would make GOROOT and later goswitch runs disagree).
    ("goswitch manages this variable itself",
     frozenset({"PATH", "GOROOT", "GOTOOLCHAIN"}), ("GOSWITCH_",)),
    # bash runs PROMPT_COMMAND and the $(...) in PS0-PS4 at every prompt or command, zsh
    # its PROMPT/RPROMPT (PROMPT_SUBST); the *_functions arrays hold the prompt and cd
    # hooks, goswitch's own among them; TMOUT makes an idle interactive shell exit.
    ("the shell runs it (or the $(...) in it) at every prompt or directory change",
     frozenset({"PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS3", "PS4", "prompt", "PROMPT", "PROMPT2",
                "PROMPT3", "PROMPT4", "RPROMPT", "RPROMPT2", "RPS1", "RPS2", "SPROMPT",
                "TMOUT", "chpwd_functions", "precmd_functions", "preexec_functions",
                "periodic_functions", "zshaddhistory_functions", "zshexit_functions"}),
     ()),
)
# Variables a shell keeps itself: read-only ones (the export is refused, or fails at every
# cd), ones it updates as it runs (PWD, SHLVL, RANDOM, SECONDS, ...), and ones that change
# how it reads every later line or where it finds its functions.  (shell, names, prefixes)
SHELL_VARIABLES = (
    # UID, EUID, PPID, BASHOPTS, SHELLOPTS are read-only; IFS splits every later word;
    # BASH_* covers BASH_ENV (sourced by every script), BASH_XTRACEFD, BASH_COMPAT, ...
    ("bash", frozenset({"BASH", "BASHOPTS", "BASHPID", "SHELLOPTS", "UID", "EUID", "PPID",
                        "GROUPS", "SHLVL", "PWD", "OLDPWD", "IFS", "RANDOM", "SRANDOM",
                        "SECONDS", "LINENO", "EPOCHREALTIME", "EPOCHSECONDS", "HISTCMD",
                        "FUNCNAME", "DIRSTACK", "PIPESTATUS", "OPTIND", "OPTARG", "COPROC",
                        "MAPFILE", "_"}),
     ("BASH_", "COMP_", "READLINE_")),
    # The lower-case arrays tied to the colon lists and those scalars themselves (path is
    # PATH; fpath/FPATH is where add-zsh-hook and completions load from: leaving unsets
    # it and empties the array), what zsh keeps as it runs, and the zsh/parameter tables
    # (options, functions, ...) that are the shell's own state.  MANPATH stays allowed:
    # an exported MANPATH is ordinary.
    ("zsh", frozenset({"path", "fpath", "cdpath", "manpath", "mailpath", "module_path",
                       "fignore", "psvar", "watch", "FPATH", "CDPATH", "MAILPATH",
                       "MODULE_PATH", "FIGNORE", "PSVAR", "WATCH",
                       "argv", "ARGC", "status", "pipestatus",
                       "signals", "ERRNO", "UID", "EUID", "GID", "EGID", "PPID", "SHLVL",
                       "PWD", "OLDPWD", "IFS", "RANDOM", "SECONDS", "LINENO", "HISTCMD",
                       "EPOCHREALTIME", "EPOCHSECONDS", "TTY", "TTYIDLE", "zsh_eval_context",
                       "zsh_scheduled_events", "ZSH_ARGZERO", "ZSH_EVAL_CONTEXT",
                       "ZSH_EXECUTION_STRING", "ZSH_NAME", "ZSH_PATCHLEVEL", "ZSH_SCRIPT",
                       "ZSH_SUBSHELL", "ZSH_VERSION", "parameters", "commands", "functions",
                       "aliases", "galiases", "saliases", "builtins", "reswords", "options",
                       "modules", "dirstack", "history", "historywords", "jobdirs",
                       "jobstates", "jobtexts", "nameddirs", "userdirs", "usergroups",
                       "funcstack", "funcfiletrace", "funcsourcetrace", "functrace",
                       "patchars", "keymaps", "widgets", "_"}),
     ("dis_",)),
    # Read-only or kept by fish (status, version, hostname, _ the running command,
    # CMD_DURATION, COLUMNS/LINES from the terminal, umask, ...) and its configuration
    # (fish_function_path says where every function, fish_prompt included, comes from).
    ("fish", frozenset({"status", "pipestatus", "status_generation", "argv", "version",
                        "FISH_VERSION", "hostname", "history", "umask", "_", "CMD_DURATION",
                        "fish_pid", "last_pid", "COLUMNS", "LINES", "SHLVL", "PWD", "EUID",
                        "dirprev", "dirnext"}),
     ("fish_", "__fish")),
)


# Sizes of [env], in bytes of NAME=value.  Linux refuses to start any program whose
# environment holds one string over 128 KiB (MAX_ARG_STRLEN), or more than a quarter of
# the stack limit in all: once exported, every command fails with "Argument list too
# long", the hook included, so leaving the project could not take it back.  goswitch
# stays well inside both.
MAX_ENV_ENTRY = 64 * 1024
MAX_ENV_TOTAL = 256 * 1024


def reserved_env(name: str) -> str | None:
    """Why a project's [env] may not set ``name``; None when it may."""
    # The hook's own shell variables and functions (__goswitch_watch, _goswitch_hook,
    # __GOSWITCH_STATE), in any case.
    if name.lower().startswith(("_goswitch", "__goswitch")):
        return "goswitch's shell hook keeps its own state under this name"
    for why, names, prefixes in RESERVED_ENV:
        if name in names or name.startswith(prefixes):
            return why
    shells = [shell for shell, names, prefixes in SHELL_VARIABLES
              if name in names or name.startswith(prefixes)]
    if shells:
        return (f"the shell keeps this variable itself ({', '.join(shells)}): "
                "setting it breaks the shell or is refused")
    return None


class Pin:
    """What a project file asks for.

    ``kind`` is ``exact``/``prefix``/``latest`` (a :class:`Spec`), ``minimum``
    (go.mod's go line) or ``system``.
    """

    __slots__ = ("file", "line", "value", "spec", "minimum", "kind")

    def __init__(
        self,
        file: str,
        line: int,
        value: str,
        spec: Spec | None = None,
        minimum: GoVersion | None = None,
        system: bool = False,
    ):
        self.file, self.line, self.value = file, line, value
        self.spec, self.minimum = spec, minimum
        if system:
            self.kind = "system"
        elif minimum is not None:
            self.kind = "minimum"
        else:
            self.kind = spec.kind  # type: ignore[union-attr]

    def __repr__(self) -> str:
        return f"Pin({self.file}:{self.line} {self.value!r} {self.kind})"


class Discovery:
    """The result of one walk: the pin (or None) and everything that was looked at."""

    __slots__ = ("pin", "watched", "future", "env", "env_file", "toolchain")

    def __init__(self):
        self.pin: Pin | None = None
        # Paths whose change can change the answer: every directory walked
        # (a pin file created or deleted changes its mtime) and every
        # candidate file that exists (an in-place edit changes only its own).
        self.watched: list[str] = []
        # Directories and candidate files dated in the future (clock skew, NFS, a
        # tarball): left out of `watched`, as they would look changed at every
        # prompt until that date.
        self.future: list[str] = []
        self.env: dict[str, str] = {}
        self.env_file: str | None = None
        self.toolchain: str | None = None


def stat_pin(path: str):
    """The stat of the pin file at ``path`` (through a symlink); None when there is none.

    Anything else there is a :class:`PinError` saying what it is, so it is a bad pin
    rather than silently skipped: a directory, a named pipe, a device or a socket (never
    opened: a pipe would wait forever, /dev/zero never ends), a symlink to nothing or in
    a loop, or a name that cannot be looked at (a directory above it that cannot be
    searched).  One lstat() for what is absent or a regular file, as a stat() would.
    """
    try:
        st = fs.lstat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    except OSError as exc:
        raise PinError(path, 0, "", f"cannot look at it: {exc.strerror}",
                       "check the permissions of the directories above it") from None
    linked = fs.is_link(st)
    if linked:
        try:
            st = fs.stat(path)
        except OSError as exc:
            err = PinError(
                path, 0, "",
                f"it is a symlink to {_link_text(path)}, which "
                + ("does not exist" if isinstance(exc, (FileNotFoundError, NotADirectoryError))
                   else f"cannot be followed: {exc.strerror}"),
                "create that file, or remove the link",
            )
            err.watched = [path]  # the file it names created: seen at the next prompt
            raise err from None
    kind = fs.kind(st)
    if kind:
        link = f"a symlink to {_link_text(path)}, which is " if linked else ""
        raise PinError(path, 0, "", f"it is {link}{kind}, not a file", "remove or rename it")
    return st


def _link_text(path: str) -> str:
    """What the symlink ``path`` says (for a message; read only when there is one)."""
    try:
        return fs.readlink(path)
    except OSError:  # replaced meanwhile
        return "?"


def _read_text(path: str, limit: int = MAX_PIN_FILE) -> str:
    try:
        data = fs.read_bytes(path, limit + 1)
    except OSError as exc:
        raise PinError(
            path, 0, "", f"cannot read it: {exc.strerror}", "check its permissions"
        ) from None
    if len(data) > limit:
        raise _too_large(path, limit)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PinError(path, 0, "", "the file is not UTF-8 text", "save it as UTF-8") from None


def _too_large(path: str, limit: int) -> PinError:
    if limit == MAX_GO_MOD:
        what, fix = "a go.mod or go.work", "pin the version in a .go-version beside it"
    else:
        what, fix = "a pin file", "keep the version on one short line and remove the rest"
    return PinError(path, 0, "", f"it is larger than {limit >> 20} MiB, as much as "
                    f"goswitch reads of {what}", fix)


def _spec_or_error(path: str, line: int, value: str) -> Pin:
    if value.lower() == SYSTEM:
        return Pin(path, line, value, system=True)
    try:
        return Pin(path, line, value, spec=Spec.parse(value))
    except VersionError as exc:
        raise PinError(path, line, value, exc.why) from None


def split_lines(text: str) -> list[str]:
    r"""The lines of a pin file: split at ``\n`` only, a ``\r`` before it dropped (CRLF).

    Not str.splitlines(), which also breaks at ``\v``, ``\f``, ``\x1c``-``\x1e``,
    ``\x85``, U+2028 and U+2029: ``1.21.13\v1.22.10`` would read as 1.21.13 and every
    line number after such a character would be off.  Here they stay in the line, where
    they make the value invalid and the message shows them escaped.
    """
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def split_fields(line: str) -> list[str]:
    """The words of a line, separated by spaces and tabs only (see split_lines)."""
    return [word for word in line.replace("\t", " ").split(" ") if word]


def read_go_version(path: str) -> Pin | None:
    """``.go-version``: the first line that is neither empty nor a ``#`` comment."""
    for num, raw in enumerate(split_lines(_read_text(path)), 1):
        line = raw.strip(" \t")
        if not line or line.startswith("#"):
            continue
        if len(split_fields(line)) != 1:
            raise PinError(path, num, line, "one version per line, nothing else")
        return _spec_or_error(path, num, line)
    return None


def read_tool_versions(path: str) -> Pin | None:
    """asdf's ``.tool-versions``: a ``golang X`` (or ``go X``) line; first version wins."""
    for num, raw in enumerate(split_lines(_read_text(path)), 1):
        fields = split_fields(raw.split("#", 1)[0])
        if len(fields) >= 2 and fields[0] in ("golang", "go"):
            value = fields[1]
            if value.startswith(("ref:", "path:")):
                raise PinError(
                    path, num, value, "goswitch installs releases only, not refs or paths"
                )
            return _spec_or_error(path, num, value)
    return None


def _go_directives(path: str):
    return go_directives(_read_text(path, MAX_GO_MOD))


def go_directives(text: str):
    """The first ``go`` and ``toolchain`` lines of a go.mod/go.work, as (line, value)."""
    go_line = toolchain = None
    for num, raw in enumerate(split_lines(text), 1):
        if not raw.lstrip(" \t").startswith(("go", "toolchain")):
            continue  # most of a go.mod: require, replace, module paths
        fields = split_fields(raw.split("//", 1)[0])
        if len(fields) == 2 and fields[0] == "go" and go_line is None:
            go_line = (num, fields[1])
        elif len(fields) == 2 and fields[0] == "toolchain" and toolchain is None:
            toolchain = (num, fields[1])
    return go_line, toolchain


def go_line_pin(path: str) -> Pin | None:
    """Only the ``go`` line of a go.mod/go.work: the hard minimum (a toolchain line is a
    preference the go command does without under GOTOOLCHAIN=local)."""
    go_line, _ = _go_directives(path)
    if go_line is None:
        return None
    num, value = go_line
    try:
        return Pin(path, num, value, minimum=_release_floor(GoVersion.parse(value)))
    except VersionError as exc:
        raise PinError(path, num, value, exc.why) from None


def read_go_mod(path: str) -> Pin | None:
    """go.mod or go.work: ``toolchain goX.Y.Z`` is exact; a ``go X.Y[.Z]`` line is a minimum."""
    go_line, toolchain = _go_directives(path)
    minimum = None
    if go_line is not None:
        num, value = go_line
        try:
            minimum = GoVersion.parse(value)
        except VersionError as exc:
            raise PinError(path, num, value, exc.why) from None
    if toolchain is not None and toolchain[1] != "default":
        num, value = toolchain
        if not value.startswith("go"):
            raise PinError(path, num, value, "a go.mod toolchain looks like go1.21.6")
        pin = _spec_or_error(path, num, value.split("-", 1)[0])
        # Go itself never runs a toolchain older than the go line asks for.
        if (
            pin.spec is not None
            and pin.spec.kind == "exact"
            and (minimum is None or not pin.spec.version < _release_floor(minimum))
        ):
            return pin
    if minimum is None:
        return None
    num, value = go_line  # type: ignore[misc]
    return Pin(path, num, value, minimum=_release_floor(minimum))


def _release_floor(v: GoVersion) -> GoVersion:
    """The first release a go line admits: ``go 1.21`` → 1.21.0, ``go 1.20`` → 1.20."""
    if v.patch is None and not v.is_prerelease and (v.major, v.minor) >= (1, 21):
        return GoVersion(v.major, v.minor, 0)
    return v


_TOML_KEYS = {"go": ("version", "toolchain"), "env": None}  # None: any variable name
_TOOLCHAINS = ("local", "auto", "inherit")


def _toml_text(value) -> str:
    """A value as it was written in TOML (true, not Python's True)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unknown_key(path: str, text: str, key: str, table: str | None, known) -> PinError:
    from difflib import get_close_matches  # an error path only

    close = get_close_matches(key, list(known), n=1)
    where = f"[{table}] " if table else ""
    if table is None and key in _TOML_KEYS["go"]:
        fix = f"put it under [go]: [go] then {key} = ..."
    elif close:
        fix = f"did you mean {where}{close[0]}?"
    else:
        fix = f"{where or 'the file '}holds only " + ", ".join(
            f"[{k}]" if table is None else k for k in known)
    return PinError(path, _line_of(text, key, table), key, f"unknown {where}key", fix)


def read_goswitch_toml(path: str) -> tuple[Pin | None, dict, str | None]:
    """``goswitch.toml``: (pin from [go] version, the [env] table, [go] toolchain).

    goswitch's own file: a key it does not know is an error (a misspelled
    ``verison`` or a ``version`` outside ``[go]`` would otherwise be ignored,
    leaving the shell on another Go without a word).
    """
    from .tomlread import TomlError, loads  # only projects with a goswitch.toml pay for it

    text = _read_text(path)
    try:
        data = loads(text, path)
    except TomlError as exc:
        raise PinError(
            path, exc.line, "", f"invalid TOML: {exc.why}", "fix the TOML syntax there"
        ) from None
    for key in data:
        if key not in _TOML_KEYS:
            raise _unknown_key(path, text, key, None, _TOML_KEYS)
    go = data.get("go", {})
    if not isinstance(go, dict):
        raise PinError(
            path, _line_of(text, "go"), "", "go must be a table", 'write [go] and version = "1.22"'
        )
    for key in go:
        if key not in _TOML_KEYS["go"]:
            raise _unknown_key(path, text, key, "go", _TOML_KEYS["go"])
    pin = None
    toolchain = go.get("toolchain")
    if toolchain is not None:
        if isinstance(toolchain, str) and toolchain.lower() in _TOOLCHAINS:
            toolchain = toolchain.lower()
        else:
            raise PinError(
                path,
                _line_of(text, "toolchain", "go"),
                _toml_text(toolchain),
                "not a [go] toolchain",
                'write toolchain = "local", "auto" or "inherit"',
            )
    value = go.get("version")
    if value is not None:
        if not isinstance(value, str):
            scalar = isinstance(value, (int, float)) and not isinstance(value, bool)
            raise PinError(
                path, _line_of(text, "version", "go"), _toml_text(value),
                "[go] version must be a string",
                f'quote it: version = "{value}"' if scalar else 'write version = "1.22.10"',
            )
        pin = _spec_or_error(path, _line_of(text, "version", "go"), value)
    env = data.get("env", {})
    if not isinstance(env, dict):
        raise PinError(
            path, _line_of(text, "env"), "", "env must be a table", 'write [env] and NAME = "value"'
        )
    clean = {}
    total = 0
    for name, val in env.items():
        line = _line_of(text, name, "env")
        if not name or not all(c in _ENV_NAME_OK for c in name) or name[0].isdigit():
            raise PinError(
                path, line, name, "not a variable name",
                "use letters, digits and _ (not first a digit)",
            )
        why = reserved_env(name)
        if why is not None:
            raise PinError(path, line, name, why, "remove it from [env]")
        if isinstance(val, bool):
            val = "1" if val else "0"
        if not isinstance(val, (str, int)):
            raise PinError(path, line, name, "[env] values are strings", f'write {name} = "text"')
        val = str(val)
        if "\0" in val:
            raise PinError(path, line, name, "the value holds a NUL byte", "remove it")
        size = len(name) + 1 + len(val.encode("utf-8", "surrogateescape"))
        total += size
        if size > MAX_ENV_ENTRY or total > MAX_ENV_TOTAL:
            raise PinError(
                path, line, name,
                (f"{name}=value is {size} bytes; goswitch allows {MAX_ENV_ENTRY} per variable"
                 if size > MAX_ENV_ENTRY else
                 f"[env] adds up to {total} bytes with it; goswitch allows {MAX_ENV_TOTAL} in all")
                + " (past the kernel's limit every command fails: 'Argument list too long')",
                "shorten it, or keep long text in a file and set the file's path",
            )
        clean[name] = val
    return pin, clean, toolchain


def _assigns(stripped: str, key: str) -> bool:
    """Does this line (stripped) assign ``key``, bare or quoted?"""
    for form in (key, f'"{key}"', f"'{key}'"):
        if stripped.startswith(form) and stripped[len(form):].lstrip().startswith("="):
            return True
    return False


def _line_of(text: str, key: str, table: str | None = None) -> int:
    """Best-effort line number of ``key = ...`` in ``[table]`` (None: the top level, where
    a table's own header counts too), for messages."""
    current = None
    for num, raw in enumerate(split_lines(text), 1):
        stripped = raw.strip()
        if stripped.startswith("[") and "]" in stripped:
            current = stripped[1:stripped.index("]")].strip().strip("[").strip()
            if table is None and current.split(".")[0] == key:
                return num
            continue
        if current == table and _assigns(stripped, key):
            return num
        if current is None and table and _assigns(stripped, f"{table}.{key}"):
            return num
    return 0


def discover(
    start: str, use_go_mod: bool = True, gowork: str = "", go_files_only: bool = False
) -> Discovery:
    """Walk from ``start`` up to ``/`` and return the nearest pin.

    ``use_go_mod`` covers go.mod and go.work; ``gowork`` is ``$GOWORK``;
    ``go_files_only``: only those, i.e. what the go command itself asks for here.
    Raises :class:`PinError` for a file that is meant to pin but cannot; its ``watched``
    and ``future`` are what the walk looked at up to there, that file included.
    """
    result = Discovery()
    top = fs.abspath(start) if start else fs.sep
    names = [] if go_files_only else [TOML_NAME, GO_VERSION_NAME, TOOL_VERSIONS_NAME]
    workspaces = use_go_mod and gowork != "off"
    if use_go_mod:
        names.append(GO_MOD_NAME)
        if workspaces and not gowork:
            names.append(GO_WORK_NAME)
    try:
        _walk(result, top, names, workspaces, gowork)
    except PinError as exc:
        exc.watched, exc.future = result.watched, result.future
        raise
    return result


def _walk(result: Discovery, top: str, names: list[str], workspaces: bool, gowork: str) -> None:
    now = time_ns()
    for directory in fs.ancestors(top):
        _watch_dir(result, directory, now)
        for name in names:
            path = fs.join(directory, name)
            if not _candidate(result, path, now, name in (GO_MOD_NAME, GO_WORK_NAME)):
                continue
            if name == TOML_NAME:
                pin, env, toolchain = read_goswitch_toml(path)
                if env and result.env_file is None:
                    result.env, result.env_file = env, path
                if toolchain and result.toolchain is None:
                    result.toolchain = toolchain
            elif name == GO_VERSION_NAME:
                pin = read_go_version(path)
            elif name == TOOL_VERSIONS_NAME:
                pin = read_tool_versions(path)
            else:
                pin = read_go_mod(path)
                if pin is not None and name == GO_MOD_NAME and workspaces:
                    pin = _stricter(pin, _workspace_pin(directory, gowork, result, now))
            if pin is not None:
                result.pin = pin
                return
    if workspaces and gowork:  # $GOWORK applies from any directory, a module or not
        result.pin = _workspace_pin(top, gowork, result, now)


def _candidate(result: Discovery, path: str, now: int, go_file: bool) -> bool:
    """Is there a pin file to read at ``path``?  It is watched, and one larger than what
    goswitch reads (``go_file``: a go.mod or go.work) is an error, before reading it."""
    try:
        st = stat_pin(path)
    except PinError as exc:
        result.watched.extend(exc.watched)
        raise
    if st is None:
        return False
    _watch(result, path, st.st_mtime_ns, now)
    limit = MAX_GO_MOD if go_file else MAX_PIN_FILE
    if st.st_size > limit:
        raise _too_large(path, limit)
    return True


def _watch(result: Discovery, path: str, mtime_ns: int, now: int) -> None:
    """Watch ``path`` for changes, unless it is dated in the future (see Discovery)."""
    (result.future if mtime_ns > now else result.watched).append(path)


def _watch_dir(result: Discovery, directory: str, now: int) -> None:
    """Watch a directory (a pin file created or deleted there changes its mtime); one
    dated in the future is a project unpacked from a tarball, see Discovery."""
    try:
        _watch(result, directory, fs.stat(directory).st_mtime_ns, now)
    except OSError:
        result.watched.append(directory)


def _workspace_pin(module_dir: str, gowork: str, result: Discovery, now: int) -> Pin | None:
    """The pin of the go.work the go command would use for a module in ``module_dir``."""
    if gowork:  # GOWORK=/path/to/go.work (the go command wants it absolute)
        if not gowork.startswith(fs.sep):
            return None
        _watch_dir(result, fs.dirname(gowork), now)  # the file created or moved away
        return read_go_mod(gowork) if _candidate(result, gowork, now, True) else None
    for directory in fs.ancestors(module_dir):
        if directory != module_dir:  # its own directory is watched already
            _watch_dir(result, directory, now)
        path = fs.join(directory, GO_WORK_NAME)
        if _candidate(result, path, now, True):
            return read_go_mod(path)
    return None


def floor(pin: Pin) -> GoVersion | None:
    """The oldest release a pin admits (exact: itself; go line: its minimum)."""
    if pin.minimum is not None:
        return pin.minimum
    return pin.spec.version if pin.spec is not None else None


def _stricter(module: Pin, work: Pin | None) -> Pin:
    """The go.work's pin, unless the module's asks for a newer Go."""
    if work is None:
        return module
    mine, theirs = floor(module), floor(work)
    if mine is not None and theirs is not None and mine > theirs:
        return module
    return work
