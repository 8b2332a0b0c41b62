"""Training programmes (循环培养): rounds, enrolments, results."""


def init_app(app) -> None:
    from app.core.sections import (
        CandidateSection,
        register_section,
        register_timeline,
        register_trained_source,
    )
    from app.training import queries
    from app.training.views import bp

    app.register_blueprint(bp, url_prefix="/training")
    register_section(
        app,
        CandidateSection(
            key="training",
            title="循环培养",
            template="training/_section.html",
            load=queries.candidate_section,
            order=40,
        ),
    )
    register_timeline(app, queries.candidate_timeline)
    register_trained_source(app, queries.trained_rows)
