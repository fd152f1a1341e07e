"""`goswitch doctor --json` on this real machine: what it reports is what /proc and /etc hold.

The expected values are read here independently of goswitch.doctor's parsers.
Counts that move while we look (tasks, TIME_WAIT) are compared with a tolerance.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux /proc")


def read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("doctor-real")
    env = dict(os.environ)
    env.pop("GOSWITCH_DOCTOR_ROOT", None)
    env.update(PYTHONPATH=str(REPO), GOSWITCH_HOME=str(tmp / "gs"),
               GOSWITCH_CONFIG=str(tmp / "config.toml"))
    proc = subprocess.run([sys.executable, "-m", "goswitch", "doctor", "--json", "--qps", "10"],
                          capture_output=True, text=True, env=env, cwd=str(tmp), timeout=120)
    doc = json.loads(proc.stdout)
    assert proc.returncode == doc["exit_code"], proc.stderr
    assert doc["context"]["root"] == "/"
    return {c["name"]: {f["id"]: f for f in c["findings"]} for c in doc["checks"]}


def test_every_check_ran_without_internal_errors(report):
    assert set(report) == {"go", "limits", "dns", "sockets", "selinux"}
    for findings in report.values():
        assert "internal-error" not in findings


def test_kernel_limits(report):
    limits = report["limits"]
    assert limits["pid_max"]["data"]["pid_max"] == int(read("/proc/sys/kernel/pid_max"))
    assert limits["threads-max"]["data"]["threads_max"] == int(
        read("/proc/sys/kernel/threads-max"))
    total = int(read("/proc/loadavg").split()[3].split("/")[1])
    reported = limits["pid_max"]["data"]["system_tasks"]
    assert abs(reported - total) <= max(50, total // 10)


def test_nproc_and_this_users_tasks(report):
    soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)

    def norm(v):
        return None if v == resource.RLIM_INFINITY else v

    nproc = report["limits"]["nproc"]["data"]
    assert (nproc["soft"], nproc["hard"]) == (norm(soft), norm(hard))
    assert nproc["uid"] == os.getuid()
    mine = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        status = read(f"/proc/{pid}/status") or ""
        uid_line = next((line for line in status.splitlines() if line.startswith("Uid:")), None)
        if uid_line and int(uid_line.split()[1]) == os.getuid():
            try:
                mine += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    assert abs(nproc["user_tasks"] - mine) <= max(50, mine // 10)


def test_cpu_count_follows_the_affinity_mask(tmp_path):
    """Under `taskset -c 0` Go's NumCPU is 1, and the doctor budgets for one CPU."""
    if shutil.which("taskset") is None:
        pytest.skip("taskset is not installed")
    env = dict(os.environ, PYTHONPATH=str(REPO), GOSWITCH_HOME=str(tmp_path / "gs"),
               GOSWITCH_CONFIG=str(tmp_path / "config.toml"))
    env.pop("GOSWITCH_DOCTOR_ROOT", None)
    proc = subprocess.run(["taskset", "-c", "0", sys.executable, "-m", "goswitch", "doctor",
                           "--json", "--check", "limits"],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120)
    doc = json.loads(proc.stdout)
    assert doc["context"]["cpu_count"] == 1
    nproc = next(f for f in doc["checks"][0]["findings"] if f["id"] == "nproc")
    assert nproc["data"]["need"] == 512
    assert "on 1 CPU " in nproc["explanation"]


# ------------------------------------------------------------- user namespaces
# RLIMIT_NPROC inside `unshare -r`: the doctor's verdict next to what fork() really does.

_FORK_PROBE = """
import os, resource
resource.setrlimit(resource.RLIMIT_NPROC, (5, 5))
r, w = os.pipe()
children, refused = [], False
for _ in range(20):
    try:
        pid = os.fork()
    except BlockingIOError:
        refused = True
        break
    if pid == 0:
        os.close(w)
        os.read(r, 1)  # alive until the parent has tried them all (EOF)
        os._exit(0)
    children.append(pid)
os.close(w)
for pid in children:
    os.waitpid(pid, 0)
print("refused" if refused else "allowed")
"""


_DOCTOR_AT_200 = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_NPROC, (200, 200))
os.execv(sys.executable, [sys.executable, "-m", "goswitch", "doctor", "--json", "--check",
                          "limits"])
