"""Doctor output: a table for people, JSON for machines.

The JSON layout is a contract (documented in docs/doctor.md): ``schema`` changes
only when a field changes meaning or disappears; new fields may be added.
"""

from __future__ import annotations

import json
import textwrap

from ..shells import printable
from .model import FAIL, NA, OK, WARN, CheckResult

SCHEMA = "goswitch.doctor/1"

LABELS = {OK: "ok", WARN: "warn", FAIL: "FAIL", NA: "n/a"}
_COLORS = {OK: "\x1b[32m", WARN: "\x1b[33m", FAIL: "\x1b[1;31m", NA: "\x1b[2m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def use_color(mode: str, stream_is_tty: bool, environ) -> bool:
    """``always``/``never``, or ``auto``: a TTY, no NO_COLOR (https://no-color.org), not dumb."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if environ.get("NO_COLOR", ""):
        return False
    if environ.get("TERM", "") == "dumb":
        return False
    return stream_is_tty


def summary_counts(results: list[CheckResult]) -> dict[str, int]:
    counts = {FAIL: 0, WARN: 0, OK: 0, NA: 0}
    for result in results:
        for finding in result.findings:
            counts[finding.status] += 1
    return counts


def summary_line(results: list[CheckResult]) -> str:
    c = summary_counts(results)

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return (f"{plural(c[FAIL], 'failure')}, {plural(c[WARN], 'warning')}, {c[OK]} ok, "
            f"{c[NA]} not applicable")


MAX_SHOWN = 2000  # characters of one value, explanation or fix in the table
# Narrowest table: the text column starts at 8 and "why  " takes 5 more, which leaves
# 27 characters a line at 40; narrower terminals get 40-column lines (they wrap).
MIN_WIDTH = 40


def render_text(results: list[CheckResult], color: bool = False, width: int = 100,
                verbose: bool = False) -> str:
    """The table: one section per check, one row per finding.

    Explanation and fix are shown under warn/fail rows (under every row with
    ``verbose``), wrapped to ``width`` with a hanging indent so long paths
    stay readable in a narrow terminal.
    """
    width = max(width, MIN_WIDTH)

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    titles = [f.title for r in results for f in r.findings]
    title_w = min(max((len(t) for t in titles), default=10), 22)
    value_col = 2 + 5 + 1 + title_w + 2
    # Narrow terminal: values and explanations go under the title instead of beside it.
    compact = width - value_col < 40
    text_col = 8 if compact else value_col
    text_w = width - text_col

    def wrap(text: str, w: int) -> list[str]:
        # Values come from files anyone may have written (resolv.conf's search list comes
        # from DHCP): escape what could drive the terminal, and keep a row readable.
        text = printable(text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "...")
        return textwrap.wrap(text, w, break_on_hyphens=False, break_long_words=False) or [""]

    lines: list[str] = []
    for result in results:
        status = result.status
        head = f"{result.title} ({result.name})"
        label = LABELS[status]
        pad = max(width - len(head) - len(label), 2)
        lines.append(paint(head, _BOLD) + " " * pad + paint(label, _COLORS[status]))
        for finding in result.findings:
            row = "  " + paint(f"{LABELS[finding.status]:<5}", _COLORS[finding.status]) + " "
            if compact:
                lines.append(row + finding.title)
                lines.extend(" " * text_col + v for v in wrap(finding.value, text_w))
            else:
                wrapped = wrap(finding.value, text_w)
                lines.append(row + f"{finding.title:<{title_w}}  " + wrapped[0])
                lines.extend(" " * text_col + v for v in wrapped[1:])
            if verbose or finding.status in (WARN, FAIL):
                for tag, text in (("why", finding.explanation), ("fix", finding.fix)):
                    if not text:
                        continue
                    body = wrap(text, text_w - 5)
                    lines.append(" " * text_col + paint(f"{tag:<4} ", _DIM) + body[0])
                    lines.extend(" " * (text_col + 5) + b for b in body[1:])
        lines.append("")
    verdict = summary_line(results)
    code = 1 if any(r.status == FAIL for r in results) else 0
    lines.extend(paint(v, _BOLD) for v in textwrap.wrap(verdict, width))
    footer = []
    if not verbose:
        footer.append("-v explains every row; --json is for scripts.")
    if code:
        footer.append("Each FAIL row breaks Go builds or tests here: start with those.")
    for note in footer:  # the footer wraps too: it is the last thing read
        lines.extend(textwrap.wrap(note, width))
    return "\n".join(lines) + "\n"


def to_json_dict(results: list[CheckResult], ctx, version: str) -> dict:
    counts = summary_counts(results)
    return {
        "schema": SCHEMA,
        "goswitch_version": version,
        "ok": counts[FAIL] == 0,
        "exit_code": 1 if counts[FAIL] else 0,
        "summary": counts,
        "context": {
            "root": ctx.system.root,
            "cwd": ctx.cwd,
            "uid": ctx.uid,
            "cpu_count": ctx.cpu_count,
            "qps": ctx.qps,
            "lifetime_s": ctx.lifetime,
        },
        "checks": [r.to_dict() for r in results],
    }


def render_json(results: list[CheckResult], ctx, version: str) -> str:
    return json.dumps(to_json_dict(results, ctx, version), indent=2) + "\n"
