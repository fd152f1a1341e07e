"""The doctor's checks, one module each; :data:`ALL` is the order they run and print in."""

from __future__ import annotations

from .dns import DnsCheck
from .goenv import GoEnvCheck
from .limits import LimitsCheck
from .selinux import SelinuxCheck
from .sockets import SocketsCheck

ALL = (GoEnvCheck(), LimitsCheck(), DnsCheck(), SocketsCheck(), SelinuxCheck())
BY_NAME = {check.name: check for check in ALL}
