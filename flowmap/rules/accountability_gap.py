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
    """One finding per (system or flow, gap); severity is decided here, from the highest
    sensitivity of the sensitive data involved, and the text when the finding is first read
    (see :class:`_Evidence`)."""
    prop = ctx.propagation
    threshold = ctx.sensitive_from
    received = _received(ctx)
    held_levels: dict[tuple[str, ...], int] = {}  # a system's holdings -> their highest sensitivity
    flow_levels: dict[tuple[str, ...], int] = {}  # the categories a flow carries -> their highest sensitivity
    evidence = _Evidence(ctx)
    position = prop.index.position
    principles = list(RULE.principles)  # shared: findings are not changed in place
    deferred, kind = Finding.deferred, Kind.accountability_gap

    grade = ctx.grader(RULE)

    def severity(level, vulnerable: bool, low: bool) -> Severity:
        return grade(level, vulnerable, None, False, low)

    for system in ctx.systems:
        holds = tuple(system.holds)
        held = held_levels.get(holds)
        if held is None:
            held = held_levels[holds] = _highest(ctx, holds)
        level = max(received.get(position[system.id], 0), held)
        if level < threshold:
            continue
        controls = system.controls
        states = (
            ("no_legal_basis", None if not system.legal_basis else False),
            ("no_oversight", _gap(controls.independent_oversight)),
            ("no_redress", _gap(controls.redress)),
        )
        vulnerable = ctx.vulnerable(system)
        for gap, state in states:
            if state is False:
                continue
            low = state is None
            yield deferred(
                f"accountability_gap:{system.id}:{gap}", "accountability_gap", kind, severity(level, vulnerable, low),
                Confidence.low if low else Confidence.high, principles, evidence.system, (system, gap, low),
            )
    for flow in ctx.flows:
        if flow.legal_basis:
            continue
        carried = tuple(flow.data)
        level = flow_levels.get(carried)
        if level is None:
            level = flow_levels[carried] = _highest(ctx, carried)
        if level >= threshold:
            yield deferred(
                f"accountability_gap:{flow.id}:no_legal_basis", "accountability_gap", kind,
                severity(level, False, True), Confidence.low, principles, evidence.flow, (flow,),
            )


def _highest(ctx: Context, categories) -> int:
    """The highest sensitivity among ``categories``, or 0 when there are none."""
    sensitivity = ctx.taxonomy.sensitivity
    return max((sensitivity(c) for c in categories), default=0)


def _received(ctx: Context) -> dict[int, int]:
    """System index -> the highest sensitivity of the sensitive categories that reach it.

    One dict update per sensitive category, least sensitive first, so the highest wins.
    """
    prop = ctx.propagation
    sensitivity = ctx.taxonomy.sensitivity
    levels: dict[int, int] = {}
    for category in sorted(_sensitive_categories(ctx), key=sensitivity):
        levels.update(dict.fromkeys(prop.reach[category], sensitivity(category)))
    return levels


def _sensitive_categories(ctx: Context) -> list[str]:
    """The propagated categories that count as sensitive, sorted."""
    return [c for c in ctx.propagation.categories if ctx.is_sensitive(c)]


def _gap(value: bool | None) -> bool | None:
    """True = confirmed gap, None = unknown (a gap with low confidence), False = no gap."""
    return None if value is None else not value


class _Evidence:
    """Writes the text of an accountability-gap finding when it is first read; the sensitive
    categories of a system are looked up once, for all its gaps."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.sensitive = _sensitive_categories(ctx)
        self.handled: dict[str, tuple[str, list[str]]] = {}  # system id -> (label, sensitive categories)
        self.sensitive_of: dict[tuple[str, ...], tuple[str, ...]] = {}  # categories -> the sensitive ones, sorted

    def _sensitive_in(self, categories: tuple[str, ...]) -> tuple[str, ...]:
        found = self.sensitive_of.get(categories)
        if found is None:
            found = self.sensitive_of[categories] = tuple(sorted({c for c in categories if self.ctx.is_sensitive(c)}))
        return found

    def system(self, system, gap: str, low: bool) -> tuple:
        """The :data:`~flowmap.findings.TEXT_FIELDS` of a finding on a system."""
        found = self.handled.get(system.id)
        if found is None:
            prop = self.ctx.propagation
            node = prop.index.position[system.id]
            categories = [c for c in self.sensitive if node in prop.reach[c]]  # sorted
            held = self._sensitive_in(tuple(system.holds))
            if held:
                categories = sorted({*categories, *held})
            found = self.handled[system.id] = (describe(system), categories)
        label, categories = found
        return _texts(label, gap, low, categories, [system.id], [])

    def flow(self, flow) -> tuple:
        """The :data:`~flowmap.findings.TEXT_FIELDS` of a finding on a flow (always a legal basis
        not known)."""
        categories = list(self._sensitive_in(tuple(flow.data)))
        label = f"flow {flow.id} ({flow.source} -> {flow.target})"
        return _texts(label, "no_legal_basis", True, categories, sorted({flow.source, flow.target}), [flow.id])


def _texts(label: str, gap: str, low: bool, categories: list[str], systems: list[str], flows: list[str]) -> tuple:
    """The text fields of one gap of an element described by ``label``.

    >>> _texts("flow f (a -> b)", "no_legal_basis", True, ["x"], ["a", "b"], ["f"])[0]
    'Flow f (a -> b): no legal basis is recorded'
    """
    what = GAPS[gap]
    unknown = " (the model does not say: unknown is not safe)" if low else ""
    label = f"{label[0].upper()}{label[1:]}"
    message = (
        f"{label} handles {', '.join(categories)} with {what}{unknown}. Without it the "
        "processing cannot be shown to be lawful, necessary and proportionate, nor checked or contested."
    )
    return f"{label}: {what}", message, systems, flows, categories, [], MITIGATIONS[gap]


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
