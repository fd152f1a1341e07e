"""zsh: bash's quoting; hooks precmd and chpwd through add-zsh-hook."""

from .bash import Bash


class Zsh(Bash):
    name = "zsh"
    script = "goswitch.zsh"
