"""Labels for the fixed choices on the comment form, translated at display time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from forum.models import Channel, CommentStatus, Position, Role, StakeholderRole

ROLE_LABELS = {
    StakeholderRole.PARENT: _l("Parent or guardian"),
    StakeholderRole.STUDENT: _l("Student"),
    StakeholderRole.TEACHER: _l("Teacher"),
    StakeholderRole.SCHOOL_STAFF: _l("Other school staff"),
    StakeholderRole.ADMINISTRATOR: _l("Administrator or principal"),
    StakeholderRole.COMMUNITY: _l("Community member"),
    StakeholderRole.OTHER: _l("Other"),
    StakeholderRole.NOT_STATED: _l("Not stated"),
}

POSITION_LABELS = {
    Position.SUPPORT: _l("Support"),
    Position.OPPOSE: _l("Oppose"),
    Position.MIXED: _l("Mixed: support some parts, oppose others"),
    Position.NEUTRAL: _l("Neutral"),
    Position.PREFER_NOT_TO_SAY: _l("Prefer not to say"),
}

# What the analysis reports: stance toward the proposal and tone, as column headings for staff.
STANCE_LABELS = {
    "support": _l("Support"),
    "oppose": _l("Oppose"),
    "mixed": _l("Mixed"),
    "neutral": _l("Neutral"),
    "unknown": _l("Unknown"),
}
TONE_LABELS = {"negative": _l("Negative"), "neutral": _l("Neutral"), "positive": _l("Positive")}

CHANNEL_LABELS = {
    Channel.WEB: _l("Website"),
    Channel.EMAIL: _l("Email"),
    Channel.SPEAKER_CARD: _l("Speaker card"),
    Channel.PHONE: _l("Phone"),
    Channel.LETTER: _l("Letter"),
    Channel.SURVEY: _l("Survey"),
    Channel.OTHER: _l("Other"),
}

STATUS_LABELS = {
    CommentStatus.PUBLISHED: _l("Published"),
    CommentStatus.PENDING: _l("Waiting for review"),
    CommentStatus.HIDDEN: _l("Hidden by a moderator"),
    CommentStatus.WITHDRAWN: _l("Withdrawn by its author"),
}

# Who took a moderation action, as the public moderation report counts them: by role.
ACTOR_GROUP_LABELS = {
    Role.MODERATOR: _l("Moderators"),
    Role.ADMIN: _l("Administrators"),
    Role.STAFF: _l("Board staff"),
    Role.THREAT_ASSESSOR: _l("Threat assessors"),
    Role.PARTICIPANT: _l("Participants"),
    "system": _l("Automatic screening"),
}

# Each language's name in that language, so a reader finds their own.
LANGUAGES = {
    "en": "English",
    "es": "Español",
    "hmn": "Hmoob (Hmong)",
    "yue": "粵語 (Cantonese)",
    "zh": "中文 (Chinese)",
    "vi": "Tiếng Việt (Vietnamese)",
    "ru": "Русский (Russian)",
    "tl": "Tagalog",
    "pa": "ਪੰਜਾਬੀ (Punjabi)",
    "ar": "العربية (Arabic)",
    "other": _l("Another language"),
}
