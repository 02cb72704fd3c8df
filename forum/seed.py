"""Demo data: a fictional district, its schools, the school-safety plan and its comment period."""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from extensions import db
from forum import demo_text as text

# The demo's writer moved to forum.demo_comments; these names are still read from here.
from forum.demo_comments import (  # noqa: F401
    POSITION_WEIGHTS,
    ROLE_WEIGHTS,
    SEED,
    demo_comment,
    demo_comment_texts,
    demo_name,
)
from forum.demo_survey import RESPONSES, seed_demo_survey
from forum.models import (
    Channel,
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    District,
    Position,
    Role,
    School,
    StakeholderRole,
)
from forum.services.accounts import create_user
from forum.services.comments import CommentDraft, create_comment
from forum.services.consultations import sync_sections
from forum.timeutil import local_to_utc, now_utc, to_local

logger = logging.getLogger(__name__)

DEMO_SLUG = "demo"

THEME_SECTIONS = {
    "safety_response": 2,
    "trust": 2,
    "mental_health": 4,
    "threat_assessment": 5,
    "training": 6,
    "cost": 7,
    "equity": 1,
}
DEMO_ACCOUNTS = [
    ("admin@demo.soundingboard.example", "Demo administrator", Role.ADMIN),
    ("staff@demo.soundingboard.example", "Board staff (demo)", Role.STAFF),
    ("moderator@demo.soundingboard.example", "Moderator (demo)", Role.MODERATOR),
    (
        "threats@demo.soundingboard.example",
        "Threat assessment (demo)",
        Role.THREAT_ASSESSOR,
    ),
    ("parent@demo.soundingboard.example", "Rosa M.", Role.PARTICIPANT),
]


@dataclass
class Spec:
    draft: CommentDraft
    received_at: datetime
    reply_to: int | None = None  # index of an earlier spec


