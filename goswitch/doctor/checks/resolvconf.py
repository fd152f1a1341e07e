"""/etc/resolv.conf as Go reads it (net/dnsconfig_unix.go) and as glibc 2.36 does
(res_init), and how long each waits before it reaches a server that answers."""

from __future__ import annotations

import functools
import ipaddress
import re

MAXNS = 3  # glibc's MAXNS; Go also keeps the first three
MAX_LISTED = 64  # nameservers listed beyond the three used: enough to say they are ignored
DEFAULT_TIMEOUT, DEFAULT_ATTEMPTS, DEFAULT_NDOTS = 5, 2, 1
GLIBC_MAX_TIMEOUT, GLIBC_MAX_ATTEMPTS = 30, 5  # RES_MAXRETRANS, RES_MAXRETRY

# Options Go's resolv.conf parser understands; anything else makes a cgo-enabled
# binary hand lookups to glibc.
GO_KNOWN_OPTIONS = ("ndots:", "timeout:", "attempts:", "rotate", "single-request",
                    "single-request-reopen", "use-vc", "usevc", "tcp", "trust-ad", "edns0",
                    "no-reload")
_GO_KNOWN_EXACT = frozenset(k for k in GO_KNOWN_OPTIONS if not k.endswith(":"))
_GO_KNOWN_PREFIXES = tuple(k for k in GO_KNOWN_OPTIONS if k.endswith(":"))
GO_KNOWN_KEYWORDS = ("nameserver", "domain", "search", "options", "lookup")

_GO_BIG = 0xFFFFFF  # Go's dtoi stops counting here


def int_option(value: str) -> int:
    """Go's dtoi: the leading ASCII digits as a number (at most 0xFFFFFF), 0 without
    any, so `timeout:abc` and `timeout:-1` are 0 (Go then raises timeout and attempts
    to 1)."""
    digits = re.match(r"[0-9]*", value).group().lstrip("0")
    if len(digits) > 8:
        return _GO_BIG
    return min(int(digits or "0"), _GO_BIG)


def _c_atoi(value: str) -> int:
    """glibc's atoi, (int) strtol: C whitespace, a sign, ASCII digits; out of range
    saturates to LONG_MAX/LONG_MIN and is then cut to 32 bits (attempts:99999999999999999999
    is -1)."""
    m = re.match(r"[ \t\n\v\f\r]*([+-]?)([0-9]*)", value)
    digits = m.group(2).lstrip("0") or "0"
    n = int(digits) if len(digits) <= 19 else 1 << 63
    n = min(n, (1 << 63) - 1) if m.group(1) != "-" else -min(n, 1 << 63)
    return ((n + (1 << 31)) % (1 << 32)) - (1 << 31)


@functools.lru_cache(maxsize=64)
def _is_ip(addr: str) -> bool:
    """netip.ParseAddr's and glibc's idea of a nameserver: an IPv4 or IPv6 address
    (fe80::1%eth0 is allowed), not a name."""
    try:
        ipaddress.ip_address(addr)
    except ValueError:
        return False
    return True


_GO_READ_BUFFER = 64 * 1024  # net/parse.go's open(): one buffer, never grown


def go_lines(text: str):
    """The lines Go's net package reads (net/parse.go's readLine): split at \\n only,
    and a line that does not fit its 64 KiB buffer ends the file there, silently."""
    for line in text.split("\n"):
        if len(line) >= _GO_READ_BUFFER // 4 and len(line.encode()) >= _GO_READ_BUFFER:
            return
        yield line


def _go_fields(line: str) -> list[str]:
    """Go's getFields: split at space, \\r, \\t and \\n only (not \\v or \\f)."""
    return [f for f in re.split(r"[ \r\t\n]+", line) if f]


def parse_resolv_conf(text: str) -> dict:
    """resolv.conf as Go's net/dnsconfig_unix.go reads it, with glibc's reading under
    "glibc" (see parse_resolv_conf_glibc): the two differ on CRLF line endings,
    indented lines and attempts:0, and git and curl go through glibc."""
    conf = {
        "nameservers": [], "invalid_nameservers": [], "search": [], "ndots": DEFAULT_NDOTS,
        "timeout": DEFAULT_TIMEOUT, "attempts": DEFAULT_ATTEMPTS, "rotate": False,
        "single_request": False, "use_vc": False, "go_unknown": [], "indented": False,
        "crlf": "\r\n" in text,
    }
    for line in go_lines(text):  # not splitlines(): \v, \f and \x1c-\x1e are no line ends
        # Only the very first byte makes a comment: an indented `# ...` is a keyword to Go.
        if line[:1] in ("#", ";"):
            continue
        fields = _go_fields(line)
        if not fields:
            continue
        key = fields[0]
        if key not in GO_KNOWN_KEYWORDS:
            conf["go_unknown"].append(key)
        if key == "nameserver" and len(fields) > 1 and len(conf["nameservers"]) < MAX_LISTED:
            addr = fields[1]
            conf["nameservers" if _is_ip(addr) else "invalid_nameservers"].append(addr)
            if line[:1] in (" ", "\t", "\r"):
                conf["indented"] = True
        elif key == "domain" and len(fields) > 1:
            conf["search"] = [fields[1]]  # the last search/domain line wins
        elif key == "search":
            conf["search"] = [d for d in fields[1:] if d != "."]
        elif key == "options":
            for opt in fields[1:]:
                _apply_option(conf, opt)
    conf["glibc"] = parse_resolv_conf_glibc(text)
    return conf


