"""The roster: candidates and their lifecycle."""


def init_app(app) -> None:
    from app.core.scoping import EVERYONE
    from app.core.sections import Worklist, register_timeline, register_worklist
    from app.roster import tallies
    from app.roster.queries import awaiting_decision
    from app.roster.views import bp, status_timeline

    app.register_blueprint(bp, url_prefix="/candidates")
    tallies.init_app(app)
    register_timeline(app, status_timeline)
    register_worklist(
        app,
        Worklist(
            key="nominations",
            title="待审批的推荐（拟推荐、考察中）",
            load=awaiting_decision,
            roles=EVERYONE,
            order=10,
        ),
    )
