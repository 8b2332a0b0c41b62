"""Training programmes (循环培养): rounds, enrolments, results."""


def init_app(app) -> None:
    from app.training.views import bp

    app.register_blueprint(bp, url_prefix="/training")
