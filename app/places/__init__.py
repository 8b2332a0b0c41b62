"""Townships, villages, their 两委 seats, and the county settings."""


def init_app(app) -> None:
    from app.places.views import bp

    app.register_blueprint(bp, url_prefix="/places")
