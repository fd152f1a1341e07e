"""zsh: hooks precmd and chpwd through add-zsh-hook."""

from .posix import PosixShell


class Zsh(PosixShell):
    name = "zsh"
    script = "goswitch.zsh"
