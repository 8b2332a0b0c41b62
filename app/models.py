"""Every model, importable from one place (Alembic and ``create_all`` see the whole schema).

``create_app`` imports each area, which registers its models; this module lists them for
scripts and shells that want them all without building an app.
"""

from app.accounts.models import LoginThrottle, User
from app.assessment.models import Assessment, DynamicNote, Inspection, Outcome
from app.core.audit import AuditEntry
from app.core.once import FormToken
from app.excel.models import ExcelUpload
from app.mentoring.models import Mentor, MentoringActivity, Pairing, VillagePairing
from app.places.models import Setting, Township, Village, VillageSeat
from app.posts.models import Batch, Placement, Post, RotationPlanItem
from app.roster.models import Candidate, StatusChange
from app.training.models import Enrolment, Programme, Round, RoundResult

__all__ = [
    "Assessment",
    "AuditEntry",
    "Batch",
    "Candidate",
    "DynamicNote",
    "Enrolment",
    "ExcelUpload",
    "FormToken",
    "Inspection",
    "LoginThrottle",
    "Mentor",
    "MentoringActivity",
    "Outcome",
    "Pairing",
    "Placement",
    "Post",
    "Programme",
    "RotationPlanItem",
    "Round",
    "RoundResult",
    "Setting",
    "StatusChange",
    "Township",
    "User",
    "Village",
    "VillagePairing",
    "VillageSeat",
]
