"""Mentor pairings (结对帮带) and village pairings."""


def init_app(app) -> None:
    from app.mentoring.views import bp

    app.register_blueprint(bp, url_prefix="/mentoring")
