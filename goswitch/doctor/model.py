"""What a check produces: findings with a status, the measured value and the fix.

Statuses, worst first: ``fail`` (this breaks Go builds or tests now), ``warn``
(it will under load, or breaks something adjacent), ``ok``, ``na`` (the thing
checked does not exist here, e.g. no SELinux).  The JSON names are part of the
documented schema (docs/doctor.md), so they are plain strings, not an Enum whose
formatting changed between Python versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK = "ok"
WARN = "warn"
FAIL = "fail"
NA = "na"

# A check's own status is its worst finding; "na" only when every finding is na.
_RANK = {NA: 0, OK: 1, WARN: 2, FAIL: 3}


def worst(statuses) -> str:
    result = NA
    for status in statuses:
        if _RANK[status] > _RANK[result]:
            result = status
    return result


@dataclass
class Finding:
    """One measured thing.

    ``id`` is stable (scripts match on it); ``value`` is the measurement as a
    person reads it; ``data`` holds the same numbers for machines; ``explanation``
    says why it matters for Go; ``fix`` what to do (empty when nothing is needed).
    """

    id: str
    title: str
    status: str
    value: str
    explanation: str = ""
    fix: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in _RANK:
            raise ValueError(f"unknown status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "value": self.value,
            "explanation": self.explanation,
            "fix": self.fix or None,
            "data": self.data,
        }


@dataclass
class CheckResult:
    name: str
    title: str
    findings: list[Finding]

    @property
    def status(self) -> str:
        return worst(f.status for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
        }


class Check:
    """A named group of findings.  Subclasses set the class attributes and ``run``."""

    name = ""  # what `--check NAME` takes
    title = ""  # heading in the table
    summary = ""  # one line for `--help`

    def run(self, ctx) -> list[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Check {self.name}>"
