"""Which go.dev archive fits this machine: (GOOS, GOARCH) from the running interpreter.

go.dev names archives ``go<version>.<os>-<arch>.tar.gz`` with Go's own names: ``amd64``
(not x86_64), ``arm64`` (not aarch64), ``386``, ``armv6l`` (the one 32-bit ARM build, which
runs on ARMv6 and ARMv7), ``ppc64le``, ``s390x``, ``riscv64``, ``loong64``.

A 64-bit kernel can run a 32-bit userland (Raspberry Pi OS on a Pi 4, i386 containers on
x86_64 hosts): ``uname -m`` then says ``aarch64``/``x86_64`` while only 32-bit programs can
run, so the width of this Python's pointers decides between the 64- and 32-bit build.
"""

from __future__ import annotations

import platform as _platform
import struct
import sys

from ..errors import GoswitchError

SUPPORTED_OS = ("linux", "darwin", "freebsd")
SUPPORTED_ARCH = ("amd64", "arm64", "386", "armv6l", "ppc64le", "s390x", "riscv64", "loong64")

# uname -m (Linux, macOS, FreeBSD spell these differently) -> Go's name
_MACHINE = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "x64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "aarch64_be": None,
    "i386": "386",
    "i486": "386",
    "i586": "386",
    "i686": "386",
    "x86": "386",
    "armv6l": "armv6l",
    "armv7l": "armv6l",
    "armv7": "armv6l",
    "armv8l": "armv6l",  # 32-bit userland on an ARMv8 CPU
    "armv6": "armv6l",
    "arm": "armv6l",
    "ppc64le": "ppc64le",
    "powerpc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loongarch64": "loong64",
    "loong64": "loong64",
}
# The 32-bit build to use when a 64-bit machine runs a 32-bit userland.
_USERLAND_32 = {"amd64": "386", "arm64": "armv6l"}


class Platform:
    """A go.dev platform: ``Platform("linux", "amd64")``, written ``linux-amd64``."""

    __slots__ = ("os", "arch")

    def __init__(self, os_: str, arch: str):
        self.os, self.arch = os_, arch

    @property
    def name(self) -> str:
        return f"{self.os}-{self.arch}"

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Platform({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Platform) and (self.os, self.arch) == (other.os, other.arch)

    def __hash__(self) -> int:
        return hash((self.os, self.arch))

    @classmethod
    def parse(cls, text: str) -> Platform:
        """``linux-amd64`` (or ``linux/amd64``), validated against the supported names."""
        os_, sep, arch = text.replace("/", "-").partition("-")
        if not sep or os_ not in SUPPORTED_OS or arch not in SUPPORTED_ARCH:
            raise GoswitchError(
                f"platform {text!r}",
                "not a supported OS-arch pair",
                f"use one of {', '.join(SUPPORTED_OS)} with one of {', '.join(SUPPORTED_ARCH)}",
            )
        return cls(os_, arch)


def goos(sys_platform: str | None = None) -> str:
    """Go's GOOS for ``sys.platform`` (linux, darwin, freebsd), or raise."""
    p = sys.platform if sys_platform is None else sys_platform
    for name in SUPPORTED_OS:
        if p.startswith(name):
            return name
    raise GoswitchError(
        f"operating system {p!r}",
        "goswitch installs Go on Linux, macOS and FreeBSD only",
        "install Go by hand and point GOSWITCH_STORES at it",
    )


def goarch(machine: str | None = None, pointer_bits: int | None = None) -> str:
    """Go's GOARCH for ``uname -m`` and the width of this interpreter, or raise."""
    m = (_platform.machine() if machine is None else machine).strip().lower()
    bits = struct.calcsize("P") * 8 if pointer_bits is None else pointer_bits
    arch = _MACHINE.get(m)
    if arch is None:
        raise GoswitchError(
            f"machine type {m or '(unknown)'!r}",
            "go.dev publishes no Go build for this CPU",
            f"builds exist for {', '.join(SUPPORTED_ARCH)}; install Go by hand and point "
            "GOSWITCH_STORES at it",
        )
    if bits == 32:
        arch = _USERLAND_32.get(arch, arch)
    return arch


def detect(
    sys_platform: str | None = None, machine: str | None = None, pointer_bits: int | None = None
) -> Platform:
    """This machine's platform (arguments only for tests)."""
    return Platform(goos(sys_platform), goarch(machine, pointer_bits))


__all__ = ["Platform", "detect", "goos", "goarch", "SUPPORTED_OS", "SUPPORTED_ARCH"]
