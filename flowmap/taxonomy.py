"""The taxonomy: data categories, purposes, sectors, actor types, subjects, technologies.

The built-in taxonomy is written in ``flowmap/taxonomy.yaml``, the file people edit, and ships
beside it as ``flowmap/taxonomy.json``, generated from it (``python -m flowmap.taxonomy``), which
is what flowmap reads; a model extends it under ``taxonomy:`` (see :func:`merge_extension`).

>>> tax = builtin_taxonomy()
>>> tax.covers("biometric", "biometric.face")
True
>>> tax.sensitivity("biometric.face").name
'special'
>>> tax.compatible("protection.asylum", "protection.humanitarian")
True
>>> tax.compatible("protection.asylum", "enforcement.law")
False

Compatibility is decided by the most specific rule that applies (:meth:`Taxonomy.decide`):

>>> tax.incompatible_pairs.add(frozenset(("enforcement.law", "enforcement.immigration")))
>>> tax.compatible("enforcement.law.investigation", "enforcement.immigration")
False
>>> tax.decide("enforcement.law", "enforcement.immigration")
Decision(compatible=False, kind='incompatible', pair=('enforcement.immigration', 'enforcement.law'), overrides=('family', None))
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable

import orjson

__all__ = [
    "Decision",
    "Sensitivity",
    "TechnologyRisk",
    "Category",
    "Term",
    "Taxonomy",
    "builtin_taxonomy",
    "parent_of",
    "ancestors",
    "family",
]


class Sensitivity(enum.IntEnum):
    """Ordered sensitivity levels of data categories.

    >>> Sensitivity.special > Sensitivity.high
    True
    """

    low = 1
    medium = 2
    high = 3
    special = 4
    critical = 5


class TechnologyRisk(enum.IntEnum):
    """How a technology stands against human rights: `at_odds` is the worst."""

    normal = 1
    high = 2
    at_odds = 3


@dataclass(frozen=True)
class Category:
    """A data category such as ``biometric.face``."""

    name: str
    sensitivity: Sensitivity
    description: str = ""


@dataclass(frozen=True)
class Term:
    """A named taxonomy entry (purpose, sector, actor type, subject, technology)."""

    name: str
    description: str = ""
    vulnerable: bool = False  # subjects only
    risk: TechnologyRisk = TechnologyRisk.normal  # technologies only
    personal: bool = True  # transforms only: what passes is still personal data


def parent_of(name: str) -> str | None:
    """The parent of a dotted name, or None at the top.

    >>> parent_of("biometric.face"), parent_of("biometric")
    ('biometric', None)
    """
    head, dot, _ = name.rpartition(".")
    return head if dot else None


@functools.lru_cache(maxsize=8192)
def ancestors(name: str) -> tuple[str, ...]:
    """The name and its ancestors, most specific first (memoised: validation and propagation
    ask for the same few dozen names hundreds of thousands of times).

    >>> ancestors("a.b.c")
    ('a.b.c', 'a.b', 'a')
    """
    out = [name]
    while (name := parent_of(name)) is not None:
        out.append(name)
    return tuple(out)


def family(purpose: str) -> str:
    """The first segment of a dotted purpose.

    >>> family("protection.asylum")
    'protection'
    """
    return purpose.split(".", 1)[0]


@dataclass(frozen=True)
class Decision:
    """How two purposes stand, and the rule that decided it: ``family`` (the same first segment),
    a listed ``compatible`` or ``incompatible`` pair (``pair``, as listed), or ``none`` (no rule
    applies: different families, no pair listed). ``overrides`` is the less specific rule that
    would have decided otherwise (its kind and pair), if any."""

    compatible: bool
    kind: str  # family | compatible | incompatible | none
    pair: tuple[str, str] | None = None
    overrides: tuple[str, tuple[str, str] | None] | None = None


@dataclass
class Taxonomy:
    """The effective taxonomy of a model: built-in entries plus the model's extensions."""

    categories: dict[str, Category] = field(default_factory=dict)
    purposes: dict[str, Term] = field(default_factory=dict)
    compatible_pairs: set[frozenset[str]] = field(default_factory=set)
    incompatible_pairs: set[frozenset[str]] = field(default_factory=set)
    sectors: dict[str, Term] = field(default_factory=dict)
    actors: dict[str, Term] = field(default_factory=dict)
    subjects: dict[str, Term] = field(default_factory=dict)
    technologies: dict[str, Term] = field(default_factory=dict)
    transforms: dict[str, Term] = field(default_factory=dict)
    safeguards: dict[str, Term] = field(default_factory=dict)
    _compatibility_cache: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)

    def covers(self, carried: str, category: str) -> bool:
        """True when a flow carrying ``carried`` carries ``category`` (a parent covers its children)."""
        return category == carried or category.startswith(carried + ".")

    def sensitivity(self, category: str) -> Sensitivity:
        """The sensitivity of a category; an unknown one counts as ``high`` (unknown is not safe)."""
        found = self.categories.get(category)
        return found.sensitivity if found else Sensitivity.high

    def compatible(self, a: str, b: str) -> bool:
        """Whether purposes ``a`` and ``b`` are compatible: as the most specific rule that
        applies decides (:meth:`decide`). Without incompatible pairs: when they share their first
        segment, or when the taxonomy lists the pair; a listed entry may name a family
        (``migration``) to stand for every purpose in it.
        """
        if not self.incompatible_pairs and family(a) == family(b):
            return True
        key = (a, b)
        cached = self._compatibility_cache.get(key)
        if cached is None:
            if self.incompatible_pairs:
                cached = self.decide(a, b).compatible
            else:  # only compatible rules: any that applies decides (the cheaper test)
                cached = any(frozenset((left, right)) in self.compatible_pairs
                             for left in ancestors(a) for right in ancestors(b))
            self._compatibility_cache[key] = cached
        return cached

    def decide(self, a: str, b: str) -> Decision:
        """Whether purposes ``a`` and ``b`` are compatible, and the rule that decided it.

        The rules are: the **family** rule (the same first segment: compatible), and each listed
        **compatible** or **incompatible** pair, which applies when each of its purposes is one of
        ``a`` and ``b`` or a family or parent of it. The most specific rule that applies wins: a
        rule's specificity is the number of dotted segments of its two purposes (the family rule
        counts 1 + 1), so a pair of purposes beats a pair naming a family, which beats the family
        rule. Between a compatible and an incompatible pair of equal specificity, incompatible
        wins (unknown is not safe). When no rule applies, they are incompatible.

        >>> tax = builtin_taxonomy()
        >>> tax.decide("operations.hosting", "migration.visa").pair
        ('migration', 'operations.hosting')
        >>> tax.decide("protection.asylum", "enforcement.law").kind
        'none'
        """
        found: list[tuple[int, int, str, tuple[str, str] | None]] = []
        if family(a) == family(b):
            found.append((2, 0, "family", None))
        for kind, pairs, order in (("compatible", self.compatible_pairs, 0), ("incompatible", self.incompatible_pairs, 1)):
            if not pairs:
                continue
            for left in ancestors(a):
                for right in ancestors(b):
                    if frozenset((left, right)) in pairs:
                        found.append((left.count(".") + right.count(".") + 2, order, kind,
                                      tuple(sorted((left, right)))))
        if not found:
            return Decision(False, "none")
        found.sort(key=lambda rule: (-rule[0], -rule[1]))
        _, _, kind, pair = found[0]
        compatible = kind != "incompatible"
        overrides = next(((k, p) for _, _, k, p in found[1:] if (k != "incompatible") != compatible), None)
        return Decision(compatible, kind, pair, overrides)

    def is_vulnerable(self, subject: str) -> bool:
        term = self.subjects.get(subject)
        return bool(term and term.vulnerable)

    def personal(self, transform: str | None) -> bool:
        """Whether data passed through ``transform`` is still personal data: it carries its
        categories on (an unknown term is, since unknown is not safe).

        >>> tax = builtin_taxonomy()
        >>> tax.personal("aggregated"), tax.personal("pseudonymised"), tax.personal(None)
        (False, True, True)
        """
        if transform is None:
            return True
        term = self.transforms.get(transform)
        return term.personal if term else True

    def technology_risk(self, technology: str) -> TechnologyRisk:
        term = self.technologies.get(technology)
        return term.risk if term else TechnologyRisk.normal


