"""The taxonomy: data categories, purposes, sectors, actor types, subjects, technologies.

The built-in taxonomy ships as ``flowmap/taxonomy.yaml``; a model extends it
under ``taxonomy:`` (see :func:`merge_extension`).

>>> tax = builtin_taxonomy()
>>> tax.covers("biometric", "biometric.face")
True
>>> tax.sensitivity("biometric.face").name
'special'
>>> tax.compatible("protection.asylum", "protection.humanitarian")
True
>>> tax.compatible("protection.asylum", "enforcement.law")
False
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable

import yaml

__all__ = [
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


@dataclass
class Taxonomy:
    """The effective taxonomy of a model: built-in entries plus the model's extensions."""

    categories: dict[str, Category] = field(default_factory=dict)
    purposes: dict[str, Term] = field(default_factory=dict)
    compatible_pairs: set[frozenset[str]] = field(default_factory=set)
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
        """Whether purposes ``a`` and ``b`` are compatible.

        They are when they share their first segment, or when the taxonomy lists
        the pair; a listed entry may name a family (``migration``) to stand for
        every purpose in it.
        """
        if family(a) == family(b):
            return True
        key = (a, b)
        cached = self._compatibility_cache.get(key)
        if cached is None:
            cached = _listed(self.compatible_pairs, a, b)
            self._compatibility_cache[key] = cached
        return cached

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


def _listed(pairs: set[frozenset[str]], a: str, b: str) -> bool:
    for left in ancestors(a):
        for right in ancestors(b):
            if frozenset((left, right)) in pairs:
                return True
    return False


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
    return tax


@functools.lru_cache(maxsize=1)
def _builtin_data() -> dict:
    text = resources.files("flowmap").joinpath("taxonomy.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def builtin_taxonomy() -> Taxonomy:
    """A fresh copy of the built-in taxonomy (callers may extend it)."""
    return taxonomy_from_data(_builtin_data())


def builtin_names(section: str) -> Iterable[str]:
    """Names the built-in taxonomy defines in one section."""
    return (_builtin_data().get(section) or {}).keys()