"""


def _namespace_env() -> dict:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO),
            "HOME": "/nonexistent", "GOSWITCH_HOME": "/nonexistent/gs",
            "GOSWITCH_CONFIG": "/nonexistent/config.toml"}


def _prefix(as_nobody: bool) -> list[str]:
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    if not as_nobody:
        if os.getuid() != 0:
            pytest.skip("the host's root is the case under test")
        return ["unshare", "-r"]
    if os.getuid() != 0:
        return ["unshare", "-r"]  # this user is already not root
    if shutil.which("setpriv") is None:
        pytest.skip("becoming uid 65534 needs setpriv")
    return ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "unshare",
            "-r"]


def _python_for(prefix: list[str]) -> str:
    """An interpreter that can run goswitch there (uid 65534 may not reach a venv in /root)."""
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        probe = subprocess.run([*prefix, python, "-c", "import goswitch.doctor, click"],
                               capture_output=True, text=True, env=_namespace_env(), cwd="/",
                               timeout=60)
        if probe.returncode == 0:
            return python
        if "unshare failed" in probe.stderr:
            pytest.skip(f"no user namespaces here: {probe.stderr.strip()}")
    pytest.skip("no Python that can import goswitch inside the namespace")


def _nproc_in_namespace(as_nobody: bool) -> tuple[dict, str]:
    prefix = _prefix(as_nobody)
    python = _python_for(prefix)

    def run(script):
        return subprocess.run([*prefix, python, "-c", script], capture_output=True, text=True,
                              env=_namespace_env(), cwd="/", timeout=120)

    fork = run(_FORK_PROBE)
    assert fork.returncode == 0, fork.stderr
    # `ulimit -u 200`, in Python: sh may be dash, which has no -u.
    doctor = run(_DOCTOR_AT_200)
    doc = json.loads(doctor.stdout)
    nproc = next(f for f in doc["checks"][0]["findings"] if f["id"] == "nproc")
    return nproc, fork.stdout.strip()


@pytest.mark.parametrize("as_nobody", [True, False], ids=["uid-65534", "host-root"])
def test_nproc_in_a_user_namespace_matches_fork(as_nobody):
    """uid 0 in `unshare -r` is limited unless it is the host's root, as fork() shows."""
    nproc, fork = _nproc_in_namespace(as_nobody)
    assert nproc["data"]["user_namespace"] is True
    assert nproc["data"]["uid"] == 0
    if as_nobody:
        assert fork == "refused"
        assert nproc["data"]["enforced"] is True and nproc["data"]["outside_uid"] == 65534
        assert nproc["status"] == "fail" and "not enforced" not in nproc["value"]
    else:
        assert fork == "allowed"
        assert nproc["data"]["enforced"] is False and nproc["status"] == "ok"


def test_port_range_and_tw_reuse(report):
    sockets = report["sockets"]
    low, high = (int(x) for x in read("/proc/sys/net/ipv4/ip_local_port_range").split())
    data = sockets["port-range"]["data"]
    assert (data["low"], data["high"]) == (low, high)
    reserved = read("/proc/sys/net/ipv4/ip_local_reserved_ports") or ""
    if not reserved.strip():
        assert data["width"] == high - low + 1
    assert sockets["tw-reuse"]["data"]["tcp_tw_reuse"] == int(
        read("/proc/sys/net/ipv4/tcp_tw_reuse"))
    tcp = next(line for line in read("/proc/net/sockstat").splitlines()
               if line.startswith("TCP:")).split()
    tw_now = int(tcp[tcp.index("tw") + 1])
    assert abs(sockets["time-wait"]["data"]["time_wait"] - tw_now) <= max(200, tw_now)
    load = sockets["load"]["data"]
    assert load["ports_needed"] == 600 and load["width"] == data["width"]


