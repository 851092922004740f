"""Every rule's words, read once as a DPO would paste them into a DPIA (issue 14 item 12).

One finding of every rule, from examples/every-rule.yaml and the curated models: titles are one
line, messages are sentences, and neither carries a raw taxonomy id, a cut citation or a phrase
that an earlier review found wrong."""

from __future__ import annotations

import re

import pytest

from flowmap.analysis import analyze
from flowmap.loader import load_model
from flowmap.questions import RULE as QUESTIONS
from flowmap.rules import ALL_RULES, Context

from tests.conftest import ROOT

MODELS = [ROOT / "examples" / "every-rule.yaml", *sorted((ROOT / "models").glob("*.yaml"))]
BANNED = ("blast radius", "with no legal basis is recorded", "unknown is not safe", "None", "[]", "Dna ")


def _findings():
    out = {}
    for path in MODELS:
        model = load_model(path)
        terms = set(model.effective_taxonomy.categories) | set(model.effective_taxonomy.purposes)
        names = tuple(s.display_name for s in model.systems)
        ctx = Context(model)
        for rule in ALL_RULES:  # each rule's own findings, before questions are gathered
            for finding in rule.check(ctx):
                out.setdefault(finding.rule, []).append((finding, terms, names))
        for finding in analyze(model).questions:  # and the gathered questions, as every output shows them
            out.setdefault(finding.rule, []).append((finding, terms, names))
    return out


FINDINGS = _findings()


@pytest.mark.parametrize("rule", [r.id for r in (*ALL_RULES, QUESTIONS)])
def test_every_rule_speaks_in_sentences_without_raw_ids(rule):
    assert rule in FINDINGS, f"no model here makes a {rule} finding: add a case to examples/every-rule.yaml"
    for finding, terms, names in FINDINGS[rule]:
        title, message = finding.title, finding.message
        assert "\n" not in title and title.strip() == title and len(title) <= 240, finding.id
        # a sentence starts with a capital, unless with a system's own name ("sBMS")
        assert message[:1].isupper() or message[:1].isdigit() or message.startswith(names), (finding.id, message[:60])
        assert message.rstrip().endswith((".", "?", ")", "…")), (finding.id, message[-60:])
        for phrase in BANNED:
            assert phrase not in message and phrase not in title, (finding.id, phrase)
        # a dotted taxonomy term in a sentence is a raw id: words.py has words for it
        raw = [w for w in re.findall(r"\b[a-z_]+\.[a-z_]+\b", f"{title} {message}") if w in terms]
        assert not raw, (finding.id, raw)
        assert not re.search(r"\b(p|pp|art|no)\.…", message, re.IGNORECASE), (finding.id, "citation cut after an abbreviation")
        if finding.question:
            assert finding.question.endswith("?") and finding.asks, finding.id
