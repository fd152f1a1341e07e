"""One adapter per shell behind the small interface in :mod:`.base`."""

from __future__ import annotations

from .base import Shell

NAMES = ("bash", "zsh", "fish")


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