def test_resolv_conf_and_nsswitch(report):
    dns = report["dns"]
    text = read("/etc/resolv.conf")
    if text is None:
        assert dns["nameservers"]["status"] == "warn"
        return
    servers = [line.split()[1] for line in text.splitlines()
               if line.startswith("nameserver") and len(line.split()) > 1]
    assert dns["nameservers"]["data"]["nameservers"] == servers
    options = [o for line in text.splitlines() if line.startswith("options")
               for o in line.split()[1:]]
    timeout = next((int(o[8:]) for o in reversed(options) if o.startswith("timeout:")), 5)
    attempts = next((int(o[9:]) for o in reversed(options) if o.startswith("attempts:")), 2)
    timeouts = dns["resolver-timeouts"]["data"]
    assert (timeouts["timeout"], timeouts["attempts"]) == (max(timeout, 1), max(attempts, 1))
    assert timeouts["rotate"] == ("rotate" in options)
    nss = read("/etc/nsswitch.conf")
    hosts = [line for line in (nss or "").splitlines() if line.startswith("hosts:")]
    if hosts:
        expected = re.sub(r"\[[^\]]*\]", " ", hosts[-1].split("#")[0]).split()[1:]
        assert dns["nsswitch"]["data"]["hosts"] == expected


def test_selinux_matches_selinuxfs(report):
    enforce = read("/sys/fs/selinux/enforce")
    mode = report["selinux"]["mode"]
    if enforce is None:
        assert mode["status"] == "na"
    else:
        assert mode["data"]["enforcing"] == (enforce.strip() == "1")


def test_go_on_path_is_the_shells(report):
    go = shutil.which("go")
    found = report["go"]["go-path"]["data"]
    assert found["path"] == go


# ---------------------------------------------------------------- real Go toolchains
# The doctor's Go findings claim what go will do; these run real go (from the cached
# release archives, see tests/support/archives.py) to show it does exactly that.


def _extract(archives, base: Path) -> dict:
    trees = {}
    for name in ("go1.22.10", "go1.21.13"):
        subprocess.run(["tar", "-xzf", str(archives[name]), "-C", str(base)], check=True)
        (base / "go").rename(base / name)
        trees[name] = base / name
    return trees


def _go_machine(tmp_path, trees):
    from goswitch.doctor.checks.goenv import GoEnvCheck
    from goswitch.doctor.system import Context, ScriptedCommands

    store = tmp_path / "gs" / "versions"
    store.mkdir(parents=True)
    (store / "1.22.10").symlink_to(trees["go1.22.10"], target_is_directory=True)
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".go-version").write_text("1.22.10\n")
    (project / "main.go").write_text("package main\n\nfunc main() {}\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home), "GOSWITCH_HOME": str(tmp_path / "gs"),
        "GOSWITCH_CONFIG": str(tmp_path / "config.toml"), "XDG_CONFIG_HOME": str(home / ".c"),
        "PATH": f"{store / '1.22.10' / 'bin'}:/usr/bin:/bin", "GOPROXY": "off",
        "GOCACHE": str(tmp_path / "gocache"), "GOPATH": str(tmp_path / "gopath"),
        "GOFLAGS": "-modcacherw",
    }

    def merged(extra):  # None removes a variable
        return {k: v for k, v in {**env, **extra}.items() if v is not None}

    def doctor(**extra):
        environ = merged(extra)
        ctx = Context.create(root="/", environ=environ, cwd=str(project), uid=os.getuid(),
                             cpu_count=2, rlimit_nproc=(None, None),
                             commands=ScriptedCommands({}, environ["PATH"]))
        return {f.id: f for f in GoEnvCheck().run(ctx)}

    def go(*args, **extra):
        return subprocess.run(["go", *args], cwd=project, env=merged(extra),
                              capture_output=True, text=True, timeout=300)

    def go_build(**extra):
        return go("build", "-o", os.devnull, ".", **extra)

    doctor.env = env
    return project, doctor, go_build, go


