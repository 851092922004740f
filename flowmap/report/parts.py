"""The headings of the report, shared by the HTML, Markdown and Word renderers.

The four parts are those of a DPIA (GDPR Art. 35(7)(a)-(d); LED Art. 27(2)).

>>> PARTS[0]
'1. Description of the processing'
"""

from __future__ import annotations

__all__ = ["PARTS", "SECTIONS"]

PARTS = (
    "1. Description of the processing",
    "2. Necessity and proportionality",
    "3. Risks to the rights and freedoms of people",
    "4. Measures envisaged",
)
SECTIONS = {
    "summary": "Summary",
    "inventory": "Systems",
    "register": "Flow register",
    "figure": "Figure of the map",
    "findings": "Established findings",
    "questions": "Questions to answer",
    "matrix": "Exposure matrix",
    "actions": "Action plan",
    "residual": "Residual risk",
    "acceptances": "Acceptances",
    "sources": "Sources",
    "sign_off": "Sign-off",
}
