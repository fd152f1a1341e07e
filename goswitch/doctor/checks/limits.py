"""Process limits: RLIMIT_NPROC, kernel.threads-max, kernel.pid_max, cgroup pids.max.

Go programs are thread-hungry: every OS thread the runtime starts (one per P,
plus one for each goroutine blocked in a syscall or in cgo) is a kernel task,
and ``go test ./...`` runs up to GOMAXPROCS test binaries at once (``-p``) next
to the compiler and linker.  Each limit below counts *tasks* (threads), not
processes, so a limit that looks generous in ``ps`` terms fails as
``runtime: failed to create new OS thread (have N already; errno=11)`` or
``fork/exec ...: resource temporarily unavailable``.
"""

from __future__ import annotations

from ..model import FAIL, NA, OK, WARN, Check, Finding


def thread_budget(cpu_count: int) -> int:
    """Tasks a parallel ``go test ./...`` may need at once on this many CPUs.

    -p = cpu_count test binaries, each with about GOMAXPROCS (= cpu_count)
    running threads plus ~16 for the runtime, blocked syscalls and cgo; never
    less than 512 so that small machines keep room for the shell, editor and
    language server around the build.
    """
    return max(512, cpu_count * (cpu_count + 16))


def headroom_status(limit: int | None, used: int, need: int) -> str:
    if limit is None:
        return OK
    room = limit - used
    if room < need:
        return FAIL
    if room < 2 * need:
        return WARN
    return OK


def _real_uid(status_text: str) -> int | None:
    for line in status_text.splitlines():
        if line.startswith("Uid:"):
            fields = line.split()
            try:
                return int(fields[1])  # real uid: what RLIMIT_NPROC counts against
            except (IndexError, ValueError):
                return None
    return None


def _threads_field(status_text: str) -> int | None:
    for line in status_text.splitlines():
        if line.startswith("Threads:"):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


# /proc/self/uid_map of the initial user namespace: every uid maps to itself.
_IDENTITY_MAP = [(0, 0, 4294967295)]
# Capability bits (linux/capability.h) that let fork() past RLIMIT_NPROC.
_EXEMPTING_CAPS = {"CAP_SYS_ADMIN": 21, "CAP_SYS_RESOURCE": 24}


def parse_id_map(text: str) -> list[tuple[int, int, int]]:
    """/proc/PID/uid_map lines "inside outside count" as tuples."""
    ranges = []
    for line in text.splitlines():
        try:
            inside, outside, count = (int(f) for f in line.split())
        except ValueError:
            continue
        ranges.append((inside, outside, count))
    return ranges


def map_uid(ranges: list[tuple[int, int, int]], uid: int) -> int | None:
    """The uid outside the user namespace for ``uid`` inside it (None: unmapped)."""
    for inside, outside, count in ranges:
        if inside <= uid < inside + count:
            return outside + uid - inside
    return None


def _effective_caps(status_text: str) -> int:
    for line in status_text.splitlines():
        if line.startswith("CapEff:"):
            try:
                return int(line.split()[1], 16)
            except (IndexError, ValueError):
                return 0
    return 0


def nproc_exemption(system, uid: int) -> dict:
    """Whether fork() lets this process past RLIMIT_NPROC, as kernel/fork.c decides.

    The kernel skips the limit only for the initial root user (real uid 0 of the
    host, INIT_USER) or a process with CAP_SYS_RESOURCE or CAP_SYS_ADMIN in the
    *initial* user namespace.  uid 0 inside a user namespace (rootless
    containers, `unshare -r`, rootless CI) is an ordinary user outside it, and
    capabilities held there do not count.  /proc/self/uid_map tells the two
    apart: the initial namespace maps every uid to itself, and a kernel without
    user namespaces has no uid_map at all.
    """
    text = system.read_text("/proc/self/uid_map")
    ranges = parse_id_map(text) if text is not None else _IDENTITY_MAP
    in_namespace = ranges != _IDENTITY_MAP
    outside = map_uid(ranges, uid)
    result = {"user_namespace": in_namespace, "outside_uid": outside, "exempt": False,
              "reason": None}
    if outside == 0:
        # Seen one level up only: a namespace nested in a rootless container maps to
        # that container's root, which the kernel does count (see docs/doctor.md).
        result.update(exempt=True, reason="for root" if not in_namespace
                      else "for root: uid 0 outside the user namespace too")
        return result
    if in_namespace:
        return result
    caps = _effective_caps(system.read_text("/proc/self/status") or "")
    held = [name for name, bit in sorted(_EXEMPTING_CAPS.items()) if caps >> bit & 1]
    if held:
        result.update(exempt=True, reason=f"with {held[0]}")
    return result


