"""factory_boy factories for the models tests need."""

from __future__ import annotations

from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from forum.models import (
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    District,
    School,
    User,
)
from forum.services.accounts import hash_password
from forum.services.comments import next_comment_number
from forum.services.consultations import sync_sections
from forum.timeutil import now_utc

PLAN = """Intro paragraph.

## Officers on campus

Three officers instead of eight.

## Counselors

More counselors.
"""


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session = None
        sqlalchemy_session_persistence = "flush"


def bind(session) -> None:
    """Point every factory at the test's session."""
    for factory_class in (
        UserFactory,
        DistrictFactory,
        SchoolFactory,
        ConsultationFactory,
        CommentFactory,
    ):
        factory_class._meta.sqlalchemy_session = session


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    role = "participant"
    password_hash = factory.LazyFunction(lambda: hash_password("correct horse battery staple"))
    email_confirmed_at = factory.LazyFunction(now_utc)


class DistrictFactory(BaseFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class SchoolFactory(BaseFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")


class ConsultationFactory(BaseFactory):
    class Meta:
        model = Consultation

    district = factory.SubFactory(DistrictFactory)
    slug = factory.Sequence(lambda n: f"plan-{n}")
    title = "School safety plan"
    summary = "Fewer officers, more counselors."
    body_markdown = PLAN
    proposal = "Reduce officers and fund mental-health staff instead."
    opens_at = factory.LazyFunction(lambda: now_utc() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: now_utc() + timedelta(days=7))
    status = ConsultationStatus.OPEN
    allow_guest_comments = True

    @factory.post_generation
    def sections(obj, create, extracted, **kwargs):
        sync_sections(obj)


class CommentFactory(BaseFactory):
    class Meta:
        model = Comment

    consultation = factory.SubFactory(ConsultationFactory)
    number = factory.LazyAttribute(lambda o: next_comment_number(o.consultation.id))
    author_name = "Sam"
    submitted_text = "I support this plan."
    stakeholder_role = "parent"
    declared_position = "support"
    status = CommentStatus.PUBLISHED
