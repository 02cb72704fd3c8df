"""The public site's records: accounts, the district, consultations and comments."""

from forum.models.comments import (
    Channel,
    Comment,
    CommentStatus,
    Position,
    StakeholderRole,
)
from forum.models.consultations import (
    Consultation,
    ConsultationStatus,
    ModerationMode,
    Section,
)
from forum.models.districts import District, School
from forum.models.mail import OutboxEmail
from forum.models.notifications import Follow
from forum.models.surveys import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from forum.models.users import PRIVILEGED_ROLES, PasswordReset, Role, User

__all__ = [
    "PRIVILEGED_ROLES",
    "Channel",
    "Comment",
    "CommentStatus",
    "Consultation",
    "ConsultationStatus",
    "District",
    "Follow",
    "ModerationMode",
    "OutboxEmail",
    "PasswordReset",
    "Position",
    "QuestionKind",
    "Role",
    "School",
    "Section",
    "StakeholderRole",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyStatus",
    "User",
]
