"""Trial-post rotations (试岗锻炼): posts, batches, placements, rotation plans."""


def init_app(app) -> None:
    from app.posts.views import bp

    app.register_blueprint(bp, url_prefix="/posts")
