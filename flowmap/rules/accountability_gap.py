"""Accountability gap: sensitive data with no legal basis, no independent oversight or no redress.

What it detects
    Systems where sensitive data (sensitivity ``high`` or above, as for
    exposure) is held or received, and that record no ``legal_basis``, no
    ``independent_oversight`` or no ``redress``; and flows carrying sensitive
    data with no ``legal_basis``. One finding per (element, gap): the ids end in
    ``no_legal_basis``, ``no_oversight`` or ``no_redress`` so that each gap can
    be accepted on its own. A control set to ``false`` is a confirmed gap; an
    omitted control, or an empty legal basis ("none known"), is a gap reported
    with ``confidence: low``.

Why it matters
    Interference with private life must be "in accordance with the law"
    (ECHR Art. 8, Charter Art. 52): without a known legal basis nobody can check
    necessity and proportionality. Without an independent supervisor nobody
    checks the operator, and without redress the people concerned cannot
    access, correct or contest what is held about them (Charter Art. 47).

How to fix
    Record the legal basis (a source key), the supervising authority and the
    route for access, rectification and appeal, each with a source; where one
    really is missing, that is the finding to escalate.
"""

from __future__ import annotations

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.rules._support import describe
from flowmap.rules.base import Context, Rule

GAPS = {
    "no_legal_basis": "no legal basis is recorded",
    "no_oversight": "no independent oversight",
    "no_redress": "no route for the people concerned to access, correct or contest the data",
}


MITIGATIONS = {
    "no_legal_basis": "Record the legal basis (a source key) or stop the processing.",
    "no_oversight": "Name the independent authority that supervises it, with a source, or create one.",
    "no_redress": "Document how people can access, correct, erase and contest the data, or provide it.",
}


def check(ctx: Context):
    prop = ctx.propagation
    is_sensitive = ctx.is_sensitive
    # system index -> sensitive categories it receives, in sorted order
    received: dict[int, list[str]] = {}
    for category in prop.categories:
        if is_sensitive(category):
            for node in prop.reach[category]:
                found = received.get(node)
                if found is None:
                    received[node] = [category]
                else:
                    found.append(category)
    position = prop.index.position
    texts = _Texts(ctx)
    for system in ctx.systems:
        sensitive = received.get(position[system.id], [])
        held = [c for c in system.holds if is_sensitive(c) and c not in sensitive]
        if held:
            sensitive = sorted({*sensitive, *held})
        if not sensitive:
            continue
        controls = system.controls
        states = (
            ("no_legal_basis", None if not system.legal_basis else False),
            ("no_oversight", _gap(controls.independent_oversight)),
            ("no_redress", _gap(controls.redress)),
        )
        label = None
        for gap, state in states:
            if state is False:
                continue
            if label is None:
                label = describe(system)
                vulnerable = ctx.vulnerable(system)
                listed = ", ".join(sensitive)
                sensitivity = ctx.sensitivity(sensitive)
            yield texts.finding(system.id, gap, state is None, sensitive, listed, sensitivity, label, [system.id], [], vulnerable)
    for flow in ctx.flows:
        if flow.legal_basis:
            continue
        sensitive = sorted(c for c in set(flow.data) if is_sensitive(c))
        if sensitive:
            yield texts.finding(
                flow.id, "no_legal_basis", True, sensitive, ", ".join(sensitive), ctx.sensitivity(sensitive),
                f"flow {flow.id} ({flow.source} -> {flow.target})", sorted({flow.source, flow.target}), [flow.id], False,
            )


def _gap(value: bool | None) -> bool | None:
    """True = confirmed gap, None = unknown (a gap with low confidence), False = no gap."""
    return None if value is None else not value


class _Texts:
    """Builds the findings, with grades memoised."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.grades: dict[tuple, Severity] = {}
        self.principles = list(RULE.principles)  # shared: findings are not changed in place

    def finding(self, element, gap, low, categories, listed, sensitivity, label, systems, flows, vulnerable) -> Finding:
        what = GAPS[gap]
        unknown = " (the model does not say: unknown is not safe)" if low else ""
        grading = (sensitivity, vulnerable, low)
        severity = self.grades.get(grading)
        if severity is None:
            severity = self.grades[grading] = self.ctx.grade(
                RULE, sensitivity=sensitivity, vulnerable=vulnerable, low_confidence=low
            )
        label = f"{label[0].upper()}{label[1:]}"
        return Finding(
            id=f"accountability_gap:{element}:{gap}",
            rule="accountability_gap",
            kind=Kind.accountability_gap,
            severity=severity,
            confidence=Confidence.low if low else Confidence.high,
            title=f"{label}: {what}",
            message=(
                f"{label} handles {listed} with {what}{unknown}. Without it the "
                "processing cannot be shown to be lawful, necessary and proportionate, nor checked or contested."
            ),
            systems=systems,
            flows=flows,
            categories=categories,
            principles=self.principles,
            mitigation=MITIGATIONS[gap],
        )


RULE = Rule(
    id="accountability_gap",
    name="sensitive data with no legal basis, oversight or redress",
    kind=Kind.accountability_gap,
    default_severity=Severity.medium,
    principles=("lawfulness", "accountability", "effective_remedy"),
    linddun="non_compliance",
    check=check,
    doc=__doc__,
)
