"""``goswitch doctor``: find the machine settings that break Go builds and ``go test``.

Layout: :mod:`.model` (Finding, Check, statuses), :mod:`.system` (the root-prefixed
view of /proc, /sys and /etc, external commands, the run context), one module
per check in :mod:`.checks`, and :mod:`.report` (table and JSON).  The CLI
command in ``goswitch/cli/commands/doctor.py`` only parses options and calls
:func:`run_checks`.
"""

from __future__ import annotations

import traceback

from .checks import ALL, BY_NAME
from .model import FAIL, NA, OK, WARN, Check, CheckResult, Finding, worst
from .system import Context

CHECK_NAMES = tuple(check.name for check in ALL)


def run_checks(ctx: Context, names=None) -> list[CheckResult]:
    """Run the named checks (all by default) in their fixed order.

    A check that crashes becomes a failed finding naming the exception: one
    broken check must not hide the others, and a doctor that could not look
    must not claim all is well.
    """
    wanted = set(names) if names else set(CHECK_NAMES)
    unknown = wanted - set(CHECK_NAMES)
    if unknown:
        raise ValueError(f"unknown check(s): {', '.join(sorted(unknown))}")
    results = []
    for check in ALL:
        if check.name not in wanted:
            continue
        try:
            findings = check.run(ctx)
        except Exception as exc:  # reported, not raised: see the docstring
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
            findings = [Finding(
                "internal-error", "doctor error", FAIL,
                f"{type(exc).__name__}: {exc} (at {where})",
                "This check crashed, so it could not tell whether anything is wrong.",
                "Please report it with the output of `goswitch doctor --json`.",
                {"exception": type(exc).__name__, "message": str(exc), "where": where},
            )]
        results.append(CheckResult(check.name, check.title, findings))
    return results


def exit_code(results: list[CheckResult]) -> int:
    """0 when nothing failed (warnings included), else 1."""
    return 1 if any(r.status == FAIL for r in results) else 0


__all__ = [
    "ALL", "BY_NAME", "CHECK_NAMES", "Check", "CheckResult", "Context", "Finding",
    "FAIL", "NA", "OK", "WARN", "exit_code", "run_checks", "worst",
]
