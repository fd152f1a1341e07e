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
            from .shells import init

            fast_exit(init(args[1:]))
        from .hook.main import launch

        launch(args)
    from .cli.app import main

    main(args)
