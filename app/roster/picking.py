"""Picking the candidate another area's form is about (a trial post, a mentor pairing).

The form's page, asked without a candidate, is a pick page: a search box that finds candidates
as the roster's search does (name, pinyin or its initials, the ID number's last digits), and
each one found, with village and masked ID number to tell namesakes apart, a link to the same
page with that candidate chosen. Plain links and one GET form: it needs no JavaScript, and a
keyboard reaches every part. The chosen candidate's id stays in the page's URL from then on,
so the form's POST reads it there (a candidate out of the user's scope is a 404, as anywhere).
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from wtforms import SearchField

from app.core.codes import Status
from app.core.forms import FilterForm
from app.core.normalize import clean_text
from app.roster.queries import pickable


class PickForm(FilterForm):
    q = SearchField("姓名 / 拼音 / 身份证号后几位", render_kw={"placeholder": "如 张三、zs、1234"})


def pick_page(
    action: str,
    statuses,
    *,
    param: str,
    choose: str,
    township_id: int | None = None,
    keep: dict | None = None,
):
    """The pick page of the form that does ``action`` (安排试岗), for candidates in
    ``statuses``: ``param`` is the query parameter that names the chosen one, ``choose`` the
    words of each one's link, ``keep`` what else the page's URL carries through a search (a
    preset post or batch)."""
    q = clean_text(request.args.get("q"))[:60]
    listed = "或".join(f"“{status.label}”" for status in Status if status.value in statuses)
    return render_template(
        "pick_candidate.html",
        title=f"{action}：选择后备干部",
        form=PickForm(formdata=None, data={"q": q}),
        found=pickable(current_user, q, statuses, township_id=township_id) if q else [],
        searched=bool(q),
        param=param,
        choose=choose,
        # The candidate page links to the same form with the candidate chosen.
        hint=f"只列出{listed}的后备干部。也可以在后备干部的档案页点“{action}”。",
        keep={name: value for name, value in (keep or {}).items() if value is not None},
    )
