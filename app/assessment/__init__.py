"""Inspections, assessments, dynamic notes, outcomes; the review queue; the dossier's parts."""


def init_app(app) -> None:
    from app.assessment import models  # noqa: F401  (the tables, before Alembic looks)
    from app.assessment.queries import low_latest_grades, without_recent_assessment
    from app.assessment.sections import (
        load_assessments,
        load_inspections,
        load_notes,
        load_outcome,
        timeline,
    )
    from app.assessment.views import bp, records
    from app.core.scoping import DECIDERS
    from app.core.sections import (
        CandidateSection,
        Worklist,
        register_section,
        register_timeline,
        register_worklist,
    )

    app.register_blueprint(bp, url_prefix="/review")
    app.register_blueprint(records, url_prefix="/candidates")
    for key, title, template, load, order in (
        ("inspections", "考察记录", "assessment/_inspections.html", load_inspections, 10),
        ("assessments", "考核情况", "assessment/_assessments.html", load_assessments, 50),
        ("notes", "动态记录", "assessment/_notes.html", load_notes, 60),
        ("outcome", "使用与退出", "assessment/_outcome.html", load_outcome, 90),
    ):
        register_section(app, CandidateSection(key, title, template, load, order, in_print=True))
    register_timeline(app, timeline)
    register_worklist(
        app,
        Worklist(
            key="low_grades",
            title="最近考核为基本称职或不称职的后备干部",
            load=low_latest_grades,
            roles=DECIDERS,
            order=30,
        ),
    )
    register_worklist(
        app,
        Worklist(
            key="no_recent_assessment",
            title="12个月内无考核的在库后备干部",
            load=without_recent_assessment,
            roles=DECIDERS,
            order=40,
        ),
    )
