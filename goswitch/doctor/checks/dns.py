"""DNS: /etc/resolv.conf, the ``hosts:`` line of /etc/nsswitch.conf, Go's resolver choice.

Go has two resolvers.  Its own ("go") reads resolv.conf and nsswitch.conf
itself and talks DNS directly; the "cgo" one calls glibc's getaddrinfo.  Which
one a binary uses depends on how it was built (CGO_ENABLED, netgo/netcgo tags),
``GODEBUG=netdns`` and on whether these files contain anything Go does not
understand.  git, curl and every C program always go through glibc.  The rules
here follow Go's net/conf.go and net/dnsconfig_unix.go and glibc's res_send.c.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import shlex

from ..model import FAIL, NA, OK, WARN, Check, Finding
from .goenv import GoSettings, gos_on_path

RESOLV_CONF = "/etc/resolv.conf"
NSSWITCH_CONF = "/etc/nsswitch.conf"

MAXNS = 3  # glibc's MAXNS; Go also keeps the first three
MAX_LISTED = 64  # nameservers listed beyond the three used: enough to say they are ignored
DEFAULT_TIMEOUT, DEFAULT_ATTEMPTS, DEFAULT_NDOTS = 5, 2, 1
GLIBC_MAX_TIMEOUT, GLIBC_MAX_ATTEMPTS = 30, 5  # RES_MAXRETRANS, RES_MAXRETRY
# http.DefaultTransport dials with a 30 s timeout, and the lookup is part of the dial.
DIAL_TIMEOUT = 30
SLOW_LOOKUP = 20  # waiting this long for a working server leaves little of the dial
PROBE_NAME = "proxy.golang.org"  # what `go mod download` resolves first

# Options Go's resolv.conf parser understands; anything else makes a cgo-enabled
# binary hand lookups to glibc.
GO_KNOWN_OPTIONS = ("ndots:", "timeout:", "attempts:", "rotate", "single-request",
                    "single-request-reopen", "use-vc", "usevc", "tcp", "trust-ad", "edns0",
                    "no-reload")
_GO_KNOWN_EXACT = frozenset(k for k in GO_KNOWN_OPTIONS if not k.endswith(":"))
_GO_KNOWN_PREFIXES = tuple(k for k in GO_KNOWN_OPTIONS if k.endswith(":"))
GO_KNOWN_KEYWORDS = ("nameserver", "domain", "search", "options", "lookup")
# NSS sources that answer arbitrary DNS names.
DNS_SOURCES = ("dns", "resolve")
# mdns*_minimal answer NOTFOUND only for .local names, so [NOTFOUND=return] after them is safe.
MDNS_MINIMAL = ("mdns_minimal", "mdns4_minimal", "mdns6_minimal")
# Directory services Go's own resolver cannot query.
GO_SKIPS = ("nis", "nisplus", "ldap", "sss", "wins", "winbind", "hesiod", "db", "extrausers",
            "libvirt", "libvirt_guest", "mymachines")


# ---------------------------------------------------------------- resolv.conf


_GO_BIG = 0xFFFFFF  # Go's dtoi stops counting here


def _int_option(value: str) -> int:
    """Go's dtoi: the leading ASCII digits as a number (at most 0xFFFFFF), 0 without
    any, so `timeout:abc` and `timeout:-1` are 0 (Go then raises timeout and attempts
    to 1)."""
    digits = re.match(r"[0-9]*", value).group().lstrip("0")
    if len(digits) > 8:
        return _GO_BIG
    return min(int(digits or "0"), _GO_BIG)


def _c_atoi(value: str) -> int:
    """glibc's atoi, (int) strtol: C whitespace, a sign, ASCII digits; out of range
    saturates to LONG_MAX/LONG_MIN and is then cut to 32 bits (attempts:99999999999999999999
    is -1)."""
    m = re.match(r"[ \t\n\v\f\r]*([+-]?)([0-9]*)", value)
    digits = m.group(2).lstrip("0") or "0"
    n = int(digits) if len(digits) <= 19 else 1 << 63
    n = min(n, (1 << 63) - 1) if m.group(1) != "-" else -min(n, 1 << 63)
    return ((n + (1 << 31)) % (1 << 32)) - (1 << 31)


@functools.lru_cache(maxsize=64)
def _is_ip(addr: str) -> bool:
    """netip.ParseAddr's and glibc's idea of a nameserver: an IPv4 or IPv6 address
    (fe80::1%eth0 is allowed), not a name."""
    try:
        ipaddress.ip_address(addr)
    except ValueError:
        return False
    return True


_GO_READ_BUFFER = 64 * 1024  # net/parse.go's open(): one buffer, never grown


def _go_lines(text: str):
    """The lines Go's net package reads (net/parse.go's readLine): split at \\n only,
    and a line that does not fit its 64 KiB buffer ends the file there, silently."""
    for line in text.split("\n"):
        if len(line) >= _GO_READ_BUFFER // 4 and len(line.encode()) >= _GO_READ_BUFFER:
            return
        yield line


def _go_fields(line: str) -> list[str]:
    """Go's getFields: split at space, \\r, \\t and \\n only (not \\v or \\f)."""
    return [f for f in re.split(r"[ \r\t\n]+", line) if f]


