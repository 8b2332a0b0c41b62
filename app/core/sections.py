"""How areas add to a candidate's page without the roster importing them.

Each area registers, in its ``init_app``:

- a **section**: a partial template shown on the candidate page (and, with ``in_print``, in the
  printed dossier), fed by a loader that returns the data the partial needs — templates never
  query; and
- a **timeline provider**: dated events (a placement, a training round, an assessment…) merged
  into the candidate's one timeline.

The roster's views ask this registry; they never import another area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app


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
