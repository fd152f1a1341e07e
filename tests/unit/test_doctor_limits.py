"""Process limits against fake /proc and /sys trees (tests/fixtures/doctor/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from goswitch.doctor.checks.limits import (
    LimitsCheck,
    cgroup_pid_limits,
    count_tasks,
    headroom_status,
    thread_budget,
)
from goswitch.doctor.system import Context, SystemView

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "doctor"


def run(root, uid=1000, cpus=2, rlimit=(4096, 4096)):
    ctx = Context.create(root=str(root), environ={"PATH": ""}, cwd="/", uid=uid,
                         cpu_count=cpus, rlimit_nproc=rlimit)
    return {f.id: f for f in LimitsCheck().run(ctx)}


def copy_root(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, symlinks=True)
    return root


def test_budget_grows_with_cpus_and_has_a_floor():
    assert thread_budget(1) == 512
    assert thread_budget(16) == 512
    assert thread_budget(64) == 64 * 80


@pytest.mark.parametrize("limit,used,expected", [
    (None, 10_000, "ok"), (4096, 100, "ok"), (4096, 3200, "warn"), (4096, 3700, "fail"),
    (1024, 0, "ok"), (1023, 0, "warn"), (511, 0, "fail"),
])
def test_headroom_thresholds(limit, used, expected):
    assert headroom_status(limit, used, 512) == expected


def test_counts_tasks_of_the_real_uid_only():
    system = SystemView(str(FIXTURES / "healthy"))
    assert count_tasks(system, 1000) == {"user_tasks": 15, "user_processes": 2,
                                         "visible_tasks": 19}
    assert count_tasks(system, 1001)["user_tasks"] == 3
    assert count_tasks(system, 4242)["user_tasks"] == 0


def test_healthy_machine_is_ok_everywhere():
    found = run(FIXTURES / "healthy")
    assert {k: f.status for k, f in found.items()} == {
        "nproc": "ok", "threads-max": "ok", "pid_max": "ok", "cgroup-pids": "ok"}
    assert found["nproc"].data["user_tasks"] == 15
    assert found["nproc"].data["soft"] == 4096
    assert found["pid_max"].data == {"pid_max": 4194304, "system_tasks": 412, "need": 512}
    assert found["threads-max"].data["threads_max"] == 255173
    # The nearest limit is the user slice; the session scope says "max".
    assert found["cgroup-pids"].data["cgroup"] == "/sys/fs/cgroup/user.slice/user-1000.slice"
    assert found["cgroup-pids"].data["pids_max"] == 10813
    assert "4096" in found["nproc"].value and "15 tasks" in found["nproc"].value


def test_nproc_warns_then_fails_as_room_shrinks():
    warn = run(FIXTURES / "healthy", rlimit=(15 + 700, 8192))["nproc"]
    assert warn.status == "warn"
    assert "ulimit -u 8192" in warn.fix
    fail = run(FIXTURES / "healthy", rlimit=(15 + 100, 115))["nproc"]
    assert fail.status == "fail"
    assert "/etc/security/limits.d/" in fail.fix and "LimitNPROC" in fail.fix
    assert "100 left" in fail.value
    # Soft already at the hard limit (RHEL's 4096/4096): no `ulimit -u` to suggest.
    assert "ulimit -u 115" not in fail.fix and "no `ulimit -u` helps" in fail.fix


def test_rhel_default_nproc_is_too_small_for_a_big_machine():
    # 4096 (RHEL's 20-nproc.conf) leaves less than a 64-CPU go test run needs.
    found = run(FIXTURES / "healthy", cpus=64, rlimit=(4096, 4096))
    assert found["nproc"].status == "fail"
    assert found["nproc"].data["need"] == 5120


def test_root_and_unlimited_are_not_enforced():
    root = run(FIXTURES / "healthy", uid=0, rlimit=(10, 10))["nproc"]
    assert root.status == "ok" and "not enforced for root" in root.value
    assert root.data["enforced"] is False
    unlimited = run(FIXTURES / "healthy", rlimit=(None, None))["nproc"]
    assert unlimited.status == "ok" and "unlimited" in unlimited.value


def test_degraded_machine_warns_on_pid_max_and_cgroup():
    found = run(FIXTURES / "degraded")
    assert found["pid_max"].status == "warn"
    assert found["cgroup-pids"].status == "warn"
    assert found["threads-max"].status == "ok"
    assert "sysctl -w kernel.pid_max=4194304" in found["pid_max"].fix
    assert "TasksMax=infinity" in found["cgroup-pids"].fix


def test_broken_machine_fails_and_reads_cgroup_v1():
    found = run(FIXTURES / "broken")
    assert found["threads-max"].status == "fail"
    assert found["pid_max"].status == "fail"
    cg = found["cgroup-pids"]
    assert cg.status == "fail"
    assert cg.data["cgroup"] == "/sys/fs/cgroup/pids/docker/4f2a9c"
    assert (cg.data["pids_max"], cg.data["pids_current"]) == (300, 250)


def test_tightest_cgroup_ancestor_wins(tmp_path):
    root = copy_root(tmp_path, "healthy")
    scope = root / "sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope"
    (scope / "pids.max").write_text("5000\n")
    (scope / "pids.current").write_text("12\n")
    (root / "sys/fs/cgroup/user.slice/pids.max").write_text("600\n")
    (root / "sys/fs/cgroup/user.slice/pids.current").write_text("300\n")
    limits = cgroup_pid_limits(SystemView(str(root)))
    assert [d["pids_max"] for d in limits] == [600, 5000, 10813]
    assert run(root)["cgroup-pids"].status == "fail"


def test_missing_loadavg_falls_back_to_counting(tmp_path):
    root = copy_root(tmp_path, "healthy")
    (root / "proc/loadavg").unlink()
    assert run(root)["pid_max"].data["system_tasks"] == 19


def test_empty_root_is_not_applicable_and_does_not_crash():
    found = run(FIXTURES / "bare")
    assert {f.status for f in found.values()} == {"na"}


@pytest.mark.parametrize("cgroup, says, not_says", [
    # The slice measured, not the caller's own (after `su -` the process stays in it).
    ("/user.slice/user-1000.slice", "set-property user-1000.slice TasksMax=infinity",
     "UserTasksMax= in"),
    ("/user.slice/user-1000.slice", "user-.slice.d/50-tasks.conf", "user-0.slice"),
    ("/system.slice/docker-4f2a9c.scope", "--pids-limit", "set-property"),
    ("/docker/4f2a9c", "--pids-limit", "set-property"),
    ("/kubepods.slice/kubepods-burstable.slice/pod1", "podPidsLimit", "set-property"),
    ("/user.slice/user-1000.slice/user@1000.service/app.slice/code.scope",
     "systemctl --user set-property code.scope", "sudo"),
    ("/system.slice/ci-runner.service", "sudo systemctl set-property ci-runner.service", "--user"),
])
def test_pids_fix_names_what_set_the_limit(cgroup, says, not_says):
    from goswitch.doctor.checks.limits import pids_fix

    fix = pids_fix(cgroup)
    assert says in fix and not_says not in fix


def _namespace_root(tmp_path: Path, uid_map: str, cap_eff: str = "0000000000000000") -> Path:
    root = copy_root(tmp_path, "healthy")
    (root / "proc/self/uid_map").write_text(uid_map)
    (root / "proc/self/status").write_text(f"Name:\tpython3\nUid:\t0\t0\t0\t0\n"
                                           f"CapEff:\t{cap_eff}\n")
    return root


def test_root_inside_a_user_namespace_is_limited(tmp_path):
    # Rootless container or `unshare -r` as uid 65534: uid 0 here is 65534 to the kernel.
    root = _namespace_root(tmp_path, "         0      65534          1\n",
                           cap_eff="000001ffffffffff")  # caps in the namespace do not count
    nproc = run(root, uid=0, rlimit=(200, 200))["nproc"]
    assert nproc.status == "fail"
    assert "not enforced" not in nproc.value
    assert "uid 0 (uid 65534 outside this user namespace)" in nproc.value
    assert nproc.data["enforced"] is True
    assert (nproc.data["user_namespace"], nproc.data["outside_uid"]) == (True, 65534)
    assert "--ulimit nproc=" in nproc.fix and "uid 65534 on the host" in nproc.fix
    assert "root soft nproc" not in nproc.fix


def test_host_root_in_a_user_namespace_stays_exempt(tmp_path):
    # `unshare -r` run by the host's root: the real uid is still INIT_USER.
    root = _namespace_root(tmp_path, "         0          0          1\n")
    nproc = run(root, uid=0, rlimit=(5, 5))["nproc"]
    assert nproc.status == "ok" and "outside the user namespace too" in nproc.value
    assert nproc.data["enforced"] is False and nproc.data["user_namespace"] is True


@pytest.mark.parametrize("cap_eff, exempt", [
    ("0000000001000000", True),  # CAP_SYS_RESOURCE
    ("0000000000200000", True),  # CAP_SYS_ADMIN
    ("0000000000000000", False),
])
def test_capabilities_in_the_initial_namespace_lift_the_limit(tmp_path, cap_eff, exempt):
    root = _namespace_root(tmp_path, "         0          0 4294967295\n", cap_eff=cap_eff)
    nproc = run(root, uid=1000, rlimit=(100, 100))["nproc"]
    assert (nproc.status == "ok") is exempt
    assert nproc.data["enforced"] is not exempt
    assert nproc.data["user_namespace"] is False


def _cgroup_root(tmp_path: Path, self_cgroup: str, limits: dict[str, tuple[int, int]],
                 v2: bool = True, marker: str | None = None) -> Path:
    """A fake root whose /proc/self/cgroup is ``self_cgroup``, pids.max/current per dir."""
    root = tmp_path / "root"
    (root / "proc/self").mkdir(parents=True)
    (root / "proc/self/cgroup").write_text(self_cgroup)
    (root / "sys/fs/cgroup").mkdir(parents=True)
    if v2:
        (root / "sys/fs/cgroup/cgroup.controllers").write_text("cpu memory pids\n")
    for rel, (pids_max, current) in limits.items():
        directory = root / "sys/fs/cgroup" / rel
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "pids.max").write_text(f"{pids_max}\n")
        (directory / "pids.current").write_text(f"{current}\n")
    if marker:
        (root / marker.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / marker.lstrip("/")).write_text("")
    return root


@pytest.mark.parametrize("self_cgroup, limits, v2", [
    # cgroup v2 with a private cgroup namespace (Docker/Podman/Kubernetes default): "/".
    ("0::/\n", {"": (1024, 40)}, True),
    # cgroup v1 Docker: the host path is shown, but the container's cgroup is mounted at
    # the top of the pids hierarchy, so only that pids.max is there to read.
    ("12:pids:/docker/0123abcd\n0::/\n", {"pids": (300, 20)}, False),
])
def test_limit_at_the_top_of_a_container_names_the_engine(tmp_path, self_cgroup, limits, v2):
    # The host's root cgroup has no pids.max: one at the top is a container's.
    cg = run(_cgroup_root(tmp_path, self_cgroup, limits, v2=v2))["cgroup-pids"]
    assert cg.status in ("warn", "fail")  # 984 and 280 left: under twice, once 512
    assert "--pids-limit" in cg.fix and "podPidsLimit" in cg.fix
    assert "set-property" not in cg.fix and "systemctl" not in cg.fix
    assert cg.data["container"] is True and cg.data["path"] == "/"
    assert "(the container's)" in cg.value


def test_container_marker_files_mean_the_engine_set_it(tmp_path):
    limits = {"system.slice/runner.service": (300, 20)}
    plain = run(_cgroup_root(tmp_path / "a", "0::/system.slice/runner.service\n", limits))
    assert "sudo systemctl set-property runner.service" in plain["cgroup-pids"].fix
    assert plain["cgroup-pids"].data["container"] is False
    for marker in ("/.dockerenv", "/run/.containerenv"):
        inside = run(_cgroup_root(tmp_path / marker.replace("/", "_"),
                                  "0::/system.slice/runner.service\n", limits, marker=marker))
        assert "--pids-limit" in inside["cgroup-pids"].fix, marker
        assert inside["cgroup-pids"].data["container"] is True


@pytest.mark.parametrize("text, says", [
    ("unlimited\n", "holds 'unlimited', not a number: cannot parse it"),
    ("\u00e9\x1b[31m\n", "holds '\\xe9\\x1b[31m', not a number"),
    ("", "holds '', not a number"),
])
def test_unparsable_sysctl_is_quoted_not_called_unreadable(tmp_path, text, says):
    root = copy_root(tmp_path, "healthy")
    (root / "proc/sys/kernel/threads-max").write_text(text)
    found = run(root)["threads-max"]
    assert found.status == "na"
    assert found.value.startswith("/proc/sys/kernel/threads-max " + says), found.value
    assert "not readable" not in found.value and found.value.isascii()
    (root / "proc/sys/kernel/pid_max").unlink()
    assert run(root)["pid_max"].value == "/proc/sys/kernel/pid_max is not readable (missing)"
