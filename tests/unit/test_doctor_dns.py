"""DNS: resolv.conf, nsswitch.conf and Go's resolver choice, against fake /etc trees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from goswitch.doctor.checks.cgo import godebug_netdns
from goswitch.doctor.checks.dns import DnsCheck
from goswitch.doctor.checks.nsswitch import parse_hosts_line
from goswitch.doctor.checks.resolvconf import glibc_worst_case, go_worst_case, parse_resolv_conf
from goswitch.doctor.system import Context, ScriptedCommands

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "doctor"
CC = {"gcc": None}  # ScriptedCommands: a C compiler "is installed"


def run(root, environ=None, tools=CC, cwd="/"):
    env = {"PATH": "", "GOENV": "off"}  # not this machine's `go env -w` file
    env.update(environ or {})
    ctx = Context.create(root=str(root), environ=env, cwd=cwd, uid=1000, cpu_count=2,
                         rlimit_nproc=(None, None), commands=ScriptedCommands(tools))
    return {f.id: f for f in DnsCheck().run(ctx)}


def root_with(tmp_path: Path, base: str, files: dict[str, str]) -> Path:
    root = tmp_path / base
    shutil.copytree(FIXTURES / base, root, symlinks=True)
    for rel, text in files.items():
        path = root / rel
        if path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# ------------------------------------------------------------------ parsing


def test_parse_resolv_conf_like_glibc_and_go():
    conf = parse_resolv_conf(
        "# comment\n; also a comment\nsearch a.example b.example\ndomain c.example\n"
        "nameserver 10.0.0.1\nnameserver fe80::1%eth0\nnameserver dns.example\n"
        "options timeout:3 attempts:4 ndots:20 rotate single-request inet6\nsortlist 10.0.0.0\n")
    assert conf["nameservers"] == ["10.0.0.1", "fe80::1%eth0"]
    assert conf["invalid_nameservers"] == ["dns.example"]
    assert conf["search"] == ["c.example"]  # the last search/domain line wins
    assert (conf["timeout"], conf["attempts"], conf["ndots"]) == (3, 4, 15)
    assert conf["rotate"] and conf["single_request"]
    assert conf["go_unknown"] == ["inet6", "sortlist"]


def test_zero_timeout_and_attempts_are_raised_to_one():
    conf = parse_resolv_conf("options timeout:0 attempts:0\n")
    assert (conf["timeout"], conf["attempts"]) == (1, 1)


@pytest.mark.parametrize("servers,timeout,attempts,expected", [
    (1, 5, 2, 10), (2, 5, 2, 20), (3, 5, 2, 28), (3, 30, 5, 450), (1, 60, 9, 150), (5, 5, 2, 28),
])
def test_glibc_worst_case_follows_res_send(servers, timeout, attempts, expected):
    assert glibc_worst_case(servers, timeout, attempts) == expected


def test_go_worst_case_is_uncapped_and_single_request_doubles_it():
    assert go_worst_case(3, 5, 2, False) == 30
    assert go_worst_case(1, 60, 9, False) == 540
    assert go_worst_case(2, 5, 2, True) == 40


@pytest.mark.parametrize("servers,timeout,single,go,glibc", [
    (1, 5, False, 0, 0), (2, 5, False, 5, 5), (3, 5, False, 10, 8), (3, 2, True, 8, 3),
    (2, 30, False, 30, 30), (3, 60, False, 120, 50), (5, 5, False, 10, 8),
])
def test_failover_is_servers_before_the_last_times_timeout(servers, timeout, single, go, glibc):
    """Attempts do not count: a working server is reached in the first round."""
    from goswitch.doctor.checks.resolvconf import glibc_failover, go_failover

    assert go_failover(servers, timeout, single) == go
    assert glibc_failover(servers, timeout) == glibc


def test_parse_hosts_line_with_criteria():
    sources = parse_hosts_line(
        "passwd: files\nhosts: files mdns4_minimal [NOTFOUND=return !UNAVAIL=continue] dns # x\n")
    assert [s["source"] for s in sources] == ["files", "mdns4_minimal", "dns"]
    assert sources[1]["criteria"] == [
        {"negate": False, "status": "notfound", "action": "return"},
        {"negate": True, "status": "unavail", "action": "continue"}]
    assert parse_hosts_line("passwd: files\n") is None


def test_godebug_netdns_forms():
    assert godebug_netdns({"GODEBUG": "http2client=0,netdns=cgo+2"}) == ("cgo+2", "cgo", 2)
    assert godebug_netdns({"GODEBUG": "netdns=1+go"}) == ("1+go", "go", 1)
    assert godebug_netdns({"GODEBUG": "netdns=go,netdns=cgo"})[1] == "cgo"
    assert godebug_netdns({}) == (None, None, 0)


# ------------------------------------------------------------------ fixture roots


def test_healthy_stub_resolver_through_a_symlink_inside_the_root():
    found = run(FIXTURES / "healthy")
    assert {k: f.status for k, f in found.items()} == {
        "nameservers": "ok", "resolver-timeouts": "ok", "search": "ok", "nsswitch": "ok",
        "go-resolver": "ok"}
    ns = found["nameservers"]
    assert ns.data["nameservers"] == ["127.0.0.53"]
    assert ns.data["symlink"] == "/run/systemd/resolve/stub-resolv.conf"
    assert found["resolver-timeouts"].data["go_worst_case_s"] == 10
    assert found["nsswitch"].data["hosts"] == ["files", "dns"]
    # edns0 and trust-ad are options Go understands: it keeps its own resolver.
    assert found["go-resolver"].data["cgo_binaries"] == "go"
    assert found["go-resolver"].data["cgo_enabled_default"] is True


def test_degraded_warns_about_servers_timeouts_search_and_order():
    found = run(FIXTURES / "degraded")
    ns = found["nameservers"]
    assert ns.status == "warn" and ns.data["ignored"] == ["10.0.0.5"]
    t = found["resolver-timeouts"]
    # Three servers with the default timeout:5: a working third is asked after 10 s.
    assert t.status == "ok"
    assert (t.data["go_failover_s"], t.data["glibc_failover_s"]) == (10, 8)
    assert (t.data["go_worst_case_s"], t.data["glibc_worst_case_s"]) == (30, 28)
    assert t.data["rotate"] is True
    s = found["search"]
    assert s.status == "warn" and s.data["extra_names"] == 2 and s.data["ndots"] == 5
    n = found["nsswitch"]
    assert n.status == "warn" and "Put `files` first" in n.fix


def test_broken_fails_on_long_timeouts_and_notfound_return():
    found = run(FIXTURES / "broken")
    t = found["resolver-timeouts"]
    assert t.status == "fail"
    assert t.data["go_worst_case_s"] == 300 and t.data["glibc_worst_case_s"] == 5 * (30 + 30)
    # timeout:30 with two servers: Go's 30 s dial ends before the second one is asked.
    assert t.data["go_failover_s"] == 30
    assert "timeout:2" in t.fix
    n = found["nsswitch"]
    assert n.status == "fail" and "DNS is never asked" in n.explanation
    # Go treats a final [NOTFOUND=return] as standard and still uses its own resolver,
    # so C programs and Go programs disagree on this machine.
    assert found["go-resolver"].data["cgo_binaries"] == "go"


def resolv_root(tmp_path, text: str) -> Path:
    (tmp_path / "etc").mkdir(exist_ok=True)
    (tmp_path / "etc" / "resolv.conf").write_text(text)
    return tmp_path


@pytest.mark.parametrize("servers,options", [
    (3, "timeout:2 attempts:3 rotate single-request-reopen"),  # QA: 36 s "worst case"
    (2, "timeout:2 attempts:5 rotate single-request"),
    (3, "timeout:5 attempts:5"),
    (1, "timeout:5 attempts:5"),
])
def test_attempts_and_rotate_on_working_multi_server_setups_are_ok(tmp_path, servers, options):
    """Measured: first two of three servers dead, the third answering: Go resolved in 6 s
    with `timeout:2 attempts:3 rotate single-request-reopen`.  Only the all-dead case
    takes attempts x servers x timeout, and then DNS fails anyway."""
    ns = "".join(f"nameserver 10.0.0.{i + 2}\n" for i in range(servers))
    t = run(resolv_root(tmp_path, ns + f"options {options}\n"))["resolver-timeouts"]
    assert t.status == "ok", t.value
    assert t.data["go_worst_case_s"] > t.data["go_failover_s"]
    if servers == 3 and "timeout:2" in options:
        assert t.data["go_failover_s"] == 8 and t.data["go_worst_case_s"] == 36
        assert "the last server is asked after 8 s in Go" in t.value


@pytest.mark.parametrize("servers,options,status", [
    (3, "timeout:15", "fail"),  # the third server is asked after 30 s: the dial is over
    (2, "timeout:16 single-request", "fail"),  # AAAA after A: 32 s
    (3, "timeout:11", "warn"),  # 22 s of a 30 s dial
    (1, "timeout:30", "warn"),  # one lost reply uses the whole dial
    (1, "timeout:29 attempts:5", "ok"),
])
def test_fail_only_when_a_working_server_is_asked_too_late(tmp_path, servers, options, status):
    ns = "".join(f"nameserver 10.0.0.{i + 2}\n" for i in range(servers))
    t = run(resolv_root(tmp_path, ns + f"options {options}\n"))["resolver-timeouts"]
    assert t.status == status, t.value


# ------------------------------------------------- where glibc and Go read resolv.conf apart


def test_crlf_line_endings_leave_glibc_without_nameservers(tmp_path):
    """Measured: glibc keeps the \\r in the address (getent finds nothing), Go resolves."""
    root = resolv_root(tmp_path, "nameserver 10.0.0.1\r\nnameserver 10.0.0.2\r\n"
                                 "options timeout:2\r\n")
    found = run(root)
    ns = found["nameservers"]
    assert ns.status == "warn"
    assert ns.data["used"] == ["10.0.0.1", "10.0.0.2"] and ns.data["glibc_used"] == []
    assert "glibc (git, curl, cgo lookups) uses none, so it asks 127.0.0.1:53" in ns.value
    assert "CRLF" in ns.value and "sed -i" in ns.fix
    # The options still apply to both: atoi stops at the \\r.
    assert found["resolver-timeouts"].data["glibc_timeout"] == 2
    assert found["go-resolver"].data["cgo_binaries"] == "go"


def test_an_indented_nameserver_is_go_only(tmp_path):
    root = resolv_root(tmp_path, "nameserver 10.0.0.1\n  nameserver 127.0.0.2\n")
    ns = run(root)["nameservers"]
    assert ns.status == "warn"
    assert ns.data["used"] == ["10.0.0.1", "127.0.0.2"] and ns.data["glibc_used"] == ["10.0.0.1"]
    assert "indented `nameserver` lines" in ns.value
    # A tab after the keyword is fine for both.
    assert run(resolv_root(tmp_path, "nameserver\t10.0.0.1\n"))["nameservers"].status == "ok"


@pytest.mark.parametrize("attempts,go,glibc", [
    ("0", 1, 0), ("-1", 1, -1), ("99999999999999999999", 0xFFFFFF, -1)])
def test_attempts_below_one_make_glibc_send_nothing(tmp_path, attempts, go, glibc):
    """Measured: curl `Could not resolve host` with attempts:0 or -1, Go resolved (it raises
    attempts to 1).  atoi of a number past LONG_MAX is (int)LONG_MAX, -1."""
    root = resolv_root(tmp_path, f"nameserver 10.0.0.1\noptions attempts:{attempts}\n")
    t = run(root)["resolver-timeouts"]
    assert t.status == "fail"
    assert (t.data["attempts"], t.data["glibc_attempts"]) == (go, glibc)
    assert t.data["glibc_worst_case_s"] == 0
    assert "sends no query at all" in t.value and "attempts:1" in t.fix


def test_an_indented_comment_is_an_unknown_keyword_to_go(tmp_path):
    root = resolv_root(tmp_path, "nameserver 10.0.0.1\n  # managed by hand\n")
    found = run(root)
    go = found["go-resolver"]
    assert go.data["cgo_binaries"] == "cgo"
    assert "resolv.conf has an indented comment which Go does not parse" in go.value
    assert found["nameservers"].status == "ok"  # glibc ignores the line, Go skips nothing else


def test_only_newline_ends_a_line_and_only_ascii_digits_count(tmp_path):
    """Go and glibc split at \\n only (not \\v, \\f, \\x1c or U+2028 like str.splitlines),
    and read ASCII digits only: a hostile number does not crash the doctor."""
    conf = parse_resolv_conf("nameserver 10.0.0.1\x0b\n# old:\x1cnameserver 10.0.0.9\n"
                             "nameserver 10.0.0.2\n"
                             "options timeout:\u00b2 attempts:" + "9" * 5000 + "\n")
    assert conf["nameservers"] == ["10.0.0.2"]  # `10.0.0.1\\v` is not an address to Go
    assert conf["invalid_nameservers"] == ["10.0.0.1\x0b"]
    assert conf["glibc"]["nameservers"] == ["10.0.0.2"]
    assert (conf["timeout"], conf["attempts"]) == (1, 0xFFFFFF)
    assert conf["glibc"]["attempts"] == -1
    assert godebug_netdns({"GODEBUG": "netdns=\u00b2"}) == ("\u00b2", "\u00b2", 0)
    assert godebug_netdns({"GODEBUG": "netdns=2+"}) == ("2+", None, 2)


@pytest.mark.parametrize("target,says", [
    ("../run/systemd/resolve/stub-resolv.conf", ": systemd-resolved is not running"),
    ("/run/NetworkManager/resolv.conf", ": NetworkManager is not running"),
    ("/etc/resolv.conf.gone", ""),
])
def test_a_dangling_resolv_conf_link_names_its_target(tmp_path, target, says):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "resolv.conf").symlink_to(target)
    found = run(tmp_path)
    ns = found["nameservers"]
    assert ns.status == "warn"
    assert ns.value.startswith(f"/etc/resolv.conf -> {target}, which does not exist{says};")
    assert ns.data["symlink"] == target
    if says:
        assert "systemctl enable --now" in ns.fix
    assert found["resolver-timeouts"].status == "na"


def test_missing_files(tmp_path):
    found = run(FIXTURES / "bare")
    assert found["nameservers"].status == "warn"
    assert found["resolver-timeouts"].status == "na"
    assert found["nsswitch"].status == "ok"  # glibc's built-in default applies


@pytest.mark.parametrize("line,status", [
    ("files dns", "ok"),
    ("files mdns4_minimal [NOTFOUND=return] dns", "ok"),  # Ubuntu desktop
    ("files myhostname resolve [!UNAVAIL=return] dns", "ok"),  # Fedora
    ("files [NOTFOUND=return] dns", "fail"),
    ("files [!UNAVAIL=return] dns", "fail"),  # files is always "available"
    ("files [NOTFOUND=return]", "fail"),
    ("files", "warn"),
    ("dns files", "warn"),
    ("dns [!UNAVAIL=return] files", "warn"),
    # systemd-resolved's own recipe (nss-resolve(8), Arch): resolved reads /etc/hosts.
    ("mymachines resolve [!UNAVAIL=return] files myhostname dns", "ok"),
])
def test_nsswitch_hosts_lines(tmp_path, line, status):
    root = root_with(tmp_path, "healthy", {"etc/nsswitch.conf": f"hosts: {line}\n"})
    assert run(root)["nsswitch"].status == status


def nss_root(tmp_path, text: str) -> Path:
    (tmp_path / "etc").mkdir(exist_ok=True)
    (tmp_path / "etc" / "resolv.conf").write_text("nameserver 10.0.0.1\n")
    (tmp_path / "etc" / "nsswitch.conf").write_text(text)
    return tmp_path


def test_tab_separated_hosts_sources_are_one_unknown_source_to_go(tmp_path):
    """Measured: pure Go resolved a name to its DNS answer, not the /etc/hosts entry
    (net/nss.go splits sources at spaces only); glibc read files then dns."""
    found = run(nss_root(tmp_path, "hosts:\tfiles\tdns\n"))
    nss = found["nsswitch"]
    assert nss.status == "ok" and nss.data["hosts"] == ["files", "dns"]
    go = found["go-resolver"]
    assert go.status == "warn"
    assert go.data["cgo_binaries"] == "cgo"
    assert "nsswitch source `files\\tdns`" in go.data["cgo_reasons"]
    assert go.data["go_hosts"] == ["files\tdns"] and go.data["go_order"] == ["dns"]
    assert "CGO_ENABLED=0 binaries use go (DNS only)" in go.value
    assert "skips /etc/hosts, which glibc reads" in go.explanation
    assert "only with spaces" in go.explanation and "go command" in go.explanation
    assert "hosts: files dns" in go.fix


def test_a_criterion_glued_to_its_source(tmp_path):
    """Measured: `files[NOTFOUND=return] dns`: pure Go used dns only, cgo binaries went to
    glibc and failed `no such host` (glibc returns after files)."""
    found = run(nss_root(tmp_path, "hosts: files[NOTFOUND=return] dns\n"))
    assert found["nsswitch"].status == "fail"
    go = found["go-resolver"]
    assert go.data["cgo_binaries"] == "cgo"
    assert "nsswitch source `files[NOTFOUND=return]`" in go.data["cgo_reasons"]
    assert go.data["go_order"] == ["dns"]
    assert go.status == "warn" and "a space before a [criterion]" in go.explanation


def test_go_joins_hosts_lines_glibc_takes_the_last(tmp_path):
    """Measured: `hosts: dns` then `hosts: files dns`: Go's order was dns,files."""
    found = run(nss_root(tmp_path, "hosts: dns\nhosts: files dns\n"))
    assert found["nsswitch"].status == "ok"
    assert found["nsswitch"].data["hosts"] == ["files", "dns"]
    go = found["go-resolver"]
    assert go.data["go_order"] == ["dns", "files"] and go.data["cgo_binaries"] == "go"
    assert go.status == "warn"
    assert "asks DNS before /etc/hosts" in go.explanation
    assert "Go joins all 2 hosts: lines (`dns files dns`)" in go.explanation


