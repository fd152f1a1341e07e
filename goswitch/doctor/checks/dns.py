"""DNS: /etc/resolv.conf, the ``hosts:`` line of /etc/nsswitch.conf, Go's resolver choice.

Go has two resolvers.  Its own ("go") reads resolv.conf and nsswitch.conf
itself and talks DNS directly; the "cgo" one calls glibc's getaddrinfo.  Which
one a binary uses depends on how it was built (CGO_ENABLED, netgo/netcgo tags),
``GODEBUG=netdns`` and on whether these files contain anything Go does not
understand.  git, curl and every C program always go through glibc.  The rules
here follow Go's net/conf.go and net/dnsconfig_unix.go and glibc's res_send.c;
the parsers are in :mod:`.resolvconf`, :mod:`.nsswitch` and :mod:`.cgo`.
"""

from __future__ import annotations

from ..model import FAIL, NA, OK, WARN, Check, Finding
from .cgo import cgo_default, godebug_netdns
from .nsswitch import (
    DEFAULT_HOSTS,
    DNS_SOURCES,
    GO_SKIPS,
    MDNS_MINIMAL,
    ORDER_TEXT,
    action_for,
    go_lookup_order,
    line_text,
    order_difference,
    parse_hosts_line,
    parse_nss_go,
    shown_source,
    standard_for_go,
)
from .resolvconf import (
    MAXNS,
    glibc_failover,
    glibc_worst_case,
    go_failover,
    go_worst_case,
    parse_resolv_conf,
)

RESOLV_CONF = "/etc/resolv.conf"
NSSWITCH_CONF = "/etc/nsswitch.conf"
# http.DefaultTransport dials with a 30 s timeout, and the lookup is part of the dial.
DIAL_TIMEOUT = 30
SLOW_LOOKUP = 20  # waiting this long for a working server leaves little of the dial
PROBE_NAME = "proxy.golang.org"  # what `go mod download` resolves first


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
        line = line_text(sources)
        data = {"hosts": names, "line": line}
        value = f"hosts: {line}"
        for src in sources:
            if src["source"] in DNS_SOURCES:
                break
            if src["source"] in MDNS_MINIMAL:
                continue
            if action_for(src["criteria"], "notfound") == "return":
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
                if not standard_for_go(src["criteria"]):
                    reasons.append(f"non-default criteria after `{name}`")
            elif name == "myhostname":
                continue  # cgo only for localhost and this host's own name
            elif name.startswith("mdns"):
                if ctx.system.exists("/etc/mdns.allow"):
                    reasons.append("/etc/mdns.allow exists")
                continue  # cgo only for .local names
            else:
                reasons.append(f"nsswitch source `{shown_source(name)}`")
        # Services glibc asks that Go's own resolver cannot.
        glibc_names = [s["source"] for s in sources] if sources is not None else DEFAULT_HOSTS
        skipped = [n for n in glibc_names if n in GO_SKIPS]
        mdns = [n for n in glibc_names if n.startswith("mdns")]
        # CGO_ENABLED=0 binaries, and go.dev's go command (built without cgo: module
        # downloads), always take Go's own order.
        go_order = go_lookup_order(nss, can_use_cgo=False)
        differs = order_difference(glibc_names, go_order)

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
                          f"(`{shown_source(' '.join(names))}`), glibc uses only the last")
        return (f"Here Go's own resolver {differs}"
                + (" (" + "; ".join(causes) + ")" if causes else "")
                + ": CGO_ENABLED=0 binaries and go.dev's go command (built without cgo, so "
                "its module downloads) resolve names differently from git, curl and ping.")
