"""Excel roster import and export (花名册), and backups."""


def init_app(app) -> None:
    from app.excel import commands, models  # noqa: F401  (CLI commands and the upload table)
    from app.excel.views import bp

    app.register_blueprint(bp, url_prefix="/candidates")
