"""Words for findings: model terms as a DPO would write them, lists cut to the few that matter.

Every sentence a rule writes goes through these helpers, so that no raw taxonomy id
(``biometric.fingerprint``) and no unbounded list ends up in a message.

>>> plural(1, "origin"), plural(3, "origin")
('1 origin', '3 origins')
>>> listing(["Eurodac", "VIS", "SIS", "EES", "ETIAS"], limit=3)
'Eurodac, VIS, SIS and 2 others'
>>> category_words("biometric.fingerprint"), category_words("migration.asylum_claim")
('fingerprints', 'asylum claims')
>>> categories_in_words(["biometric.fingerprint", "biometric.face", "identity.biographic"])
'fingerprints, facial images and biographic identity data'
>>> subjects_in_words(["asylum_seeker", "child", "irregular_migrant"])
'asylum seekers and irregular migrants, children among them'
"""

from __future__ import annotations

import functools
from typing import Iterable

__all__ = [
    "sentence_case", "plural", "listing", "category_words", "categories_in_words", "subject_words", "subjects_in_words",
    "purpose_words", "actor_words", "citations", "term_words",
]

_CATEGORY_WORDS = {
    "biometric": "biometric data",
    "biometric.fingerprint": "fingerprints",
    "biometric.face": "facial images",
    "biometric.iris": "iris scans",
    "biometric.dna": "DNA profiles",
    "biometric.voice": "voice samples",
    "identity": "identity data",
    "identity.biographic": "biographic identity data",
    "identity.travel_document": "travel document data",
    "identity.civil_status": "civil status records",
    "identity.contact": "contact details",
    "identity.national_id": "national identity numbers",
    "migration": "migration data",
    "migration.asylum_claim": "asylum claims",
    "migration.immigration_status": "immigration status",
    "migration.visa_application": "visa applications",
    "migration.travel_itinerary": "travel itineraries",
    "migration.border_crossing": "border crossing records",
    "migration.alert": "migration alerts",
    "criminal": "criminal justice data",
    "criminal.record": "criminal records",
    "criminal.alert": "police alerts",
    "criminal.suspicion": "police suspicions",
    "special": "special category data",
    "special.health": "health data",
    "special.ethnicity": "data on ethnic origin",
    "special.religion": "data on religion",
    "special.sexual_orientation": "data on sexual orientation",
    "special.political_opinion": "data on political opinions",
    "location.tracking": "location tracking data",
    "device.extraction": "data extracted from phones and devices",
    "communications.metadata": "communications metadata",
    "communications.content": "communications content",
    "online.social_media": "social media data",
    "financial": "financial data",
    "family.links": "family links",
    "welfare.benefits": "welfare benefit records",
    "education.records": "education records",
    "employment.records": "employment records",
    "inferred.risk_score": "risk scores",
    "inferred.emotion": "inferred emotions",
}

_SUBJECT_WORDS = {
    "third_country_national": "third-country nationals",
    "asylum_seeker": "asylum seekers",
    "refugee": "refugees",
    "visa_applicant": "visa applicants",
    "irregular_migrant": "irregular migrants",
    "traveller": "travellers",
    "child": "children",
    "eu_citizen": "EU citizens",
    "stateless": "stateless people",
    "victim_of_trafficking": "victims of trafficking",
    "resident": "residents",
}


_SAFEGUARD_WORDS = {
    "prior_authorisation": "prior authorisation by an independent authority",
    "cascade": "a cascade (less intrusive sources first)",
    "access_logging": "logging of each access",
    "necessity_test": "a necessity test in each case",
    "serious_crime_only": "access for serious crime only",
    "designated_authorities": "designated authorities only",
}


def sentence_case(text: str) -> str:
    """The first letter in upper case, the rest untouched (``str.capitalize`` would write "Dna").

    >>> sentence_case("DNA profiles"), sentence_case("facial images")
    ('DNA profiles', 'Facial images')
    """
    return text[:1].upper() + text[1:]


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 step``, ``2 steps`` (``words`` for an irregular plural)."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def listing(items: Iterable[str], *, limit: int = 3, total: int | None = None) -> str:
    """Items joined as a sentence, the first ``limit`` named and the rest counted.

    >>> listing(["a"]), listing(["a", "b"]), listing(["a", "b"], total=5)
    ('a', 'a and b', 'a, b and 3 others')
    """
    items = list(items)
    total = len(items) if total is None else total
    named = items[:limit]
    rest = total - len(named)
    if rest > 0:
        return f"{', '.join(named)} and {plural(rest, 'other')}"
    if len(named) <= 1:
        return "".join(named)
    return f"{', '.join(named[:-1])} and {named[-1]}"


def term_words(term: str) -> str:
    """A taxonomy term without its family and underscores: ``protection.asylum`` -> ``asylum``.

    >>> term_words("services.civil_registration")
    'civil registration'
    """
    return term.rsplit(".", 1)[-1].replace("_", " ")


def category_words(category: str) -> str:
    """A data category in words (built-in names read naturally; others lose their dots)."""
    return _CATEGORY_WORDS.get(category) or f"{term_words(category)} data"