def test_glibc_reads_a_hosts_line_without_colon(tmp_path):
    """Measured: `hosts files dns` made glibc use /etc/hosts; Go rejects the file."""
    found = run(nss_root(tmp_path, "hosts files dns\n"))
    nss = found["nsswitch"]
    assert nss.status == "ok" and nss.data["hosts"] == ["files", "dns"]
    go = found["go-resolver"]
    assert go.data["cgo_binaries"] == "cgo" and go.data["go_order"] == ["files", "dns"]
    assert go.status == "ok"


def test_a_vertical_tab_is_whitespace_to_glibc_not_a_line_break(tmp_path):
    found = run(nss_root(tmp_path, "hosts: files\x0bdns\n"))
    assert found["nsswitch"].status == "ok"
    assert found["nsswitch"].data["hosts"] == ["files", "dns"]
    # To Go \\v is no space: one unknown source again.
    assert found["go-resolver"].data["go_hosts"] == ["files\x0bdns"]


def test_without_a_hosts_line_glibc_2_35_and_go_use_files_dns(tmp_path):
    found = run(nss_root(tmp_path, "passwd: files\n"))
    nss = found["nsswitch"]
    assert nss.status == "ok" and "`files dns`" in nss.value and "UNAVAIL" not in nss.value
    assert found["go-resolver"].status == "ok"


