"""Trial-post rotations (试岗锻炼): posts, batches, placements, rotation plans."""


def init_app(app) -> None:
    from sqlalchemy import event

    from app.core.codes import PostKind
    from app.core.sections import (
        CandidateSection,
        RosterFilter,
        RosterFilterGroup,
        Worklist,
        register_roster_filters,
        register_section,
        register_timeline,
        register_trained_source,
        register_worklist,
    )
    from app.places.models import Township
    from app.posts import models  # noqa: F401  (the area's tables, before Alembic looks)
    from app.posts.operations import open_windows
    from app.posts.queries import (
        PLACED,
        PLAN,
        due_worklist,
        post_kind_of,
        roster_clauses,
        trained_rows,
        unevaluated_worklist,
    )
    from app.posts.views import bp, candidate_section, placement_timeline

    app.register_blueprint(bp, url_prefix="/posts")
    # A new township starts with the ten windows of its service centre, in the same flush.
    # Mapper events are global, so the listener is added once however many apps are made.
    if not event.contains(Township, "after_insert", open_windows):
        event.listen(Township, "after_insert", open_windows)
    register_section(
        app,
        CandidateSection(
            key="placements",
            title="试岗锻炼",
            template="posts/_candidate_section.html",
            load=candidate_section,
            order=20,
        ),
    )
    register_timeline(app, placement_timeline)
    register_roster_filters(
        app,
        RosterFilterGroup(
            filters=(
                RosterFilter("placed", "试岗", tuple(PLACED.items())),
                RosterFilter("post_kind", "试岗岗位类别", tuple(PostKind.choices()), post_kind_of),
                RosterFilter("plan", "轮岗计划", tuple(PLAN.items())),
            ),
            clauses=roster_clauses,
        ),
    )
    register_trained_source(app, trained_rows)
    register_worklist(
        app,
        Worklist(key="placements_due", title="即将结束的试岗", load=due_worklist, order=40),
    )
    register_worklist(
        app,
        Worklist(
            key="placements_unevaluated",
            title="待评价的试岗",
            load=unevaluated_worklist,
            order=41,
        ),
    )
