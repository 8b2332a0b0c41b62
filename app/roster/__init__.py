"""The roster: candidates and their lifecycle."""


def init_app(app) -> None:
    from app.core.sections import register_timeline
    from app.roster.views import bp, status_timeline

    app.register_blueprint(bp, url_prefix="/candidates")
    register_timeline(app, status_timeline)
