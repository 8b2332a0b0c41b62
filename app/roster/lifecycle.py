"""The candidate lifecycle: which role may move a candidate from which status to which.

nominated (拟推荐) → inspecting (考察中) → in_pool (在库培养) → used (已使用) | withdrawn (已退出);
a secretary may return a nomination (returned, 已退回) with a reason, and the clerk may then
nominate it again. A withdrawn candidate can be restored to the pool with a reason (能上能下).

Leaving the pool (used, withdrawn) and coming back are recorded with an outcome (the village or
unit, the withdrawal reason, the date): those transitions are marked ``via_form``. They are no
plain buttons on the candidate page, and ``find`` knows them only inside ``through_form()``,
which the assessment area's outcome operations open — so a hand-made POST to the plain status
route cannot move a candidate out of the pool without its outcome row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from app.core.codes import Status
from app.core.scoping import DECIDERS, ENTERERS


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    roles: tuple[str, ...]
    action: str  # the button's words
    reason_required: bool = False
    via_form: bool = False  # made by its own form (an outcome), never a plain status button


TRANSITIONS = [
    Transition(Status.nominated, Status.inspecting, DECIDERS, "开始考察"),
    Transition(Status.nominated, Status.in_pool, DECIDERS, "批准入库"),
    Transition(Status.inspecting, Status.in_pool, DECIDERS, "批准入库"),
    Transition(Status.nominated, Status.returned, DECIDERS, "退回", reason_required=True),
    Transition(Status.inspecting, Status.returned, DECIDERS, "退回", reason_required=True),
    Transition(Status.returned, Status.nominated, ENTERERS, "重新推荐"),
    Transition(Status.in_pool, Status.used, DECIDERS, "记录使用", via_form=True),
    Transition(
        Status.in_pool,
        Status.withdrawn,
        DECIDERS,
        "退出人才库",
        reason_required=True,
        via_form=True,
    ),
    Transition(
        Status.withdrawn, Status.in_pool, DECIDERS, "恢复入库", reason_required=True, via_form=True
    ),
]

_through_form: ContextVar[bool] = ContextVar("through_form", default=False)


@contextmanager
def through_form() -> Iterator[None]:
    """Within this block ``find`` also knows the transitions made by their own form."""
    token = _through_form.set(True)
    try:
        yield
    finally:
        _through_form.reset(token)


def find(source: str, target: str) -> Transition | None:
    return next(
        (
            t
            for t in TRANSITIONS
            if t.source == source and t.target == target and (not t.via_form or _through_form.get())
        ),
        None,
    )


def above_role(source: str, target: str, role: str) -> bool:
    """True when the move exists but only other roles make it — by a button or through an
    outcome form: such a request is refused as above the role (403), not as an impossible move."""
    moves = [t for t in TRANSITIONS if t.source == source and t.target == target]
    return bool(moves) and not any(role in t.roles for t in moves)


def available(source: str, role: str) -> list[Transition]:
    """The plain moves this role may make from this status, in the order buttons show them."""
    return [t for t in TRANSITIONS if t.source == source and role in t.roles and not t.via_form]
