"""Inspections, assessments, dynamic notes, outcomes; the review queue."""


def init_app(app) -> None:
    from app.assessment.views import bp

    app.register_blueprint(bp, url_prefix="/review")
