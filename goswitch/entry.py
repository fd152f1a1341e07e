"""Console-script entry point.

``goswitch init SHELL`` runs once per shell start and must cost no more than
one hook run, so it (and the hook itself) is served without importing click.
Everything else goes to the click app.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("init", "hook") and "--help" not in args and "-h" not in args:
        from . import fast_exit

        if args[0] == "init":
            from .shells import init

            fast_exit(init(args[1:]))
        from .hook.main import launch

        launch(args)  # exits without interpreter teardown
    from .cli.app import main as cli_main

    cli_main(args)


if __name__ == "__main__":
    main()
