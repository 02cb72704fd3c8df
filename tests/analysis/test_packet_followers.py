"""Followers hear once, in their language, that the board packet ("What we heard") is published."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from analysis.packet.models import Packet
from extensions import db
from forum.models import Follow, OutboxEmail
from forum.timeutil import now_utc
from tests import factories
from tests.conftest import user_with_role

pytestmark = pytest.mark.slow  # the real encoder and models


def test_publishing_a_packet_tells_each_confirmed_follower_once(client, auth, analysed):
    reader = factories.UserFactory(preferred_locale="es")
    unconfirmed_guest = Follow(consultation_id=analysed.id, email="later@example.org")
    db.session.add_all(
        [
            Follow(consultation_id=analysed.id, user=reader, confirmed_at=now_utc()),
            Follow(consultation_id=analysed.id, email="guest@example.org", confirmed_at=now_utc()),
            unconfirmed_guest,
        ]
    )
    db.session.commit()
    auth.login(user_with_role("staff").email)
    client.post(f"/staff/packets/{analysed.slug}", data={"prepared_by": "Office of the Board"})
    packet = db.session.scalar(select(Packet))
    assert client.post(f"/staff/packets/view/{packet.id}/publish").status_code == 303
    notices = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "packet_published").order_by(OutboxEmail.id)
    ).all()
    assert sorted(n.recipient for n in notices) == sorted([reader.email, "guest@example.org"])
    spanish = next(n for n in notices if n.recipient == reader.email)
    assert "Junta" in spanish.subject and "/unsubscribe/" in spanish.unsubscribe_url
    assert f"/consultations/{analysed.slug}/what-we-heard/v1" in spanish.body
    # A second version is news too, once more per follower; publishing never repeats a notice.
    client.post(f"/staff/packets/{analysed.slug}", data={"prepared_by": "Office of the Board"})
    second = db.session.scalars(select(Packet).order_by(Packet.id.desc())).first()
    client.post(f"/staff/packets/view/{second.id}/publish")
    assert (
        len(
            db.session.scalars(
                select(OutboxEmail).where(OutboxEmail.kind == "packet_published")
            ).all()
        )
        == 4
    )