@pytest.mark.parametrize("line,cgo,pure", [
    ("files dns", "files,dns", "files,dns"),
    ("dns files", "dns,files", "dns,files"),
    ("files", "files", "files"),
    ("files myhostname", "files", "files,dns"),  # pure Go: an unknown source is dns
    ("files sss dns", "cgo", "files,dns"),
    ("files [NOTFOUND=return] dns", "files,dns", "files,dns"),  # a final return is standard
    ("files [!UNAVAIL=return] dns", "cgo", "files,dns"),
    ("files mdns4_minimal [NOTFOUND=return] dns", "files,dns", "files,dns"),
    ("sss", "cgo", "dns"),
])
def test_go_lookup_order_follows_net_conf_go(line, cgo, pure):
    from goswitch.doctor.checks.nsswitch import go_lookup_order, parse_nss_go

    nss = parse_nss_go(f"hosts: {line}\n")
    assert go_lookup_order(nss, can_use_cgo=True) == cgo
    assert go_lookup_order(nss, can_use_cgo=False) == pure
    assert go_lookup_order(None, can_use_cgo=True) == "files,dns"  # no nsswitch.conf
    assert go_lookup_order(parse_nss_go("hosts files\n"), can_use_cgo=False) == "files,dns"


def test_glibc_criteria_apply_in_order():
    """`!UNAVAIL=continue` after `NOTFOUND=return` sets notfound back to continue."""
    from goswitch.doctor.checks.nsswitch import action_for

    crits = parse_hosts_line("hosts: files [NOTFOUND=return !UNAVAIL=continue] dns\n")[0][
        "criteria"]
    assert action_for(crits, "notfound") == "continue"
    assert action_for(parse_hosts_line("hosts: files [ NOTFOUND = return ]\n")[0]["criteria"],
                       "notfound") == "return"