def parse_resolv_conf(text: str) -> dict:
    """resolv.conf as Go's net/dnsconfig_unix.go reads it, with glibc's reading under
    "glibc" (see parse_resolv_conf_glibc): the two differ on CRLF line endings,
    indented lines and attempts:0, and git and curl go through glibc."""
    conf = {
        "nameservers": [], "invalid_nameservers": [], "search": [], "ndots": DEFAULT_NDOTS,
        "timeout": DEFAULT_TIMEOUT, "attempts": DEFAULT_ATTEMPTS, "rotate": False,
        "single_request": False, "use_vc": False, "go_unknown": [], "indented": False,
        "crlf": "\r\n" in text,
    }
    for line in _go_lines(text):  # not splitlines(): \v, \f and \x1c-\x1e are no line ends
        # Only the very first byte makes a comment: an indented `# ...` is a keyword to Go.
        if line[:1] in ("#", ";"):
            continue
        fields = _go_fields(line)
        if not fields:
            continue
        key = fields[0]
        if key not in GO_KNOWN_KEYWORDS:
            conf["go_unknown"].append(key)
        if key == "nameserver" and len(fields) > 1 and len(conf["nameservers"]) < MAX_LISTED:
            addr = fields[1]
            conf["nameservers" if _is_ip(addr) else "invalid_nameservers"].append(addr)
            if line[:1] in (" ", "\t", "\r"):
                conf["indented"] = True
        elif key == "domain" and len(fields) > 1:
            conf["search"] = [fields[1]]  # the last search/domain line wins
        elif key == "search":
            conf["search"] = [d for d in fields[1:] if d != "."]
        elif key == "options":
            for opt in fields[1:]:
                _apply_option(conf, opt)
    conf["glibc"] = parse_resolv_conf_glibc(text)
    return conf


def _glibc_keyword(line: str, name: str) -> bool:
    """res_init's MATCH: the keyword at the very start of the line, then a space or tab."""
    return line.startswith(name) and line[len(name):len(name) + 1] in (" ", "\t")


def parse_resolv_conf_glibc(text: str) -> dict:
    """What glibc 2.36's res_init makes of resolv.conf (nameservers and the options
    that set its timing).

    A keyword counts only at the start of a line and followed by a space or tab, so
    an indented `nameserver` is ignored; the address ends at a space, tab or newline,
    so with CRLF line endings it is `10.0.0.1\\r`, not an address; timeout and attempts
    are atoi'd and only capped from above, so attempts:0 or -1 means no query at all.
    """
    conf = {"nameservers": [], "timeout": DEFAULT_TIMEOUT, "attempts": DEFAULT_ATTEMPTS,
            "rotate": False, "single_request": False}
    for line in text.split("\n"):
        if not line.startswith(("nameserver", "options")):  # also skips # and ; comments
            continue
        if _glibc_keyword(line, "nameserver"):
            addr = re.split(r"[ \t\n]", line[len("nameserver"):].lstrip(" \t"), maxsplit=1)[0]
            if len(conf["nameservers"]) < MAX_LISTED and _is_ip(addr):
                conf["nameservers"].append(addr)
        elif _glibc_keyword(line, "options"):
            for opt in re.split(r"[ \t]+", line[len("options"):]):
                if opt.startswith("timeout:"):
                    conf["timeout"] = min(_c_atoi(opt[8:]), GLIBC_MAX_TIMEOUT)
                elif opt.startswith("attempts:"):
                    conf["attempts"] = min(_c_atoi(opt[9:]), GLIBC_MAX_ATTEMPTS)
                elif opt.startswith("rotate"):  # res_setoptions compares prefixes
                    conf["rotate"] = True
                elif opt.startswith("single-request"):
                    conf["single_request"] = True
    return conf


def _apply_option(conf: dict, opt: str) -> None:
    if opt.startswith("ndots:"):
        conf["ndots"] = min(_int_option(opt[6:]), 15)
    elif opt.startswith("timeout:"):
        conf["timeout"] = max(_int_option(opt[8:]), 1)
    elif opt.startswith("attempts:"):
        conf["attempts"] = max(_int_option(opt[9:]), 1)
    elif opt == "rotate":
        conf["rotate"] = True
    elif opt in ("single-request", "single-request-reopen"):
        conf["single_request"] = True
    elif opt in ("use-vc", "usevc", "tcp"):
        conf["use_vc"] = True
    if opt not in _GO_KNOWN_EXACT and not opt.startswith(_GO_KNOWN_PREFIXES):
        conf["go_unknown"].append(opt)


def go_worst_case(servers: int, timeout: int, attempts: int, single_request: bool) -> int:
    """Seconds Go's resolver waits for one name when no server answers.

    Go tries every server once per attempt and gives each the full timeout; it
    does not cap timeout or attempts.  A and AAAA go out in parallel unless
    single-request makes them sequential.
    """
    total = attempts * max(1, min(servers, MAXNS)) * timeout
    return total * 2 if single_request else total


def go_failover(servers: int, timeout: int, single_request: bool) -> int:
    """Seconds before Go asks the last server when the ones before it do not answer.

    Go's tryOneName walks the servers in order within each attempt, so a working
    server is reached in the first round: attempts never delay it.  With rotate
    the start moves, which only makes this the worst case.  single-request sends
    AAAA after A has its answer, and each pays the wait.
    """
    wait = (max(1, min(servers, MAXNS)) - 1) * timeout
    return wait * 2 if single_request else wait


def _glibc_server_wait(i: int, n: int, timeout: int) -> int:
    """res_send's send_dg: ``(retrans << i) / nscount`` for server i > 0, at least 1 s."""
    t = min(timeout, GLIBC_MAX_TIMEOUT)
    seconds = t << i if t >= 0 else t
    if i > 0:
        seconds = int(seconds / n)  # C division truncates toward zero
    return max(seconds, 1)


def glibc_worst_case(servers: int, timeout: int, attempts: int) -> int:
    """The same for glibc: res_send gives server i ``(timeout << i) / nscount`` seconds.

    Server 0 gets the full timeout, later ones a share of a doubled one (at least
    1 s); timeout is capped at 30 and attempts at 5 (0 or less: no query at all).
    """
    n = max(1, min(servers, MAXNS))
    per_round = sum(_glibc_server_wait(i, n, timeout) for i in range(n))
    return max(0, min(attempts, GLIBC_MAX_ATTEMPTS)) * per_round


