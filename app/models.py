"""Every model, imported once so that Alembic and ``create_all`` see the whole schema."""

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.places.models import Township, Village
from app.roster.models import Candidate, StatusChange

__all__ = ["AuditEntry", "Candidate", "StatusChange", "Township", "User", "Village"]
