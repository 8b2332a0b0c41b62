"""Mentor pairings (结对帮带) and village pairings (村村结对)."""


def init_app(app) -> None:
    from app.core.scoping import EVERYONE
    from app.core.sections import (
        CandidateSection,
        Worklist,
        register_section,
        register_timeline,
        register_worklist,
    )
    from app.mentoring import queries
    from app.mentoring.views import bp

    app.register_blueprint(bp, url_prefix="/mentoring")
    register_section(
        app,
        CandidateSection(
            key="mentoring",
            title="结对帮带",
            template="mentoring/_section.html",
            load=queries.candidate_section,
            order=30,
        ),
    )
    register_timeline(app, queries.candidate_timeline)
    register_worklist(
        app,
        Worklist(
            key="mentoring_stale",
            title="帮带不实（30天无活动）",
            load=queries.stale_worklist,
            roles=EVERYONE,
            order=50,
        ),
    )
    register_worklist(
        app,
        Worklist(
            key="mentoring_overdue",
            title="到期待评价的结对帮带",
            load=queries.overdue_worklist,
            roles=EVERYONE,
            order=55,
        ),
    )