def glibc_failover(servers: int, timeout: int) -> int:
    """Seconds before glibc asks the last server when the ones before it do not answer
    (A and AAAA share each server's wait, with or without single-request)."""
    n = max(1, min(servers, MAXNS))
    return sum(_glibc_server_wait(i, n, timeout) for i in range(n - 1))


# -------------------------------------------------------------- nsswitch.conf


_C_SPACE = " \t\n\v\f\r"  # isspace() in the C locale: glibc's separators
_GO_SPACE = " \t\n\r"  # Go's isSpace
_GLIBC_HOSTS_LINE = re.compile(r"[ \t\n\v\f\r]*hosts(?=[ \t\n\v\f\r:])[ \t\n\v\f\r:]*(.*)", re.S)
_GLIBC_TOKEN = re.compile(r"\[([^\]]*)\]?|[^ \t\n\v\f\r\[]+")
_C_SPACES = re.compile(r"[ \t\n\v\f\r]+")
_GO_SPACES = re.compile(r"[ \t\n\r]*")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# glibc has no limit, but would load a module per source: no real line comes near
# this, and a hostile one must not make the doctor crawl.
MAX_SOURCES = 1000
# What glibc (2.35 and later) and Go use when no line names the hosts database.
DEFAULT_HOSTS = ["files", "dns"]
ORDER_TEXT = {"files,dns": "/etc/hosts, then DNS", "dns,files": "DNS, then /etc/hosts",
              "files": "/etc/hosts only", "dns": "DNS only"}


def _shown(name: str) -> str:
    """A source name as written, with tabs and other controls visible (`files\\tdns`)."""
    return ascii(name)[1:-1]


def parse_hosts_line(text: str) -> list[dict] | None:
    """The hosts database as glibc 2.36 reads nsswitch.conf (nss/nss_database.c): the
    sources with their ``[STATUS=action]`` criteria, or None when no line sets it.

    The last ``hosts`` line wins; the colon is optional (``hosts files dns`` counts);
    sources are separated by any C whitespace (tabs, \v) and a ``[criterion]`` may
    follow a source without a space.  Lines end only at \n.
    """
    line = None
    for raw in text.split("\n"):
        if "hosts" not in raw:
            continue
        m = _GLIBC_HOSTS_LINE.match(raw.split("#", 1)[0])
        if m:
            line = m.group(1)
    if line is None:
        return None
    sources: list[dict] = []
    for token in _GLIBC_TOKEN.finditer(line):
        if len(sources) >= MAX_SOURCES:
            break
        if token.group(0).startswith("["):
            if sources:
                sources[-1]["criteria"].extend(_glibc_criteria(token.group(1)))
        else:
            sources.append({"source": token.group(0), "criteria": []})
    return sources


def _glibc_criteria(inner: str) -> list[dict]:
    """``!?STATUS=ACTION`` items of a ``[...]``; glibc allows spaces around the ``=``.
    (String operations, not a backtracking regex: a hostile line stays linear.)"""
    words = " ".join(w for w in _C_SPACES.split(inner) if w)
    criteria = []
    for item in words.replace(" =", "=").replace("= ", "=").split(" "):
        status, eq, action = item.partition("=")
        if eq:
            criteria.append({"negate": status.startswith("!"), "status": status.lstrip("!").lower(),
                             "action": action.lower()})
    return criteria


def _go_criteria(inner: str) -> list[dict] | None:
    """net/nss.go's parseCriteria: fields split at spaces only; None when Go rejects one."""
    criteria = []
    for field in inner.split(" "):
        field = field.strip(_GO_SPACE)
        if not field:
            continue
        negate = field.startswith("!")
        field = field[1:] if negate else field
        eq = field.find("=")
        if len(field) < 3 or eq == -1:
            return None
        field = field.translate(_ASCII_LOWER)
        criteria.append({"negate": negate, "status": field[:eq], "action": field[eq + 1:]})
    return criteria


def parse_nss_go(text: str) -> dict:
    """nsswitch.conf as Go's net/nss.go reads it: {"sources": the hosts sources,
    "error": why Go rejects the file or None, "hosts_lines": how many lines name hosts}.

    Unlike glibc, Go needs the colon, separates sources only with spaces (a tab or a
    ``[`` right after a name is part of the name) and joins all hosts: lines.
    """
    result: dict = {"sources": [], "error": None, "hosts_lines": 0}
    for raw in _go_lines(text):
        line = raw.split("#", 1)[0].strip(_GO_SPACE)
        if not line:
            continue
        colon = line.find(":")
        if colon == -1:
            result["error"] = "no colon on a line"
            return result
        is_hosts = line[:colon].strip(_GO_SPACE) == "hosts"
        result["hosts_lines"] += is_hosts
        srcs, i = line[colon + 1:], 0
        while True:
            i = _GO_SPACES.match(srcs, i).end()
            if i >= len(srcs):
                break
            sp = srcs.find(" ", i)
            name, i = (srcs[i:], len(srcs)) if sp == -1 else (srcs[i:sp], sp + 1)
            i = _GO_SPACES.match(srcs, i).end()
            criteria: list[dict] | None = []
            if srcs.startswith("[", i):
                close = srcs.find("]", i)
                if close == -1:
                    result["error"] = "an unclosed [criterion] bracket"
                    return result
                criteria = _go_criteria(srcs[i + 1:close])
                if criteria is None:
                    result["error"] = f"an invalid criterion [{srcs[i + 1:close]}]"
                    return result
                i = close + 1
            if is_hosts:
                result["sources"].append({"source": name, "criteria": criteria})
    return result


def go_nss_error(text: str) -> str | None:
    """Why Go's own nsswitch.conf parser (net/nss.go) gives up on ``text``, else None.

    Go then knows no lookup order and falls back to cgo where it can, whatever the
    hosts: line says, even when glibc reads the file fine.
    """
    return parse_nss_go(text)["error"]


