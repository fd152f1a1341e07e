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

import re

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


_AUDIT_ID = re.compile(r"msg=audit\(([^)]*)\)")


def _record_fields(text: str) -> dict[str, str]:
    fields = {}
    for token in text.split():
        key, sep, value = token.partition("=")
        if sep:
            fields[key] = value
    return fields


def _audit_string(value: str | None) -> str | None:
    """An audit field: "quoted", or hex when it holds spaces or odd bytes (proctitle)."""
    if not value:
        return None
    if value.startswith('"'):
        return value.strip('"')
    try:
        return bytes.fromhex(value).split(b"\x00")[0].decode("utf-8", "replace")
    except ValueError:
        return value


def parse_avc(text: str) -> list[dict]:
    """Exec-memory AVC denials from ``ausearch --raw`` output.

    The AVC record names the command (comm, 15 characters at most); the SYSCALL
    record of the same event (same ``msg=audit(...)`` id) has the executable's
    path, and PROCTITLE its argv[0]: both say better whose denial it is.
    """
    exe_by_event: dict[str, str] = {}
    for line in text.splitlines():
        event = _AUDIT_ID.search(line)
        if not event or "avc:" in line:
            continue
        fields = _record_fields(line)
        if line.startswith("type=SYSCALL") and fields.get("exe"):
            exe_by_event[event.group(1)] = _audit_string(fields["exe"]) or ""
        elif line.startswith("type=PROCTITLE") and event.group(1) not in exe_by_event:
            argv0 = _audit_string(fields.get("proctitle")) or ""
            if argv0.startswith("/"):
                exe_by_event[event.group(1)] = argv0
    denials = []
    for line in text.splitlines():
        if "avc:" not in line or "denied" not in line:
            continue
        start, end = line.find("{"), line.find("}")
        perms = line[start + 1:end].split() if 0 <= start < end else []
        hit = [p for p in perms if p in EXEC_PERMS]
        if not hit:
            continue
        fields = {k: v.strip('"') for k, v in _record_fields(line[end + 1:]).items()}
        scontext = fields.get("scontext", "")
        parts = scontext.split(":")
        event = _AUDIT_ID.search(line)
        # Kernels before 4.17 write no permissive= field: None, decided by the mode.
        permissive = fields.get("permissive")
        denials.append({
            "perms": hit,
            "comm": fields.get("comm", "?"),
            "exe": exe_by_event.get(event.group(1)) if event else None,
            "domain": parts[2] if len(parts) > 2 else scontext,
            "permissive": None if permissive is None else permissive == "1",
        })
    return denials


# Commands of the toolchain and of Go development (comm is cut to 15 characters).
GO_COMMANDS = frozenset({"go", "gofmt", "compile", "link", "asm", "cgo", "vet", "cover",
                         "dlv", "gopls"})


def go_places(environ) -> list[str]:
    """Directories whose programs are Go's: GOPATH/bin, GOBIN, GOCACHE, GOROOT."""
    home = environ.get("HOME", "")
    gopath = environ.get("GOPATH") or (f"{home}/go" if home else "")
    places = [f"{entry.rstrip('/')}/bin/" for entry in gopath.split(":") if entry]
    places += [environ[k].rstrip("/") + "/" for k in ("GOBIN", "GOCACHE", "GOROOT")
               if environ.get(k)]
    return places


