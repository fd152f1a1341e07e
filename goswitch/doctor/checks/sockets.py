"""Sockets: the ephemeral port range, TIME_WAIT, and what a given load needs.

Every outgoing TCP connection takes a local port from
``net.ipv4.ip_local_port_range`` (IPv6 uses the same range).  The side that
closes first keeps the port in TIME_WAIT for 60 seconds (TCP_TIMEWAIT_LEN,
fixed in the kernel; ``tcp_fin_timeout`` is FIN_WAIT_2 and does not shorten
it).  Tests and load generators that open a new connection per request -- a
response body not read to EOF and closed, ``DisableKeepAlives``, or more
concurrent requests than http.Transport's ``MaxIdleConnsPerHost`` (2 by
default) -- leave one TIME_WAIT port behind per request, and once one
destination's ports are used up ``connect`` fails with
``cannot assign requested address`` (EADDRNOTAVAIL).
"""

from __future__ import annotations

import ipaddress
import math

from ..model import FAIL, NA, OK, WARN, Check, Finding

TIME_WAIT_SECONDS = 60  # TCP_TIMEWAIT_LEN
TW_REUSE_AFTER = 1  # tcp_tw_reuse takes over a TIME_WAIT port once it is a second old
PORT_RANGE = "/proc/sys/net/ipv4/ip_local_port_range"
RESERVED_PORTS = "/proc/sys/net/ipv4/ip_local_reserved_ports"
TW_REUSE = "/proc/sys/net/ipv4/tcp_tw_reuse"
TIMESTAMPS = "/proc/sys/net/ipv4/tcp_timestamps"
MAX_TW_BUCKETS = "/proc/sys/net/ipv4/tcp_max_tw_buckets"
# Narrower than this sustains fewer than ~136 new connections/s to one destination.
NARROW_RANGE = 8192
TOO_NARROW_RANGE = 1024  # ~17 new connections/s


def ports_needed(qps: float, seconds: float) -> int | None:
    """Ports held at once by ``qps`` new connections/s each holding one ``seconds``.

    None when the product is not a finite number (``--qps 1e308``): no estimate.
    """
    held = qps * seconds
    if not math.isfinite(held):
        return None
    return int(held + 0.999)  # up, but 0.1 x 60 = 6.000000000000001 stays 6


def _count(n: int) -> str:
    """A port count for people: a 300-digit one from --lifetime 1e308 as 1.7e+308."""
    return str(n) if n < 10**9 else f"{float(n):.3g}"


def parse_reserved(text: str) -> list[tuple[int, int]]:
    """ip_local_reserved_ports: ``8080,9000-9100`` -> [(8080, 8080), (9000, 9100)]."""
    ranges = []
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        try:
            ranges.append((int(lo), int(hi or lo)))
        except ValueError:
            continue
    return ranges


def usable_width(low: int, high: int, reserved: list[tuple[int, int]]) -> int:
    width = high - low + 1
    for lo, hi in reserved:
        overlap = min(hi, high) - max(lo, low) + 1
        if overlap > 0:
            width -= overlap
    return max(width, 0)


def parse_sockstat(text: str) -> dict[str, dict[str, int]]:
    """``TCP: inuse 1 orphan 0 tw 3`` -> {"TCP": {"inuse": 1, "orphan": 0, "tw": 3}}."""
    result: dict[str, dict[str, int]] = {}
    for line in text.splitlines():
        proto, _, rest = line.partition(":")
        fields = rest.split()
        values = {}
        for key, val in zip(fields[::2], fields[1::2]):
            try:
                values[key] = int(val)
            except ValueError:
                continue
        result[proto.strip()] = values
    return result


def _decode_addr(hex_addr: str) -> str:
    """/proc/net/tcp addresses: 32-bit words in host (little-endian) order."""
    raw = bytes.fromhex(hex_addr)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    addr = ipaddress.ip_address(words)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        return str(addr.ipv4_mapped)
    return str(addr)