def count_tasks(system, uid: int) -> dict | None:
    """Tasks (threads) per /proc: those whose real uid is ``uid``, and all of them.

    A process that exits while we walk is simply skipped; with ``hidepid``
    other users' processes are invisible, which does not change our own count.
    """
    names = system.listdir("/proc")
    if names is None:
        return None
    user_tasks = user_procs = all_tasks = 0
    for name in names:
        if not name.isdigit():
            continue
        status = system.read_text(f"/proc/{name}/status")
        if status is None:
            continue
        tasks = system.listdir(f"/proc/{name}/task")
        count = len(tasks) if tasks is not None else (_threads_field(status) or 1)
        all_tasks += count
        if _real_uid(status) == uid:
            user_tasks += count
            user_procs += 1
    return {"user_tasks": user_tasks, "user_processes": user_procs, "visible_tasks": all_tasks}


def system_tasks(system, fallback: int | None) -> int | None:
    """All tasks on the machine, kernel threads included: /proc/loadavg's "running/total"."""
    text = system.read_text("/proc/loadavg")
    if text:
        fields = text.split()
        if len(fields) >= 4 and "/" in fields[3]:
            try:
                return int(fields[3].split("/")[1])
            except ValueError:
                pass
    return fallback


def _parse_cgroup_file(text: str) -> tuple[str | None, str | None]:
    """(v1 pids path, v2 path) from /proc/self/cgroup."""
    v1 = v2 = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hid, controllers, path = parts
        if hid == "0" and controllers == "":
            v2 = path
        elif "pids" in controllers.split(","):
            v1 = path
    return v1, v2


_CONTAINER_MARKS = ("docker", "containerd", "kubepods", "libpod", "crio", "lxc", "garden")
# Files container engines put in every container: Docker, and Podman/CRI-O.
CONTAINER_FILES = ("/.dockerenv", "/run/.containerenv")
_CONTAINER_FIX = ("The limit is the container's: raise it where the container is started "
                  "(`docker run --pids-limit N`, compose `pids_limit:`, podman `--pids-limit N`; "
                  "Kubernetes: the kubelet's podPidsLimit); nothing inside the container can.")


def is_container_limit(system, limit: dict) -> bool:
    """Whether the binding pids.max was set by a container engine, not by systemd here.

    The host's root cgroup has no pids.max (the kernel creates it only below the
    root), so one at the top of the hierarchy we see is the root of a cgroup
    namespace or of a container's bind-mounted cgroup: the container's limit.
    Inside a container, the host path in /proc/self/cgroup is often "/" and its
    markers (docker-*.scope, kubepods) are invisible, so the engines' marker
    files count too.
    """
    if limit["path"] == "/":
        return True
    parts = [p for p in limit["path"].split("/") if p]
    if any(mark in part for part in parts for mark in _CONTAINER_MARKS):
        return True
    return any(system.exists(path) for path in CONTAINER_FILES)


def pids_fix(cgroup: str, container: bool = False) -> str:
    """How to raise the pids.max of ``cgroup`` (its path as in /proc/self/cgroup)."""
    parts = [p for p in cgroup.split("/") if p]
    if container or any(mark in part for part in parts for mark in _CONTAINER_MARKS):
        return _CONTAINER_FIX
    unit = parts[-1] if parts else ""
    under_user_manager = any(p.startswith("user@") and p.endswith(".service") for p in parts[:-1])
    if under_user_manager:
        return (f"`systemctl --user set-property {unit} TasksMax=infinity` (a unit of your "
                "user manager; or TasksMax= in its unit file).")
    if unit.startswith("user-") and unit.endswith(".slice") or unit == "user.slice":
        every = ("for every user: a drop-in /etc/systemd/system/user-.slice.d/50-tasks.conf "
                 "with `[Slice]` and `TasksMax=infinity`, then `sudo systemctl daemon-reload` "
                 "(logind's old UserTasksMax= is gone since systemd 240)")
        return f"`sudo systemctl set-property {unit} TasksMax=infinity`; {every}."
    if unit:
        return (f"`sudo systemctl set-property {unit} TasksMax=infinity` (or TasksMax= in "
                "that unit's file).")
    return "Raise the pids.max of the cgroup named above (TasksMax= of its systemd unit)."