def go_lookup_order(nss: dict | None, can_use_cgo: bool, mdns_allow: bool = False) -> str:
    """net/conf.go's lookupOrder for an ordinary name (not .local, not this host's own)
    from Go's reading of nsswitch.conf (None: no file): "cgo", or the order Go's own
    resolver uses: "files,dns", "dns,files", "files" or "dns".

    ``can_use_cgo`` is false for CGO_ENABLED=0 binaries (and go.dev's go command):
    then a source Go does not know counts as dns when no dns source follows it.
    """
    fallback = "cgo" if can_use_cgo else "files,dns"
    if nss is None or (nss["error"] is None and not nss["sources"]):
        return "files,dns"
    if nss["error"] is not None:
        return fallback
    sources = nss["sources"]
    names = [src["source"] for src in sources]
    files = dns = has_dns = checked = False
    first = ""
    for i, src in enumerate(sources):
        name = src["source"]
        if name in ("files", "dns"):
            if can_use_cgo and not _standard_for_go(src["criteria"]):
                return "cgo"
            files, dns = files or name == "files", dns or name == "dns"
            has_dns = checked = has_dns or name == "dns"
            first = first or name
            continue
        if can_use_cgo:
            if name == "myhostname" or (name.startswith("mdns") and not mdns_allow):
                continue  # glibc would not answer an ordinary name from these
            return "cgo"
        if not checked:
            checked, has_dns = True, "dns" in names[i + 1:]
        if not has_dns:
            dns, first = True, first or "dns"
    if files and dns:
        return "files,dns" if first == "files" else "dns,files"
    return "files" if files else "dns" if dns else fallback


def _order_difference(glibc_names: list[str], go_order: str) -> str | None:
    """How Go's own resolver's order differs from glibc's for an ordinary name.
    systemd-resolved (`resolve`) reads /etc/hosts itself, then DNS."""
    go = go_order.split(",")
    g_files = [i for i, n in enumerate(glibc_names) if n in ("files", "resolve")]
    g_dns = [i for i, n in enumerate(glibc_names) if n in ("dns", "resolve")]
    if g_files and "files" not in go:
        return "skips /etc/hosts, which glibc reads"
    if g_dns and "dns" not in go:
        return "never asks DNS, which glibc does"
    if not g_files and "files" in go:
        return "reads /etc/hosts, which glibc does not"
    if g_files and g_dns and len(go) == 2 and (g_files[0] <= g_dns[0]) != (go[0] == "files"):
        return ("asks DNS before /etc/hosts, glibc the other way round" if go[0] == "dns"
                else "reads /etc/hosts before DNS, glibc the other way round")
    return None


def _action_for(criteria: list[dict], status: str) -> str:
    """What glibc does after a source returns ``status`` (notfound, unavail, ...): the
    criteria apply in order, and ``!STATUS=action`` sets every other status."""
    actions = {"success": "return", "notfound": "continue", "unavail": "continue",
               "tryagain": "continue"}
    for crit in criteria:
        if crit["status"] not in actions:
            continue
        if crit["negate"]:
            keep = actions[crit["status"]]
            actions = dict.fromkeys(actions, crit["action"])
            actions[crit["status"]] = keep
        else:
            actions[crit["status"]] = crit["action"]
    return actions.get(status, "continue")


def _line_text(sources: list[dict]) -> str:
    parts = []
    for src in sources:
        parts.append(src["source"])
        if src["criteria"]:
            crits = " ".join(("!" if c["negate"] else "") + f"{c['status'].upper()}={c['action']}"
                             for c in src["criteria"])
            parts.append(f"[{crits}]")
    return " ".join(parts)


def _standard_for_go(criteria: list[dict]) -> bool:
    """Go's nssSource.standardCriteria: criteria equal to the defaults (or a final return)."""
    for i, crit in enumerate(criteria):
        if crit["negate"]:
            return False
        default = {"success": "return", "notfound": "continue", "unavail": "continue",
                   "tryagain": "continue"}.get(crit["status"])
        if default is None:
            return False
        if i == len(criteria) - 1 and crit["action"] == "return":
            continue
        if crit["action"] != default:
            return False
    return True


# ---------------------------------------------------------------- GODEBUG


