"""SELinux: mode, the exec-memory booleans, recent execmem AVC denials.

When a process maps memory that is both writable and executable (or makes a
writable mapping executable), SELinux checks the ``execmem`` permission (and
``execmod``/``execstack``/``execheap`` for related cases).  Denied, mmap or
mprotect fail with EACCES: cgo code with a JIT or libffi trampolines, test
binaries linking such C libraries, debuggers and plugins crash or report
``permission denied`` far from the cause.  Everything here is readable without
root except the audit log, which is reported as not applicable then.
"""

from __future__ import annotations

from ..model import FAIL, NA, OK, WARN, Check, Finding

SELINUXFS = "/sys/fs/selinux"
CONFIG = "/etc/selinux/config"
EXEC_PERMS = ("execmem", "execmod", "execstack", "execheap")
# Booleans of interest: the exec-memory family, and deny_ptrace (Delve needs ptrace).
CONFINED_USERS = ("user_t", "staff_t", "guest_t", "xguest_t")

REMEDY = (
    "Confirm it is SELinux: `sudo ausearch -m AVC -ts recent` right after the failure. If a "
    "boolean covers it, set it persistently, e.g. `sudo setsebool -P deny_execmem off` (-P "
    "writes it into the policy so it survives a reboot). Otherwise allow only what was "
    "denied with a local module: `sudo ausearch -m AVC -ts today -c COMMAND | audit2allow -M "
    "go-local`, read go-local.te (it lists each permission granted), then `sudo semodule -i "
    "go-local.pp`; `audit2allow -w` explains each denial. `setenforce 0` is a diagnosis, "
    "not a fix."
)


def _relevant(name: str) -> bool:
    return name == "deny_ptrace" or any(p in name for p in EXEC_PERMS)


def parse_getsebool(text: str) -> dict[str, bool]:
    """``deny_execmem --> off`` (optionally ``on pending: off``) lines."""
    values = {}
    for line in text.splitlines():
        name, sep, rest = line.partition("-->")
        if sep:
            values[name.strip()] = rest.split()[0] == "on" if rest.split() else False
    return values


def parse_avc(text: str) -> list[dict]:
    """Exec-memory AVC denials from ``ausearch --raw`` output."""
    denials = []
    for line in text.splitlines():
        if "avc:" not in line or "denied" not in line:
            continue
        start, end = line.find("{"), line.find("}")
        perms = line[start + 1:end].split() if 0 <= start < end else []
        hit = [p for p in perms if p in EXEC_PERMS]
        if not hit:
            continue
        fields = {}
        for token in line[end + 1:].split():
            key, sep, value = token.partition("=")
            if sep:
                fields[key] = value.strip('"')
        scontext = fields.get("scontext", "")
        parts = scontext.split(":")
        denials.append({
            "perms": hit,
            "comm": fields.get("comm", "?"),
            "domain": parts[2] if len(parts) > 2 else scontext,
            "permissive": fields.get("permissive") == "1",
        })
    return denials


