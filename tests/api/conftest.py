"""A consultation with something behind every API endpoint, for the open-data tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from analysis.packet.models import Packet
from extensions import db
from forum.models import SurveyStatus
from forum.timeutil import now_utc
from moderation import services as moderation
from tests import factories
from tests.forum.test_survey_results import fixed_responses
from tests.forum.test_surveys import make_survey


@pytest.fixture
def world(app):
    """Published comments on sections and replies, a hidden one, public survey results and a
    published packet."""
    consultation = factories.ConsultationFactory(slug="safety-plan", agenda_item="7.2")
    school = factories.SchoolFactory(district=consultation.district, name="Lincoln High")
    moderator = factories.UserFactory(role="moderator")
    staff = factories.UserFactory(role="staff")
    officers, counselors = consultation.sections
    first = factories.CommentFactory(
        consultation=consultation, section=officers, school=school, submitted_text="Fewer officers."
    )
    reply = factories.CommentFactory(
        consultation=consultation,
        parent=first,
        stakeholder_role="teacher",
        declared_position="oppose",
        preferred_language="es",
        submitted_text="Más consejeros, por favor.",
    )
    student = factories.CommentFactory(
        consultation=consultation,
        section=counselors,
        stakeholder_role="student",
        school=school,
        submitted_text="We need counselors.",
    )
    hidden = factories.CommentFactory(consultation=consultation, submitted_text="Off-topic spam.")
    db.session.flush()
    moderation.hide(hidden, moderator, "commercial_spam")
    survey = make_survey(consultation)
    survey.status, survey.hide_results_until_closed = SurveyStatus.OPEN, False
    db.session.flush()
    fixed_responses(survey)
    packet = Packet(
        consultation_id=consultation.id,
        prepared_by="Board staff",
        created_by_id=staff.id,
        status="published",
        version=1,
        content={"period": {"cutoff": None}},
        content_hash="a" * 64,
        published_at=now_utc(),
        published_by_id=staff.id,
    )
    db.session.add(packet)
    db.session.commit()
    return SimpleNamespace(
        consultation=consultation,
        school=school,
        comments=[first, reply, student],
        hidden=hidden,
        survey=survey,
        packet=packet,
        moderator=moderator,
        staff=staff,
    )