def is_go_denial(denial: dict, places: list[str]) -> bool:
    """Whether a denial hit the go command, a test binary or something go built or installed.

    `go test` and `go run` run binaries from $TMPDIR/go-build*/ (or the build
    cache, .../go-build/); test binaries are NAME.test.
    """
    comm, exe = denial["comm"], denial.get("exe") or ""
    if comm in GO_COMMANDS or comm.endswith(".test"):
        return True
    if not exe:
        return False
    parts = exe.split("/")
    return (parts[-1] in GO_COMMANDS or parts[-1].endswith(".test")
            or any(part.startswith("go-build") for part in parts[:-1])
            or "/pkg/tool/" in exe or any(exe.startswith(place) for place in places))


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
                   "(allow_execmem=off does the same in older policies). The Go toolchain and "
                   "runtime never map memory writable and executable, so pure Go builds and "
                   "tests are unaffected; it bites C code linked with cgo that does: JITs "
                   "(LuaJIT, V8, PCRE2's JIT), libffi closures, some plugins. The selinuxuser_* "
                   "exec booleans matter only to confined users (user_t, staff_t). "
                   "deny_ptrace=on stops Delve (dlv debug, dlv test) and strace.")
        if values is None:
            return Finding("booleans", title, NA, f"booleans not readable ({source})", explain,
                           data={"booleans": None, "source": source})
        data = {"booleans": values, "source": source, "domain": domain}
        if not values:
            return Finding("booleans", title, OK, "none of the exec-memory booleans exist",
                           explain, data=data)
        # (boolean, the value that fixes it, what it breaks); all warn, none fails: see
        # the explanation.
        problems: list[tuple[str, str, str]] = []
        for name, on in sorted(values.items()):
            if name == "deny_execmem" and on or name == "allow_execmem" and not on:
                problems.append((name, "off" if on else "on",
                                 f"{name} is {'on' if on else 'off'} (cgo code that JITs or "
                                 "uses libffi closures gets EACCES)"))
            elif name == "deny_ptrace" and on:
                problems.append((name, "off", "deny_ptrace is on"))
            elif (name.startswith("selinuxuser_") and not on and domain in CONFINED_USERS
                  and enforcing):
                problems.append((name, "on", f"{name} is off and you run confined as {domain}"))
        value = ", ".join(f"{k}={'on' if v else 'off'}" for k, v in sorted(values.items()))
        if not problems:
            return Finding("booleans", title, OK, value, explain, data=data)
        # One command sets them all (NAME=VALUE pairs when there are several).
        args = (" ".join(problems[0][:2]) if len(problems) == 1
                else " ".join(f"{n}={v}" for n, v, _ in problems))
        fix = (f"`sudo setsebool -P {args}` (-P keeps it across reboots). "
               "Confirm first that SELinux is the cause: `sudo ausearch -m AVC -ts recent` "
               "right after the failure.")
        tail = "" if enforcing else " (permissive now: these bite once it enforces)"
        return Finding("booleans", title, WARN,
                       value + "; " + "; ".join(t for _, _, t in problems) + tail,
                       explain, fix, data)

    def _denials(self, ctx, enforcing: bool) -> Finding:
        title = "execmem denials today"
        explain = ("Exec-memory AVC denials in the audit log since midnight, by command. "
                   "Only Go's fail: the go command and its tools, test binaries (*.test), and "
                   "programs under GOPATH/bin, GOBIN, GOCACHE or a go-build directory (where "
                   "`go run` and `go test` put them); other programs' denials warn. A denial "
                   "without a permissive= field (kernels before 4.17) counts as enforced only "
                   "when SELinux enforces. Reading the log needs root; without auditd the "
                   "kernel logs AVCs to the journal (`journalctl -k -g avc`).")
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
        places = go_places(ctx.environ)
        for d in denials:
            if d["permissive"] is None:
                d["permissive"] = not enforcing  # no permissive= field: the global mode
            d["go"] = is_go_denial(d, places)
        return self._denials_finding(title, explain, denials)

    def _denials_finding(self, title: str, explain: str, denials: list[dict]) -> Finding:
        go = [d for d in denials if d["go"]]
        data = {"count": len(denials), "commands": _by_comm(denials),
                "domains": sorted({d["domain"] for d in denials}),
                "enforced": sum(1 for d in denials if not d["permissive"]),
                "go_related": len(go), "go_enforced": sum(1 for d in go if not d["permissive"])}
        if not denials:
            return Finding("denials", title, OK, "none", explain, data=data)
        perms = sorted({p for d in denials for p in d["perms"]})
        value = f"{len(denials)} denied ({', '.join(perms)})"
        others = [d for d in denials if not d["go"]]
        if go:
            value += ": " + _commands(go)
        if others:
            # Another program's denial (a browser plugin, a JIT) does not break Go builds.
            value += (("; " if go else ": ") + _commands(others)
                      + " (not Go: no toolchain, test or go-built binary)")
        value += f"; domain {', '.join(data['domains'])}"
        status = FAIL if data["go_enforced"] else WARN
        if not data["enforced"]:
            value += " (permissive: logged, not blocked)"
        return Finding("denials", title, status, value, explain, REMEDY, data)


def _by_comm(denials: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in denials:
        counts[d["comm"]] = counts.get(d["comm"], 0) + 1
    return counts


def _commands(denials: list[dict]) -> str:
    counts = _by_comm(denials)
    return ", ".join(f"{c} x{n}" for c, n in sorted(counts.items(), key=lambda kv: -kv[1]))