class SelinuxCheck(Check):
    name = "selinux"
    title = "SELinux"
    summary = "enforcing mode, execmem/ptrace booleans, recent execmem AVC denials (ausearch)"

    def run(self, ctx) -> list[Finding]:
        system = ctx.system
        enforce, why = system.read(SELINUXFS + "/enforce")
        if enforce is None:
            value = ("SELinux is not enabled (no selinuxfs at /sys/fs/selinux)" if why == "missing"
                     else f"{SELINUXFS}/enforce: {why}")
            return [Finding("mode", "mode", NA, value,
                            "Nothing here is restricted by SELinux.", data={"enforcing": None})]
        enforcing = enforce.strip() == "1"
        context = (system.read_text("/proc/self/attr/current") or "").strip("\x00\n ")
        domain = context.split(":")[2] if context.count(":") >= 2 else None
        return [
            self._mode(ctx, enforcing, context),
            self._booleans(ctx, enforcing, domain),
            self._denials(ctx, enforcing),
        ]

    def _mode(self, ctx, enforcing: bool, context: str) -> Finding:
        config = {}
        for line in (ctx.system.read_text(CONFIG) or "").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and not key.startswith("#"):
                config[key.strip()] = value.strip()
        mode = "enforcing" if enforcing else "permissive"
        value = mode
        if config.get("SELINUXTYPE"):
            value += f", policy {config['SELINUXTYPE']}"
        if config.get("SELINUX") and config["SELINUX"] != mode:
            value += f" (boots {config['SELINUX']} per {CONFIG})"
        if context:
            value += f"; this shell runs as {context}"
        data = {"enforcing": enforcing, "config_mode": config.get("SELINUX"),
                "policy": config.get("SELINUXTYPE"), "context": context or None}
        explain = ("Enforcing: denials block the operation. Permissive: they are only logged, "
                   "so a build that fails here is not failing because of SELinux.")
        return Finding("mode", "mode", OK, value, explain, data=data)

    def _read_booleans(self, ctx) -> tuple[dict[str, bool] | None, str]:
        names = ctx.system.listdir(SELINUXFS + "/booleans")
        if names is not None:
            values = {}
            for name in sorted(names):
                if not _relevant(name):
                    continue
                text = ctx.system.read_text(f"{SELINUXFS}/booleans/{name}")
                if text and text.split():
                    values[name] = text.split()[0] == "1"  # "current pending"
            return values, "selinuxfs"
        tool = ctx.commands.which("getsebool")
        if tool is None:
            return None, "unreadable"
        done = ctx.commands.run([tool, "-a"])
        if done.returncode != 0:
            return None, "getsebool failed: " + (done.stderr.strip() or f"exit {done.returncode}")
        return {k: v for k, v in parse_getsebool(done.stdout).items() if _relevant(k)}, "getsebool"

    def _booleans(self, ctx, enforcing: bool, domain: str | None) -> Finding:
        title = "exec-memory booleans"
        values, source = self._read_booleans(ctx)
        explain = ("deny_execmem=on denies W+X memory to every domain, unconfined_t included "
                   "(allow_execmem=off does the same in older policies). The selinuxuser_* "
                   "exec booleans matter only to confined users (user_t, staff_t). "
                   "deny_ptrace=on stops Delve (dlv debug, dlv test) and strace.")
        if values is None:
            return Finding("booleans", title, NA, f"booleans not readable ({source})", explain,
                           data={"booleans": None, "source": source})
        data = {"booleans": values, "source": source, "domain": domain}
        if not values:
            return Finding("booleans", title, OK, "none of the exec-memory booleans exist",
                           explain, data=data)
        bad_level = FAIL if enforcing else WARN
        problems: list[tuple[str, str]] = []
        for name, on in sorted(values.items()):
            if name == "deny_execmem" and on or name == "allow_execmem" and not on:
                problems.append((bad_level, f"{name} is {'on' if on else 'off'}"))
            elif name == "deny_ptrace" and on:
                problems.append((WARN, "deny_ptrace is on"))
            elif (name.startswith("selinuxuser_") and not on and domain in CONFINED_USERS
                  and enforcing):
                problems.append((WARN, f"{name} is off and you run confined as {domain}"))
        value = ", ".join(f"{k}={'on' if v else 'off'}" for k, v in sorted(values.items()))
        if not problems:
            return Finding("booleans", title, OK, value, explain, data=data)
        status = FAIL if any(level == FAIL for level, _ in problems) else WARN
        settings = []
        for _, text in problems:
            name, _, state = text.partition(" is ")
            settings.append((name, "on" if state.startswith("off") else "off"))
        # One command sets them all (NAME=VALUE pairs when there are several).
        args = (" ".join(settings[0]) if len(settings) == 1
                else " ".join(f"{n}={v}" for n, v in settings))
        fix = (f"`sudo setsebool -P {args}` (-P keeps it across reboots). "
               "Confirm first that SELinux is the cause: `sudo ausearch -m AVC -ts recent` "
               "right after the failure.")
        tail = "" if enforcing else " (permissive now: these bite once it enforces)"
        return Finding("booleans", title, status, value + "; " + "; ".join(t for _, t in problems)
                       + tail, explain, fix, data)

    def _denials(self, ctx, enforcing: bool) -> Finding:
        title = "execmem denials today"
        explain = ("Exec-memory AVC denials in the audit log since midnight, by command. "
                   "Reading the log needs root; without auditd the kernel logs AVCs to "
                   "the journal (`journalctl -k -g avc`).")
        tool = ctx.commands.which("ausearch")
        if tool is None:
            return Finding("denials", title, NA, "ausearch is not installed (package audit)",
                           explain, data={"count": None})
        # --input-logs: with stdin not a terminal, ausearch would read stdin, not the log.
        done = ctx.commands.run([tool, "--input-logs", "-m", "AVC,USER_AVC", "-ts", "today",
                                 "--raw"])
        # No match: exit 1 with nothing on stderr (--raw) or "<no matches>" (without it).
        if "denied" not in done.stdout and (
                "<no matches>" in done.stdout + done.stderr
                or (done.returncode == 1 and not done.stderr.strip())):
            return Finding("denials", title, OK, "none", explain, data={"count": 0})
        if done.returncode != 0 and "denied" not in done.stdout:
            reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[0]
            return Finding("denials", title, NA,
                           f"cannot read the audit log as uid {ctx.uid}: {reason}",
                           explain, "Run `sudo ausearch -m AVC -ts today | grep exec` to look.",
                           data={"count": None})
        denials = parse_avc(done.stdout)
        by_comm: dict[str, int] = {}
        for d in denials:
            by_comm[d["comm"]] = by_comm.get(d["comm"], 0) + 1
        data = {"count": len(denials), "commands": by_comm,
                "domains": sorted({d["domain"] for d in denials}),
                "enforced": sum(1 for d in denials if not d["permissive"])}
        if not denials:
            return Finding("denials", title, OK, "none", explain, data=data)
        perms = sorted({p for d in denials for p in d["perms"]})
        value = (f"{len(denials)} denied ({', '.join(perms)}): "
                 + ", ".join(f"{c} x{n}" for c, n in sorted(by_comm.items(), key=lambda kv: -kv[1]))
                 + f"; domain {', '.join(data['domains'])}")
        status = FAIL if data["enforced"] else WARN
        if not data["enforced"]:
            value += " (permissive: logged, not blocked)"
        return Finding("denials", title, status, value, explain, REMEDY, data)