def _go_env_files_and_flags_as_go_reads_them(tmp_path, project, doctor, go_build, go):
    # The `go env -w` file is read as go reads it: an indented line is no setting, and
    # a CR stays in the value.
    goenv = tmp_path / "go-env-2"
    goenv.write_text(" GOFLAGS=-bogus\n")
    assert go_build(GOFLAGS=None, GOENV=str(goenv), GOTOOLCHAIN="local").returncode == 0
    assert doctor(GOFLAGS=None, GOENV=str(goenv))["goflags"].status == "ok"
    goenv.write_text("GOTOOLCHAIN=local\r\n")
    build = go_build(GOENV=str(goenv), GOTOOLCHAIN=None)
    assert build.returncode != 0 and 'invalid GOTOOLCHAIN "local\\r"' in build.stderr
    assert doctor(GOENV=str(goenv), GOTOOLCHAIN=None)["gotoolchain"].status == "fail"

    # A GOPATH whose first entry is empty (GOPATH=$GOPATH:/x with GOPATH unset).
    broken = f":{tmp_path / 'gp2'}"
    install = go("install", ".", GOPATH=broken, GOTOOLCHAIN="local")
    assert install.returncode != 0 and "no install location" in install.stderr
    assert go("env", "GOMODCACHE", GOPATH=broken).stdout.strip() == ""
    found = doctor(GOPATH=broken)["gopath"]
    assert found.status == "fail" and "first entry is empty" in found.value
    assert "module cache" in found.value and "no install location" in found.value

    # -mod=vendor in a module that requires something and has no vendor/: fine for a
    # throwaway module, fatal here, and only the project trial can tell.
    (project / "go.mod").write_text("module p\n\ngo 1.21\n\nrequire golang.org/x/mod v0.14.0\n")
    listed = go("list", "-m", GOFLAGS="-mod=vendor", GOTOOLCHAIN="local")
    assert listed.returncode != 0 and "inconsistent vendoring" in listed.stderr
    vendor = doctor(GOFLAGS="-mod=vendor")["goflags"]
    assert vendor.status == "fail" and "inconsistent vendoring" in vendor.value
    assert str(project) in vendor.value
    (project / "go.mod").write_text("module p\n\ngo 1.21\n")
    assert doctor(GOFLAGS="-mod=vendor")["goflags"].status == "ok"
    # A value with a space cannot be given: -w is a flag of its own (go env's).
    spaced = doctor(GOFLAGS="-ldflags=-s -w")["goflags"]
    assert spaced.status == "warn" and spaced.data["split"] == ["-w"]
    assert go("env", "GOVERSION", GOFLAGS="-ldflags=-s -w").returncode != 0
    # A profile that is not there: `go build -n` passes, a real build does not.
    pgo = go_build(GOFLAGS="-pgo=/nonexistent.pprof", GOTOOLCHAIN="local")
    assert pgo.returncode != 0 and "PGO error" in pgo.stderr
    assert doctor(GOFLAGS="-pgo=/nonexistent.pprof")["goflags"].status == "fail"


