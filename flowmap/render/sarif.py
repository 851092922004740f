"""SARIF 2.1.0 output: code-scanning tools show findings against the model file's lines.

``tool.driver.rules`` comes from the rule catalogue; each result points at the
line of the system or flow its finding is anchored at (related locations: the other
systems and flows it names), carries its rank, origins and witness paths as properties,
carries the stable finding id as a partial fingerprint, and an accepted
finding carries a suppression with the acceptance's reason.

Message text is plain text in which SARIF viewers still read ``[text](target)`` as an embedded
link (SARIF 2.1.0, 3.11.6): model text in it has its square brackets escaped (:func:`message_text`).

>>> level(Severity.critical), level(Severity.medium), level(Severity.info)
('error', 'warning', 'note')
>>> print(message_text("see [here](https://x.example)"))
see \\[here\\](https://x.example)
"""

from __future__ import annotations

import inspect
import json
import re
from typing import TYPE_CHECKING, Iterable, Sequence

from flowmap import __version__
from flowmap.findings import Severity
from flowmap.render.lines import ElementLines

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.analysis import Report
    from flowmap.findings import Finding
    from flowmap.rules import Rule

__all__ = ["render_sarif", "sarif_log", "level", "message_text", "SCHEMA"]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.critical: "error", Severity.high: "error", Severity.medium: "warning",
           Severity.low: "note", Severity.info: "note"}
# GitHub code scanning ranks results by this score (0.1-10) in the rule's properties
_SECURITY_SEVERITY = {Severity.critical: "9.5", Severity.high: "8.0", Severity.medium: "5.5",
                      Severity.low: "3.0", Severity.info: "1.0"}
# a non-open status suppresses the result, as it takes the finding out of the --fail-on gate
_SUPPRESSION = {"accepted": "accepted", "mitigated": "accepted", "false_positive": "accepted",
                "in_progress": "underReview"}


_BRACKET = re.compile(r"(\\*)([\[\]])")


def message_text(text: str) -> str:
    """``text`` for a SARIF message: ``[`` and ``]`` escaped with a backslash (and a backslash
    just before one doubled), so no viewer turns it into a link."""
    return _BRACKET.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), text)


def level(severity: Severity) -> str:
    """The SARIF level of a severity."""
    return _LEVELS[severity]


def _descriptor(rule: "Rule") -> dict:
    doc = inspect.cleandoc(rule.doc or "") or rule.name
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": doc},
        "help": {"text": doc},
        "defaultConfiguration": {"level": level(rule.default_severity)},
        "properties": {
            "kind": rule.kind.value,
            "principles": list(rule.principles),
            "linddun": rule.linddun,
            "security-severity": _SECURITY_SEVERITY[rule.default_severity],
            "tags": ["privacy", rule.kind.value, *rule.principles],
        },
    }


def _primary(finding: "Finding") -> tuple[str, bool]:
    """The element a finding is anchored at: (id, is a flow)."""
    return finding.anchor.id, finding.anchor.type == "flow"


def _location(uri: str, line: int, message: str | None = None, number: int | None = None) -> dict:
    location: dict = {"physicalLocation": {"artifactLocation": {"uri": uri, "index": 0},
                                           "region": {"startLine": line}}}
    if number is not None:
        location = {"id": number, **location}
    if message:
        location["message"] = {"text": message_text(message)}
    return location


def _result(finding: "Finding", rule_index: dict[str, int], uri: str, lines: ElementLines) -> dict:
    element, is_flow = _primary(finding)
    line = lines.line(element, flow=is_flow)
    result: dict = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    result["level"] = level(finding.severity)
    text = f"{finding.title}. {finding.message}"
    if finding.question:
        text += f" Question for {finding.asks}: {finding.question}"
    result["message"] = {"text": message_text(text)}
    result["locations"] = [_location(uri, line, f"{'flow' if is_flow else 'system'} {element}")]
    related = []
    for flow in finding.flows:
        if (flow, True) != (element, is_flow):
            related.append(_location(uri, lines.line(flow, flow=True), f"flow {flow}", len(related) + 1))
    for system in finding.systems:
        if (system, False) != (element, is_flow):
            related.append(_location(uri, lines.line(system, flow=False), f"system {system}", len(related) + 1))
    if related:
        result["relatedLocations"] = related
    result["partialFingerprints"] = {"flowmapFindingId/v1": finding.id}
    result["properties"] = {
        "id": finding.id,
        "severity": finding.severity.name,
        "confidence": finding.confidence.value,
        "status": finding.status,
        "kind": finding.kind.value,
        "rank": finding.rank,
        "anchor": finding.anchor.to_dict(),
        "categories": finding.categories,
        "origins": finding.origins,
        "origins_total": finding.origins_total,
        "path": finding.paths[0] if finding.paths else [],
        "paths": finding.paths,
    }
    if finding.reached is not None:
        result["properties"].update(reached=finding.reached, reached_total=finding.reached_total)
    if finding.question:
        result["properties"].update(question=finding.question, asks=finding.asks)
    if finding.status != "open":
        suppression = {"kind": "external", "status": _SUPPRESSION.get(finding.status, "accepted")}
        if finding.acceptance:
            suppression["justification"] = finding.acceptance["reason"]
        result["suppressions"] = [suppression]
    return result


def sarif_log(report: "Report", *, uri: str, text: str | None = None, rules: Iterable["Rule"] | None = None) -> dict:
    """The SARIF log as data. ``uri`` is the model file's address relative to the repository
    root; ``text`` its content (for line numbers; without it every result is at line 1).

    Notes
    -----
    Composing the file's YAML nodes is linear in its size; each location is then found by
    index, so the whole is linear in the model plus the findings.
    """
    from flowmap.questions import RULE as QUESTIONS

    every_rule = rules is None
    if rules is None:
        from flowmap.rules import ALL_RULES

        rules = ALL_RULES
    catalogue: list["Rule"] = list(rules)
    if every_rule or any(f.rule == QUESTIONS.id for f in report.findings):
        catalogue.append(QUESTIONS)  # the gathered questions: see flowmap.questions
    rule_index = {rule.id: number for number, rule in enumerate(catalogue)}
    descriptors = [_descriptor(rule) for rule in catalogue]
    for finding in report.findings:  # a finding from a rule outside the catalogue still gets a descriptor
        if finding.rule not in rule_index:
            rule_index[finding.rule] = len(descriptors)
            descriptors.append({"id": finding.rule, "name": finding.rule,
                                "shortDescription": {"text": finding.rule},
                                "defaultConfiguration": {"level": level(finding.severity)}})
    lines = ElementLines(report.model, text, is_json=uri.lower().endswith(".json"))
    run = {
        "tool": {"driver": {"name": "flowmap", "version": __version__, "semanticVersion": __version__,
                            "rules": descriptors}},
        "artifacts": [{"location": {"uri": uri},
                       "mimeType": "application/json" if uri.lower().endswith(".json") else "application/yaml"}],
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, rule_index, uri, lines) for f in report.findings],
    }
    if report.unmatched_acceptances:
        run["properties"] = {"unmatchedAcceptances": [a.finding for a in report.unmatched_acceptances]}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: "Report", *, uri: str = "model.yaml", text: str | None = None,
                 rules: Sequence["Rule"] | None = None) -> str:
    """The SARIF log as compact JSON text, serialised once by the C encoder (SARIF is read by
    tools; an indented dump goes through the pure-Python encoder, 7x slower on large logs)."""
    log = sarif_log(report, uri=uri, text=text, rules=rules)
    return json.dumps(log, ensure_ascii=False, separators=(",", ":")) + "\n"
