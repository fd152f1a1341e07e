"""goswitch: per-project Go versions with a direnv-style shell hook.

Kept import-free on purpose: the shell hook imports this package under
``python -I -S`` at every directory change.
"""

__version__ = "0.1.0"
