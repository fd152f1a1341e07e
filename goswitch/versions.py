"""Go version strings: parse, order and match them the way Go does.

On the hook path: stdlib only and no ``re`` (importing ``re`` costs more than
the whole hook's budget), so parsing is done by hand.

Release names: ``1.21.6``; before Go 1.21 the first release of a line had no
``.0`` (``1.20``, then ``1.20.1``); pre-releases are ``1.22rc1``,
``1.21beta2``, ``1.9alpha1``.  Order, as in Go's ``go/version``:
``1.21rc2 < 1.21.0 < 1.21.1`` and ``1.20rc1 < 1.20 < 1.20.1``.

Specs (what a user may write): an exact release, a prefix (``1.21`` = the
newest 1.21.x; ``1`` = the newest 1.x), ``latest``/``stable`` (newest stable
release), or a pre-release.  Anything else is a :class:`VersionError`.
"""

from __future__ import annotations

_PRE_RANK = {"alpha": 0, "beta": 1, "rc": 2}
_MAX_DIGITS = 4  # "1.21.99999" is not a Go version; also bounds hostile input


class VersionError(ValueError):
    """The text is not a Go version or version spec."""

    def __init__(self, text: str, why: str):
        super().__init__(f"{text!r} is not a Go version ({why})")
        self.text = text
        self.why = why


def _number(part: str, text: str) -> int:
    if not part or len(part) > _MAX_DIGITS or not part.isascii() or not part.isdigit():
        raise VersionError(text, "expected numbers like 1.21.6, 1.21, 1.22rc1 or latest")
    if len(part) > 1 and part[0] == "0":
        raise VersionError(text, "numbers have no leading zeros")
    return int(part)


class GoVersion:
    """One Go release (or pre-release), e.g. 1.21.6, 1.20, 1.22rc1."""

    __slots__ = ("major", "minor", "patch", "pre", "pre_num", "_key")

    def __init__(
        self,
        major: int,
        minor: int,
        patch: int | None = None,
        pre: str | None = None,
        pre_num: int = 0,
    ):
        if patch == 0 and pre is None and (major, minor) < (1, 21):
            patch = None  # "1.20.0" is the release named 1.20 (its tree, its archive)
        self.major, self.minor, self.patch = major, minor, patch
        self.pre, self.pre_num = pre, pre_num
        # Pre-releases sort before the release of their line; "1.20" and
        # "1.20.0" are the same point.
        rank = _PRE_RANK[pre] if pre else 3
        self._key = (major, minor, rank, pre_num, patch or 0)

    @classmethod
    def parse(cls, text: str) -> GoVersion:
        """Parse a release name: ``1.21.6``, ``go1.21.6``, ``1.20``, ``1.22rc1``."""
        spec = Spec.parse(text)
        if spec.kind == "exact":
            return spec.version  # type: ignore[return-value]
        if spec.kind == "prefix" and spec.minor is not None:
            return cls(spec.major, spec.minor)  # type: ignore[arg-type]
        raise VersionError(text, "a release needs at least major.minor, e.g. 1.21.6")

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None

    @property
    def line(self) -> tuple[int, int]:
        return (self.major, self.minor)

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}"
        if self.pre:
            return f"{base}{self.pre}{self.pre_num}"
        if self.patch is None:
            return base
        return f"{base}.{self.patch}"

    @property
    def spec_text(self) -> str:
        """Text that names exactly this release as a spec: ``1.20`` alone would be the
        prefix (newest 1.20.x), so the first release of a pre-1.21 line is ``1.20.0``."""
        if self.patch is None and self.pre is None:
            return f"{self.major}.{self.minor}.0"
        return str(self)

    @property
    def go_name(self) -> str:
        """The name go.dev uses: ``go1.21.6``."""
        return "go" + str(self)

    def __repr__(self) -> str:
        return f"GoVersion({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoVersion) and self._key == other._key

    def __lt__(self, other: GoVersion) -> bool:
        return self._key < other._key

    def __le__(self, other: GoVersion) -> bool:
        return self._key <= other._key

    def __gt__(self, other: GoVersion) -> bool:
        return self._key > other._key

    def __ge__(self, other: GoVersion) -> bool:
        return self._key >= other._key

    def __hash__(self) -> int:
        return hash(self._key)



class Spec:
    """What a user asked for: exact, prefix, latest, or a pre-release (exact)."""

    __slots__ = ("text", "kind", "version", "major", "minor")

    def __init__(
        self,
        text: str,
        kind: str,
        version: GoVersion | None = None,
        major: int | None = None,
        minor: int | None = None,
    ):
        self.text, self.kind, self.version = text, kind, version
        self.major, self.minor = major, minor

    def __repr__(self) -> str:
        return f"Spec({self.text!r}, {self.kind})"

    def __str__(self) -> str:
        if self.kind == "exact":
            return self.version.spec_text  # type: ignore[union-attr]
        if self.kind == "latest":
            return "latest"
        return f"{self.major}" if self.minor is None else f"{self.major}.{self.minor}"

    @classmethod
    def parse(cls, text: str) -> Spec:
        if not isinstance(text, str):
            raise VersionError(repr(text), "not text")
        # Spaces, tabs and line ends only: \v, \f, \x1c-\x1f, \x85, U+2028... in a pin file
        # make the value invalid rather than disappear (see discovery.split_lines).
        raw = text.strip(" \t\r\n")
        low = raw.lower()
        if low in ("latest", "stable"):
            return cls(raw, "latest")
        if low.startswith("go"):
            low = low[2:]
        if not low:
            raise VersionError(text, "empty")
        if len(low) > 24:
            raise VersionError(text, "too long")
        pre = None
        pre_num = 0
        for name in ("alpha", "beta", "rc"):
            at = low.find(name)
            if at != -1:
                pre = name
                pre_num = _number(low[at + len(name) :], text)
                if pre_num == 0:
                    raise VersionError(text, f"{name} numbers start at 1")
                low = low[:at]
                break
        parts = low.split(".")
        if len(parts) > 3:
            raise VersionError(text, "at most major.minor.patch")
        nums = [_number(p, text) for p in parts]
        if nums[0] == 0:
            raise VersionError(text, "major version 0 does not exist")
        if pre is not None:
            if len(nums) != 2:
                raise VersionError(text, "pre-releases look like 1.22rc1 (no patch number)")
            return cls(raw, "exact", GoVersion(nums[0], nums[1], None, pre, pre_num))
        if len(nums) == 3:
            return cls(raw, "exact", GoVersion(nums[0], nums[1], nums[2]))
        if len(nums) == 2:
            return cls(raw, "prefix", major=nums[0], minor=nums[1])
        return cls(raw, "prefix", major=nums[0])

    def matches(self, v: GoVersion) -> bool:
        """Does release ``v`` satisfy this spec?  Prefixes and latest skip pre-releases."""
        if self.kind == "exact":
            return v == self.version
        if v.is_prerelease:
            return False
        if self.kind == "latest":
            return True
        if v.major != self.major:
            return False
        return self.minor is None or v.minor == self.minor

    def pick(self, candidates) -> GoVersion | None:
        """The newest candidate this spec matches, or None."""
        best = None
        for v in candidates:
            if self.matches(v) and (best is None or v > best):
                best = v
        return best




def try_parse_version(text: str) -> GoVersion | None:
    try:
        return GoVersion.parse(text)
    except VersionError:
        return None
