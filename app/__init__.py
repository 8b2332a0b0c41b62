"""村级后备干部人才库 — the application factory."""

from __future__ import annotations

import importlib

from flask import Flask

from app.config import INSTANCE_DIR, MIGRATIONS_DIR, Config

AREAS = ("places", "roster", "posts", "mentoring", "training", "assessment", "excel")


def create_app(config_class: type[Config] = Config, **overrides) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_path=str(INSTANCE_DIR))
    from app.core.urls import IdConverter

    app.url_map.converters["int"] = IdConverter  # before the blueprints add their rules
    app.config.from_object(config_class)
    app.config.update(overrides)
    config_class.finalise(app.config)
    proxies = app.config["ROSTER_PROXY_COUNT"]
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address (login limits, the audit log) and whether it came over HTTPS
        # (HSTS) are read from the headers the trusted proxies add, and from no others.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from app.core.logs import keep_personal_data_out_of_logs

    keep_personal_data_out_of_logs(app)  # before the engine is made: its options

    from app.core.db import configure_postgresql, configure_sqlite, init_write_transactions
    from app.extensions import bootstrap, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["ROSTER_SQLITE_BUSY_MS"])
        configure_postgresql(db.engine)
    init_write_transactions(app)  # first of the request hooks: before the user is loaded

    from app import models  # noqa: F401  (every model registered before Alembic looks)
    from app.accounts.views import bp as accounts_bp
    from app.admin.views import bp as admin_bp
    from app.cli import bp as cli_bp
    from app.core.errors import register_error_handlers
    from app.core.security import init_security
    from app.core.templating import register_template_helpers
    from app.main.views import bp as main_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(cli_bp)
    # Each domain area registers its blueprint and what it adds to the candidate page.
    for area in AREAS:
        importlib.import_module(f"app.{area}").init_app(app)
    register_error_handlers(app)
    init_security(app)
    register_template_helpers(app)
    return app