def _glibc_keyword(line: str, name: str) -> bool:
    """res_init's MATCH: the keyword at the very start of the line, then a space or tab."""
    return line.startswith(name) and line[len(name):len(name) + 1] in (" ", "\t")


def parse_resolv_conf_glibc(text: str) -> dict:
    """What glibc 2.36's res_init makes of resolv.conf (nameservers and the options
    that set its timing).

    A keyword counts only at the start of a line and followed by a space or tab, so
    an indented `nameserver` is ignored; the address ends at a space, tab or newline,
    so with CRLF line endings it is `10.0.0.1\\r`, not an address; timeout and attempts
    are atoi'd and only capped from above, so attempts:0 or -1 means no query at all.
    """
    conf = {"nameservers": [], "timeout": DEFAULT_TIMEOUT, "attempts": DEFAULT_ATTEMPTS,
            "rotate": False, "single_request": False}
    for line in text.split("\n"):
        if not line.startswith(("nameserver", "options")):  # also skips # and ; comments
            continue
        if _glibc_keyword(line, "nameserver"):
            addr = re.split(r"[ \t\n]", line[len("nameserver"):].lstrip(" \t"), maxsplit=1)[0]
            if len(conf["nameservers"]) < MAX_LISTED and _is_ip(addr):
                conf["nameservers"].append(addr)
        elif _glibc_keyword(line, "options"):
            for opt in re.split(r"[ \t]+", line[len("options"):]):
                if opt.startswith("timeout:"):
                    conf["timeout"] = min(_c_atoi(opt[8:]), GLIBC_MAX_TIMEOUT)
                elif opt.startswith("attempts:"):
                    conf["attempts"] = min(_c_atoi(opt[9:]), GLIBC_MAX_ATTEMPTS)
                elif opt.startswith("rotate"):  # res_setoptions compares prefixes
                    conf["rotate"] = True
                elif opt.startswith("single-request"):
                    conf["single_request"] = True
    return conf


def _apply_option(conf: dict, opt: str) -> None:
    if opt.startswith("ndots:"):
        conf["ndots"] = min(int_option(opt[6:]), 15)
    elif opt.startswith("timeout:"):
        conf["timeout"] = max(int_option(opt[8:]), 1)
    elif opt.startswith("attempts:"):
        conf["attempts"] = max(int_option(opt[9:]), 1)
    elif opt == "rotate":
        conf["rotate"] = True
    elif opt in ("single-request", "single-request-reopen"):
        conf["single_request"] = True
    elif opt in ("use-vc", "usevc", "tcp"):
        conf["use_vc"] = True
    if opt not in _GO_KNOWN_EXACT and not opt.startswith(_GO_KNOWN_PREFIXES):
        conf["go_unknown"].append(opt)


def go_worst_case(servers: int, timeout: int, attempts: int, single_request: bool) -> int:
    """Seconds Go's resolver waits for one name when no server answers.

    Go tries every server once per attempt and gives each the full timeout; it
    does not cap timeout or attempts.  A and AAAA go out in parallel unless
    single-request makes them sequential.
    """
    total = attempts * max(1, min(servers, MAXNS)) * timeout
    return total * 2 if single_request else total


def go_failover(servers: int, timeout: int, single_request: bool) -> int:
    """Seconds before Go asks the last server when the ones before it do not answer.

    Go's tryOneName walks the servers in order within each attempt, so a working
    server is reached in the first round: attempts never delay it.  With rotate
    the start moves, which only makes this the worst case.  single-request sends
    AAAA after A has its answer, and each pays the wait.
    """
    wait = (max(1, min(servers, MAXNS)) - 1) * timeout
    return wait * 2 if single_request else wait


def _glibc_server_wait(i: int, n: int, timeout: int) -> int:
    """res_send's send_dg: ``(retrans << i) / nscount`` for server i > 0, at least 1 s."""
    t = min(timeout, GLIBC_MAX_TIMEOUT)
    seconds = t << i if t >= 0 else t
    if i > 0:
        seconds = int(seconds / n)  # C division truncates toward zero
    return max(seconds, 1)


def glibc_worst_case(servers: int, timeout: int, attempts: int) -> int:
    """The same for glibc: res_send gives server i ``(timeout << i) / nscount`` seconds.

    Server 0 gets the full timeout, later ones a share of a doubled one (at least
    1 s); timeout is capped at 30 and attempts at 5 (0 or less: no query at all).
    """
    n = max(1, min(servers, MAXNS))
    per_round = sum(_glibc_server_wait(i, n, timeout) for i in range(n))
    return max(0, min(attempts, GLIBC_MAX_ATTEMPTS)) * per_round


def glibc_failover(servers: int, timeout: int) -> int:
    """Seconds before glibc asks the last server when the ones before it do not answer
    (A and AAAA share each server's wait, with or without single-request)."""
    n = max(1, min(servers, MAXNS))
    return sum(_glibc_server_wait(i, n, timeout) for i in range(n - 1))