def test_hostile_nsswitch_is_parsed_in_linear_time(tmp_path):
    import time

    text = "hosts: " + "x " * 1_000_000 + "[" + "a=b " * 200_000 + "]\n" + "\t" * 1_000_000
    start = time.monotonic()
    found = run(nss_root(tmp_path, text))
    assert time.monotonic() - start < 5
    assert found["nsswitch"].status == "warn"


def test_unknown_nss_source_sends_cgo_binaries_to_glibc(tmp_path):
    line = "hosts: files myhostname resolve [!UNAVAIL=return] dns\n"
    root = root_with(tmp_path, "healthy", {"etc/nsswitch.conf": line})
    go = run(root)["go-resolver"]
    assert go.status == "ok"
    assert go.data["cgo_binaries"] == "cgo"
    assert "nsswitch source `resolve`" in go.data["cgo_reasons"]


def test_environment_and_unknown_options_prefer_cgo(tmp_path):
    conf = "nameserver 10.0.0.1\noptions inet6\n"
    root = root_with(tmp_path, "healthy", {"etc/resolv.conf": conf})
    go = run(root, {"RES_OPTIONS": "timeout:1"})["go-resolver"]
    assert go.data["cgo_binaries"] == "cgo"
    assert "RES_OPTIONS is set" in go.data["cgo_reasons"]
    assert any("inet6" in r for r in go.data["cgo_reasons"])


