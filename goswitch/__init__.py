"""goswitch: per-project Go versions with a direnv-style shell hook.

Kept import-free on purpose: the shell hook imports this package under
``python -I -S`` at every directory change.
"""

__version__ = "0.1.0"


def fast_exit(code: int) -> None:
    """Flush and leave without interpreter teardown (the hot paths: init, hook).

    Tearing down a finished interpreter costs about 1.5 ms, a sixth of a whole
    hook run, and there is nothing to clean up: files are closed by then.
    """
    import posix
    import sys

    try:
        sys.stdout.flush()
    except OSError as exc:  # `goswitch init bash > /dev/full`: never exit 0
        code = code or _output_failed(exc)
    try:
        sys.stderr.flush()
    finally:
        posix._exit(code)


def _output_failed(exc: OSError) -> int:
    """Say why stdout could not be written (a closed pipe: the reader left, no words); 1."""
    import sys

    if not isinstance(exc, BrokenPipeError):
        sys.stderr.write(f"goswitch: cannot write the output: {exc.strerror or exc}\n")
    return 1


def run() -> None:
    """The ``goswitch`` command (``bin/goswitch``, ``python -m goswitch``).

    ``init`` runs at every shell start and ``hook`` at every cd, so both go
    straight to the stdlib-only code without importing click; everything else
    goes to the click app.
    """
    import sys

    args = sys.argv[1:]
    if args[:1] in (["init"], ["hook"]) and not {"-h", "--help"} & set(args):
        if args[0] == "init":
            try:
                if len(args) == 2 and _print_saved_init(args[1]):
                    fast_exit(0)
                from .shells import init

                code = init(args[1:])
            except OSError as exc:  # stdout is a full disk or a closed pipe
                code = _output_failed(exc)
            fast_exit(code)
        from .hook.main import launch

        launch(args)
    from .cli.app import main

    main(args)


# `goswitch init SHELL` prints the same text until goswitch, its interpreter
# or its location changes, so the text is saved once in __pycache__ and later
# shell starts print it back without importing anything else: the imports and
# the rendering cost 2.5 M instructions, a third of the interpreter's own
# `site`, at every shell start (docs/ARCHITECTURE.md, "Two worlds").  The
# first line of the saved file is the key below; anything that does not
# match is rendered again.
SHELLS = ("bash", "zsh", "fish")
# Every file the rendering reads: the script, the interface (launch code,
# protocol, snapshot path) and the adapters (zsh's derives from bash's).
_INIT_SOURCES = ("shells/__init__.py", "shells/bash.py", "shells/zsh.py", "shells/fish.py")


def init_key(shell: str) -> str:
    """What the saved text of ``goswitch init SHELL`` must start with; OSError if a source
    is missing."""
    import sys
    from posix import stat

    pkg = __file__.rpartition("/")[0]
    key = ["goswitch-init", sys.executable, pkg]
    for rel in (f"data/shell/goswitch.{shell}", *_INIT_SOURCES):
        st = stat(f"{pkg}/{rel}")
        key.append(f"{st.st_mtime_ns}:{st.st_size}")
    return " ".join(key)


def init_file(shell: str, cache_dir: str) -> str:
    import sys

    return f"{cache_dir}/init-{shell}.{sys.implementation.cache_tag}.sh"


def _print_saved_init(shell: str) -> bool:
    """Print the saved text: from the package's __pycache__, else the user's (codecache)."""
    if shell not in SHELLS:
        return False
    try:
        key = init_key(shell) + "\n"
        text = _saved_text(init_file(shell, __file__.rpartition("/")[0] + "/__pycache__"), key)
        if text is None:
            from .codecache import is_private, user_cache

            mine = user_cache()
            if is_private(mine):
                text = _saved_text(init_file(shell, mine), key)
    except (OSError, UnicodeError):
        return False
    if text is None:
        return False
    import sys

    sys.stdout.write(text)
    return True


def _saved_text(path: str, key: str) -> "str | None":
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.read() if f.readline() == key else None
    except FileNotFoundError:
        return None
