"""Every route, every role, against an explicit table: a new route without an entry fails."""

from __future__ import annotations

import pytest
from flask import url_for

from analysis.models import AnalysisRun, DiscoveredTheme
from analysis.packet.models import Packet
from extensions import db
from forum import surveys as survey_service
from moderation.models import Escalation
from tests import factories
from tests.conftest import PASSWORD

ROLES = ["anonymous", "participant", "moderator", "staff", "threat_assessor", "admin"]
ACCESS = {
    "public": set(ROLES),
    "signed_in": set(ROLES) - {"anonymous"},
    "staff": {"staff", "admin"},
    "moderators": {"moderator", "admin"},
    "admins": {"admin"},
    "threat_team": {"threat_assessor"},
    "author_only": set(),  # the test comment is a guest's: nobody here wrote it
}
EXPECTED = {
    "api.comment": "public",
    "api.comments": "public",
    "api.comments_csv": "public",
    "api.comments_jsonl": "public",
    "api.consultation": "public",
    "api.consultations": "public",
    "api.data_dictionary": "public",
    "api.docs": "public",
    "api.index": "public",
    "api.moderation_report": "public",
    "api.openapi_document": "public",
    "api.packets": "public",
    "api.survey_results": "public",
    "api.surveys": "public",
    "accounts.check_email": "public",
    "accounts.confirm_email": "public",
    "accounts.login": "public",
    "accounts.logout": "public",
    "accounts.account": "signed_in",
    "accounts.change_email": "signed_in",
    "accounts.change_name": "signed_in",
    "accounts.change_password": "signed_in",
    "accounts.close_account": "signed_in",
    "accounts.my_comments": "signed_in",
    "accounts.my_data": "signed_in",
    "accounts.resend_confirmation": "signed_in",
    "accounts.register": "public",
    "notifications.confirm_follow": "public",
    "notifications.follow": "public",
    "notifications.settings": "signed_in",
    "notifications.unfollow": "signed_in",
    "notifications.unsubscribe": "public",
    "accounts.request_password_reset": "public",
    "accounts.reset_password": "public",
    "admin.block": "admins",
    "admin.change_role": "admins",
    "admin.invite": "admins",
    "admin.unblock": "admins",
    "admin.user": "admins",
    "admin.users": "admins",
    "analysis.code_sample": "staff",
    "analysis.comment_themes": "staff",
    "analysis.discovered": "staff",
    "analysis.overview": "staff",
    "analysis.save_theme": "staff",
    "analysis.start": "staff",
    "heard.download": "public",
    "heard.latest": "public",
    "heard.version": "public",
    "invitations.accept": "public",
    "moderation.act": "moderators",
    "moderation.block": "moderators",
    "moderation.bulk": "moderators",
    "moderation.comment": "moderators",
    "moderation.queue": "moderators",
    "packets.download": "staff",
    "packets.edit": "staff",
    "packets.index": "staff",
    "packets.publish": "staff",
    "packets.review": "staff",
    "public.choose_language": "public",
    "public.comment_permalink": "public",
    "public.consultation": "public",
    "public.health": "public",
    "public.index": "public",
    "public.post_comment": "public",
    "public.receipt": "public",
    "public.withdraw": "author_only",
    "public.withdraw_by_receipt": "public",
    "staff.dashboard": "staff",
    "staff.edit": "staff",
    "staff.new": "staff",
    "surveys.edit_question": "staff",
    "surveys.edit_survey": "staff",
    "surveys.export": "staff",
    "surveys.move_question": "staff",
    "surveys.new_question": "staff",
    "surveys.new_survey": "staff",
    "surveys.receipt": "public",
    "surveys.respond": "public",
    "surveys.results": "public",
    "surveys.staff_results": "staff",
    "surveys.survey": "public",
    "threats.act": "threat_team",
    "threats.detail": "threat_team",
    "threats.index": "threat_team",
    "transparency.flag": "signed_in",
    "transparency.report": "public",
    "transparency.rules": "public",
}


@pytest.fixture
def world(app):
    """One of everything a route can name."""
    consultation = factories.ConsultationFactory()
    comment = factories.CommentFactory(consultation=consultation)
    users = {role: factories.UserFactory(role=role) for role in ROLES if role != "anonymous"}
    db.session.flush()
    escalation = Escalation(comment_id=comment.id, source="moderator", reason="test")
    run = AnalysisRun(consultation_id=consultation.id, status="failed", message="test run")
    db.session.add_all([escalation, run])
    db.session.flush()
    found = DiscoveredTheme(
        run_id=run.id, key="discovered-1", keywords=["bus"], member_ids=[comment.id]
    )
    packet = Packet(
        consultation_id=consultation.id,
        prepared_by="Staff",
        created_by_id=users["staff"].id,
        status="failed",
    )
    survey = survey_service.create_survey(consultation, title="Survey", status="open")
    question = survey_service.add_question(
        survey, survey_service.QuestionSpec("single", "Pick one", options=["A", "B"])
    )
    db.session.add_all([found, packet])
    db.session.commit()
    values = {
        "slug": consultation.slug,
        "token": comment.receipt_token,
        "comment_id": comment.id,
        "number": comment.number,
        "user_id": users["participant"].id,
        "escalation_id": escalation.id,
        "found_id": found.id,
        "packet_id": packet.id,
        "fmt": "html",
        "survey_id": survey.id,
        "question_id": question.id,
        "version": 1,
    }
    return users, values


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(EXPECTED), (
        f"missing from the table: {sorted(endpoints - set(EXPECTED))}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_the_table_allows(app, world, role):
    users, values = world
    actions = {"moderation.act": "approve", "threats.act": "acknowledge"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        arguments = {name: values[name] for name in rule.arguments if name != "action"}
        if "action" in rule.arguments:
            arguments["action"] = actions[rule.endpoint]
        with app.test_request_context():
            url = url_for(rule.endpoint, **arguments)
        allowed = role in ACCESS[EXPECTED[rule.endpoint]]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # A fresh app context per visit, so nothing (such as the signed-in user kept in
            # flask.g) carries over from one visit to the next as it cannot between real requests.
            with app.app_context():
                client = app.test_client()
                if role != "anonymous":
                    login = client.post(
                        "/login", data={"email": users[role].email, "password": PASSWORD}
                    )
                    assert login.status_code == 302, (role, url, login.status_code)
                response = client.open(url, method=method)
                db.session.remove()
            to_login = response.status_code == 302 and "/login" in response.headers.get(
                "Location", ""
            )
            denied = response.status_code == 403 or (to_login and rule.endpoint != "accounts.login")
            assert denied != allowed, (
                role,
                method,
                url,
                response.status_code,
                response.headers.get("Location"),
            )
            if not allowed and role != "anonymous":
                assert response.status_code == 403, (
                    role,
                    method,
                    url,
                    response.status_code,
                    response.headers.get("Location"),
                )
            checked += 1
    assert checked >= len(EXPECTED)