def _received(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _web_specs(
    rng: random.Random,
    count: int,
    schools: list[School],
    sections: dict[int, int],
    start: datetime,
    end: datetime,
) -> list[Spec]:
    specs = []
    for _ in range(count):
        made = demo_comment(rng)
        role, position, stance, themes, body = (
            made.role,
            made.position,
            made.stance,
            made.themes,
            made.text,
        )
        on_section = rng.random() < 0.4 and stance != Position.NEUTRAL
        school = (
            rng.choice(schools)
            if role != StakeholderRole.COMMUNITY and rng.random() < 0.75
            else None
        )
        specs.append(
            Spec(
                CommentDraft(
                    text=body,
                    stakeholder_role=role,
                    declared_position=position,
                    school_id=school.id if school else None,
                    section_id=sections.get(THEME_SECTIONS[themes[0]]) if on_section else None,
                    author_name=demo_name(rng),
                ),
                _received(rng, start, end),
            )
        )
    return specs


def _spanish_specs(
    rng: random.Random, schools: list[School], start: datetime, end: datetime
) -> list[Spec]:
    return [
        Spec(
            CommentDraft(
                text=body,
                stakeholder_role=StakeholderRole.PARENT,
                declared_position=position,
                preferred_language="es",
                school_id=rng.choice(schools).id,
                author_name=demo_name(rng),
            ),
            _received(rng, start, end),
        )
        for position, body in text.SPANISH_COMMENTS
    ]


def _campaign_specs(rng: random.Random, count: int, start: datetime, end: datetime) -> list[Spec]:
    specs = []
    for _ in range(count):
        name = demo_name(rng)
        body = text.CAMPAIGN_TEMPLATE.format(name=name)
        addition = rng.choice(text.CAMPAIGN_ADDITIONS)
        if addition:
            body = body.replace("\n\nSincerely", f" {addition}\n\nSincerely")
        channel = Channel.EMAIL if rng.random() < 0.6 else Channel.WEB
        specs.append(
            Spec(
                CommentDraft(
                    text=body,
                    stakeholder_role=rng.choice(
                        [StakeholderRole.PARENT, StakeholderRole.COMMUNITY]
                    ),
                    # Emailed letters carry no declared position; analysis must predict it.
                    declared_position=Position.OPPOSE if channel == Channel.WEB else None,
                    author_name=name,
                    channel=channel,
                ),
                # Form-letter drives arrive in bursts.
                start + (end - start) * (0.55 + 0.1 * rng.random()),
            )
        )
    return specs


def _reply_specs(rng: random.Random, parents: list[Spec], count: int, end: datetime) -> list[Spec]:
    replies = []
    for index in rng.sample(range(len(parents)), k=count):
        parent = parents[index]
        stance = rng.choice(list(text.REPLIES))
        position = stance if stance != "neutral" else Position.NEUTRAL
        replies.append(
            Spec(
                CommentDraft(
                    text=rng.choice(text.REPLIES[stance]),
                    stakeholder_role=rng.choice(
                        [
                            StakeholderRole.PARENT,
                            StakeholderRole.STUDENT,
                            StakeholderRole.TEACHER,
                        ]
                    ),
                    declared_position=position,
                    author_name=demo_name(rng),
                ),
                min(parent.received_at + timedelta(hours=rng.uniform(1, 48)), end),
                reply_to=index,
            )
        )
    return replies


def _accounts() -> list[tuple[str, str, Role]]:
    created = []
    for email, name, role in DEMO_ACCOUNTS:
        password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
        create_user(email, password, name, role)
        created.append((email, password, role))
    return created


def _write_credentials(accounts: Sequence[tuple[str, str, str]]) -> Path:
    path = Path(current_app.instance_path) / "demo-accounts.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["Demo sign-ins (random passwords, made by `flask seed-demo`):"]
    lines += [f"  {role:16} {email}  {password}" for email, password, role in accounts]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


# Other packages (moderation, analysis) add their demo records through these hooks.
DEMO_SEEDERS_KEY = "sounding_board.demo_seeders"


def register_demo_seeder(app: Flask, seeder: Callable[[Consultation], str]) -> None:
    app.extensions.setdefault(DEMO_SEEDERS_KEY, []).append(seeder)


def seed_demo(comment_count: int = 300) -> str:
    """Create the demo once; a second run changes nothing and says so."""
    if db.session.scalar(select(District).where(District.slug == DEMO_SLUG)):
        return "The demo data is already there; nothing changed."
    rng = random.Random(SEED)
    district = District(
        name="Riverside Unified School District (demo)", slug=DEMO_SLUG, is_demo=True
    )
    district.schools = [School(name=name, level=level) for name, level in text.SCHOOLS]
    db.session.add(district)

    today = to_local(now_utc()).date()
    opens_at = local_to_utc(datetime.combine(today - timedelta(days=20), time(8, 0)))
    closes_at = local_to_utc(datetime.combine(today + timedelta(days=14), time(17, 0)))
    consultation = Consultation(
        district=district,
        slug=text.PLAN_SLUG,
        title=text.PLAN_TITLE,
        summary=text.SUMMARY,
        body_markdown=text.PLAN_BODY,
        proposal=text.PROPOSAL,
        meeting_date=(closes_at + timedelta(days=7)).date(),
        agenda_item="11.2",
        opens_at=opens_at,
        closes_at=closes_at,
        status=ConsultationStatus.OPEN,
        allow_guest_comments=True,
    )
    db.session.add(consultation)
    sync_sections(consultation)
    db.session.flush()
    accounts = _accounts()

    sections = {s.number: s.id for s in consultation.sections}
    end = now_utc() - timedelta(minutes=5)
    specs = _web_specs(rng, comment_count, district.schools, sections, opens_at, end)
    specs += _spanish_specs(rng, district.schools, opens_at, end)
    specs += _campaign_specs(rng, 25, opens_at, end)
    specs.sort(key=lambda spec: spec.received_at)
    replies = _reply_specs(rng, specs, 15, end)
    stored = _store(consultation, specs, replies)
    _withdraw_a_few(rng, stored)
    survey = seed_demo_survey(consultation, district.schools, rng, opens_at, end)
    _number_by_arrival(consultation)
    path = _write_credentials(accounts)
    extras = [seeder(consultation) for seeder in current_app.extensions.get(DEMO_SEEDERS_KEY, [])]
    return "\n".join(
        [
            f"Created the demo district with {len(text.SCHOOLS)} schools and the consultation "
            f"'{consultation.slug}' with {len(stored)} comments.",
            f"Added the survey '{survey.title}' with {RESPONSES} responses.",
            *extras,
            f"Demo sign-ins are in {path}.",
        ]
    )


def _store(consultation: Consultation, specs: list[Spec], replies: list[Spec]) -> list[Comment]:
    """Store comments in the order they arrived, so public numbers follow time."""
    max_chars = current_app.config["COMMENT_MAX_CHARS"]
    stored: list[Comment] = []
    top_level: dict[int, Comment] = {}
    queue = sorted(
        [(spec.received_at, index, spec) for index, spec in enumerate(specs + replies)],
        key=lambda item: (item[0], item[1]),
    )
    for _, index, spec in queue:
        if spec.reply_to is not None:
            spec.draft.parent_id = top_level[spec.reply_to].id
        spec.draft.received_at = spec.received_at
        comment = create_comment(
            consultation,
            spec.draft,
            author=None,
            idempotency_key=None,
            max_chars=max_chars,
            enforce_period=False,
        )
        comment.created_at = spec.received_at
        if index < len(specs):
            top_level[index] = comment
        stored.append(comment)
    return stored


def _number_by_arrival(consultation: Consultation) -> None:
    """Renumber the demo's comments (web, email and survey answers alike) in arrival order."""
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.consultation_id == consultation.id)
        .order_by(Comment.received_at, Comment.id)
    ).all()
    for comment in comments:
        comment.number = -comment.number  # out of the way of the unique (consultation, number)
    db.session.flush()
    for number, comment in enumerate(comments, start=1):
        comment.number = number
    db.session.flush()


def _withdraw_a_few(rng: random.Random, comments: list[Comment]) -> None:
    for comment in rng.sample([c for c in comments if c.parent_id is None and not c.replies], k=2):
        comment.status = CommentStatus.WITHDRAWN
        comment.withdrawn_at = comment.received_at + timedelta(days=1)
