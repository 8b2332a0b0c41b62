"""The migrations build the schema the models describe, on each backend."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import TestConfig
from app.extensions import db


def test_models_and_migrations_in_step(app):
    """What ``flask db check`` asks: would autogenerate find anything to add?"""
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_nothing_and_back(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.db'}")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert db.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert "candidates" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()
