"""``python -m goswitch``: the same as the ``goswitch`` command."""

from .entry import main

main()
