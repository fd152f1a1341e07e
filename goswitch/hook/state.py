"""What goswitch changed in this shell, carried in one exported variable.

``__GOSWITCH_STATE`` holds, for every variable goswitch set, the value it
had before (or that it was unset), and the PATH entries goswitch added:
exactly what leaving needs, nothing that can be derived.  It is exported so
a nested shell knows what to restore, and versioned so a shell carrying
state from another goswitch version is never "restored" with a wrong
reading of it.

Format (``FORMAT`` 2): fields separated by US (0x1f), list items by RS
(0x1e); ``%``, US and RS inside values are %-escaped.  A saved value is
``=value`` when the variable was set, ``-`` when it was unset.
"""

from __future__ import annotations

STATE_VAR = "__GOSWITCH_STATE"
FORMAT = "2"  # 1 also carried the version and GOROOT, which nothing read
_US, _RS = "\x1f", "\x1e"


def _esc(text: str) -> str:
    return text.replace("%", "%25").replace(_US, "%1F").replace(_RS, "%1E")


def _unesc(text: str) -> str:
    return text.replace("%1E", _RS).replace("%1F", _US).replace("%25", "%")


class StateError(ValueError):
    """The state variable was written by another goswitch version or is damaged."""


class State:
    __slots__ = ("path_added", "saved")

    def __init__(self, path_added=None, saved=None):
        self.path_added: list[str] = list(path_added or [])
        # name -> previous value, None when it was unset
        self.saved: dict[str, str | None] = dict(saved or {})

    @property
    def empty(self) -> bool:
        return not self.saved and not self.path_added

    def encode(self) -> str:
        saved = _RS.join(
            _esc(name) + _RS + ("-" if value is None else "=" + _esc(value))
            for name, value in sorted(self.saved.items())
        )
        return _US.join((FORMAT, _RS.join(_esc(p) for p in self.path_added), saved))

    @classmethod
    def decode(cls, text: str | None) -> State:
        if not text:
            return cls()
        fields = text.split(_US)
        if fields[0] != FORMAT:
            raise StateError(f"state format {fields[0][:8]!r}, this goswitch reads {FORMAT!r}")
        if len(fields) != 3:
            raise StateError("damaged state")
        _, added, saved_raw = fields
        path_added = [_unesc(p) for p in added.split(_RS)] if added else []
        saved: dict[str, str | None] = {}
        if saved_raw:
            items = saved_raw.split(_RS)
            if len(items) % 2:
                raise StateError("damaged state")
            for i in range(0, len(items), 2):
                value = items[i + 1]
                if value == "-":
                    saved[_unesc(items[i])] = None
                elif value.startswith("="):
                    saved[_unesc(items[i])] = _unesc(value[1:])
                else:
                    raise StateError("damaged state")
        return cls(path_added, saved)


def remove_entries(path: str, entries: list[str]) -> str:
    """PATH without one occurrence of each of ``entries`` (the first, which is ours).

    Entries the user added meanwhile stay, even if equal to one of ours
    (only one occurrence per entry we added is taken out).
    """
    parts = path.split(":") if path else []
    for entry in entries:
        try:
            parts.remove(entry)
        except ValueError:
            pass  # the user removed it already
    return ":".join(parts)
