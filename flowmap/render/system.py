"""The per-system view (:mod:`flowmap.system_view`) as text: a table for a terminal, Markdown
for a DPIA. JSON is :meth:`SystemView.to_dict`.

Both say, in order: what the system collects; where its data goes (each reached system with
the categories that reach it and one route); what for (each downstream purpose, how it stands
to the purposes of collection, the flows and recipients); the findings its data takes part in,
established first by rank, then the questions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowmap.render import questions_by_system
from flowmap.render.markdown import code, escape
from flowmap.system_view import STANDINGS
from flowmap.words import category_words, purpose_words

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.system_view import Involvement, SystemView

__all__ = ["render_system_table", "render_system_markdown"]


def _names(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _finding_lines(item: "Involvement") -> list[str]:
    f = item.finding
    return [f"{f.rank:>4} {f.severity.name.upper():<9} {f.title}",
            f"{' ' * 15}{f.id}  its data: {_names(item.categories, 4)}",
            f"{' ' * 15}route: {' -> '.join(item.route.systems)}"]


def render_system_table(view: "SystemView") -> str:
    """The view for a terminal.

    >>> from flowmap.model import Model
    >>> from flowmap.analysis import Report
    >>> from flowmap.system_view import system_view
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "a", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
    ...     {"id": "b", "sector": "health"}],
    ...   "flows": [{"from": "a", "to": "b", "data": ["special.health"], "purpose": "services.health"}]})
    >>> print(render_system_table(system_view(m, "a", report=Report(m, []))), end="")
    a (a): collects 1 category: special.health
    <BLANKLINE>
    WHERE ITS DATA GOES (1 system)
      b: special.health
          route: a -> b
    <BLANKLINE>
    WHAT FOR (1 purpose)
      health (services): one of the purposes of collection; flows a->b; to b
    <BLANKLINE>
    FINDINGS ITS DATA TAKES PART IN (0)
    """
    s = view.system
    n = len(view.categories)
    lines = [f"{s.display_name} ({s.id}): collects {n} categor{'y' if n == 1 else 'ies'}"
             + (f": {_names(view.categories, 8)}" if n else "")]
    lines += ["", f"WHERE ITS DATA GOES ({len(view.reached)} system{'s' if len(view.reached) != 1 else ''})"]
    for r in view.reached:
        lines += [f"  {r.system}: {_names(r.categories, 4)}", f"      route: {' -> '.join(r.route.systems)}"]
    lines += ["", f"WHAT FOR ({len(view.uses)} purpose{'s' if len(view.uses) != 1 else ''})"]
    for u in view.uses:
        lines.append(f"  {purpose_words(u.purpose)}: {STANDINGS[u.standing]}; "
                     f"flows {_names(u.flows, 3)}; to {_names(u.recipients, 3)}")
    established = [i for i in view.findings if i.finding.established]
    questions = [i for i in view.findings if not i.finding.established]
    lines += ["", f"FINDINGS ITS DATA TAKES PART IN ({len(view.findings)})"]
    for item in established:
        lines += _finding_lines(item)
    if questions:
        lines += ["", f"QUESTIONS ABOUT ITS DATA ({len(questions)}, by the system that can answer them)"]
        lines += [f"  {g.system}: {g.text()}" for g in questions_by_system([i.finding for i in questions])]
    return "\n".join(lines) + "\n"


def render_system_markdown(view: "SystemView") -> str:
    """The view as a Markdown section; model text escaped, ids in code spans."""
    s = view.system
    lines = [f"## Where the data of {escape(s.display_name)} ({code(s.id)}) goes", ""]
    lines += ["It collects " + (", ".join(f"{escape(category_words(c))} ({code(c)})" for c in view.categories)
                                or "no data of its own") + ".", ""]
    lines += [f"### Systems its data reaches ({len(view.reached)})", ""]
    if not view.reached:
        lines += ["None.", ""]
    lines += [f"- {code(r.system)}: {', '.join(code(c) for c in r.categories)}; route "
              + " → ".join(code(x) for x in r.route.systems) for r in view.reached]
    lines += ["", f"### Purposes it is used for ({len(view.uses)})", ""]
    if not view.uses:
        lines += ["None.", ""]
    lines += [f"- {escape(purpose_words(u.purpose))} ({code(u.purpose)}): {STANDINGS[u.standing]}; flows "
              + ", ".join(code(x) for x in u.flows) + "; to " + ", ".join(code(x) for x in u.recipients)
              for u in view.uses]
    lines += ["", f"### Findings its data takes part in ({len(view.findings)})", ""]
    if not view.findings:
        lines += ["None.", ""]
    for item in view.findings:
        f = item.finding
        kind = "" if f.established else f" (question for {code(f.asks or '')}: {escape(f.question)})"
        lines += [f"{f.rank}. **{f.severity.name}**: {escape(f.title)}{kind}  ",
                  f"   {code(f.id)}; its data: {', '.join(code(c) for c in item.categories)}; route "
                  + " → ".join(code(x) for x in item.route.systems)]
    return "\n".join(lines).rstrip("\n") + "\n"
