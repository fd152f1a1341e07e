"""fish: hooks the fish_prompt event and changes of PWD.

fish single quotes only know ``\\\\`` and ``\\'``; anything else that is not
printable is written as an escape outside the quotes.  Bytes that are not
UTF-8 use ``\\XHH`` (a raw byte); valid non-ASCII stays literal so that fish
compares it equal to its own ``$PWD``.
"""

from . import Shell, check_name, raw_byte

_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\e"}


def quote_fish(value: str) -> str:
    if not value:
        return "''"
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append("'" + "".join(run) + "'")
            run.clear()

    for ch in value:
        code = ord(ch)
        byte = raw_byte(ch)
        if byte is not None:
            flush()
            out.append(f"\\X{byte:02x}")
        elif code < 0x20 or code == 0x7F:
            flush()
            out.append(_NAMED.get(ch, f"\\x{code:02x}"))
        elif ch == "\\" or ch == "'":
            run.append("\\" + ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


class Fish(Shell):
    name = "fish"
    script = "goswitch.fish"

    def values_of(self, names: list[str]) -> str:
        return "|".join(f"${check_name(n)}" for n in names)

    def quote(self, value: str) -> str:
        return quote_fish(value)

    def export(self, name: str, value: str) -> str:
        return f"set -gx {check_name(name)} {quote_fish(value)};\n"

    def export_path(self, value: str) -> str:
        # fish keeps PATH as a list; give it the entries, not one joined string.
        entries = " ".join(quote_fish(p) for p in value.split(":")) if value else ""
        return f"set -gx PATH {entries};\n"

    def unset(self, name: str) -> str:
        return f"set -e {check_name(name)};\n"

    def set_local(self, name: str, value: str) -> str:
        return f"set -g {check_name(name)} {quote_fish(value)};\n"

    def set_list(self, name: str, values: list[str]) -> str:
        return f"set -g {check_name(name)} {' '.join(quote_fish(v) for v in values)};\n"
