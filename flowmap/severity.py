"""The one severity function every rule uses.

``critical`` means an established, serious harm: sensitive data of vulnerable people in the
hands of someone who may act against them, for a purpose nobody gave it for, or a breach
that happened. A rule starts from its default severity and this function adjusts it.

Steps, added up from the rule's default and clamped between ``info`` and ``critical``:

- **data sensitivity** of the most sensitive category involved:
  critical +2, special +1, high 0, medium -1, low -2 (only when the rule is about data);
- **subject vulnerability**: +1 when the data is about children, asylum seekers,
  refugees, stateless people, irregular migrants or victims of trafficking
  (subjects marked ``vulnerable`` in the taxonomy);
- **actor type** of the receiving actor of concern: +1 for ``origin_country``
  (the state a person fled), 0 for every other actor type;
- **volume**: +1 when whole datasets move at once (flow mode ``bulk`` or
  ``replication``) rather than one record per query;
- **confidence**: -1 when the finding rests on unknown (omitted) fields (and a finding of low
  confidence is never above ``medium``: it is a question to answer).

Steps down from that grade (so a step down is never absorbed by a sum above ``critical``):

- **answer only**: -1 when only an answer crosses, not the record: the flow ``returns``
  ``hit_no_hit`` (the receiver learns whether a record exists) or ``reference`` (which record,
  and where), or, without ``returns``, its format-1 mode is ``hit_no_hit``
  (:attr:`flowmap.model.Flow.answer`, the one test every rule reads);
- **remote**: -1 for what is known only as a record of the past (an incident more than
  :data:`REMOTE_YEARS` years before the model's date concerned the system as it then was),
  and -1 for what is not itself a harm (an audit finding, a court ruling).

Then caps:

- **purpose standing** of the data's use against why it was collected
  (:func:`flowmap.rules._support.purpose_standing`): a use among the purposes of collection
  is at most ``medium`` (the access is what the data was collected for); a further purpose
  a law added is at most ``high`` (authorised, still a new use); a use beyond both keeps
  the full grade;
- **structural** findings (chokepoint, identity linking) are at most ``high``: they describe
  a concentration of data or links, not a harm that happened.

>>> from flowmap.taxonomy import Sensitivity
>>> grade(Severity.medium, sensitivity=Sensitivity.special, vulnerable=True).name
'critical'
>>> grade(Severity.medium, sensitivity=Sensitivity.special, vulnerable=True, standing="collection").name
'medium'
>>> grade(Severity.medium, sensitivity=Sensitivity.special, vulnerable=True, standing="further").name
'high'
>>> grade(Severity.medium, sensitivity=Sensitivity.special, vulnerable=True, standing="beyond").name
'critical'
>>> grade(Severity.medium, sensitivity=Sensitivity.special, vulnerable=True, answer_only=True).name
'high'
>>> grade(Severity.medium, sensitivity=Sensitivity.special, vulnerable=True, answer_only=True,
...       standing="collection").name
'medium'
>>> grade(Severity.medium, sensitivity=Sensitivity.critical, vulnerable=True, structural=True).name
'high'
>>> grade(Severity.high, sensitivity=Sensitivity.special, vulnerable=True).name
'critical'
>>> grade(Severity.high, sensitivity=Sensitivity.special, vulnerable=True, remote=1).name
'high'
>>> grade(Severity.high, sensitivity=Sensitivity.special, vulnerable=True, remote=2).name
'medium'
>>> grade(Severity.high, sensitivity=Sensitivity.medium, low_confidence=True).name
'low'
>>> grade(Severity.critical, sensitivity=Sensitivity.critical, actor="origin_country").name
'critical'
>>> grade(Severity.medium, sensitivity=Sensitivity.high, volume=True, low_confidence=True).name
'medium'
"""

from __future__ import annotations

from flowmap.findings import Severity
from flowmap.taxonomy import Sensitivity

__all__ = ["grade", "SENSITIVITY_STEP", "ACTOR_STEP", "STANDING_CAP", "STRUCTURAL_CAP", "REMOTE_YEARS"]

SENSITIVITY_STEP = {
    Sensitivity.critical: 2,
    Sensitivity.special: 1,
    Sensitivity.high: 0,
    Sensitivity.medium: -1,
    Sensitivity.low: -2,
}
ACTOR_STEP = {"origin_country": 1}
STANDING_CAP = {"collection": Severity.medium, "further": Severity.high, "beyond": Severity.critical}
"""The highest severity of a use, by how it stands against the purposes of collection."""
STRUCTURAL_CAP = Severity.high
"""The highest severity of a structural finding (concentration, not a harm that happened)."""
REMOTE_YEARS = 10
"""An incident more than this many years before the model's date is a record of the past."""


def grade(
    base: Severity,
    *,
    sensitivity: Sensitivity | None = None,
    vulnerable: bool = False,
    actor: str | None = None,
    volume: bool = False,
    low_confidence: bool = False,
    answer_only: bool = False,
    remote: int = 0,
    standing: str | None = None,
    structural: bool = False,
) -> Severity:
    """Adjust a rule's default severity by data, subjects, actor, volume, what crosses, how
    remote the fact is and confidence, then cap it by purpose standing and structure.

    ``remote`` counts the steps down of the module docstring's **remote** (0, 1 or 2).
    Memoised per argument tuple: rules call it once per finding, with few distinct values.
    """
    key = (base, sensitivity, vulnerable, actor, volume, low_confidence, answer_only, remote, standing, structural)
    found = _GRADES.get(key)
    if found is None:
        level = int(base)
        if sensitivity is not None:
            level += SENSITIVITY_STEP[sensitivity]
        if vulnerable:
            level += 1
        if actor is not None:
            level += ACTOR_STEP.get(actor, 0)
        if volume:
            level += 1
        if low_confidence:
            level -= 1
        level = _clamped(level)
        level = _clamped(level - int(answer_only) - remote)  # a step down from the grade, not from the sum
        if standing is not None:
            level = min(level, STANDING_CAP[standing])
        if structural:
            level = min(level, STRUCTURAL_CAP)
        found = _GRADES[key] = Severity(level)
    return found


def _clamped(level: int) -> int:
    return max(Severity.info, min(Severity.critical, level))


_GRADES: dict[tuple, Severity] = {}
