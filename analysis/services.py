"""Staff edits to analysis: the codebook, theme corrections, and naming discovered themes."""

from __future__ import annotations

import re

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from analysis.models import DiscoveredTheme, Theme, ThemeCorrection
from extensions import db
from forum.exceptions import ForumError
from forum.models import Consultation, User

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
LABEL_MAX = 120  # the column's length
DESCRIPTION_MAX = 2000


def save_theme(
    consultation: Consultation, key: str, label: str, description: str, active: bool = True
) -> Theme:
    """Add a codebook theme or update the one with this key."""
    if not KEY_PATTERN.match(key):
        raise ForumError(
            _("Keys are lower-case letters, digits and underscores, starting with a letter."),
            field="key",
        )
    if not label.strip() or not description.strip():
        raise ForumError(_("Give the theme a label and a description."), field="description")
    if len(label.strip()) > LABEL_MAX or len(description) > DESCRIPTION_MAX:
        raise ForumError(
            _(
                "Labels can be at most %(label)s characters and descriptions %(description)s.",
                label=format_decimal(LABEL_MAX),
                description=format_decimal(DESCRIPTION_MAX),
            ),
            field="description",
        )
    theme = db.session.scalar(
        select(Theme).where(Theme.consultation_id == consultation.id, Theme.key == key)
    )
    if theme is None:
        theme = Theme(consultation_id=consultation.id, key=key)
        db.session.add(theme)
    theme.label, theme.description, theme.active = label.strip(), description.strip(), active
    db.session.flush()
    return theme


def correct_themes(comment_id: int, applies: dict[str, bool], user: User) -> None:
    """Record staff's word on each theme for a comment; later runs follow it."""
    existing = {
        c.theme_key: c
        for c in db.session.scalars(
            select(ThemeCorrection).where(ThemeCorrection.comment_id == comment_id)
        )
    }
    for key, value in applies.items():
        correction = existing.get(key)
        if correction is None:
            db.session.add(
                ThemeCorrection(
                    comment_id=comment_id, theme_key=key, applies=value, user_id=user.id
                )
            )
        elif correction.applies != value:
            correction.applies, correction.user_id = value, user.id
    db.session.flush()


def name_discovered(found: DiscoveredTheme, name: str) -> None:
    if not name.strip():
        raise ForumError(_("Give the theme a name."), field="name")
    found.name = name.strip()[:120]


def merge_discovered(found: DiscoveredTheme, theme: Theme | None, user: User) -> int:
    """File every member of a discovered theme under a codebook theme (from the next run on)."""
    if theme is None:
        raise ForumError(_("Choose a codebook theme to merge into."), field="theme_key")
    for comment_id in found.member_ids:
        correct_themes(comment_id, {theme.key: True}, user)
    return len(found.member_ids)


def promote_discovered(
    consultation: Consultation, found: DiscoveredTheme, key: str, user: User
) -> Theme:
    """Make a discovered theme part of the codebook, with its members as confirmed examples."""
    label = found.name or ", ".join(found.keywords[:3])
    theme = save_theme(consultation, key, label, f"{label}: {', '.join(found.keywords)}")
    merge_discovered(found, theme, user)
    return theme
