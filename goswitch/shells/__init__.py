"""One adapter per shell (bash.py, zsh.py, fish.py) behind the small interface here.

direnv's ``Shell`` is the model.  Values arrive as ``str`` decoded with
surrogateescape (so bytes that are not UTF-8 survive) and leave as shell
words that reproduce them byte for byte and can never run anything: no
expansion, no command substitution.  The interface lives in the package
itself so the hook imports one module less (each costs ~0.1 ms of a ~2.5 ms
budget).  It also makes the init script (``goswitch init SHELL``), which
runs at every shell start: rendering it imports nothing but this package and
one adapter, hence no ``fs`` and no ``__future__`` import here, and later
starts print the saved text without even those (goswitch.init_key).
"""

import sys

from .. import SHELLS as NAMES
from .. import init_file, init_key

# The protocol between the init scripts (shell/) and the hook program; bumped
# whenever they stop understanding each other, so that an older init script
# in a long-lived shell is detected.
PROTO = 2

_NAME_OK = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
# shell/ holds the init scripts; the package ships them as data/shell.
PACKAGE_DIR = __file__.rsplit("/", 2)[0]  # .../goswitch (package paths are absolute)
_SCRIPTS = PACKAGE_DIR + "/data/shell"
# The snapshot of the hook modules the launch code loads (goswitch/hook/snapshot.py).
SNAPSHOT_FORMAT = 1


def snapshot_in(cache_dir: str) -> str:
    return f"{cache_dir}/hook-snapshot.{sys.implementation.cache_tag}.bin"


def snapshot_path(package_dir: str = PACKAGE_DIR) -> str:
    """The snapshot beside the package (see goswitch.codecache for the other place)."""
    return snapshot_in(f"{package_dir}/__pycache__")


def snapshot_file() -> str:
    """The snapshot the launch code reads and the hook rebuilds.

    Beside the package when the user can write there or it holds a current
    one (`goswitch.prepare`); else the user's own copy, or, when there is no
    safe place for one, the package's path anyway (the hook then just
    imports normally).
    """
    from .. import codecache

    here = snapshot_path()
    if codecache.writable(codecache.PACKAGE_CACHE):
        return here
    from ..hook import snapshot

    if snapshot.is_current(here):
        return here
    mine = codecache.for_writing()
    return snapshot_in(mine) if mine else here


def check_name(name: str) -> str:
    if not name or name[0].isdigit() or not all(c in _NAME_OK for c in name):
        raise ValueError(f"not a variable name: {name!r}")
    return name


def raw_byte(ch: str) -> "int | None":
    """The byte a surrogateescape'd character stands for, else None."""
    code = ord(ch)
    return code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else None


def printable(message: str) -> str:
    """A message safe for the terminal: a hostile directory name may hold escapes.

    C0, DEL and C1 characters (0x9b is a one-character CSI on many terminals) and
    bytes that are not UTF-8 are shown as ``\\xNN``.
    """
    out = []
    for ch in message:
        code = ord(ch)
        byte = raw_byte(ch)
        if code < 0x20 or 0x7F <= code <= 0x9F or byte is not None:
            out.append(f"\\x{code if byte is None else byte:02x}")
        else:
            out.append(ch)
    return "".join(out)


class Shell:
    name = ""
    script = ""  # file name under shell/

    def quote(self, value: str) -> str:
        raise NotImplementedError

    def export(self, name: str, value: str) -> str:
        raise NotImplementedError

    def unset(self, name: str) -> str:
        raise NotImplementedError

    def set_local(self, name: str, value: str) -> str:
        """A shell variable that is not exported (tier-0 bookkeeping)."""
        raise NotImplementedError

    def set_list(self, name: str, values: list[str]) -> str:
        raise NotImplementedError

    def export_path(self, value: str) -> str:
        return self.export("PATH", value)

    def all_or_nothing(self, names: list[str], code: str) -> str:
        """``code`` (which sets ``names``) run only when none of them is read-only.

        The init scripts' ``_goswitch_writable`` says why once; fish has no
        read-only variables of the user's.
        """
        return code

    def values_of(self, names: list[str]) -> str:
        """An expression (inside double quotes) of the values of ``names``, ``|``-joined:
        the prompt check compares it with the one of the last run."""
        raise NotImplementedError

    def init_script(self, substitutions: dict, raw: "dict | None" = None) -> str:
        """The hook script from shell/, with ``@NAME@`` placeholders filled in (quoted).

        Comment lines after the two-line header (what this is, where it goes)
        are for readers of shell/ and are left out: every shell start parses
        this text, and the templates hold no multi-line strings in which a
        line could start with ``#``.  shellcheck directives stay, so that the
        printed script passes shellcheck as the templates do.
        """
        with open(f"{_SCRIPTS}/{self.script}", encoding="utf-8") as f:
            lines = f.readlines()
        text = "".join(lines[:2] + [line for line in lines[2:] if _kept(line)])
        for key, value in substitutions.items():
            text = text.replace(f"@{key}@", self.quote(value))
        for key, code in (raw or {}).items():  # shell code, not a value to quote
            text = text.replace(f"@{key}@", code)
        return text


