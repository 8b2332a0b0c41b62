"""The candidate lifecycle: which role may move a candidate from which status to which.

nominated (拟推荐) → inspecting (考察中) → in_pool (在库培养) → used (已使用) | withdrawn (已退出);
a secretary may return a nomination (returned, 已退回) with a reason, and the clerk may then
nominate it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.codes import Role, Status

DECIDERS = frozenset({Role.secretary, Role.admin})
ENTERERS = frozenset({Role.clerk, Role.admin})


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    roles: frozenset
    action: str  # the button's words
    reason_required: bool = False


TRANSITIONS = [
    Transition(Status.nominated, Status.inspecting, DECIDERS, "开始考察"),
    Transition(Status.nominated, Status.in_pool, DECIDERS, "批准入库"),
    Transition(Status.inspecting, Status.in_pool, DECIDERS, "批准入库"),
    Transition(Status.nominated, Status.returned, DECIDERS, "退回", reason_required=True),
    Transition(Status.inspecting, Status.returned, DECIDERS, "退回", reason_required=True),
    Transition(Status.returned, Status.nominated, ENTERERS, "重新推荐"),
]


def find(source: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == source and t.target == target), None)


def available(source: str, role: str) -> list[Transition]:
    """The moves this role may make from this status, in the order buttons show them."""
    return [t for t in TRANSITIONS if t.source == source and role in t.roles]
