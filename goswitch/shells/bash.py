"""bash: hooks into PROMPT_COMMAND (string or array form), keeps the user's."""

from .posix import PosixShell


class Bash(PosixShell):
    name = "bash"
    script = "goswitch.bash"
