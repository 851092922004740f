"""Findings: what the analyses report, in the shape of the output contract.

>>> f = Finding(id="exposure:eurodac:europol", rule="exposure", kind="exposure",
...             severity=Severity.high, title="t", message="m")
>>> f.to_dict()["severity"], f.status
('high', 'open')
>>> sorted([Severity.low, Severity.critical])[-1].name
'critical'
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer

__all__ = ["Severity", "Confidence", "Kind", "Finding", "sort_findings"]


class Severity(enum.IntEnum):
    """Ordered severities; ``critical`` is the worst."""

    info = 0
    low = 1
    medium = 2
    high = 3
    critical = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        """Severity from its name, with a message listing the choices.

        >>> Severity.parse("High")
        <Severity.high: 3>
        """
        try:
            return cls[text.strip().lower()]
        except KeyError:
            from flowmap.errors import UsageError

            raise UsageError(f"unknown severity '{text}': use one of {', '.join(s.name for s in cls)}") from None


class Confidence(str, enum.Enum):
    high = "high"
    low = "low"  # the finding rests on unknown (omitted) fields


class Kind(str, enum.Enum):
    exposure = "exposure"
    function_creep = "function_creep"
    insecure_link = "insecure_link"
    accountability_gap = "accountability_gap"
    high_risk_technology = "high_risk_technology"
    retention_extension = "retention_extension"
    automated_decision = "automated_decision"
    structural = "structural"
    model_quality = "model_quality"


class Finding(BaseModel):
    """One finding, with its evidence. Ids are built from the rule and the elements it names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable id: rule and the elements it names.")
    rule: str = Field(description="Rule id from `flowmap rules`.")
    kind: Kind
    severity: Severity
    confidence: Confidence = Confidence.high
    title: str = Field(description="One line.")
    message: str = Field(description="Why, in words a DPO can paste into a DPIA.")
    systems: list[str] = Field(default_factory=list)
    flows: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    path: list[str] = Field(default_factory=list, description="Witness path, where the rule has one.")
    principles: list[str] = Field(default_factory=list)
    mitigation: str = ""
    status: str = "open"
    acceptance: dict[str, Any] | None = Field(
        None, description="The acceptance that gave the status (reason, by, until), when there is one."
    )

    @field_serializer("severity")
    def _severity_name(self, value: Severity) -> str:
        return value.name

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape (``acceptance`` only when one applies)."""
        data = self.model_dump(mode="json")
        if data["acceptance"] is None:
            del data["acceptance"]
        return data


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by id: the contract's order."""
    return sorted(findings, key=lambda f: (-int(f.severity), f.id))
