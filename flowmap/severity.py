"""The one severity function every rule uses.

A rule starts from its default severity and this function adjusts it by:

- **data sensitivity** of the most sensitive category involved:
  critical +2, special +1, high 0, medium -1, low -2 (only when the rule is about data);
- **subject vulnerability**: +1 when the data is about children, asylum seekers,
  refugees, stateless people, irregular migrants or victims of trafficking
  (subjects marked ``vulnerable`` in the taxonomy);
- **actor type** of the receiving actor of concern: +1 for ``origin_country``
  (the state a person fled), 0 for every other actor type;
- **volume**: +1 when whole datasets move at once (flow mode ``bulk`` or
  ``replication``) rather than one record per query;
- **confidence**: -1 when the finding rests on unknown (omitted) fields.

The result is clamped between ``info`` and ``critical``.

>>> from flowmap.taxonomy import Sensitivity
>>> grade(Severity.medium, sensitivity=Sensitivity.special, vulnerable=True).name
'critical'
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

__all__ = ["grade", "SENSITIVITY_STEP", "ACTOR_STEP"]

SENSITIVITY_STEP = {
    Sensitivity.critical: 2,
    Sensitivity.special: 1,
    Sensitivity.high: 0,
    Sensitivity.medium: -1,
    Sensitivity.low: -2,
}
ACTOR_STEP = {"origin_country": 1}


def grade(
    base: Severity,
    *,
    sensitivity: Sensitivity | None = None,
    vulnerable: bool = False,
    actor: str | None = None,
    volume: bool = False,
    low_confidence: bool = False,
) -> Severity:
    """Adjust a rule's default severity by data, subjects, actor, volume and confidence.

    Memoised per argument tuple: rules call it once per finding, with few distinct values.
    """
    key = (base, sensitivity, vulnerable, actor, volume, low_confidence)
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
        found = _GRADES[key] = Severity(max(Severity.info, min(Severity.critical, level)))
    return found


_GRADES: dict[tuple, Severity] = {}
