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
    import sys

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        import posix

        posix._exit(code)
