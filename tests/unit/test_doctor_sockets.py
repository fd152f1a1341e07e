"""Sockets: port range, tcp_tw_reuse, TIME_WAIT per destination, the --qps estimate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from goswitch.doctor.checks.sockets import (
    SocketsCheck,
    _decode_addr,
    parse_reserved,
    parse_sockstat,
    time_wait_by_destination,
    usable_width,
)
from goswitch.doctor.system import Context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "doctor"


def run(root, qps=None, lifetime=0.0):
    ctx = Context.create(root=str(root), environ={"PATH": ""}, cwd="/", uid=1000, cpu_count=2,
                         rlimit_nproc=(None, None), qps=qps, lifetime=lifetime)
    return {f.id: f for f in SocketsCheck().run(ctx)}


def root_with(tmp_path: Path, base: str, files: dict[str, str | None]) -> Path:
    root = tmp_path / base
    shutil.copytree(FIXTURES / base, root, symlinks=True)
    for rel, text in files.items():
        if text is None:
            (root / rel).unlink()
        else:
            (root / rel).write_text(text)
    return root


def test_parsers():
    assert parse_reserved("8080,9000-9100\n") == [(8080, 8080), (9000, 9100)]
    assert parse_reserved("\n") == []
    assert usable_width(32768, 60999, [(8080, 8080), (40000, 40999), (60990, 61010)]) == 27222
    stat = parse_sockstat("sockets: used 5\nTCP: inuse 12 orphan 0 tw 7 alloc 15 mem 3\n")
    assert stat["TCP"] == {"inuse": 12, "orphan": 0, "tw": 7, "alloc": 15, "mem": 3}


@pytest.mark.parametrize("hex_addr,text", [
    ("0100007F", "127.0.0.1"),
    ("0302010A", "10.1.2.3"),
    ("00000000000000000000000001000000", "::1"),
    ("0000000000000000FFFF00000302010A", "10.1.2.3"),  # v4-mapped
    ("B80D0120000000000000000001000000", "2001:db8::1"),
])
def test_proc_net_tcp_addresses(hex_addr, text):
    assert _decode_addr(hex_addr) == text


def test_time_wait_counts_client_side_ports_per_destination():
    root = FIXTURES / "healthy"
    tables = [(root / "proc/net/tcp").read_text(), (root / "proc/net/tcp6").read_text()]
    # Server-side TIME_WAIT (local port 8080) costs no ephemeral port and is not counted.
    assert time_wait_by_destination(tables, 32768, 60999) == {"127.0.0.1:8080": 3,
                                                             "[::1]:9090": 2}


def test_healthy_is_ok_and_load_needs_qps():
    found = run(FIXTURES / "healthy")
    assert {k: f.status for k, f in found.items()} == {
        "port-range": "ok", "tw-reuse": "ok", "time-wait": "ok", "load": "na"}
    assert found["port-range"].data["width"] == 28232
    assert "~470 new connections/s" in found["port-range"].value
    tw = found["time-wait"].data
    assert (tw["time_wait"], tw["tcp_inuse"], tw["tcp6_inuse"]) == (7, 12, 3)
    assert (tw["busiest_destination"], tw["busiest_count"]) == ("127.0.0.1:8080", 3)
    assert "--qps" in found["load"].value


@pytest.mark.parametrize("qps,lifetime,status,need", [
    (100, 0, "ok", 6000),
    (300, 1, "warn", 18300),  # more than half the range
    (1000, 0, "warn", 60000),  # fits only through tcp_tw_reuse=2, i.e. loopback
])
def test_qps_estimate_on_default_range(qps, lifetime, status, need):
    load = run(FIXTURES / "healthy", qps=qps, lifetime=lifetime)["load"]
    assert load.status == status
    assert load.data["ports_needed"] == need
    assert load.data["ports_needed_with_reuse"] == int(qps * (lifetime + 1))


def test_qps_beyond_reuse_or_without_reuse_fails():
    assert run(FIXTURES / "healthy", qps=40000)["load"].status == "fail"
    degraded = run(FIXTURES / "degraded", qps=1000)["load"]  # tcp_tw_reuse=0
    assert degraded.status == "fail"
    assert "cannot assign requested address" in degraded.explanation
    assert "MaxIdleConnsPerHost" in degraded.fix


def test_degraded_warns_on_narrow_range_and_reuse_off():
    found = run(FIXTURES / "degraded")
    assert found["port-range"].status == "warn"
    assert found["port-range"].data["width"] == 8000
    assert found["tw-reuse"].status == "warn" and "tcp_tw_reuse=2" in found["tw-reuse"].fix
    assert found["time-wait"].status == "ok"


def test_broken_fails_on_tiny_range_and_time_wait_exhaustion():
    found = run(FIXTURES / "broken")
    assert found["port-range"].status == "fail"
    tw = found["time-wait"]
    assert tw.status == "fail"
    assert (tw.data["busiest_destination"], tw.data["busiest_count"]) == ("10.1.2.3:443", 470)
    assert tw.data["time_wait"] == 480
    assert "ss -tan state time-wait" in tw.fix


def test_reuse_without_timestamps_is_useless(tmp_path):
    root = root_with(tmp_path, "healthy", {"proc/sys/net/ipv4/tcp_timestamps": "0\n",
                                           "proc/sys/net/ipv4/tcp_tw_reuse": "1\n"})
    assert run(root)["tw-reuse"].status == "warn"


def test_reserved_ports_shrink_the_range(tmp_path):
    root = root_with(tmp_path, "healthy",
                     {"proc/sys/net/ipv4/ip_local_reserved_ports": "8080,40000-40999\n"})
    found = run(root)["port-range"]
    assert found.data["width"] == 27232
    assert "1000 reserved" in found.value


def test_without_proc_net_tcp_the_sockstat_total_is_used(tmp_path):
    root = root_with(tmp_path, "broken", {"proc/net/tcp": None, "proc/net/tcp6": None})
    tw = run(root)["time-wait"]
    assert tw.data["per_destination"] is False
    assert tw.data["busiest_count"] == 480 and tw.status == "fail"


def test_empty_root():
    found = run(FIXTURES / "bare", qps=10)
    assert {f.status for f in found.values()} == {"na"}


def test_an_overflowing_estimate_is_not_applicable_not_a_crash():
    # What the CLI refuses, a Context built in code may still hold.
    load = run(FIXTURES / "healthy", qps=1e308)["load"]
    assert load.status == "na" and "too large to estimate" in load.value
    assert load.data["ports_needed"] is None
    huge = run(FIXTURES / "healthy", qps=1, lifetime=1.7e308)["load"]
    assert huge.status == "fail" and "~ 1.7e+308 ports" in huge.value
