"""bash: ``'...'`` and ``$'...'`` quoting; hooks into PROMPT_COMMAND (string or array form).

zsh reads the same quoting, so :mod:`.zsh` builds on this adapter.
"""

from . import Shell, check_name, raw_byte


def quote_single(value: str) -> str:
    """POSIX single quotes: every byte literal, in every sh (dash too)."""
    return "'" + value.replace("'", "'\\''") + "'"


def quote_posix(value: str) -> str:
    """Single quotes for printable ASCII, else ``$'...'`` (one line, escapes visible)."""
    if all(" " <= c <= "~" for c in value):
        return quote_single(value)
    out = ["$'"]
    for ch in value:
        code = ord(ch)
        byte = raw_byte(ch)
        if byte is not None:
            out.append(f"\\x{byte:02x}")
        elif ch == "\\" or ch == "'":
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)  # printable ASCII or a valid non-ASCII character
    out.append("'")
    return "".join(out)


class Bash(Shell):
    name = "bash"
    script = "goswitch.bash"

    def quote(self, value: str) -> str:
        return quote_posix(value)

    def export(self, name: str, value: str) -> str:
        return f"export {check_name(name)}={quote_posix(value)};\n"

    def unset(self, name: str) -> str:
        return f"unset {check_name(name)};\n"

    def set_local(self, name: str, value: str) -> str:
        return f"{check_name(name)}={quote_posix(value)};\n"

    def all_or_nothing(self, names: list[str], code: str) -> str:
        checked = " ".join(check_name(n) for n in names)
        return f"if _goswitch_writable {checked}; then\n{code}fi;\n"

    def values_of(self, names: list[str]) -> str:
        return "|".join(f"${{{check_name(n)}-}}" for n in names)

    def set_list(self, name: str, values: list[str]) -> str:
        return f"{check_name(name)}=({' '.join(quote_posix(v) for v in values)});\n"