def test_godebug_forces_and_typos():
    assert run(FIXTURES / "healthy", {"GODEBUG": "netdns=cgo"})["go-resolver"].data[
        "cgo_binaries"] == "cgo"
    typo = run(FIXTURES / "healthy", {"GODEBUG": "netdns=gocgo"})["go-resolver"]
    assert typo.status == "warn" and "ignores it" in typo.explanation


def test_pure_go_binaries_skip_nss_services(tmp_path):
    root = root_with(tmp_path, "healthy", {"etc/nsswitch.conf": "hosts: files sss dns\n"})
    # cgo available: glibc handles sss, fine.
    assert run(root)["go-resolver"].status == "ok"
    # CGO_ENABLED=0 (or no C compiler): Go's resolver never asks sss.
    no_cgo = run(root, {"CGO_ENABLED": "0"})["go-resolver"]
    assert no_cgo.status == "warn" and "sss" in no_cgo.explanation
    no_cc = run(root, tools={})["go-resolver"]
    assert no_cc.status == "warn" and no_cc.data["cgo_enabled_default"] is False
    forced = run(root, {"GODEBUG": "netdns=go"})["go-resolver"]
    assert forced.status == "warn"


# ------------------------------------------------------------------ cgo and CC


def test_cc_naming_a_missing_compiler_keeps_cgo_on_and_builds_fail():
    """Measured (Go 1.22): CC=clang without clang: `go env CGO_ENABLED` is 1 and building
    a program importing net fails `# runtime/cgo` `cgo: C compiler "clang" not found`."""
    go = run(FIXTURES / "healthy", {"CC": "clang"}, tools={})["go-resolver"]
    assert go.status == "fail"
    assert go.data["cgo_enabled_default"] is True and go.data["missing_cc"] == "clang"
    assert "cgo on (CGO_ENABLED unset, CC=clang set)" in go.value
    assert "CC=clang, but clang is not installed" in go.value
    assert 'cgo: C compiler "clang" not found' in go.explanation
    assert "Install clang" in go.fix and "CGO_ENABLED=0" in go.fix
    # A path is checked too, not taken as found (measured: `stat /nonexistent/cc`).
    path = run(FIXTURES / "healthy", {"CC": "/nonexistent/cc -m64"}, tools={"gcc": None})
    assert path["go-resolver"].status == "fail"
    assert path["go-resolver"].data["missing_cc"] == "/nonexistent/cc"
    # An installed CC, or CGO_ENABLED=0: fine.
    assert run(FIXTURES / "healthy", {"CC": "clang"}, tools={"clang": None})[
        "go-resolver"].status == "ok"
    assert run(FIXTURES / "healthy", {"CC": "clang", "CGO_ENABLED": "0"}, tools={})[
        "go-resolver"].status == "ok"