SECTIONS = ("categories", "purposes", "sectors", "actors", "subjects", "technologies", "transforms", "safeguards")


def _term_from(section: str, name: str, body: dict) -> Category | Term:
    description = str(body.get("description", "") or "")
    if section == "categories":
        return Category(name, Sensitivity[body["sensitivity"]], description)
    return Term(
        name,
        description,
        vulnerable=bool(body.get("vulnerable", False)),
        risk=TechnologyRisk[body.get("risk", "normal")],
        personal=bool(body.get("personal", True)),
    )


def taxonomy_from_data(data: dict) -> Taxonomy:
    """Build a taxonomy from the built-in file's shape (sections of name -> fields)."""
    tax = Taxonomy()
    for section in SECTIONS:
        target = getattr(tax, section)
        for name, body in (data.get(section) or {}).items():
            target[name] = _term_from(section, name, body or {})
    for a, b in data.get("compatible") or []:
        tax.compatible_pairs.add(frozenset((a, b)))
    for a, b in data.get("incompatible") or []:
        tax.incompatible_pairs.add(frozenset((a, b)))
    return tax


@functools.lru_cache(maxsize=1)
def _builtin_data() -> dict:
    """The built-in taxonomy as plain data, read once per process from ``taxonomy.json``: JSON,
    so that a run reads it without importing PyYAML (about 25 ms, with parsing the YAML; a JSON
    model needs no YAML at all). tests/test_taxonomy_json.py fails when the file is not
    :func:`json_of_yaml` of ``taxonomy.yaml``.

    >>> sorted(_builtin_data())[:3]
    ['actors', 'categories', 'compatible']
    """
    return orjson.loads(resources.files("flowmap").joinpath("taxonomy.json").read_bytes())


def json_of_yaml(yaml_text: str) -> str:
    """``taxonomy.json`` as generated from the text of ``taxonomy.yaml``: the same data, in the
    same order, one entry a line.

    >>> print(json_of_yaml("categories:\\n  id: {sensitivity: high}\\n"), end="")
    {
     "categories": {
      "id": {
       "sensitivity": "high"
      }
     }
    }
    """
    import json

    import yaml

    from flowmap.yaml_reader import base_loader

    data = yaml.load(yaml_text, Loader=base_loader())
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def builtin_taxonomy() -> Taxonomy:
    """A fresh copy of the built-in taxonomy (callers may extend it)."""
    return taxonomy_from_data(_builtin_data())


def builtin_names(section: str) -> Iterable[str]:
    """Names the built-in taxonomy defines in one section."""
    return (_builtin_data().get(section) or {}).keys()


if __name__ == "__main__":  # python -m flowmap.taxonomy: regenerate taxonomy.json after editing taxonomy.yaml
    folder = resources.files("flowmap")
    folder.joinpath("taxonomy.json").write_text(json_of_yaml(folder.joinpath("taxonomy.yaml").read_text("utf-8")), "utf-8")
