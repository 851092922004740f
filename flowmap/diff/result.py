"""The :class:`Diff` type and :func:`diff`: model, risk and exposure changes between two snapshots.

>>> from flowmap.model import Model
>>> def model(flows):
...     return Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...         {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...         {"id": "police", "sector": "police", "actor": "law_enforcement"}], "flows": flows})
>>> flow = {"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}
>>> d = diff(model([]), model([flow]))
>>> [(c.id, c.causes[0].text()) for c in d.risks.new if c.finding.rule == "exposure"]
[('exposure:clinic->police', 'flow clinic->police was added')]
>>> diff(model([flow]), model([flow])).is_empty()
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from flowmap import __version__
from flowmap.analysis import Report, analyze, model_digest
from flowmap.diff.exposure_changes import ExposureChanges, compare_exposure
from flowmap.diff.model_changes import ModelChanges, compare_models
from flowmap.diff.risk_changes import FindingChange, RiskChanges, compare_findings
from flowmap.findings import Finding, Severity
from flowmap.model import Acceptance, Model
from flowmap.rules import ALL_RULES, Rule

__all__ = ["Snapshot", "Diff", "diff"]


@dataclass(frozen=True)
class Snapshot:
    """One side of a diff: where it came from and what its analysis found."""

    label: str  # the file, or REV:PATH
    name: str
    as_of: str | None
    digest: str
    by_severity: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, report: Report, label: str) -> "Snapshot":
        model = report.model
        summary = report.summary()
        return cls(label or model.file, model.name, model.as_of, model_digest(model), summary["by_severity"])

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "name": self.name,
            "as_of": self.as_of,
            "digest": self.digest,
            "findings": self.findings,
            "by_severity": dict(self.by_severity),
        }


@dataclass
class Diff:
    """What changed from ``old`` to ``new``: the model, the findings, the exposure of actors."""

    old: Snapshot
    new: Snapshot
    model: ModelChanges
    risks: RiskChanges
    exposure: ExposureChanges
    old_model: Model | None = field(default=None, repr=False, compare=False)
    new_model: Model | None = field(default=None, repr=False, compare=False)
    old_findings: list[Finding] = field(default_factory=list, repr=False, compare=False)  # every finding, ranked
    new_findings: list[Finding] = field(default_factory=list, repr=False, compare=False)

    def is_empty(self) -> bool:
        """True when nothing differs (the snapshots' labels aside)."""
        return self.model.is_empty() and self.risks.is_empty() and self.exposure.is_empty()

    def gate(self, threshold: Severity) -> list[FindingChange]:
        """Findings that are open at or above ``threshold`` now and were not before: new ones,
        and changed ones that rose to it or were reopened. What ``flowmap diff --fail-on
        new:SEVERITY`` fails on."""
        return [c for c in [*self.risks.new, *self.risks.changed] if c.reaches(threshold)]

    def mirror(self) -> "Diff":
        """The diff from ``new`` back to ``old``."""
        return Diff(
            self.new, self.old, self.model.mirror(), self.risks.mirror(), self.exposure.mirror(),
            self.new_model, self.old_model, self.new_findings, self.old_findings,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``flowmap diff --format json`` (see docs/diff.md)."""
        return {
            "flowmap": __version__,
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "summary": self.summary(),
            "model": self.model.to_dict(),
            "risks": self.risks.to_dict(),
            "exposure": self.exposure.to_dict(),
        }

    def summary(self) -> dict[str, Any]:
        m = self.model
        return {
            "systems": {"added": len(m.systems_added), "removed": len(m.systems_removed), "changed": len(m.systems_changed)},
            "flows": {
                "added": len(m.flows_added),
                "removed": len(m.flows_removed),
                "changed": sum(1 for c in m.flows_changed if not c.renamed),
                "renamed": sum(1 for c in m.flows_changed if c.renamed),
            },
            "findings": {"new": len(self.risks.new), "resolved": len(self.risks.resolved), "changed": len(self.risks.changed)},
            "exposures": {"appeared": len(self.exposure.appeared), "disappeared": len(self.exposure.disappeared)},
        }


def diff(
    old: Model,
    new: Model,
    *,
    rules: Iterable[Rule] = ALL_RULES,
    today: dt.date | None = None,
    old_label: str = "",
    new_label: str = "",
    accepted: Iterable[Acceptance] = (),
) -> Diff:
    """Compare two snapshots of a model.

    Both are analysed with the same ``rules``, the same ``today`` (for acceptance expiry) and
    the same extra ``accepted`` acceptances (after each model's own).

    Notes
    -----
    Two analyses, plus work linear in both models, their findings and the
    (origin, category) pairs at actors: elements and findings are matched through
    dicts by id, never pairwise.
    """
    rules, accepted = tuple(rules), list(accepted)
    today = today or dt.date.today()
    old_report = analyze(old, rules=rules, today=today, accepted=accepted)
    new_report = analyze(new, rules=rules, today=today, accepted=accepted)
    changes = compare_models(old, new)
    return Diff(
        Snapshot.of(old_report, old_label),
        Snapshot.of(new_report, new_label),
        changes,
        compare_findings(old_report.findings, new_report.findings, changes),
        compare_exposure(old, new),
        old,
        new,
        old_report.findings,
        new_report.findings,
    )