def godebug_netdns(environ) -> tuple[str | None, str | None, int]:
    """(raw value, mode "go"/"cgo"/other/None, debug level) from GODEBUG=netdns=..."""
    raw = None
    for item in environ.get("GODEBUG", "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "netdns":
            raw = value  # later settings override earlier ones
    if raw is None:
        return None, None, 0
    mode, level = None, 0
    for part in raw.split("+"):
        if part and part[0] in "0123456789":  # Go: an ASCII digit, not any Unicode one
            level = _int_option(part)
        elif part:
            mode = part
    return raw, mode, level


DEFAULT_CC = "gcc"  # cmd/go's DefaultCC on Linux (zdefaultcc.go of go.dev builds)


def _go_settings(ctx):
    """CGO_ENABLED and CC as the go command finds them: the environment, the `go env -w`
    file, then $GOROOT/go.env of the go on PATH (no process started)."""
    goroot = ctx.environ.get("GOROOT") or None
    if goroot is None:
        found = gos_on_path(ctx.environ, ctx.cwd)
        bindir = os.path.dirname(os.path.realpath(found[0])) if found else ""
        goroot = os.path.dirname(bindir) if os.path.basename(bindir) == "bin" else None
    return GoSettings(ctx.environ, goroot)


def _compiler_word(cc: str) -> str:
    """The program of a CC value (`gcc -m64`, quoted paths), as cmd/go splits it."""
    try:
        words = shlex.split(cc)
    except ValueError:
        words = cc.split()
    return words[0] if words else ""


def _find_compiler(ctx, word: str) -> bool:
    """exec.LookPath: a name with a slash is checked as a path (from the build's
    directory), any other is searched on PATH."""
    if "/" in word:
        path = os.path.join(ctx.cwd, word)
        return os.path.isfile(path) and os.access(path, os.X_OK)
    return bool(word) and ctx.commands.which(word) is not None


def cgo_default(ctx) -> tuple[bool, str, tuple[str, str] | None]:
    """Would `go build` here link with cgo, why, and what breaks it: (on, reason,
    (the CC setting, the missing compiler) or None).

    cmd/go (Go 1.20 and later, cmd/go/internal/cfg): CGO_ENABLED=0/1 from the
    environment, the `go env -w` file or $GOROOT/go.env decides.  Unset, cgo is on
    when CC is set in the process environment (os.Getenv: the go env file does not
    count here), found or not; otherwise only when the default compiler, gcc, is on
    PATH (clang alone leaves it off).  With cgo on, builds run CC from any of the
    three places, else gcc; if that is missing, every build of a package that needs
    runtime/cgo (anything importing net or os/user) fails.
    """
    settings = _go_settings(ctx)
    value, source = settings.get("CGO_ENABLED")
    cc, cc_source = settings.get("CC")
    where = "" if source == "environment" else f" in {source}"
    if value in ("0", "1"):
        on, why = value == "1", f"CGO_ENABLED={value}{where}"
    elif ctx.environ.get("CC"):
        on, why = True, f"CGO_ENABLED unset, CC={ctx.environ['CC']} set"
    elif _find_compiler(ctx, DEFAULT_CC):
        on, why = True, f"CGO_ENABLED unset, C compiler {DEFAULT_CC} found"
    else:
        on, why = False, f"CGO_ENABLED unset, no C compiler ({DEFAULT_CC}) on PATH"
    if not on:
        return on, why, None
    word = _compiler_word(cc) if cc else DEFAULT_CC
    if _find_compiler(ctx, word):
        return on, why, None
    named = f"CC={cc}" + ("" if cc_source == "environment" else f" in {cc_source}") \
        if cc else f"the default C compiler {DEFAULT_CC}"
    return on, why, (named, word)


class DnsCheck(Check):
    name = "dns"
    title = "DNS"
    summary = "resolv.conf nameservers and timeouts, nsswitch hosts order, Go's resolver choice"

    def run(self, ctx) -> list[Finding]:
        text, why = ctx.system.read(RESOLV_CONF)
        conf = parse_resolv_conf(text or "")
        ns_text, ns_why = ctx.system.read(NSSWITCH_CONF)
        sources = parse_hosts_line(ns_text) if ns_text is not None else None
        return [
            self._nameservers(ctx, conf, why),
            self._timeouts(conf, why),
            self._search(conf, why),
            self._nsswitch(sources, ns_why),
            self._go_resolver(ctx, conf, why, sources, ns_why, ns_text),
        ]

    def _nameservers(self, ctx, conf: dict, why: str | None) -> Finding:
        title = "nameservers"
        link = ctx.system.readlink(RESOLV_CONF)
        servers = conf["nameservers"]
        data = {"file": RESOLV_CONF, "symlink": link, "nameservers": servers,
                "used": servers[:MAXNS], "ignored": servers[MAXNS:],
                "invalid": conf["invalid_nameservers"]}
        explain = ("glibc and Go ask at most the first three nameservers of /etc/resolv.conf, "
                   "in order (round-robin with `options rotate`). With none listed, glibc "
                   "falls back to a server on 127.0.0.1:53, Go to 127.0.0.1:53 and [::1]:53.")
        where = f"{RESOLV_CONF} -> {link}" if link else RESOLV_CONF
        if why == "missing" and link is not None:
            return self._dangling(link, explain, data)
        if why is not None:
            return Finding("nameservers", title, WARN, f"{RESOLV_CONF}: {why}", explain,
                           "Create /etc/resolv.conf with your nameservers (or make it readable: "
                           "`sudo chmod 644 /etc/resolv.conf`), or run a local resolver.", data)
        if not servers:
            return Finding("nameservers", title, WARN,
                           f"none in {where}; using 127.0.0.1:53 (and [::1]:53 in Go)",
                           explain, "Add `nameserver <address>` lines, or make sure a resolver "
                           "listens on 127.0.0.1:53.", data)
        value = ", ".join(servers[:MAXNS]) + f" ({where})"
        glibc_used = conf["glibc"]["nameservers"][:MAXNS]
        data["glibc_used"] = glibc_used
        if glibc_used != servers[:MAXNS]:
            return self._glibc_differs(conf, value, explain, data)
        problems = []
        if servers[MAXNS:]:
            problems.append("ignored beyond the third: " + ", ".join(servers[MAXNS:]))
        if conf["invalid_nameservers"]:
            problems.append("not IP addresses, ignored: " + ", ".join(conf["invalid_nameservers"]))
        if problems:
            return Finding("nameservers", title, WARN, value + "; " + "; ".join(problems),
                           explain, "Keep at most three `nameserver <IP address>` lines; put "
                           "more servers behind a local caching resolver.", data)
        return Finding("nameservers", title, OK, value, explain, data=data)

    @staticmethod
    def _dangling(link: str, explain: str, data: dict) -> Finding:
        """/etc/resolv.conf is a symlink to nothing: usually a resolver daemon's file in
        /run, which exists only while that daemon runs."""
        value = f"{RESOLV_CONF} -> {link}, which does not exist"
        if "systemd/resolve" in link:
            value += ": systemd-resolved is not running"
            fix = ("Start systemd-resolved (`sudo systemctl enable --now systemd-resolved`), or "
                   "replace the link with a file listing your nameservers.")
        elif "NetworkManager" in link:
            value += ": NetworkManager is not running"
            fix = ("Start NetworkManager (`sudo systemctl enable --now NetworkManager`), or "
                   "replace the link with a file listing your nameservers.")
        else:
            fix = ("Point the link at an existing file, or replace it with a file listing "
                   "your nameservers.")
        value += "; glibc and Go ask 127.0.0.1:53 (Go also [::1]:53)"
        return Finding("nameservers", "nameservers", WARN, value, explain, fix, data)

    @staticmethod
    def _glibc_differs(conf: dict, value: str, explain: str, data: dict) -> Finding:
        """Go and glibc read different nameservers out of the same file."""
        glibc_used = data["glibc_used"]
        causes = []
        if conf["crlf"]:
            causes.append("the lines end in CRLF, so glibc reads `address\\r`, not an address")
        if conf["indented"]:
            causes.append("indented `nameserver` lines, which glibc ignores (the keyword must "
                          "start the line)")
        seen = ", ".join(glibc_used) if glibc_used else "none, so it asks 127.0.0.1:53"
        value += (f"; glibc (git, curl, cgo lookups) uses {seen}"
                  + (": " + "; ".join(causes) if causes else ""))
        return Finding("nameservers", "nameservers", WARN, value,
                       explain + " Go splits lines at spaces, tabs and carriage returns "
                       "anywhere; glibc reads a keyword only at the very start of a line and an "
                       "address up to a space, tab or newline. Here they disagree, so Go "
                       "programs and C programs (git, which `go get` runs for direct module "
                       "fetches, curl) ask different servers.",
                       "Save /etc/resolv.conf with Unix line endings (`sudo sed -i 's/\\r$//' "
                       "/etc/resolv.conf`) and start every `nameserver` line in the first "
                       "column.", data)

    def _timeouts(self, conf: dict, why: str | None) -> Finding:
        n = len(conf["nameservers"][:MAXNS])
        t, a, single = conf["timeout"], conf["attempts"], conf["single_request"]
        glibc = conf["glibc"]
        # With none listed, Go asks 127.0.0.1:53 and [::1]:53 (net/dnsconfig.go's
        # defaultNS), glibc only 127.0.0.1.
        go_n, glibc_n = n or 2, len(glibc["nameservers"][:MAXNS]) or 1
        go_s = go_worst_case(go_n, t, a, single)
        glibc_s = glibc_worst_case(glibc_n, glibc["timeout"], glibc["attempts"])
        go_fo = go_failover(go_n, t, single)
        glibc_fo = glibc_failover(glibc_n, glibc["timeout"])
        failover = max(go_fo, glibc_fo)
        data = {"timeout": t, "attempts": a, "rotate": conf["rotate"],
                "single_request": single, "nameservers_used": n,
                "glibc_timeout": glibc["timeout"], "glibc_attempts": glibc["attempts"],
                "go_failover_s": go_fo, "glibc_failover_s": glibc_fo,
                "go_worst_case_s": go_s, "glibc_worst_case_s": glibc_s}
        value = (f"timeout:{t} attempts:{a} rotate:{'yes' if conf['rotate'] else 'no'}"
                 f"{' single-request' if single else ''} with "
                 + (f"{n} server{'s' if n != 1 else ''}" if n else "no server listed") + " -> ")
        if go_n > 1:
            value += (f"the last server is asked after {go_fo} s in Go, {glibc_fo} s in glibc "
                      "when those before it do not answer; ")
        value += (f"with no server answering a lookup gives up after {go_s} s in Go, "
                  f"{glibc_s} s in glibc")
        explain = ("Go and glibc ask the servers in order; one that does not answer costs "
                   "`timeout` seconds before the next is asked (glibc gives later servers a "
                   "share of a doubled timeout). A working server is reached in the first "
                   "round, after (servers - 1) x timeout, twice that in Go with "
                   "single-request (AAAA waits for A); `attempts` only repeats the round when "
                   "no server answers, and then the lookup fails anyway. Go's HTTP clients "
                   "(http.DefaultTransport, the go command's module downloads) give the whole "
                   f"dial, lookup included, {DIAL_TIMEOUT} s: when the working server is only "
                   "asked after that, the dial fails as `i/o timeout` although DNS works. "
                   "`rotate` only spreads load, it does not shorten this.")
        if why is not None:
            return Finding("resolver-timeouts", "resolver timeouts", NA,
                           f"{RESOLV_CONF}: {why}", explain, data=data)
        fix = ("Lower the timeout in /etc/resolv.conf so that (servers - 1) x timeout stays well "
               f"under {DIAL_TIMEOUT} s, e.g. `options timeout:2 attempts:2`, and list only "
               "servers that answer (or one local caching resolver such as systemd-resolved or "
               "dnsmasq). If the file is generated, set this in its source (NetworkManager: "
               "ipv4.dns-options; DHCP; systemd-resolved).")
        if glibc["attempts"] < 1:
            return Finding(
                "resolver-timeouts", "resolver timeouts", FAIL,
                value + f"; glibc reads attempts:{glibc['attempts']} and sends no query at all",
                explain + " glibc takes `attempts` as written (only capped at 5): with 0 or "
                "less it never sends a query, so every C program fails to resolve any DNS "
                "name (curl: `Could not resolve host`; git, which `go get` runs for direct "
                "module fetches), while Go raises it to 1 and resolves: builds that work with "
                "one fail with the other.",
                "Set `options attempts:1` or more in /etc/resolv.conf, or remove the option "
                "(the default is 2).", data)
        if failover >= DIAL_TIMEOUT:
            return Finding("resolver-timeouts", "resolver timeouts", FAIL, value,
                           explain + f" Here one server that stops answering makes Go's "
                           f"{DIAL_TIMEOUT} s dials fail while the others work.", fix, data)
        if failover > SLOW_LOOKUP or t >= DIAL_TIMEOUT:
            return Finding("resolver-timeouts", "resolver timeouts", WARN, value,
                           explain + " Here a server that stops answering (or one lost reply) "
                           f"uses up most or all of a {DIAL_TIMEOUT} s dial.", fix, data)
        return Finding("resolver-timeouts", "resolver timeouts", OK, value, explain, data=data)

    def _search(self, conf: dict, why: str | None) -> Finding:
        search, ndots = conf["search"], conf["ndots"]
        dots = PROBE_NAME.count(".")
        extra = len(search) if search and dots < ndots else 0
        data = {"search": search, "ndots": ndots, "extra_names": extra}
        explain = (f"A name with fewer dots than ndots is tried with every search domain "
                   f"appended before it is tried as written: {PROBE_NAME} has {dots} dots. "
                   "Each extra name is an A and an AAAA query that must fail first, and "
                   "each can hit the timeouts above (ndots:5 is the Kubernetes default).")
        if why is not None:
            return Finding("search", "search domains", NA, f"{RESOLV_CONF}: {why}", explain,
                           data=data)
        if not search:
            return Finding("search", "search domains", OK, f"none; ndots:{ndots}", explain,
                           data=data)
        value = f"{' '.join(search)}; ndots:{ndots}"
        if extra:
            return Finding("search", "search domains", WARN,
                           value + f" -> {PROBE_NAME} is tried as {extra} other names first",
                           explain, "Use ndots:1 where you can (Kubernetes: dnsConfig options "
                           "in the pod spec), or write external names fully qualified with "
                           "a trailing dot (proxy.golang.org.).", data)
        return Finding("search", "search domains", OK, value, explain, data=data)

    def _nsswitch(self, sources: list[dict] | None, why: str | None) -> Finding:
        title = "nsswitch hosts"
        explain = ("The hosts: line orders the sources glibc asks for a name. `files` "
                   "(/etc/hosts) belongs before `dns` so local names never wait for a DNS "
                   "server. `[NOTFOUND=return]` after a source that answers 'not found' "
                   "for ordinary names stops the lookup there.")
        if why not in (None, "missing"):
            return Finding("nsswitch", title, WARN, f"{NSSWITCH_CONF}: {why}", explain,
                           "Make /etc/nsswitch.conf readable (`sudo chmod 644`).",
                           {"hosts": None, "line": None})
        if sources is None:
            # glibc 2.35 changed its built-in default from `dns [!UNAVAIL=return] files`.
            return Finding("nsswitch", title, OK,
                           "no hosts: line; glibc (2.35 and later) and Go use `files dns`",
                           explain, data={"hosts": None, "line": None})
        names = [s["source"] for s in sources]
        line = _line_text(sources)
        data = {"hosts": names, "line": line}
        value = f"hosts: {line}"
        for src in sources:
            if src["source"] in DNS_SOURCES:
                break
            if src["source"] in MDNS_MINIMAL:
                continue
            if _action_for(src["criteria"], "notfound") == "return":
                has_dns = any(n in DNS_SOURCES for n in names)
                return Finding(
                    "nsswitch", title, FAIL, value,
                    explain + f" Here `{src['source']}` answers 'not found' for every name it "
                    "does not know and the lookup returns: "
                    + ("DNS is never asked" if has_dns else "there is no DNS source")
                    + ". C programs (git, which `go get` runs for direct module fetches, curl, "
                    "cgo-resolver Go binaries) cannot resolve anything outside /etc/hosts, "
                    "while Go's own resolver ignores the action and does ask DNS: builds "
                    "that work with one fail with the other.",
                    f"Remove the [..=return] after `{src['source']}`, e.g. `hosts: files dns` "
                    "(Debian), `hosts: files mdns4_minimal [NOTFOUND=return] dns` (Ubuntu "
                    "desktop), or authselect's default on RHEL/Fedora.", data)
        if not any(n in DNS_SOURCES for n in names):
            return Finding("nsswitch", title, WARN, value,
                           explain + " There is no dns or resolve source: only /etc/hosts "
                           "and the listed services resolve names, so module downloads fail "
                           "with 'no such host' unless GOPROXY/GOFLAGS make the build offline.",
                           "Add `dns` after `files`, e.g. `hosts: files dns`.", data)
        # Only `dns` counts here: systemd-resolved (`resolve`) answers from /etc/hosts
        # itself, so its own recipe `resolve [!UNAVAIL=return] files dns` is fine.
        if "files" in names and "dns" in names and names.index("files") > names.index("dns"):
            return Finding("nsswitch", title, WARN, value,
                           explain + " Here DNS is asked before /etc/hosts: localhost aliases "
                           "and test host names wait for (and can be overridden by) DNS.",
                           "Put `files` first: `hosts: files dns`.", data)
        return Finding("nsswitch", title, OK, value, explain, data=data)

    def _go_resolver(
        self, ctx, conf: dict, why: str | None, sources, ns_why, ns_text: str | None = None
    ) -> Finding:
        raw, mode, level = godebug_netdns(ctx.environ)
        cgo_on, cgo_why, cc_problem = cgo_default(ctx)
        reasons: list[str] = []
        env = ctx.environ
        if "LOCALDOMAIN" in env:
            reasons.append("LOCALDOMAIN is set")
        for var in ("RES_OPTIONS", "HOSTALIASES"):
            if env.get(var):
                reasons.append(f"{var} is set")
        if why not in (None, "missing", "permission denied"):
            reasons.append(f"resolv.conf unreadable ({why})")
        if conf["go_unknown"]:
            # Go skips only lines whose first byte is # or ;: an indented comment's
            # first word is an unknown keyword to it.
            words = sorted({"an indented comment" if w[0] in "#;" else w
                            for w in conf["go_unknown"]})
            reasons.append("resolv.conf has " + ", ".join(words) + " which Go does not parse")
        nss = parse_nss_go(ns_text) if ns_text is not None else None
        if ns_why not in (None, "missing"):
            reasons.append(f"nsswitch.conf unreadable ({ns_why})")
            nss = {"sources": [], "error": ns_why, "hosts_lines": 0}
        elif nss is not None and nss["error"]:
            reasons.append(f"nsswitch.conf has {nss['error']}, which Go's parser rejects")
        for src in nss["sources"] if nss is not None and not nss["error"] else []:
            name = src["source"]
            if name in ("files", "dns"):
                if not _standard_for_go(src["criteria"]):
                    reasons.append(f"non-default criteria after `{name}`")
            elif name == "myhostname":
                continue  # cgo only for localhost and this host's own name
            elif name.startswith("mdns"):
                if ctx.system.exists("/etc/mdns.allow"):
                    reasons.append("/etc/mdns.allow exists")
                continue  # cgo only for .local names
            else:
                reasons.append(f"nsswitch source `{_shown(name)}`")
        # Services glibc asks that Go's own resolver cannot.
        glibc_names = [s["source"] for s in sources] if sources is not None else DEFAULT_HOSTS
        skipped = [n for n in glibc_names if n in GO_SKIPS]
        mdns = [n for n in glibc_names if n.startswith("mdns")]
        # CGO_ENABLED=0 binaries, and go.dev's go command (built without cgo: module
        # downloads), always take Go's own order.
        go_order = go_lookup_order(nss, can_use_cgo=False)
        differs = _order_difference(glibc_names, go_order)

        if mode == "go":
            cgo_build = "go (GODEBUG=netdns=go)"
        elif mode == "cgo":
            cgo_build = "cgo (GODEBUG=netdns=cgo)"
        elif reasons:
            cgo_build = "cgo (" + "; ".join(reasons) + ")"
        else:
            cgo_build = "go"
        uses_go = mode == "go" or not cgo_on
        data = {
            "godebug_netdns": raw, "mode": mode, "debug_level": level,
            "cgo_enabled_default": cgo_on, "cgo_reason": cgo_why,
            "missing_cc": cc_problem[1] if cc_problem else None,
            "cgo_binaries": cgo_build.split(" ", 1)[0],
            "cgo_reasons": reasons, "go_skips": skipped + mdns,
            "go_order": go_order.split(","),
            "go_hosts": [s["source"] for s in nss["sources"]] if nss is not None else None,
        }
        value = (f"binaries built with cgo use {cgo_build}; CGO_ENABLED=0 binaries use go "
                 f"({ORDER_TEXT[go_order]}); "
                 f"`go build` here: cgo {'on' if cgo_on else 'off'} ({cgo_why})")
        if raw is not None:
            value = f"GODEBUG netdns={raw}; " + value
        explain = ("Go's own resolver handles files and dns; with cgo a binary hands the "
                   "lookup to glibc when GODEBUG=netdns=cgo, when RES_OPTIONS/LOCALDOMAIN/"
                   "HOSTALIASES are set, or when resolv.conf/nsswitch.conf use something Go "
                   "does not implement. CGO_ENABLED=0 binaries always use Go's resolver and "
                   "skip NSS services such as sss, ldap, nis, wins and mDNS. "
                   "`GODEBUG=netdns=go+2 ./prog` prints the choice it makes.")
        if cc_problem:
            named, word = cc_problem
            return Finding(
                "go-resolver", "Go resolver", FAIL,
                value + f"; {named}, but {word or 'an empty name'} is not installed: builds "
                "that need cgo fail",
                explain + " With cgo on, every package that uses cgo is compiled with the C "
                "compiler, and runtime/cgo is one whenever a program imports net or os/user: "
                f"`go build` fails with `# runtime/cgo` `cgo: C compiler \"{word}\" not found`. "
                "Since Go 1.20 the go command turns cgo off by itself only when CC is unset "
                "and gcc is missing.",
                f"Install {word}, or point CC at an installed compiler, or unset CC (without "
                "gcc, go then builds without cgo), or set CGO_ENABLED=0 (`go env -w "
                "CGO_ENABLED=0`).", data)
        if mode not in (None, "go", "cgo"):
            return Finding("go-resolver", "Go resolver", WARN, value,
                           explain + f" netdns={raw} names no resolver, so Go ignores it.",
                           "Use GODEBUG=netdns=go or netdns=cgo (optionally +1/+2 for debug "
                           "output), or remove it.", data)
        why_warn, fixes = [], []
        if differs:
            why_warn.append(self._order_text(differs, nss))
            fixes.append("Write one hosts: line with its sources separated by spaces, e.g. "
                         "`hosts: files dns`.")
        if uses_go and (skipped or mdns):
            names = ", ".join(skipped + mdns)
            why_warn.append(f"Here Go binaries resolve without {names}: names only those "
                            "services know (.local hosts, directory-managed hosts) fail in Go "
                            "but work in ping and curl.")
            fixes.append("Build with cgo (CGO_ENABLED=1 and a C compiler) and without "
                         "GODEBUG=netdns=go, or publish those names in DNS.")
        if why_warn:
            return Finding("go-resolver", "Go resolver", WARN, value,
                           explain + " " + " ".join(why_warn), " ".join(fixes), data)
        return Finding("go-resolver", "Go resolver", OK, value, explain, data=data)

    @staticmethod
    def _order_text(differs: str, nss: dict | None) -> str:
        """Why Go's own resolver takes another order than glibc, said for the explanation."""
        names = [s["source"] for s in nss["sources"]] if nss is not None else []
        causes = []
        if any("\t" in n for n in names):
            causes.append("Go separates hosts: sources only with spaces, so a tab-separated "
                          "list is one unknown source to it")
        if any("[" in n for n in names):
            causes.append("Go needs a space before a [criterion], so `files[NOTFOUND=return]` "
                          "is one unknown source to it")
        if nss is not None and nss["hosts_lines"] > 1:
            causes.append(f"Go joins all {nss['hosts_lines']} hosts: lines "
                          f"(`{_shown(' '.join(names))}`), glibc uses only the last")
        return (f"Here Go's own resolver {differs}"
                + (" (" + "; ".join(causes) + ")" if causes else "")
                + ": CGO_ENABLED=0 binaries and go.dev's go command (built without cgo, so "
                "its module downloads) resolve names differently from git, curl and ping.")
