"""SELinux: selinuxfs in fake roots; getsebool and ausearch answered by ScriptedCommands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from goswitch.doctor.checks.selinux import SelinuxCheck, parse_avc, parse_getsebool
from goswitch.doctor.system import Completed, Context, ScriptedCommands

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "doctor"
NO_MATCHES = Completed(1, "", "")  # what `ausearch --raw` says when nothing matches


def run(root, tools=None, environ=None):
    commands = ScriptedCommands(tools or {})
    ctx = Context.create(root=str(root), environ=environ or {"PATH": ""}, cwd="/", uid=1000,
                         cpu_count=2,
                         rlimit_nproc=(None, None), commands=commands)
    return {f.id: f for f in SelinuxCheck().run(ctx)}, commands


def fixture_output(name: str) -> Completed:
    return Completed(0, (FIXTURES / name).read_text(), "")


def test_parse_avc_keeps_exec_memory_denials_only():
    denials = parse_avc((FIXTURES / "ausearch-execmem.txt").read_text())
    assert [d["comm"] for d in denials] == ["compile", "foo.test", "foo.test"]
    assert all(d["perms"] == ["execmem"] and d["domain"] == "unconfined_t" for d in denials)
    assert not any(d["permissive"] for d in denials)


def test_parse_getsebool_pending_values():
    values = parse_getsebool((FIXTURES / "getsebool-a.txt").read_text())
    assert values["deny_execmem"] is True
    assert values["selinuxuser_execstack"] is True  # current value, not the pending one
    assert values["deny_ptrace"] is False


def test_no_selinuxfs_is_not_applicable():
    found, _ = run(FIXTURES / "bare")
    assert list(found) == ["mode"]
    assert found["mode"].status == "na" and "not enabled" in found["mode"].value


def test_healthy_enforcing_with_default_booleans():
    found, commands = run(FIXTURES / "healthy", {"ausearch": NO_MATCHES})
    assert {k: f.status for k, f in found.items()} == {
        "mode": "ok", "booleans": "ok", "denials": "ok"}
    mode = found["mode"].data
    assert mode["enforcing"] is True and mode["policy"] == "targeted"
    assert mode["context"] == "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023"
    booleans = found["booleans"].data
    assert booleans["source"] == "selinuxfs"
    assert booleans["booleans"] == {
        "deny_execmem": False, "deny_ptrace": False, "httpd_execmem": False,
        "selinuxuser_execheap": False, "selinuxuser_execmod": True,
        "selinuxuser_execstack": True}  # httpd_can_network_connect is not about exec memory
    assert commands.calls == [["/scripted/ausearch", "--input-logs", "-m", "AVC,USER_AVC",
                               "-ts", "today", "--raw"]]


def test_no_matches_without_raw_says_so():
    found, _ = run(FIXTURES / "healthy", {"ausearch": Completed(1, "", "<no matches>\n")})
    assert found["denials"].status == "ok" and found["denials"].data["count"] == 0


def test_tools_missing_or_log_unreadable_is_not_applicable():
    found, _ = run(FIXTURES / "healthy")
    assert found["denials"].status == "na" and "not installed" in found["denials"].value
    denied = Completed(1, "", "Error opening /var/log/audit/audit.log (Permission denied)\n")
    found, _ = run(FIXTURES / "healthy", {"ausearch": denied})
    assert found["denials"].status == "na"
    assert "Permission denied" in found["denials"].value
    assert "sudo ausearch" in found["denials"].fix
    no_log = Completed(1, "", "Error opening /var/log/audit/audit.log (No such file or "
                       "directory)\n")
    found, _ = run(FIXTURES / "healthy", {"ausearch": no_log})
    assert found["denials"].status == "na" and "No such file" in found["denials"].value


def test_broken_enforcing_deny_execmem_warns_and_go_denials_fail():
    found, _ = run(FIXTURES / "broken", {"ausearch": fixture_output("ausearch-execmem.txt")})
    booleans = found["booleans"]
    # Go never maps W+X memory: deny_execmem breaks only cgo code that does (a warn).
    assert booleans.status == "warn"
    assert "deny_execmem is on (cgo code that JITs or uses libffi closures" in booleans.value
    assert "cgo" in booleans.explanation and "never map" in booleans.explanation
    assert "sudo setsebool -P deny_execmem off" in booleans.fix
    denials = found["denials"]
    assert denials.status == "fail"
    assert denials.data["count"] == 3
    assert denials.data["commands"] == {"compile": 1, "foo.test": 2}
    assert "foo.test x2" in denials.value
    assert "audit2allow -M" in denials.fix and "semodule -i" in denials.fix


def test_permissive_only_warns():
    found, _ = run(FIXTURES / "degraded",
                   {"ausearch": fixture_output("ausearch-permissive.txt")})
    assert found["mode"].data["enforcing"] is False
    booleans = found["booleans"]
    assert booleans.status == "warn"
    assert "deny_ptrace is on" in booleans.value
    assert "once it enforces" in booleans.value
    denials = found["denials"]
    assert denials.status == "warn" and "permissive" in denials.value


def test_getsebool_is_used_when_selinuxfs_booleans_are_unreadable(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(FIXTURES / "broken", root)
    shutil.rmtree(root / "sys/fs/selinux/booleans")
    found, _ = run(root, {"getsebool": fixture_output("getsebool-a.txt")})
    booleans = found["booleans"]
    assert booleans.data["source"] == "getsebool"
    assert booleans.status == "warn" and "deny_execmem is on" in booleans.value
    assert "antivirus_can_scan_system" not in booleans.data["booleans"]
    found, _ = run(root)
    assert found["booleans"].status == "na"


def test_confined_users_need_the_selinuxuser_booleans(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(FIXTURES / "healthy", root, symlinks=True)
    (root / "proc/self/attr/current").write_text("staff_u:staff_r:staff_t:s0\x00")
    (root / "sys/fs/selinux/booleans/selinuxuser_execmod").write_text("0 0")
    booleans = run(root)[0]["booleans"]
    assert booleans.status == "warn"
    assert "selinuxuser_execmod is off and you run confined as staff_t" in booleans.value
    assert "setsebool -P selinuxuser_execheap=on selinuxuser_execmod=on" in booleans.fix


def _avc(comm: str, domain: str = "unconfined_t", permissive: str | None = "0",
         event: str = "1718000000.123:4242") -> str:
    tail = "" if permissive is None else f" permissive={permissive}"
    return (f"type=AVC msg=audit({event}): avc:  denied  {{ execmem }} for  pid=4242 "
            f'comm="{comm}" scontext=unconfined_u:unconfined_r:{domain}:s0 '
            f"tcontext=unconfined_u:unconfined_r:{domain}:s0 tclass=process{tail}\n")


def _syscall(exe: str, comm: str, event: str = "1718000000.123:4242") -> str:
    return (f"type=SYSCALL msg=audit({event}): arch=c000003e syscall=10 success=no exit=-13 "
            f'pid=4242 uid=1000 comm="{comm}" exe="{exe}" subj=unconfined_u:unconfined_r:'
            "unconfined_t:s0 key=(null)\n")


def test_another_programs_denial_does_not_fail_the_doctor():
    found, _ = run(FIXTURES / "healthy",
                   {"ausearch": Completed(0, _avc("firefox", "mozilla_plugin_t"), "")})
    denials = found["denials"]
    assert denials.status == "warn"
    assert "firefox x1 (not Go" in denials.value
    assert (denials.data["go_related"], denials.data["go_enforced"]) == (0, 0)
    assert denials.data["enforced"] == 1


@pytest.mark.parametrize("records", [
    _avc("foo.test"),
    _avc("go"),
    # `go run`: a binary in $TMPDIR/go-build*/, named by the SYSCALL record of the event.
    _syscall("/tmp/go-build3456/b001/exe/main", "main") + _avc("main"),
    # A binary `go install` put in GOPATH/bin (GOPATH from the environment).
    _syscall("/home/me/gp/bin/server", "server") + _avc("server"),
    # A test binary whose name comm cut to 15 characters.
    _syscall("/tmp/go-build1/b001/averyverylongpkg.test", "averyverylongpk")
    + _avc("averyverylongpk"),
])
def test_go_denials_fail_next_to_others(records):
    found, _ = run(FIXTURES / "healthy", {"ausearch": Completed(
        0, _avc("firefox", "mozilla_plugin_t", event="1718000001.0:1") + records, "")},
        environ={"PATH": "", "HOME": "/home/me", "GOPATH": "/home/me/gp"})
    denials = found["denials"]
    assert denials.status == "fail"
    assert (denials.data["go_related"], denials.data["go_enforced"]) == (1, 1)
    assert "firefox x1 (not Go" in denials.value


def test_a_program_outside_go_places_is_not_go():
    records = _syscall("/usr/lib/firefox/firefox", "firefox") + _avc("firefox")
    found, _ = run(FIXTURES / "healthy", {"ausearch": Completed(0, records, "")},
                   environ={"PATH": "", "HOME": "/home/me"})
    assert found["denials"].status == "warn"


def test_denials_without_permissive_field_follow_the_mode():
    # Kernels before 4.17 (RHEL 7) write no permissive= field.
    old_kernel = {"ausearch": Completed(0, _avc("foo.test", permissive=None), "")}
    permissive, _ = run(FIXTURES / "degraded", old_kernel)  # enforce = 0
    assert permissive["denials"].status == "warn"
    assert "permissive: logged, not blocked" in permissive["denials"].value
    assert permissive["denials"].data["enforced"] == 0
    enforcing, _ = run(FIXTURES / "healthy", old_kernel)  # enforce = 1
    assert enforcing["denials"].status == "fail"
    assert enforcing["denials"].data["enforced"] == 1
    # The field wins over the mode: a permissive domain on an enforcing machine.
    per_domain, _ = run(FIXTURES / "healthy",
                        {"ausearch": Completed(0, _avc("foo.test", permissive="1"), "")})
    assert per_domain["denials"].status == "warn"