def time_wait_by_destination(texts: list[str], low: int, high: int) -> dict[str, int]:
    """TIME_WAIT sockets per remote address:port whose local port is ephemeral.

    Only those use up the range: a server that closes first keeps *its* port
    (e.g. :8080) in TIME_WAIT, which costs no ephemeral port.
    """
    counts: dict[str, int] = {}
    for text in texts:
        for line in text.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 4 or fields[3] != "06":  # 06 = TCP_TIME_WAIT
                continue
            try:
                _, lport = fields[1].rsplit(":", 1)
                raddr, rport = fields[2].rsplit(":", 1)
                if not low <= int(lport, 16) <= high:
                    continue
                host = _decode_addr(raddr)
                key = f"[{host}]:{int(rport, 16)}" if ":" in host else f"{host}:{int(rport, 16)}"
            except ValueError:
                continue
            counts[key] = counts.get(key, 0) + 1
    return counts


def _is_loopback(dest: str) -> bool:
    host = dest.rsplit(":", 1)[0].strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def reuse_applies(tw_reuse: int | None, timestamps: int | None, loopback: bool) -> bool:
    """Can connect() take over a TIME_WAIT port to this kind of destination?"""
    if not timestamps:  # tw_reuse relies on TCP timestamps to tell old segments apart
        return False
    return tw_reuse == 1 or (tw_reuse == 2 and loopback)


