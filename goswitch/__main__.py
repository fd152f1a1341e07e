"""``python -m goswitch``: the same as the ``goswitch`` command."""

from . import run

run()
