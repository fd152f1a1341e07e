"""This machine as go.dev names it (issue 4, point 2)."""

from __future__ import annotations

import pytest

from goswitch.errors import GoswitchError
from goswitch.install.platform import Platform, detect, goarch, goos


@pytest.mark.parametrize(
    "machine, bits, arch",
    [
        ("x86_64", 64, "amd64"),
        ("amd64", 64, "amd64"),  # FreeBSD
        ("aarch64", 64, "arm64"),
        ("arm64", 64, "arm64"),  # macOS, FreeBSD
        ("i686", 32, "386"),
        ("i386", 32, "386"),
        ("armv6l", 32, "armv6l"),
        ("armv7l", 32, "armv6l"),  # go.dev's one 32-bit ARM build runs on v6 and v7
        ("ppc64le", 64, "ppc64le"),
        ("s390x", 64, "s390x"),
        ("riscv64", 64, "riscv64"),
        ("loongarch64", 64, "loong64"),
        ("x86_64", 32, "386"),  # 32-bit userland on a 64-bit kernel
        ("aarch64", 32, "armv6l"),  # Raspberry Pi OS 32-bit on a 64-bit kernel
    ],
)
def test_machine_names(machine, bits, arch):
    assert goarch(machine, bits) == arch


@pytest.mark.parametrize(
    "plat, os_",
    [("linux", "linux"), ("darwin", "darwin"), ("freebsd13", "freebsd"), ("freebsd", "freebsd")],
)
def test_os_names(plat, os_):
    assert goos(plat) == os_


def test_unsupported_os_and_cpu_say_what_and_what_to_do():
    with pytest.raises(GoswitchError, match="'win32'.*GOSWITCH_STORES"):
        goos("win32")
    with pytest.raises(GoswitchError, match="'sparc64'.*no Go build"):
        goarch("sparc64", 64)


def test_detect_and_parse():
    p = detect("linux", "x86_64", 64)
    assert p == Platform("linux", "amd64") and p.name == "linux-amd64" and str(p) == "linux-amd64"
    assert Platform.parse("darwin/arm64") == Platform("darwin", "arm64")
    assert Platform.parse("linux-armv6l").arch == "armv6l"
    with pytest.raises(GoswitchError):
        Platform.parse("windows-amd64")
    with pytest.raises(GoswitchError):
        Platform.parse("linux-mips")
    assert detect().name  # this machine is supported
