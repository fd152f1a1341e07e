"""`goswitch doctor` on the command line: options, exit codes, JSON, colour.

Fake roots come in through GOSWITCH_DOCTOR_ROOT, as they would for a user
reproducing a report; the Go check runs against an isolated empty HOME.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from goswitch.cli.commands.doctor import command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "doctor"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path) -> dict:
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home), "GOSWITCH_HOME": str(tmp_path / "gs"),
        "GOSWITCH_CONFIG": str(tmp_path / "config.toml"), "XDG_CONFIG_HOME": str(home / ".cfg"),
        "PATH": "/usr/bin:/bin", "NO_COLOR": "", "TERM": "xterm",
    }


def invoke(env, *args, root=None):
    environ = dict(env)
    if root:
        environ["GOSWITCH_DOCTOR_ROOT"] = str(FIXTURES / root)
    return CliRunner().invoke(command, list(args), env=environ, catch_exceptions=False)


def test_help_lists_checks_and_examples(env):
    result = invoke(env, "--help")
    assert result.exit_code == 0
    for name in ("go", "limits", "dns", "sockets", "selinux"):
        assert f"\n    {name} " in result.output
    assert "goswitch doctor --json" in result.output
    assert "--root" not in result.output  # the testing aid stays hidden


def test_exit_codes_follow_failures(env):
    assert invoke(env, "--check", "dns", root="healthy").exit_code == 0
    assert invoke(env, "--check", "dns", root="degraded").exit_code == 0  # warnings only
    assert invoke(env, "--check", "dns", root="broken").exit_code == 1
    bad = invoke(env, "--check", "nope")
    assert bad.exit_code == 2 and "'nope' is not one of" in bad.output
    assert invoke(env, "--qps", "0").exit_code == 2
    for bad in (("--qps", "inf"), ("--qps", "nan"), ("--lifetime", "inf")):
        result = invoke(env, "--check", "sockets", *bad)
        assert result.exit_code == 2 and "is not a finite number" in result.output, bad


@pytest.mark.parametrize("args", [("--qps", "1e308"), ("--qps", "1e307", "--lifetime", "1e302")])
def test_qps_whose_estimate_overflows_is_a_usage_error(env, args):
    # Each is finite; qps x (lifetime + 60) is not.
    result = invoke(env, "--check", "sockets", *args)
    assert result.exit_code == 2, result.output
    assert "Invalid value for --qps" in result.output
    assert "too large to estimate" in result.output
    assert args[1].replace("1e", "1e+") in result.output  # the value, as %g shows it
    assert "OverflowError" not in result.output


def test_values_from_files_cannot_drive_the_terminal(env, tmp_path):
    """resolv.conf's search list may come from DHCP: escapes are shown, not sent."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "resolv.conf").write_text(
        "nameserver 1.1.1.1\nsearch ex\x1b]0;PWNED\x07.com\noptions " + "junk " * 5000 + "\n"
    )
    environ = {**env, "GOSWITCH_DOCTOR_ROOT": str(root)}
    result = CliRunner().invoke(command, ["--check", "dns", "--color", "never"], env=environ)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "ex\\x1b]0;PWNED\\x07.com" in result.output
    assert len(result.output) < 20_000


def test_repeatable_check_and_json(env):
    result = invoke(env, "--json", "--check", "sockets", "--check", "limits", "--qps", "250",
                    "--lifetime", "0.5", root="broken")
    doc = json.loads(result.output)
    assert result.exit_code == 1 == doc["exit_code"]
    assert [c["name"] for c in doc["checks"]] == ["limits", "sockets"]
    load = doc["checks"][1]["findings"][3]
    assert load["id"] == "load" and load["data"]["ports_needed"] == 15125
    assert doc["context"]["qps"] == 250 and doc["context"]["lifetime_s"] == 0.5


def test_colour_only_when_asked_or_on_a_terminal(env):
    plain = invoke(env, "--check", "limits", root="broken")
    assert "\x1b[" not in plain.output  # CliRunner's stdout is not a TTY
    forced = invoke(env, "--check", "limits", "--color", "always", root="broken")
    assert "\x1b[1;31mFAIL" in forced.output


def test_dir_option_checks_another_project(env, tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".go-version").write_text("1.22.4\n")
    result = invoke(env, "--json", "--check", "go", "-C", str(project))
    pin = json.loads(result.output)["checks"][0]["findings"][0]
    assert pin["id"] == "pin" and pin["status"] == "warn"  # pinned, not installed
    assert pin["data"]["file"] == str(project / ".go-version")


def test_python_m_goswitch_doctor_json(env):
    environ = dict(os.environ)
    environ.update(env)
    environ["GOSWITCH_DOCTOR_ROOT"] = str(FIXTURES / "healthy")
    environ["PYTHONPATH"] = str(REPO)
    proc = subprocess.run([sys.executable, "-m", "goswitch", "doctor", "--json"],
                          capture_output=True, text=True, env=environ, cwd=str(env["HOME"]),
                          timeout=60)
    doc = json.loads(proc.stdout)
    assert doc["schema"] == "goswitch.doctor/1"
    assert proc.returncode == doc["exit_code"]
    dns = next(c for c in doc["checks"] if c["name"] == "dns")
    assert dns["status"] == "ok"
    assert dns["findings"][0]["data"]["nameservers"] == ["127.0.0.53"]


def test_named_pipes_and_endless_devices_are_not_read(env, tmp_path):
    """A FIFO where resolv.conf, a sysctl or the `go env -w` file should be hung the
    doctor forever; /dev/zero as the go env file read until memory ran out."""
    root = tmp_path / "root"
    for path in ("etc/resolv.conf", "etc/nsswitch.conf", "proc/sys/kernel/pid_max",
                 "proc/sys/net/ipv4/ip_local_port_range", "sys/fs/selinux/enforce"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / path)
    fifo = tmp_path / "go-env"
    os.mkfifo(fifo)
    runs = []
    for extra in ({"GOSWITCH_DOCTOR_ROOT": str(root), "GOENV": str(fifo)},
                  {"GOENV": "/dev/zero"}):
        proc = subprocess.run(
            [sys.executable, "-m", "goswitch", "doctor", "--json"],
            env={**env, **extra, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
            timeout=120)  # fmt: skip
        doc = json.loads(proc.stdout)
        assert proc.returncode == doc["exit_code"], proc.stderr
        rows = {f["id"]: f for c in doc["checks"] for f in c["findings"]}
        assert "internal-error" not in rows, rows.get("internal-error")
        runs.append(rows)
    assert runs[0]["nameservers"]["value"] == "/etc/resolv.conf: a named pipe, not a file"


def test_system_view_refuses_what_is_not_a_file(tmp_path):
    from goswitch.doctor.system import SystemView

    os.mkfifo(tmp_path / "fifo")
    view = SystemView(str(tmp_path))
    assert view.read("/fifo") == (None, "a named pipe, not a file")
    assert SystemView("/").read("/dev/zero") == (None, "a device, not a file")
    assert SystemView("/").read("/proc/sys/kernel/pid_max")[0].strip().isdigit()