class SocketsCheck(Check):
    name = "sockets"
    title = "Sockets"
    summary = "ephemeral port range, tcp_tw_reuse, TIME_WAIT; --qps/--lifetime port estimate"

    def run(self, ctx) -> list[Finding]:
        system = ctx.system
        text = system.read_text(PORT_RANGE)
        bounds = None
        if text and len(text.split()) >= 2:
            try:
                bounds = (int(text.split()[0]), int(text.split()[1]))
            except ValueError:
                bounds = None
        reserved = parse_reserved(system.read_text(RESERVED_PORTS) or "")
        tw_reuse = system.read_int(TW_REUSE)
        timestamps = system.read_int(TIMESTAMPS)
        findings = [self._range(bounds, reserved), self._reuse(tw_reuse, timestamps)]
        width = usable_width(*bounds, reserved) if bounds else None
        findings.append(self._time_wait(ctx, bounds, width, tw_reuse, timestamps))
        findings.append(self._load(ctx, width, tw_reuse, timestamps))
        return findings

    def _range(self, bounds, reserved) -> Finding:
        title = "ip_local_port_range"
        explain = ("Each outgoing connection to the same destination address and port needs "
                   "its own local port from this range, and keeps it for "
                   f"{TIME_WAIT_SECONDS} s in TIME_WAIT after closing: the range divided by "
                   f"{TIME_WAIT_SECONDS} is how many new connections per second one "
                   "destination can take without reuse.")
        if bounds is None:
            return Finding("port-range", title, NA, f"{PORT_RANGE} is not readable", explain,
                           data={"low": None, "high": None, "width": None})
        low, high = bounds
        width = usable_width(low, high, reserved)
        rate = width // TIME_WAIT_SECONDS
        data = {"low": low, "high": high, "width": width, "reserved": reserved}
        value = f"{low}-{high}: {width} ports"
        if width != high - low + 1:
            value += f" after ip_local_reserved_ports ({high - low + 1 - width} reserved)"
        value += f" -> ~{rate} new connections/s per destination"
        status = OK
        if width < TOO_NARROW_RANGE:
            status = FAIL
        elif width < NARROW_RANGE:
            status = WARN
        fix = ""
        if status != OK:
            fix = ("`sudo sysctl -w net.ipv4.ip_local_port_range=\"15000 64999\"` (keep clear of "
                   "ports your servers listen on); persist it in /etc/sysctl.d/90-ports.conf.")
        return Finding("port-range", title, status, value, explain, fix, data)

    def _reuse(self, tw_reuse, timestamps) -> Finding:
        title = "tcp_tw_reuse"
        meaning = {0: "off", 1: "on for all destinations", 2: "on for loopback only"}
        data = {"tcp_tw_reuse": tw_reuse, "tcp_timestamps": timestamps}
        explain = ("With tcp_tw_reuse, connect() may take over a local port that has been in "
                   f"TIME_WAIT for more than {TW_REUSE_AFTER} s, so connection churn does not "
                   "run out of ports. 2 (the kernel default) covers loopback, which is where "
                   "httptest servers live; it needs tcp_timestamps.")
        if tw_reuse is None:
            return Finding("tw-reuse", title, NA, f"{TW_REUSE} is not readable", explain,
                           data=data)
        value = f"{tw_reuse} ({meaning.get(tw_reuse, 'unknown value')})"
        if tw_reuse in (1, 2) and not timestamps:
            return Finding("tw-reuse", title, WARN, value + ", but tcp_timestamps is 0",
                           explain + " With tcp_timestamps off it has no effect.",
                           "`sudo sysctl -w net.ipv4.tcp_timestamps=1`.", data)
        if tw_reuse == 0:
            return Finding("tw-reuse", title, WARN, value, explain + " Off, even tests "
                           "against 127.0.0.1 wait the full TIME_WAIT for every port.",
                           "`sudo sysctl -w net.ipv4.tcp_tw_reuse=2` (loopback) or 1 (all); "
                           "persist it in /etc/sysctl.d/. Never use the removed "
                           "tcp_tw_recycle.", data)
        return Finding("tw-reuse", title, OK, value, explain, data=data)

    def _time_wait(self, ctx, bounds, width, tw_reuse, timestamps) -> Finding:
        system = ctx.system
        title = "TIME_WAIT"
        stat4 = parse_sockstat(system.read_text("/proc/net/sockstat") or "")
        stat6 = parse_sockstat(system.read_text("/proc/net/sockstat6") or "")
        tcp = stat4.get("TCP", {})
        total_tw = tcp.get("tw")
        data = {
            "time_wait": total_tw, "tcp_inuse": tcp.get("inuse"),
            "tcp6_inuse": stat6.get("TCP6", {}).get("inuse"),
            "max_tw_buckets": system.read_int(MAX_TW_BUCKETS),
            "busiest_destination": None, "busiest_count": None, "per_destination": False,
        }
        explain = ("TIME_WAIT sockets from /proc/net/sockstat (IPv4 and IPv6 together). "
                   "Ports run out per destination, so doctor also counts TIME_WAIT sockets "
                   "with an ephemeral local port per remote address in /proc/net/tcp and "
                   "tcp6 and compares the busiest destination with the range.")
        if total_tw is None:
            return Finding("time-wait", title, NA, "/proc/net/sockstat is not readable",
                           explain, data=data)
        busiest, count = None, total_tw
        if bounds is not None:
            tables = [t for t in (system.read_text("/proc/net/tcp"),
                                  system.read_text("/proc/net/tcp6")) if t is not None]
            if tables:
                per_dest = time_wait_by_destination(tables, *bounds)
                data["per_destination"] = True
                busiest, count = max(per_dest.items(), key=lambda kv: kv[1], default=(None, 0))
        data["busiest_destination"], data["busiest_count"] = busiest, count
        value = f"{total_tw} sockets in TIME_WAIT"
        if busiest:
            ports = "port" if count == 1 else "ports"
            value += f"; busiest destination {busiest} holds {count} ephemeral {ports}"
        if width:
            value += f" of {width}"
        if not width:  # range unknown (or all reserved: port-range reports that)
            return Finding("time-wait", title, OK, value, explain, data=data)
        share = count / width
        reusable = reuse_applies(tw_reuse, timestamps, bool(busiest) and _is_loopback(busiest))
        data["share"] = round(share, 3)
        status = OK
        if share >= 0.9:
            status = WARN if reusable else FAIL
        elif share >= 0.5 and not reusable:
            status = WARN
        fix = ""
        if status != OK:
            fix = ("Find the client that churns connections (`ss -tan state time-wait`): "
                   "read response bodies to EOF and close them, reuse one http.Client, raise "
                   "Transport.MaxIdleConnsPerHost to the concurrency you use; then widen the "
                   "port range or enable tcp_tw_reuse.")
            if reusable:
                explain += (" tcp_tw_reuse lets connect() recycle these ports, but it has to "
                            "search through them first.")
        return Finding("time-wait", title, status, value, explain, fix, data)

    def _load(self, ctx, width, tw_reuse, timestamps) -> Finding:
        title = "ports for --qps load"
        qps, lifetime = ctx.qps, max(ctx.lifetime or 0.0, 0.0)
        explain = ("A client opening `qps` new connections per second to one destination, "
                   "each open for `lifetime` seconds, holds about qps x (lifetime + "
                   f"{TIME_WAIT_SECONDS}) local ports at once (Little's law: each port is busy "
                   f"while open and for {TIME_WAIT_SECONDS} s of TIME_WAIT); with tcp_tw_reuse "
                   f"about qps x (lifetime + {TW_REUSE_AFTER}).")
        if qps is None:
            return Finding("load", title, NA, "pass --qps N (and --lifetime SECONDS) to estimate",
                           explain, data={"qps": None})
        need = ports_needed(qps, lifetime + TIME_WAIT_SECONDS)
        need_reuse = ports_needed(qps, lifetime + TW_REUSE_AFTER)
        if need is None or need_reuse is None:
            # The CLI refuses these; a Context built in code may still carry them.
            return Finding("load", title, NA, f"--qps {qps:g} x (--lifetime {lifetime:g} s + "
                           f"{TIME_WAIT_SECONDS} s) is too large to estimate", explain,
                           data={"qps": qps, "lifetime_s": lifetime, "ports_needed": None})
        data = {"qps": qps, "lifetime_s": lifetime, "time_wait_s": TIME_WAIT_SECONDS,
                "ports_needed": need, "ports_needed_with_reuse": need_reuse, "width": width}
        value = (f"{qps:g} new connections/s x ({lifetime:g} s + {TIME_WAIT_SECONDS} s) ~ "
                 f"{_count(need)} ports")
        if width is None:
            return Finding("load", title, NA, value + "; port range unknown", explain,
                           data=data)
        value += f" of {width}"
        remote_reuse = reuse_applies(tw_reuse, timestamps, loopback=False)
        local_reuse = reuse_applies(tw_reuse, timestamps, loopback=True)
        fix = ("Keep connections alive (one shared http.Client, bodies drained and closed, "
               "Transport.MaxIdleConnsPerHost >= your concurrency), spread the load over more "
               "destination addresses or ports, widen ip_local_port_range, or set "
               "net.ipv4.tcp_tw_reuse=1.")
        if need <= width // 2:
            return Finding("load", title, OK, value, explain, data=data)
        if need <= width:
            return Finding("load", title, WARN, value + " (more than half the range)",
                           explain + " Anything else connecting to the same destination "
                           "shares the range.", fix, data)
        if need_reuse <= width and (remote_reuse or local_reuse):
            where = "any destination" if remote_reuse else "loopback destinations only"
            return Finding("load", title, WARN,
                           value + f"; with tcp_tw_reuse {_count(need_reuse)} (applies to {where})",
                           explain + " This load fits only because connect() recycles "
                           "TIME_WAIT ports" + ("" if remote_reuse else
                                                "; against another host it fails") + ".",
                           fix, data)
        return Finding("load", title, FAIL, value, explain + " connect() will fail with "
                       "`cannot assign requested address` once the range is used up.", fix,
                       data)