def cgroup_pid_limits(system) -> list[dict] | None:
    """Every pids.max on the way from our cgroup up to the root, tightest first.

    Each ancestor's limit applies to all its descendants, so the binding one is
    the one with the least room, not necessarily the nearest.  None when this
    is not a Linux with cgroups.
    """
    text = system.read_text("/proc/self/cgroup")
    if text is None:
        return None
    v1, v2 = _parse_cgroup_file(text)
    if v1 is not None:
        base, rel = "/sys/fs/cgroup/pids", v1
    elif v2 is not None:
        # Pure v2 mounts at /sys/fs/cgroup; hybrid systems put it at .../unified.
        base = ("/sys/fs/cgroup" if system.exists("/sys/fs/cgroup/cgroup.controllers")
                else "/sys/fs/cgroup/unified")
        rel = v2
    else:
        return None
    rel = "/" + rel.strip("/")
    found = []
    while True:
        directory = base + ("" if rel == "/" else rel)
        raw = system.read_text(directory + "/pids.max")
        if raw is not None and raw.strip() != "max":
            try:
                limit = int(raw.split()[0])
            except (ValueError, IndexError):
                limit = None
            current = system.read_int(directory + "/pids.current")
            if limit is not None:
                found.append({"cgroup": directory, "path": rel, "pids_max": limit,
                              "pids_current": current or 0})
        if rel == "/":
            break
        rel = rel.rsplit("/", 1)[0] or "/"
    found.sort(key=lambda d: d["pids_max"] - d["pids_current"])
    return found


def read_sysctl_int(system, path: str) -> tuple[int | None, str | None]:
    """(value, None), or (None, what is wrong) naming the file: unreadable or not a number."""
    text, why = system.read(path)
    if text is None:
        return None, f"{path} is not readable ({why})"
    try:
        return int(text.split()[0]), None
    except (ValueError, IndexError):
        # Quoted and ASCII-only: the file may hold anything (a fake root, a patched kernel).
        shown = ascii(text.strip()[:40])
        return None, f"{path} holds {shown}, not a number: cannot parse it"


def _tasks(n: int) -> str:
    return f"{n} task{'' if n == 1 else 's'}"


def _user_name(ctx) -> str:
    try:
        import pwd

        return pwd.getpwuid(ctx.uid).pw_name
    except (ImportError, KeyError):
        return ctx.environ.get("USER") or "youruser"


