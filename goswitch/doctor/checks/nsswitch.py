"""The ``hosts:`` line of /etc/nsswitch.conf as glibc reads it and as Go's own
resolver does (net/nss.go, net/conf.go): they split, join and default differently."""

from __future__ import annotations

import re

from .resolvconf import go_lines

# NSS sources that answer arbitrary DNS names.
DNS_SOURCES = ("dns", "resolve")
# mdns*_minimal answer NOTFOUND only for .local names, so [NOTFOUND=return] after them is safe.
MDNS_MINIMAL = ("mdns_minimal", "mdns4_minimal", "mdns6_minimal")
# Directory services Go's own resolver cannot query.
GO_SKIPS = ("nis", "nisplus", "ldap", "sss", "wins", "winbind", "hesiod", "db", "extrausers",
            "libvirt", "libvirt_guest", "mymachines")

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


def shown_source(name: str) -> str:
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
    for raw in go_lines(text):
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
            if can_use_cgo and not standard_for_go(src["criteria"]):
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


def order_difference(glibc_names: list[str], go_order: str) -> str | None:
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


def action_for(criteria: list[dict], status: str) -> str:
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


def line_text(sources: list[dict]) -> str:
    parts = []
    for src in sources:
        parts.append(src["source"])
        if src["criteria"]:
            crits = " ".join(("!" if c["negate"] else "") + f"{c['status'].upper()}={c['action']}"
                             for c in src["criteria"])
            parts.append(f"[{crits}]")
    return " ".join(parts)


def standard_for_go(criteria: list[dict]) -> bool:
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
