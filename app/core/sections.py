"""How areas add to shared pages without importing each other.

Each area registers, in its ``init_app``:

- a **section**: a partial template shown on the candidate page (and, with ``in_print``, in the
  printed dossier), fed by a loader that returns the data the partial needs — templates never
  query; and
- a **timeline provider**: dated events (a placement, a training round, an assessment…) merged
  into the candidate's one timeline.

- a **worklist**: things waiting for someone (below), shown in the review queue and on the
  dashboard; and
- **roster filters**: query parameters of the roster list (and its export) that ask about the
  area's records, e.g. "on a trial post now" (below).

The roster's views ask this registry; they never import another area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context

from app.core.scoping import EVERYONE


@dataclass(frozen=True)
class CandidateSection:
    key: str
    title: str
    template: str  # rendered with ``candidate``, ``data``, ``today``, ``printing``
    load: Callable[..., dict[str, Any]]  # load(candidate, user) -> data for the template
    order: int = 100
    in_print: bool = True


@dataclass(frozen=True)
class TimelineEvent:
    on: dt.date
    kind: str  # a short Chinese word: 试岗, 帮带, 培训, 考察, 考核, 动态, 状态…
    title: str
    detail: str = ""
    url: str | None = None
    at: str = ""  # a time of day to show beside the date, when it matters (status changes)
    sort_key: str = ""  # orders events of the same day


def _registry(app=None) -> dict[str, list]:
    app = app or current_app
    return app.extensions.setdefault("roster_candidate", {"sections": [], "timeline": []})


def register_section(app, section: CandidateSection) -> None:
    _registry(app)["sections"].append(section)
    _registry(app)["sections"].sort(key=lambda s: s.order)


def register_timeline(app, provider: Callable[..., list[TimelineEvent]]) -> None:
    """``provider(candidate, user) -> list[TimelineEvent]``."""
    _registry(app)["timeline"].append(provider)


def sections_for(candidate, user, *, printing: bool = False) -> list[tuple[CandidateSection, dict]]:
    return [
        (section, section.load(candidate, user))
        for section in _registry()["sections"]
        if section.in_print or not printing
    ]


def timeline_for(candidate, user) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for provider in _registry()["timeline"]:
        events.extend(provider(candidate, user))
    return sorted(events, key=lambda e: (e.on, e.sort_key), reverse=True)


# ---- worklists: what needs doing, gathered from every area ------------------------------


@dataclass(frozen=True)
class WorkItem:
    title: str  # usually the candidate's name
    detail: str  # what is due, in a few words
    url: str  # one click to where the decision is made
    due_on: dt.date | None = None


@dataclass(frozen=True)
class Worklist:
    """A list of things waiting for someone, e.g. 待审批的推荐 or 待评价的试岗.

    ``load(user, limit)`` returns ``(total, items)`` — the count of all waiting items in the
    user's scope and at most ``limit`` of them, most urgent first — in a fixed number of
    queries. ``roles`` says who is asked to act on it; the secretaries' review queue and the
    dashboard both read the worklists their user's role may act on or watch.
    """

    key: str
    title: str
    load: Callable[..., tuple[int, list[WorkItem]]]
    roles: tuple[str, ...] = EVERYONE
    order: int = 100


def register_worklist(app, worklist: Worklist) -> None:
    lists = _registry(app).setdefault("worklists", [])
    lists.append(worklist)
    lists.sort(key=lambda w: w.order)


def worklists_for(user, *, limit: int = 10) -> list[tuple[Worklist, int, list[WorkItem]]]:
    return [
        (worklist, *worklist.load(user, limit))
        for worklist in _registry().get("worklists", [])
        if user.role in worklist.roles
    ]


# ---- trained: which candidates were trained when (for the dashboard's pipeline) ------------


def register_trained_source(app, source: Callable[..., Any]) -> None:
    """``source(user, since) -> Select`` of rows (candidate_id, township_id, year): a candidate
    trained in that year (began a trial post, attended a training round…), in the user's scope.
    """
    _registry(app).setdefault("trained", []).append(source)


def trained_sources(user, since: dt.date) -> list:
    return [source(user, since) for source in _registry().get("trained", [])]


# ---- roster filters: the roster list asks about another area's records ---------------------


@dataclass(frozen=True)
class RosterFilter:
    """A select on the roster's filter bar and the query parameter ``key`` it sends."""

    key: str
    label: str
    choices: tuple[tuple[str, str], ...]  # (value, label); the bar adds 全部 ('') first
    # The choice a raw parameter names ('' for none): by default only a choice's own value.
    read: Callable[[str | None], str] | None = None

    def value_of(self, raw: str | None) -> str:
        if self.read is not None:
            return self.read(raw)
        return raw if raw in dict(self.choices) else ""


@dataclass(frozen=True)
class RosterFilterGroup:
    """Filters read together: ``clauses(values, today)`` returns WHERE clauses on
    ``Candidate`` for ``values`` (each filter's key -> its value, '' when not chosen); it is
    asked only when one of them is chosen."""

    filters: tuple[RosterFilter, ...]
    clauses: Callable[[dict[str, str], dt.date], list]


def register_roster_filters(app, group: RosterFilterGroup) -> None:
    _registry(app).setdefault("roster_filters", []).append(group)


def roster_filter_groups() -> list[RosterFilterGroup]:
    """The groups the app's areas registered; none outside an app (no area is initialised)."""
    if not has_app_context():
        return []
    return _registry().get("roster_filters", [])