def categories_in_words(categories: Iterable[str], *, limit: int = 3) -> str:
    """Categories in words, the first ``limit`` named."""
    return _categories_in_words(tuple(categories), limit)


@functools.lru_cache(maxsize=16384)
def _categories_in_words(categories: tuple[str, ...], limit: int) -> str:
    """:func:`categories_in_words`, worded once per list (findings repeat the same lists: at 10,000
    systems about 95,000 calls on 12,000 lists, which a smaller cache kept missing)."""
    return listing([category_words(c) for c in categories], limit=limit)


def subject_words(subject: str) -> str:
    return _SUBJECT_WORDS.get(subject) or term_words(subject)


def subjects_in_words(subjects: Iterable[str], *, limit: int = 4) -> str:
    """People groups in words, vulnerable groups first as given, children named apart.

    >>> subjects_in_words(["a", "b", "c", "d", "e", "child"], limit=2)
    'a, b and 3 other groups, children among them'
    """
    return _subjects_in_words(tuple(subjects), limit)


@functools.lru_cache(maxsize=1024)
def _subjects_in_words(subjects: tuple[str, ...], limit: int) -> str:
    """:func:`subjects_in_words`, worded once per list (findings repeat the same few lists)."""
    others = [subject_words(s) for s in subjects if s != "child"]
    named = listing(others, limit=limit).replace(" others", " other groups").replace(" 1 other", " 1 other group")
    if "child" not in subjects:
        return named
    if not others:
        return "children"
    return f"{named}, children among them"


def safeguard_words(safeguard: str) -> str:
    """A safeguard in words (a model's own term loses its underscores).

    >>> safeguard_words("prior_authorisation"), safeguard_words("judicial_warrant")
    ('prior authorisation by an independent authority', 'judicial warrant')
    """
    return _SAFEGUARD_WORDS.get(safeguard) or term_words(safeguard)


def purpose_words(purpose: str) -> str:
    """A purpose in words, with its family: ``enforcement.law`` -> ``law enforcement``.

    >>> purpose_words("enforcement.law"), purpose_words("protection.asylum"), purpose_words("x.y_z")
    ('law enforcement', 'asylum (protection)', 'y z (x)')
    """
    special = {
        "enforcement.law": "law enforcement",
        "enforcement.immigration": "immigration enforcement",
        "enforcement.return": "return (removal)",
        "security.intelligence": "intelligence",
        "security.counter_terrorism": "counter-terrorism",
        "security.military": "military purposes",
    }
    if purpose in special:
        return special[purpose]
    family, _, rest = purpose.partition(".")
    return f"{term_words(purpose)} ({family.replace('_', ' ')})" if rest else term_words(purpose)


def decision_words(decision) -> str:
    """The rule that decided whether two purposes are compatible
    (:class:`flowmap.taxonomy.Decision`), in words for a finding's message.

    >>> from flowmap.taxonomy import Decision
    >>> decision_words(Decision(False, "incompatible", ("enforcement.immigration", "enforcement.law"), ("family", None)))
    'the taxonomy lists immigration enforcement and law enforcement as incompatible, which overrides their shared family (enforcement)'
    >>> decision_words(Decision(False, "none"))
    'no rule of the taxonomy makes them compatible (different families, no compatible pair listed)'
    """
    if decision.kind == "none":
        return "no rule of the taxonomy makes them compatible (different families, no compatible pair listed)"
    if decision.kind == "family":
        return "they share their family"
    a, b = (purpose_words(p) for p in decision.pair)
    text = f"the taxonomy lists {a} and {b} as {decision.kind}"
    if decision.overrides is not None:
        kind, pair = decision.overrides
        text += (f", which overrides their shared family ({decision.pair[0].split('.', 1)[0]})" if kind == "family"
                 else f", which overrides the {kind} pair of {' and '.join(purpose_words(p) for p in pair)}")
    return text


def actor_words(actor: str) -> str:
    """An actor type in words: ``law_enforcement`` -> ``law enforcement``."""
    return actor.replace("_", " ")


def citations(sources: dict[str, str], legal_basis: Iterable[str], limit: int = 160) -> str:
    """A legal basis in words: source keys resolved to their citations (each cut at a word
    boundary near ``limit`` characters, never inside an abbreviation like "p."), joined by '; '.

    >>> citations({"reg": "Regulation 1 on a very long title, p. 12"}, ["reg", "a treaty"], limit=30)
    'Regulation 1 on a very long… [reg]; a treaty'
    """
    out = []
    for entry in legal_basis:
        text = sources.get(entry)
        if text is None:
            out.append(entry)
            continue
        if len(text) > limit:
            words = text[:limit].split(" ")[:-1]
            while words and (len(words[-1].rstrip(",;:")) <= 3 or words[-1].endswith(".")):
                words.pop()  # never end on "p." or "of"
            text = " ".join(words).rstrip(" ,;:") + "…"
        out.append(f"{text} [{entry}]")
    return "; ".join(out)
