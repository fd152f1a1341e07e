"""The doctor's plumbing: statuses, the runner, SystemView's root prefix, commands, output."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from goswitch.doctor import (
    CHECK_NAMES,
    Check,
    CheckResult,
    Finding,
    exit_code,
    run_checks,
    worst,
)
from goswitch.doctor import checks as checks_mod
from goswitch.doctor.report import SCHEMA, render_json, render_text, use_color
from goswitch.doctor.system import Commands, Completed, Context, ScriptedCommands, SystemView

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "doctor"


def fake_ctx(root="broken", **kw):
    defaults = dict(root=str(FIXTURES / root), environ={"PATH": ""}, cwd="/", uid=1000,
                    cpu_count=2, rlimit_nproc=(4096, 4096), commands=ScriptedCommands({}))
    defaults.update(kw)
    return Context.create(**defaults)


# ------------------------------------------------------------------ model and runner


def test_worst_status_and_finding_validation():
    assert worst([]) == "na"
    assert worst(["na", "ok"]) == "ok"
    assert worst(["ok", "warn", "na"]) == "warn"
    assert worst(["warn", "fail", "ok"]) == "fail"
    with pytest.raises(ValueError):
        Finding("x", "x", "bad", "v")


def test_check_names_are_the_documented_ones():
    assert CHECK_NAMES == ("go", "limits", "dns", "sockets", "selinux")


def test_exit_code_counts_failures_only():
    ok = CheckResult("a", "A", [Finding("x", "x", "ok", "v"), Finding("y", "y", "warn", "v")])
    bad = CheckResult("b", "B", [Finding("z", "z", "fail", "v")])
    assert exit_code([ok]) == 0
    assert exit_code([ok, bad]) == 1


def test_a_crashing_check_becomes_a_failed_finding(monkeypatch):
    class Boom(Check):
        name, title = "limits", "Boom"

        def run(self, ctx):
            raise RuntimeError("kaput")

    monkeypatch.setattr(checks_mod, "ALL", checks_mod.ALL)
    import goswitch.doctor as doctor

    monkeypatch.setattr(doctor, "ALL", (Boom(),))
    results = doctor.run_checks(fake_ctx(), ["limits"])
    finding = results[0].findings[0]
    assert (finding.id, finding.status) == ("internal-error", "fail")
    assert "RuntimeError: kaput" in finding.value


def test_run_selected_checks_in_fixed_order():
    results = run_checks(fake_ctx(), ["selinux", "dns"])
    assert [r.name for r in results] == ["dns", "selinux"]
    with pytest.raises(ValueError):
        run_checks(fake_ctx(), ["nope"])


# ------------------------------------------------------------------ SystemView


def test_root_prefix_follows_absolute_symlinks_inside_the_root(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "real.conf").write_text("inside\n")
    (tmp_path / "etc").mkdir()
    os.symlink("/run/real.conf", tmp_path / "etc" / "abs.conf")
    os.symlink("../run/real.conf", tmp_path / "etc" / "rel.conf")
    os.symlink("/etc/loop", tmp_path / "etc" / "loop")
    view = SystemView(str(tmp_path))
    assert view.read_text("/etc/abs.conf") == "inside\n"
    assert view.read_text("/etc/rel.conf") == "inside\n"
    assert view.host_path("/etc/../run/real.conf") == str(tmp_path / "run" / "real.conf")
    assert view.read("/etc/loop")[1] is not None  # ELOOP is reported, not raised
    assert view.readlink("/etc/abs.conf") == "/run/real.conf"
    assert view.read("/etc/none") == (None, "missing")
    assert view.read_int("/run/real.conf") is None


def test_real_root_reads_procfs_sysctls():
    # A single large read() of a sysctl file fails with ENOMEM; SystemView reads in chunks.
    view = SystemView("/")
    assert view.is_real
    assert view.read_int("/proc/sys/kernel/pid_max") == int(
        Path("/proc/sys/kernel/pid_max").read_text())


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_is_told_apart_from_missing(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("x")
    secret.chmod(0)
    assert SystemView(str(tmp_path)).read("/secret") == (None, "permission denied")


# ------------------------------------------------------------------ commands


def test_commands_run_without_a_shell_in_the_c_locale(tmp_path):
    commands = Commands("/usr/bin:/bin")
    assert commands.which("sh")
    assert "/usr/sbin" in commands.search_path.split(":")  # getsebool lives there
    done = commands.run([sys.executable, "-c", "import os; print(os.environ['LC_ALL'])"])
    assert (done.returncode, done.stdout) == (0, "C\n")
    assert commands.run([str(tmp_path / "missing")]).returncode == 127
    slow = commands.run([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.2)
    assert slow.returncode == 124 and "no answer" in slow.stderr


def test_a_command_that_does_not_answer_is_killed_with_what_it_started(tmp_path):
    """A `go` wrapper script that hangs: its `sleep` outlived doctor before."""
    pidfile = tmp_path / "child.pid"
    script = tmp_path / "go"
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pidfile}\nwait\n")
    script.chmod(0o755)
    done = Commands("/usr/bin:/bin").run([str(script), "env"], timeout=0.5)
    assert done.returncode == 124
    child = int(pidfile.read_text())
    for _ in range(50):  # SIGKILL is delivered at once; reaping by init may take a moment
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"the wrapper's child {child} still runs ({state})")


def test_scripted_commands_answer_known_tools_and_hide_the_rest():
    commands = ScriptedCommands({"getsebool": Completed(0, "a --> on\n", ""),
                                 "ausearch": lambda argv: Completed(0, " ".join(argv), "")})
    assert commands.which("getsebool") == "/scripted/getsebool"
    assert commands.which("gcc") is None
    assert commands.run(["/scripted/ausearch", "-m", "AVC"]).stdout == "/scripted/ausearch -m AVC"
    assert commands.run([sys.executable, "-c", "print(1)"]).stdout == "1\n"  # really runs


def test_fake_root_never_runs_real_system_tools():
    ctx = Context.create(root=str(FIXTURES / "healthy"), environ={"PATH": "/usr/bin:/bin"})
    assert isinstance(ctx.commands, ScriptedCommands)
    assert ctx.commands.which("sh") is None


# ------------------------------------------------------------------ output


def test_colour_rules():
    assert use_color("auto", True, {}) is True
    assert use_color("auto", False, {}) is False
    assert use_color("auto", True, {"NO_COLOR": "1"}) is False
    assert use_color("auto", True, {"NO_COLOR": ""}) is True  # empty means unset
    assert use_color("auto", True, {"TERM": "dumb"}) is False
    assert use_color("always", False, {"NO_COLOR": "1"}) is True
    assert use_color("never", True, {}) is False


def test_table_shows_problems_with_why_and_fix():
    ctx = fake_ctx(qps=100)
    results = run_checks(ctx, ["sockets", "selinux"])
    text = render_text(results, color=False, width=100)
    assert "\x1b[" not in text
    lines = text.splitlines()
    assert lines[0].startswith("Sockets (sockets)") and lines[0].endswith("FAIL")
    assert any(line.startswith("  FAIL  ip_local_port_range") for line in lines)
    assert "why" in text and "fix" in text
    assert max(len(line) for line in lines) <= 100
    assert "failures" in lines[-3] or "failure" in lines[-3]
    assert "Each FAIL row" in lines[-1]
    coloured = render_text(results, color=True, width=100)
    assert "\x1b[1;31mFAIL" in coloured


def test_table_hides_explanations_of_ok_rows_unless_verbose():
    results = run_checks(fake_ctx(root="healthy"), ["dns"])
    quiet = render_text(results)
    assert " why " not in quiet
    assert "\n0 failures, 0 warnings, 5 ok, 0 not applicable\n" in quiet
    assert "why" in render_text(results, verbose=True)


def test_narrow_terminal_wraps_long_values():
    results = run_checks(fake_ctx(root="degraded"), ["dns"])
    lines = render_text(results, width=60).splitlines()
    assert max(len(line) for line in lines) <= 60


@pytest.mark.parametrize("width", [50, 40])
def test_table_narrows_to_40_columns(width):
    # Every line fits, footer included, except words longer than a line (paths are not cut).
    results = run_checks(fake_ctx(root="broken", qps=100), ["limits", "dns", "sockets"])
    text = render_text(results, width=width, verbose=True)
    for line in text.splitlines():
        assert len(line) <= width or " " not in line.strip(), line
    assert "Each FAIL row breaks Go builds" in text


def test_below_40_columns_lines_stay_40_wide():
    results = run_checks(fake_ctx(root="healthy"), ["dns"])
    assert render_text(results, width=20) == render_text(results, width=40)


def test_json_schema():
    ctx = fake_ctx()
    doc = json.loads(render_json(run_checks(ctx), ctx, "9.9.9"))
    assert doc["schema"] == SCHEMA == "goswitch.doctor/1"
    assert doc["goswitch_version"] == "9.9.9"
    assert doc["ok"] is False and doc["exit_code"] == 1
    assert set(doc["summary"]) == {"ok", "warn", "fail", "na"}
    assert doc["context"]["root"] == str(FIXTURES / "broken")
    assert [c["name"] for c in doc["checks"]] == list(CHECK_NAMES)
    for check in doc["checks"]:
        assert set(check) == {"name", "title", "status", "findings"}
        for finding in check["findings"]:
            assert set(finding) == {"id", "title", "status", "value", "explanation", "fix",
                                    "data"}
            assert finding["status"] in ("ok", "warn", "fail", "na")
    limits = next(c for c in doc["checks"] if c["name"] == "limits")
    assert limits["findings"][2]["data"]["pid_max"] == 600


def test_cpu_count_is_the_affinity_mask_like_go_numcpu(monkeypatch):
    # A 4-CPU cpuset on a 64-CPU host: Go runs 4-wide, so the thread budget is 512, not 5120.
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {8, 9, 10, 11}, raising=False)
    ctx = Context.create(root=str(FIXTURES / "healthy"), environ={"PATH": ""}, cwd="/")
    assert ctx.cpu_count == 4
    monkeypatch.delattr(os, "sched_getaffinity")  # macOS and friends
    assert Context.create(root=str(FIXTURES / "healthy"), environ={"PATH": ""},
                          cwd="/").cpu_count == 64