def _gotoolchain_names_go_cannot_run(tmp_path, project, doctor, go, index_url):
    # Cache the release index the way goswitch does (from a local mirror), then ask.
    cache = tmp_path / "gs-cache"
    env = {**doctor.env, "GOSWITCH_CACHE_DIR": str(cache), "GOSWITCH_INDEX_URL": index_url,
           "PYTHONPATH": str(REPO)}
    listed = subprocess.run([sys.executable, "-m", "goswitch", "list-remote", "--all"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    known = {"GOSWITCH_CACHE_DIR": str(cache), "GOSWITCH_INDEX_URL": index_url}
    for name, said in (("go1.22", "is a language version but not a toolchain version"),
                       ("go1.22.10-custom", "toolchain not available"),
                       ("go1.99.0", "toolchain not available")):
        ran = go("version", GOTOOLCHAIN=name)
        assert ran.returncode != 0, (name, ran.stdout)
        found = doctor(GOTOOLCHAIN=name, **known)["gotoolchain"]
        assert found.status == "fail" and said in found.value, (name, found.value)
    # The go on PATH by its own name, and a release the index lists, are fine.
    assert doctor(GOTOOLCHAIN="go1.22.10", **known)["gotoolchain"].status == "ok"
    other = doctor(GOTOOLCHAIN="go1.21.13", **known)["gotoolchain"]
    assert other.status == "fail" and "not the pinned 1.22.10" in other.value
    (project / ".go-version").unlink()  # nothing pinned: another release is a choice
    listed_release = doctor(GOTOOLCHAIN="go1.21.13", **known)["gotoolchain"]
    assert listed_release.status == "ok" and "runs go1.21.13" in listed_release.value
    (project / ".go-version").write_text("1.22.10\n")


def test_real_go_does_what_the_doctor_says(go_archives, tmp_path, mirror):
    """One test, so that under xdist only one worker unpacks the ~400 MB of trees."""
    mirror_index = mirror.index_url
    from goswitch.doctor.checks.goenv import GoProbe
    from goswitch.doctor.system import Context

    base = tmp_path / "trees"
    base.mkdir()
    try:
        trees = _extract(go_archives, base)

        # Identification: from VERSION, and through a shim that has none (go env is asked).
        probe = GoProbe(Context.create(root="/", environ={"PATH": "/usr/bin:/bin",
                                                          "HOME": str(tmp_path)}))
        tree = probe.binary(str(trees["go1.22.10"] / "bin" / "go"))
        assert (tree.raw, tree.how, tree.tree) == ("go1.22.10", "VERSION file",
                                                  str(trees["go1.22.10"]))
        shim = tmp_path / "shims" / "bin" / "go"
        shim.parent.mkdir(parents=True)
        shim.write_text(f"#!/bin/sh\nexec {trees['go1.21.13'] / 'bin' / 'go'} \"$@\"\n")
        shim.chmod(0o755)
        via_shim = probe.binary(str(shim))
        assert (via_shim.raw, via_shim.how) == ("go1.21.13", "go env")
        assert via_shim.tree == str(trees["go1.21.13"])

        project, doctor, go_build, go = _go_machine(tmp_path / "m", trees)

        # GOROOT of another version: doctor fails it, and so does a real build.
        (project / "go.mod").write_text("module p\n\ngo 1.21\n")
        assert doctor(GOROOT=str(trees["go1.21.13"]))["goroot"].status == "fail"
        build = go_build(GOROOT=str(trees["go1.21.13"]), GOTOOLCHAIN="local")
        assert build.returncode != 0
        assert 'does not match go tool version "go1.22.10"' in build.stderr
        assert doctor()["goroot"].status == "ok"
        assert go_build(GOTOOLCHAIN="local").returncode == 0

        # go.mod asks for more than the pin: local refuses, auto switches away.
        (project / "go.mod").write_text("module p\n\ngo 1.23.0\n")
        refused = doctor(GOTOOLCHAIN="local")["gotoolchain"]
        assert refused.status == "fail" and "go refuses" in refused.value
        build = go_build(GOTOOLCHAIN="local")
        assert ("go.mod requires go >= 1.23.0 (running go 1.22.10; GOTOOLCHAIN=local)"
                in build.stderr)
        switched = doctor(GOTOOLCHAIN="auto")["gotoolchain"]
        assert switched.status == "fail" and "away from the pinned 1.22.10" in switched.value
        build = go_build(GOTOOLCHAIN="auto")
        assert build.returncode != 0 and "go1.23.0" in build.stderr  # it tried to switch
        # Unset: the tree's own go.env says auto, and the doctor knows it.
        unset = doctor()["gotoolchain"]
        assert unset.data["value"] == "auto" and unset.data["source"].endswith("go.env")

        # GOFLAGS: what go itself says of them, from the environment or the `go env -w` file.
        (project / "go.mod").write_text("module p\n\ngo 1.21\n")
        assert doctor()["goflags"].status == "ok"  # -modcacherw
        assert go_build(GOTOOLCHAIN="local").returncode == 0
        bad = doctor(GOFLAGS="-bogus")["goflags"]
        build = go_build(GOFLAGS="-bogus", GOTOOLCHAIN="local")
        said = "go: parsing $GOFLAGS: unknown flag -bogus"
        assert bad.status == "fail" and said in bad.value and said in build.stderr
        assert bad.data["source"] == "environment" and "unset GOFLAGS" in bad.fix
        goenv = tmp_path / "go-env-file"
        goenv.write_text("GOFLAGS=-mod\n")
        from_file = doctor(GOFLAGS=None, GOENV=str(goenv))["goflags"]
        build = go_build(GOFLAGS=None, GOENV=str(goenv), GOTOOLCHAIN="local")
        said = "go: flag needs an argument: -mod (from $GOFLAGS)"
        assert from_file.status == "fail" and said in from_file.value and said in build.stderr
        assert from_file.data["source"] == str(goenv) and str(goenv) in from_file.fix
        # A trial build that fails whatever GOFLAGS hold (no build cache) blames nothing.
        untried = doctor(HOME=None, GOCACHE=None, XDG_CACHE_HOME=None)["goflags"]
        assert untried.status == "na" and "could not try it" in untried.value
        _go_env_files_and_flags_as_go_reads_them(tmp_path, project, doctor, go_build, go)
        _gotoolchain_names_go_cannot_run(tmp_path, project, doctor, go, mirror_index)
    finally:
        shutil.rmtree(base, ignore_errors=True)  # do not leave 400 MB to tmp retention
