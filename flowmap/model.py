"""Typed objects for the flowmap model format, version 1.

The field descriptions feed ``flowmap schema`` (JSON Schema for editors) and
docs/model-format.md. Every object forbids unknown fields, so a typo such as
``hods:`` is an error rather than a silently ignored field.

>>> m = Model.model_validate({"flowmap": 1, "name": "demo",
...     "systems": [{"id": "a", "sector": "asylum"}, {"id": "b", "sector": "police"}],
...     "flows": [{"from": "a", "to": "b", "data": ["identity"], "purpose": "enforcement.law"}]})
>>> m.flows[0].id, m.flows[0].purposes
('a->b', ['enforcement.law'])
>>> m.systems[0].display_name
'a'
"""

# No ``from __future__ import annotations`` here: pydantic evaluates every field's annotation as it
# makes a class, and an annotation kept as text is compiled first (about 4 ms of every start).

import datetime as dt
import enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from flowmap.taxonomy import ancestors

__all__ = [
    "Kind",
    "Mode",
    "AcceptanceStatus",
    "Controls",
    "Transport",
    "Incident",
    "IncidentType",
    "System",
    "Flow",
    "FurtherPurpose",
    "Acceptance",
    "TaxonomyExtension",
    "Model",
    "ID_PATTERN",
    "ANSWERS",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
ADULT = 18
"""A ``min_age`` below this means the system collects children's data."""
ANSWERS = ("hit_no_hit", "reference")
"""Values of ``returns`` that hand over an answer about the record, not the record."""


class Kind(str, enum.Enum):
    """What sort of thing a system is."""

    database = "database"
    registry = "registry"
    component = "component"
    service = "service"
    authority = "authority"
    device = "device"
    external = "external"


class Mode(str, enum.Enum):
    """How data moves along a flow."""

    query = "query"
    hit_no_hit = "hit_no_hit"
    push = "push"
    pull = "pull"
    bulk = "bulk"
    replication = "replication"
    automated_screening = "automated_screening"
    manual = "manual"


class AcceptanceStatus(str, enum.Enum):
    """The status an acceptance gives the findings it matches."""

    accepted = "accepted"
    mitigated = "mitigated"
    false_positive = "false_positive"
    in_progress = "in_progress"


def _date_text(value: Any) -> Any:
    """YAML turns ``2012-08-01`` into a date and ``2012`` into an int: keep both as text."""
    if isinstance(value, (dt.date, int)) and not isinstance(value, bool):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _empty_list() -> list:
    """A new empty list, the default of list fields. Not ``list`` itself: pydantic reads each
    factory's signature as it makes a class, and a builtin's is parsed from text (about 9 ms of
    every start; calling a function instead adds about as much at 10,000 systems, 195,000 calls)."""
    return []


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


DateText = Annotated[str, BeforeValidator(_date_text)]
TriState = Annotated[bool | None, Field(default=None)]


class _Strict(BaseModel):
    # defer_build: a class's validator and serializer are built when it is first used, not as it
    # is made; a class only ever validated inside a Model never needs its own (about 3 ms a start)
    model_config = ConfigDict(extra="forbid", populate_by_name=False, defer_build=True)


class Controls(_Strict):
    """Safeguards of a system: each true, false, or omitted (= unknown, treated as a gap)."""

    encryption_at_rest: TriState = Field(None, description="Data is encrypted at rest.")
    access_logging: TriState = Field(None, description="Every access is logged and the logs are kept.")
    independent_oversight: TriState = Field(
        None, description="An independent authority (e.g. a data protection authority) supervises it."
    )
    redress: TriState = Field(
        None, description="Data subjects have a route to access, correct, erase or contest."
    )
    human_review: TriState = Field(None, description="Automated decisions are reviewed by a person.")


class Transport(_Strict):
    """Security of a flow in transit: each true, false, or omitted (= unknown)."""

    encrypted: TriState = Field(None, description="Encrypted in transit.")
    authenticated: TriState = Field(None, description="Both ends are authenticated.")
    logged: TriState = Field(None, description="Each transfer or access is logged.")


class IncidentType(str, enum.Enum):
    """What sort of incident: a breach is graded above an audit finding."""

    breach = "breach"
    unlawful_access = "unlawful_access"
    unlawful_copy = "unlawful_copy"
    court_ruling = "court_ruling"
    audit_finding = "audit_finding"


class Incident(_Strict):
    """A documented breach, unlawful copy or court ruling against a system or flow."""

    date: DateText | None = Field(None, description="When it happened: YYYY, YYYY-MM or YYYY-MM-DD.")
    type: IncidentType | None = Field(
        None, description="breach, unlawful_access, unlawful_copy, court_ruling or audit_finding (omitted: not said)."
    )
    summary: str = Field(description="What happened, in one sentence.")
    sources: list[str] = Field(default_factory=_empty_list, description="Source keys documenting it.")


class FurtherPurpose(_Strict):
    """A purpose a law added to a system's purposes of collection (for example police access to
    asylum fingerprints), with the provision that adds it."""

    purpose: str = Field(description="The added purpose (a taxonomy purpose).")
    by: list[str] = Field(
        min_length=1, description="Source keys or free text naming the provision that adds it (at least one)."
    )


class System(_Strict):
    """A database, registry, component, service, authority, device or external party."""

    id: str = Field(description="Unique id: lowercase letters, digits, `_ . -`; starts with a letter or digit.")
    name: str | None = Field(None, description="Display name; defaults to the id.")
    kind: Kind = Field(Kind.database, description="What sort of system it is.")
    sector: str = Field(description="A sector of the taxonomy (e.g. asylum, police).")
    operator: str | None = Field(None, description="Who runs it.")
    jurisdiction: str | None = Field(
        None, description='ISO 3166 alpha-2 code, "EU", or a name; used for cross-border checks.'
    )
    actor: str | None = Field(
        None, description="Marks the system as an actor of concern, of this taxonomy actor type."
    )
    holds: list[str] = Field(
        default_factory=_empty_list, description="Categories collected here: this system is their origin."
    )
    subjects: list[str] = Field(default_factory=_empty_list, description="Whom the data is about (taxonomy subjects).")
    purposes: list[str] = Field(
        default_factory=_empty_list, description="Purposes of collection; needed when `holds` is not empty."
    )
    retention: str | None = Field(
        None,
        description='ISO 8601 duration (P10Y), or "indefinite", "linked" or "unknown".',
    )
    retention_by_subject: dict[str, str] = Field(
        default_factory=dict,
        description="Retention per people group where it differs (Eurodac: applicants P10Y, irregular crossers "
        "P5Y): a taxonomy subject -> an ISO 8601 duration, or indefinite / linked / unknown; a group not listed "
        "keeps `retention`.",
    )
    min_age: dict[str, Annotated[int, Field(strict=True)]] = Field(
        default_factory=dict,
        description="The youngest age at which data is collected, per category held or per people group of its "
        "`subjects` (Eurodac fingerprints from 6: `biometric.fingerprint: 6`). Below 18 the system collects "
        "children's data.",
    )
    further_purposes: list["FurtherPurpose"] = Field(
        default_factory=_empty_list,
        description="Purposes a law added beyond those people gave the data for, each with the provision "
        "that adds it: a use for one is authorised function creep, not a use without legal basis.",
    )
    legal_basis: list[str] = Field(default_factory=_empty_list, description="Source keys or free text; empty = none known.")
    controller: str | None = Field(
        None, description="Who decides why and how the data is processed here (an authority, in words or by a "
        "name the model uses consistently); omitted = not recorded."
    )
    joint_controllers: list[str] = Field(
        default_factory=_empty_list, description="Who decides it together with the controller (GDPR Art. 26): one "
        "arrangement, one party to answer for the data."
    )
    processors: list[str] = Field(
        default_factory=_empty_list, description="Who processes the data on the controller's behalf (a host, an agency "
        "running the system)."
    )
    rights_via: str | None = Field(
        None, description="Where people can access, correct or contest the data: a system id of the model (a "
        "portal) or an authority, in words; omitted = not recorded."
    )
    technologies: list[str] = Field(default_factory=_empty_list, description="Taxonomy technologies used here.")
    controls: Controls = Field(default_factory=Controls, description="Safeguards; omitted = unknown.")
    incidents: list[Incident] = Field(default_factory=_empty_list, description="Documented incidents.")
    tags: list[str] = Field(default_factory=_empty_list, description="Free labels.")
    notes: str | None = Field(None, description="Free text.")
    sources: list[str] = Field(default_factory=_empty_list, description="Source keys supporting this entry.")

    @property
    def display_name(self) -> str:
        return self.name or self.id

    @property
    def collects_children(self) -> bool:
        """Whether the system collects data of children: ``child`` among its subjects, or some
        ``min_age`` below 18.

        >>> System(id="eurodac", sector="asylum", min_age={"biometric.fingerprint": 6}).collects_children
        True
        """
        return "child" in self.subjects or any(age < ADULT for age in self.min_age.values())

    @property
    def people(self) -> list[str]:
        """The people groups the system collects data of: its ``subjects``, and ``child`` when a
        ``min_age`` below 18 says so though the list does not (sorted as written, ``child`` last).

        >>> System(id="vis", sector="visa", subjects=["visa_applicant"], min_age={"visa_applicant": 6}).people
        ['visa_applicant', 'child']
        """
        if not self.min_age or "child" in self.subjects or not self.collects_children:
            return self.subjects  # the common case first: no ages recorded
        return [*self.subjects, "child"]

    def children_for(self, category: str) -> bool:
        """Whether the system collects ``category`` from children: ``child`` among its subjects, a
        ``min_age`` below 18 for that category (or a parent of it), or for a people group.

        >>> s = System(id="eurodac", sector="asylum", min_age={"biometric": 6, "identity": 18})
        >>> s.children_for("biometric.fingerprint"), s.children_for("identity.biographic")
        (True, False)
        """
        if "child" in self.subjects:
            return True
        for key, age in self.min_age.items():  # a key is one of its people groups, or a category
            if age < ADULT and (key in self.subjects or key == category or category.startswith(key + ".")
                                or key.startswith(category + ".")):
                return True
        return False

    def min_age_for(self, category: str) -> int | None:
        """The youngest age ``category`` is collected from: the most specific ``min_age`` entry
        for it, else the youngest for a people group; ``None`` when the model does not say.

        >>> System(id="eurodac", sector="asylum", min_age={"biometric": 14, "biometric.fingerprint": 6}).min_age_for(
        ...     "biometric.fingerprint")
        6
        """
        for key in ancestors(category):
            if key in self.min_age:
                return self.min_age[key]
        groups = [age for key, age in self.min_age.items() if key in self.subjects]
        return min(groups) if groups else None

    def retention_for(self, subject: str | None) -> str | None:
        """The retention of a people group's data: its ``retention_by_subject`` entry, else
        ``retention``.

        >>> s = System(id="eurodac", sector="asylum", retention="P10Y", retention_by_subject={"irregular_migrant": "P5Y"})
        >>> s.retention_for("irregular_migrant"), s.retention_for("asylum_seeker")
        ('P5Y', 'P10Y')
        """
        return self.retention_by_subject.get(subject, self.retention) if subject else self.retention

    @property
    def party(self) -> tuple[str, ...] | None:
        """Who answers for the data collected here: the controller and the joint controllers, as
        one party (sorted); ``None`` when the model names none.

        >>> System(id="vis", sector="visa", controller="Member State", joint_controllers=["eu-LISA"]).party
        ('Member State', 'eu-LISA')
        """
        named = {n for n in (self.controller, *self.joint_controllers) if n}
        return tuple(sorted(named)) if named else None

    @property
    def names_accountability(self) -> bool:
        """Whether the model records who answers for this system (controller, joint controllers,
        processors or where rights are exercised)."""
        return bool(self.controller or self.joint_controllers or self.processors or self.rights_via)


class Flow(_Strict):
    """A directed transfer or access: data moves, or becomes visible, from `from` to `to`."""

    id: str | None = Field(
        None, description='Defaults to "<from>-><to>"; needed when two flows join the same pair.'
    )
    source: str = Field(alias="from", description="The system the data comes from.")
    target: str = Field(alias="to", description="The system that receives or sees the data.")
    data: list[str] = Field(min_length=1, description="Categories the flow carries (at least one).")
    purposes: Annotated[list[str], BeforeValidator(_one_or_many)] = Field(
        alias="purpose",
        min_length=1,
        description="Purpose(s) for which the receiver gets the data: a string or a list.",
    )
    mode: Mode | None = Field(None, description="How the data moves.")
    initiated_by: str | None = Field(None, description="Who starts it, when not the receiver (display only).")
    automated_decision: bool = Field(
        False, description="The receiver decides about people automatically on this data."
    )
    human_review: TriState = Field(None, description="A person reviews those decisions (omitted = unknown).")
    bidirectional: bool = Field(False, description="The same flow also runs from `to` to `from`.")
    returns: Literal["hit_no_hit", "reference", "record"] | None = Field(
        None,
        description="What comes back from a query: `hit_no_hit` (whether a record exists: a flag), `reference` "
        "(an identifier of the record and where it is), or `record` (the data itself). With hit_no_hit or "
        "reference the categories are asked about, not handed over: they do not arrive at the receiver nor move "
        "on from it (omitted: as `mode` says; a format-1 `mode: hit_no_hit` steps findings down but moves the data).",
    )
    transform: str | None = Field(
        None,
        description="What is done to the data on the way: a transform of the taxonomy (anonymised, aggregated, "
        "pseudonymised, masked, or one the model declares). Anonymised or aggregated data carries no personal "
        "category on (statistics); pseudonymised and masked data is still personal data and does (omitted: "
        "passed as it is).",
    )
    subjects: list[str] = Field(
        default_factory=_empty_list,
        description="The people groups whose data the flow carries, when fewer than its source's (taxonomy "
        "subjects; empty: all of them).",
    )
    forwards: Literal["all", "own"] | list[str] = Field(
        "all",
        description="What the flow passes on: `all` the source holds or received (the default), `own` only "
        "the records the source collected itself, or a list of flow ids: only what arrived through those "
        "flows (and the source's own records).",
    )
    safeguards: list[str] = Field(
        default_factory=_empty_list,
        description="Safeguards that stand on the flow (taxonomy safeguards: prior_authorisation, cascade, "
        "access_logging, necessity_test...): findings anchored at it are still reported, name them, and rank "
        "after otherwise equal findings without them.",
    )
    transport: Transport = Field(default_factory=Transport, description="Security in transit; omitted = unknown.")
    legal_basis: list[str] = Field(default_factory=_empty_list, description="Source keys or free text; empty = none known.")
    conditions: str | None = Field(None, description="Conditions of access, in words.")
    incidents: list[Incident] = Field(default_factory=_empty_list, description="Documented incidents.")
    notes: str | None = Field(None, description="Free text.")
    sources: list[str] = Field(default_factory=_empty_list, description="Source keys supporting this entry.")

    @model_validator(mode="after")
    def _default_id(self) -> "Flow":
        # what `self.id = ...` does (the value, and the field counted as set), without pydantic's
        # __setattr__: a model of 40,000 flows runs this 40,000 times
        fields = self.__dict__
        if fields["id"] is None:
            fields["id"] = f"{fields['source']}->{fields['target']}"
            self.__pydantic_fields_set__.add("id")
        return self

    @property
    def explicit_id(self) -> bool:
        return self.id != f"{self.source}->{self.target}"

    @property
    def answer(self) -> str | None:
        """What the receiver gets instead of the record: ``"hit_no_hit"`` or ``"reference"``;
        ``None`` when the record itself moves. ``returns`` decides; without it a format-1
        ``mode: hit_no_hit`` reads as a hit/no-hit answer (findings at the flow step down).

        >>> def flow(**k):
        ...     return Flow.model_validate({"from": "a", "to": "b", "data": ["identity"], "purpose": "x", **k})
        >>> flow(mode="hit_no_hit").answer, flow(returns="reference").answer, flow(mode="hit_no_hit", returns="record").answer
        ('hit_no_hit', 'reference', None)
        """
        if self.returns is not None:
            return None if self.returns == "record" else self.returns
        return "hit_no_hit" if self.mode is Mode.hit_no_hit else None

    @property
    def delivers(self) -> bool:
        """Whether the data arrives at the receiver and can move on from it: not when ``returns``
        is ``hit_no_hit`` or ``reference`` (a format-1 ``mode: hit_no_hit`` without ``returns``
        still delivers, as format 1 read it).

        >>> Flow.model_validate({"from": "a", "to": "b", "data": ["identity"], "purpose": "x",
        ...                      "mode": "hit_no_hit"}).delivers
        True
        """
        return self.returns not in ANSWERS


class Acceptance(_Strict):
    """A recorded decision about a finding: accepted, mitigated, false positive or in progress."""

    finding: str = Field(description="A finding id, or a glob over ids (`function_creep:eurodac:*`).")
    status: AcceptanceStatus = Field(AcceptanceStatus.accepted, description="The status it gives the finding.")
    reason: str = Field(min_length=1, description="Why: required free text.")
    by: str | None = Field(None, description="Who decided.")
    until: dt.date | None = Field(None, description="Expiry date: after it the acceptance lapses.")


class CategoryEntry(_Strict):
    sensitivity: Literal["low", "medium", "high", "special", "critical"] = Field(
        description="How sensitive the category is."
    )
    description: str = ""
    override: bool = Field(False, description="Set to redefine a built-in category.")


class TermEntry(_Strict):
    description: str = ""
    override: bool = Field(False, description="Set to redefine a built-in entry.")


class SubjectEntry(TermEntry):
    vulnerable: bool = Field(False, description="Subjects who need extra protection (children, asylum seekers).")


class TechnologyEntry(TermEntry):
    risk: Literal["at_odds", "high", "normal"] = Field("normal", description="Risk level of the technology.")


class TransformEntry(TermEntry):
    personal: bool = Field(
        True, description="What passes is still personal data, so the flow carries its categories on (false: "
        "statistics about no one)."
    )


def _names_to_entries(value: Any) -> Any:
    """`subjects: [suspect, witness]` is shorthand for a mapping of names to empty entries."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {name: {} for name in value}
    return value


def _terms(entry: type) -> Any:
    return Annotated[dict[str, entry], BeforeValidator(_names_to_entries)]


class TaxonomyExtension(_Strict):
    """Extensions to the built-in taxonomy, merged onto it; never a silent replacement."""

    categories: dict[str, CategoryEntry] = Field(default_factory=dict, description="New data categories.")
    purposes: _terms(TermEntry) = Field(default_factory=dict, description="New purposes.")
    compatible: list[tuple[str, str]] = Field(
        default_factory=_empty_list, description="Purpose pairs compatible across families."
    )
    incompatible: list[tuple[str, str]] = Field(
        default_factory=_empty_list, description="Purpose pairs incompatible even where a less specific rule (their "
        "family, a pair naming a family) makes them compatible: the most specific rule wins."
    )
    subjects: _terms(SubjectEntry) = Field(default_factory=dict, description="New data subjects.")
    sectors: _terms(TermEntry) = Field(default_factory=dict, description="New sectors.")
    actors: _terms(TermEntry) = Field(default_factory=dict, description="New actor types.")
    technologies: _terms(TechnologyEntry) = Field(default_factory=dict, description="New technologies.")
    safeguards: _terms(TermEntry) = Field(default_factory=dict, description="New safeguards a flow may name.")
    transforms: _terms(TransformEntry) = Field(
        default_factory=dict, description="New transforms a flow may apply to the data (`personal: false` for "
        "statistics about no one)."
    )


class Model(_Strict):
    """A flowmap model: systems and the data flows between them, as of one date."""

    flowmap: Literal[1] = Field(description="Format version; must be 1.")
    name: str = Field(description="What the model describes.")
    as_of: DateText | None = Field(None, description="The date the snapshot describes (YYYY-MM-DD).")
    description: str | None = Field(None, description="Free text.")
    sources: dict[str, str] = Field(default_factory=dict, description="Bibliography: key -> citation.")
    # model_construct: the empty extension, as validating {} gives it, without building the
    # class's own validator (about 4 ms) for a model with no `taxonomy:`
    taxonomy: TaxonomyExtension = Field(
        default_factory=TaxonomyExtension.model_construct, description="Extensions to the built-in taxonomy."
    )
    systems: list[System] = Field(min_length=1, description="The systems (at least one).")
    flows: list[Flow] = Field(default_factory=_empty_list, description="The flows between systems.")
    accepted: list[Acceptance] = Field(default_factory=_empty_list, description="Risk acceptances.")

    _taxonomy: Any = PrivateAttr(default=None)
    _warnings: list = PrivateAttr(default_factory=_empty_list)
    _file: str = PrivateAttr(default="")
    _system_index: dict | None = PrivateAttr(default=None)
    _cache: dict = PrivateAttr(default_factory=dict)

    @property
    def effective_taxonomy(self) -> Any:
        """The built-in taxonomy merged with this model's `taxonomy:` extension."""
        if self._taxonomy is None:
            from flowmap.validate import effective_taxonomy

            self._taxonomy = effective_taxonomy(self.taxonomy)
        return self._taxonomy

    @property
    def warnings(self) -> list:
        """Diagnostics of severity `warning` found while loading (errors under --strict)."""
        return self._warnings

    @property
    def file(self) -> str:
        """The file the model was loaded from ("" when built in memory)."""
        return self._file

    def system(self, system_id: str) -> System:
        """The system with this id (KeyError when there is none)."""
        if self._system_index is None:
            self._system_index = {s.id: s for s in self.systems}
        return self._system_index[system_id]