def _kept(line: str) -> bool:
    """Whether a template line stays in the printed script (see Shell.init_script)."""
    text = line.strip()
    return bool(text) and (not text.startswith("#") or text.startswith("# shellcheck"))


def get_shell(name: str) -> Shell:
    if name == "bash":
        from .bash import Bash

        return Bash()
    if name == "zsh":
        from .zsh import Zsh

        return Zsh()
    if name == "fish":
        from .fish import Fish

        return Fish()
    raise ValueError(f"unsupported shell {name!r} (supported: {', '.join(NAMES)})")


def launch_code() -> str:
    """The ``-c`` program the init script runs.

    It first executes the hook-path modules from their snapshot (see
    goswitch/hook/snapshot.py; ``_ok`` says whether that worked), then makes
    the package importable without site for everything else.
    """
    extra = [PACKAGE_DIR.rsplit("/", 1)[0]]
    if sys.version_info < (3, 11):  # tomli is not stdlib there; it lives in site-packages
        try:
            import tomli

            extra.append(tomli.__file__.rsplit("/", 2)[0])
        except ImportError:
            pass
    return (
        "import sys\n"
        f"_ok=0;S={snapshot_file()!r}\n"
        "try:\n"
        " from marshal import loads\n"
        " from _frozen_importlib_external import MAGIC_NUMBER\n"
        f" with open(S,'rb') as f:d=f.read()\n"
        " if d[:4]==MAGIC_NUMBER:\n"
        "  F,c,E=loads(d[4:])\n"
        f"  if F=={SNAPSHOT_FORMAT}:exec(c)\n"
        "except Exception:pass\n"
        f"sys.path[:0]={extra!r}\n"
        # The package is gone (uninstalled under a running shell): the shell says so once.
        "try:from goswitch.hook.main import launch\n"
        "except ImportError:print('_goswitch_off');raise SystemExit\n"
        "launch(sys.argv[1:],_ok,S)"
    )


def watched_env() -> list[str]:
    """Variables whose change can change what the hook decides, besides
    GOSWITCH_GO_VERSION (checked with its export state): every setting's
    GOSWITCH_* variable but systemd's, the locations, and go's own GOBIN, GOPATH
    (the shared GOBIN on PATH) and GOWORK (which go.work applies)."""
    from ..paths import LOCATION_VARS
    from ..settings import KEYS

    names = [k.env_var for k in KEYS if not k.name.startswith("systemd.")]
    return [*LOCATION_VARS, *names, "GOBIN", "GOPATH", "GOWORK"]


def init_script_for(shell: Shell) -> str:
    return shell.init_script(
        {"PYTHON": sys.executable or "python3", "CODE": launch_code(), "PROTO": str(PROTO)},
        raw={"ENV_VALUES": shell.values_of(watched_env())},
    )


def shell_or_complain(name: str) -> "Shell | None":
    """The adapter for ``name``, or None after saying on stderr that it is unsupported."""
    try:
        return get_shell(name)
    except ValueError as exc:
        sys.stderr.write(f"goswitch: {exc}\n")
        return None


def init(args: list) -> int:
    """``goswitch init SHELL``: print the hook for SHELL."""
    shell = shell_or_complain(args[0]) if len(args) == 1 else None
    if shell is None:
        if len(args) != 1:
            sys.stderr.write("usage: goswitch init bash|zsh|fish\n")
        return 2
    try:  # taken before rendering: a source edited meanwhile makes it stale, not wrong
        key = init_key(shell.name)
    except OSError:
        key = None
    text = init_script_for(shell)
    sys.stdout.write(text)
    if key:
        from ..codecache import for_writing

        where = for_writing()
        if where:
            save_init(init_file(shell.name, where), key, text)
    return 0


def save_init(path: str, key: str, text: str) -> None:
    """Save the text for the next ``goswitch init`` (see goswitch.init_key); best effort.

    Written atomically (temp file + rename) so a shell starting meanwhile
    reads the old text, the new one or none; a read-only install just renders
    every time.
    """
    from posix import getpid, mkdir, rename, unlink

    tmp = f"{path}.{getpid()}.tmp"
    try:
        try:
            mkdir(path.rpartition("/")[0])
        except FileExistsError:
            pass
        with open(tmp, "x", encoding="utf-8", errors="surrogateescape") as f:
            f.write(f"{key}\n{text}")
        rename(tmp, path)
    except OSError:
        try:
            unlink(tmp)
        except OSError:
            pass