def test_without_cc_only_gcc_turns_cgo_on():
    """Measured: with only clang on PATH and CC unset, `go env CGO_ENABLED` is 0."""
    go = run(FIXTURES / "healthy", tools={"clang": None})["go-resolver"]
    assert go.status == "ok" and go.data["cgo_enabled_default"] is False
    assert "no C compiler (gcc) on PATH" in go.value


def test_cgo_enabled_and_cc_from_the_go_env_file(tmp_path):
    """Measured: CGO_ENABLED=1 in the `go env -w` file without gcc: builds fail for gcc;
    CC=clang there without gcc: cgo stays off (cmd/go checks os.Getenv("CC") only); with
    gcc on PATH the build runs the file's clang and fails."""
    env_file = tmp_path / "goenv"
    env_file.write_text("CGO_ENABLED=1\n")
    go = run(FIXTURES / "healthy", {"GOENV": str(env_file)}, tools={})["go-resolver"]
    assert go.status == "fail" and go.data["missing_cc"] == "gcc"
    assert f"CGO_ENABLED=1 in {env_file}" in go.value
    env_file.write_text("CC=clang\n")
    off = run(FIXTURES / "healthy", {"GOENV": str(env_file)}, tools={})["go-resolver"]
    assert off.status == "ok" and off.data["cgo_enabled_default"] is False
    on = run(FIXTURES / "healthy", {"GOENV": str(env_file)}, tools={"gcc": None})["go-resolver"]
    assert on.status == "fail" and f"CC=clang in {env_file}, but clang" in on.value
    # The environment wins over the file.
    assert run(FIXTURES / "healthy", {"GOENV": str(env_file), "CGO_ENABLED": "0"},
               tools={"gcc": None})["go-resolver"].status == "ok"