class LimitsCheck(Check):
    name = "limits"
    title = "Process limits"
    summary = "ulimit -u (RLIMIT_NPROC), kernel.threads-max, kernel.pid_max, cgroup pids.max"

    def run(self, ctx) -> list[Finding]:
        system = ctx.system
        need = thread_budget(ctx.cpu_count)
        counts = count_tasks(system, ctx.uid)
        total = system_tasks(system, counts["visible_tasks"] if counts else None)
        cpus = f"{ctx.cpu_count} CPU{'' if ctx.cpu_count == 1 else 's'}"
        budget_note = (
            f"Doctor budgets {need} tasks for a parallel `go test ./...` on {cpus} "
            "(the ones this process may run on, as Go's runtime.NumCPU counts them; "
            f"-p={ctx.cpu_count} test binaries x ~{ctx.cpu_count}+16 threads, at least 512): "
            "less room than that fails, less than twice that warns."
        )
        short_note = (f"Same budget as ulimit -u: at least {need} tasks of room, twice that "
                      "to be comfortable.")
        return [
            self._nproc(ctx, counts, need, budget_note),
            self._sysctl(ctx, "threads-max", "/proc/sys/kernel/threads-max", total, need,
                         short_note),
            self._sysctl(ctx, "pid_max", "/proc/sys/kernel/pid_max", total, need, short_note),
            self._cgroup(ctx, need, short_note),
        ]

    def _nproc(self, ctx, counts, need: int, budget_note: str) -> Finding:
        soft, hard = ctx.rlimit_nproc
        used = counts["user_tasks"] if counts else None
        exemption = nproc_exemption(ctx.system, ctx.uid)
        outside = exemption["outside_uid"]
        data = {"soft": soft, "hard": hard, "uid": ctx.uid, "user_tasks": used,
                "need": need, "enforced": not exemption["exempt"] and soft is not None,
                "user_namespace": exemption["user_namespace"], "outside_uid": outside}

        def fmt(v):
            return "unlimited" if v is None else str(v)

        limits = f"soft {fmt(soft)}, hard {fmt(hard)}"
        title = "ulimit -u (nproc)"
        why = ("RLIMIT_NPROC caps the tasks (threads, not processes) of all processes with "
               "your real uid together: the shell, the IDE, gopls and every test binary. "
               "When it is reached, thread creation fails with EAGAIN. The kernel exempts "
               "only the host's root and processes with CAP_SYS_RESOURCE or CAP_SYS_ADMIN "
               "outside any user namespace; root inside a user namespace (rootless "
               "containers and CI) is limited like anyone. " + budget_note)
        if used is None:
            return Finding("nproc", title, NA, f"{limits}; /proc is not readable",
                           why, data=data)
        if exemption["exempt"]:
            return Finding("nproc", title, OK, f"{limits}; not enforced "
                           f"{exemption['reason']} ({_tasks(used)})", why, data=data)
        status = headroom_status(soft, used, need)
        room = "" if soft is None else f" ({soft - used} left)"
        who = f"uid {ctx.uid}"
        if exemption["user_namespace"]:
            # The uid people know from `id` inside the namespace is not the one counted.
            who += (f" (uid {outside} outside this user namespace)" if outside is not None
                    else " (unmapped outside this user namespace)")
        value = f"{limits}; {who} has {_tasks(used)}{room}"
        fix = ""
        if status != OK:
            fix = self._nproc_fix(ctx, soft, hard, exemption, fmt)
        return Finding("nproc", title, status, value, why, fix, data)

    def _nproc_fix(self, ctx, soft, hard, exemption, fmt) -> str:
        target = 65536 if hard is None else min(hard, 65536)
        # `ulimit -u` can only raise the soft limit up to the hard one.
        now = (f"For this shell: `ulimit -u {target}` (the hard limit is {fmt(hard)}). "
               if soft is None or target > soft else
               f"The hard limit ({fmt(hard)}) is what holds it: no `ulimit -u` helps. ")
        if exemption["user_namespace"]:
            # Raising a hard limit needs CAP_SYS_RESOURCE in the initial namespace, so
            # it can only be done where the namespace (the container) is created.
            outside = exemption["outside_uid"]
            host_user = f"uid {outside}" if outside is not None else "the user outside"
            return (now + "Being root inside a user namespace does not lift it: raise it "
                    "where the container is started (`docker run --ulimit nproc=65536`, "
                    "podman `--ulimit nproc=65536`), or raise the limit of "
                    f"{host_user} on the host (/etc/security/limits.d/, or LimitNPROC= "
                    "of the service that starts the job).")
        user = _user_name(ctx)
        return (now + f"Permanently: add `{user} soft nproc 65536` and "
                f"`{user} hard nproc 65536` "
                "to /etc/security/limits.d/90-nproc.conf (RHEL's 20-nproc.conf sets "
                "`* soft nproc 4096`) and log in again; for a systemd service set "
                "LimitNPROC= in its unit.")

    def _sysctl(self, ctx, key: str, path: str, total, need: int, budget_note: str) -> Finding:
        limit, problem = read_sysctl_int(ctx.system, path)
        title = f"kernel.{key}"
        data = {key.replace("-", "_"): limit, "system_tasks": total, "need": need}
        if key == "pid_max":
            why = ("Every thread takes a PID from kernel.pid_max, machine-wide; when none is "
                   "free, fork and thread creation fail with EAGAIN for every user. ")
            fix_value = "4194304"
        else:
            why = ("kernel.threads-max caps the tasks on the whole machine (the kernel sizes it "
                   "from RAM). ")
            fix_value = str(max(limit or 0, total or 0, need) * 4)
        why += budget_note
        if limit is None:
            return Finding(key, title, NA, problem, why, data=data)
        if total is None:
            return Finding(key, title, OK, f"{limit}; task count unknown", why, data=data)
        status = headroom_status(limit, total, need)
        fix = ""
        if status != OK:
            conf = "90-pid-max.conf" if key == "pid_max" else "90-threads-max.conf"
            fix = (f"`sudo sysctl -w kernel.{key}={fix_value}`; to keep it after a reboot: "
                   f"`echo 'kernel.{key} = {fix_value}' | sudo tee /etc/sysctl.d/{conf}`.")
        return Finding(key, title, status, f"{limit}; {_tasks(total)} machine-wide", why, fix,
                       data)

    def _cgroup(self, ctx, need: int, budget_note: str) -> Finding:
        title = "cgroup pids.max"
        why = ("A cgroup's pids.max caps the tasks of everything in it: systemd's TasksMax= "
               "for your session slice or a service, `docker run --pids-limit`, a Kubernetes "
               "pod's PID limit. Hitting it looks exactly like ulimit -u. " + budget_note)
        limits = cgroup_pid_limits(ctx.system)
        if limits is None:
            return Finding("cgroup-pids", title, NA, "no cgroup information (/proc/self/cgroup)",
                           why, data={"limits": []})
        if not limits:
            return Finding("cgroup-pids", title, OK, "no pids.max limit on this cgroup or above",
                           why, data={"limits": []})
        tight = limits[0]
        container = is_container_limit(ctx.system, tight)
        status = headroom_status(tight["pids_max"], tight["pids_current"], need)
        value = (f"pids.max {tight['pids_max']} at {tight['cgroup']}"
                 + (" (the container's)" if container else "")
                 + f"; {tight['pids_current']} in use")
        fix = pids_fix(tight["path"], container) if status != OK else ""
        data = {"limits": limits, **tight, "container": container}
        return Finding("cgroup-pids", title, status, value, why, fix, data)
