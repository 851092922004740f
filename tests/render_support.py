"""Reports for the render tests: established findings and questions, built by hand so the
tests do not depend on which rules are enabled."""

from __future__ import annotations

from conftest import build

from flowmap.analysis import Report
from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
from flowmap.model import Acceptance
from flowmap.ranking import ranked


def finding(id: str, severity: str = "high", *, low: bool = False, asks: str | None = None, **fields) -> Finding:
    rule, _, rest = id.partition(":")
    anchor_id = rest.split(":")[0]
    flow = "->" in anchor_id or "-to-" in anchor_id
    defaults = dict(title=f"title of {id}", message=f"message of {id}", systems=["a", "b"] if flow else [anchor_id],
                    origins=["a"], origins_total=1, paths=[["a", "b"]] if flow else [])
    defaults.update(fields)
    return Finding(id=id, rule=rule, kind=Kind.exposure if rule == "exposure" else Kind.accountability_gap,
                   severity=Severity[severity], confidence=Confidence.low if low else Confidence.high,
                   anchor=Anchor("flow" if flow else "system", anchor_id),
                   question=(defaults.pop("question", f"Is {anchor_id} safe?") if low else ""),
                   asks=(asks or anchor_id) if low else None, **defaults)


def mixed_report(established: int = 3, questions: tuple[tuple[str, str], ...] = (("vis", "medium"), ("cir", "medium"),
                                                                                  ("vis", "low"))) -> Report:
    """``established`` high findings on flows a->b..., and questions (system, severity)."""
    model = build([{"id": "a", "name": "A <script>", "sector": "health"}, {"id": "b", "sector": "police"}],
                  name="M *bold*", as_of="2024-01-01")
    found = [finding(f"exposure:a->b{n}", "critical" if n == 0 else "high", origins=["a", "c", "d", "e"],
                     origins_total=12, paths=[["a", "x", f"b{n}"], ["c", f"b{n}"]]) for n in range(established)]
    found += [finding(f"accountability_gap:{system}:q{n}", severity, low=True, question=f"Question {n} about {system}?")
              for n, (system, severity) in enumerate(questions)]
    stale = Acceptance(finding="exposure:a:b0", reason="old id", by="DPO")
    return Report(model, ranked(found), unmatched_acceptances=[stale], replacements={"exposure:a:b0": "exposure:a->b0"})