def test_cgo_enabled_from_goroot_go_env(tmp_path):
    goroot = tmp_path / "go"
    (goroot / "bin").mkdir(parents=True)
    (goroot / "go.env").write_text("CGO_ENABLED=0\n")
    go = run(FIXTURES / "healthy", {"GOROOT": str(goroot)}, tools={})["go-resolver"]
    assert go.data["cgo_enabled_default"] is False
    assert f"CGO_ENABLED=0 in {goroot / 'go.env'}" in go.value


def test_without_nameservers_go_asks_two_loopback_servers(tmp_path):
    """net/dnsconfig.go's defaultNS is 127.0.0.1:53 and [::1]:53; glibc has one."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "resolv.conf").write_text("options timeout:1\n")
    found = run(tmp_path)
    assert "[::1]:53 in Go" in found["nameservers"].value
    t = found["resolver-timeouts"]
    assert t.data["go_worst_case_s"] == 4 and t.data["glibc_worst_case_s"] == 2  # 2 attempts
    assert "with no server listed" in t.value


@pytest.mark.parametrize("nsswitch, why", [
    ("hosts: files dns\nthis line has no colon\n", "no colon on a line"),
    ("hosts: files [NOTFOUND=return\n", "an unclosed [criterion] bracket"),
    ("hosts: files [x] dns\n", "an invalid criterion [x]"),
])
def test_an_nsswitch_go_cannot_parse_sends_cgo_binaries_to_cgo(tmp_path, nsswitch, why):
    """net/nss.go gives up on these (glibc may not): Go then falls back to cgo."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "resolv.conf").write_text("nameserver 10.0.0.1\n")
    (tmp_path / "etc" / "nsswitch.conf").write_text(nsswitch)
    found = run(tmp_path)["go-resolver"]
    assert found.data["cgo_binaries"] == "cgo"
    assert f"nsswitch.conf has {why}, which Go's parser rejects" in found.value


def test_go_nss_error_accepts_what_go_accepts():
    from goswitch.doctor.checks.nsswitch import go_nss_error

    ok = "# comment\npasswd: files systemd\nhosts: files [!UNAVAIL=return] dns myhostname\n\n"
    assert go_nss_error(ok) is None


def test_unparsable_numbers_in_options_count_as_zero_like_go_and_glibc(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "resolv.conf").write_text(
        "nameserver 10.0.0.1\noptions timeout:abc attempts:x ndots:y\n")
    t = run(tmp_path)["resolver-timeouts"]
    assert (t.data["timeout"], t.data["attempts"]) == (1, 1)
    assert t.data["go_worst_case_s"] == 1
