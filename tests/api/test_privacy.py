"""Privacy by construction: whatever state comments are in, the open data shows only what the
public page may show.

Hypothesis builds consultations whose comments are published, pending, hidden, withdrawn,
redacted or escalated, by students and others, by guests (some giving an email address as
their name) and by account holders, through the moderation services themselves. Then every
API response and both downloads of that consultation are read, and none may contain a
non-public text, a redacted phrase, an email address, the poster's IP address or the school of
a student, while every published text does appear, as shown publicly.
"""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions import db
from forum.services import comments as comment_service
from moderation import services as moderation
from tests import factories
from tests.forum.test_comments import comment_form

STATES = ["published", "pending", "hidden", "withdrawn", "redacted", "escalated"]
ROLES = ["student", "parent", "teacher", "community"]
POSTER_IP = "203.0.113.77"

COMMENT = st.fixed_dictionaries(
    {
        "state": st.sampled_from(STATES),
        "role": st.sampled_from(ROLES),
        "author": st.sampled_from(["guest", "guest with email", "account"]),
        "with_school": st.booleans(),
        "reply": st.booleans(),
        "on_section": st.booleans(),
    }
)
PRIVACY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _make(consultation, moderator, index: int, spec: dict, earlier: list, secrets: dict):
    """One comment in the state the spec asks for; records what must and must not be seen."""
    tag = f"{uuid.uuid4().hex[:6]}{index:02d}Z"
    student = spec["role"] == "student"
    school = None
    if spec["with_school"]:
        name = f"{'Student' if student else 'Open'} School {tag}"
        school = factories.SchoolFactory(district=consultation.district, name=name)
        (secrets["never"] if student else secrets["fine"]).append(name)
        secrets["schools"].append(name)
    author = None
    author_name = "Sam"
    if spec["author"] == "account":
        author = factories.UserFactory(email=f"person-{tag}@example.org")
        secrets["never"].append(author.email)
    elif spec["author"] == "guest with email":
        author_name = f"guest-{tag}@example.net"
        secrets["never"].append(author_name)
        secrets["names"].append(author_name)  # the page shows names as given; the data never
    state = spec["state"]
    text = f"Kept KEEP{tag} and SECRET{tag}" if state == "redacted" else f"Words TEXT{tag}"
    comment = factories.CommentFactory(
        consultation=consultation,
        submitted_text=text,
        stakeholder_role=spec["role"],
        school=school,
        author=author,
        author_name=author_name,
        parent=earlier[-1] if spec["reply"] and earlier else None,
        section=consultation.sections[0] if spec["on_section"] else None,
        status="pending" if state == "pending" else "published",
    )
    db.session.flush()
    if state == "hidden":
        moderation.hide(comment, moderator, "off_topic")
    elif state == "withdrawn":
        comment_service.withdraw_comment(comment, None, comment.receipt_token)
    elif state == "escalated":
        moderation.escalate(comment, moderator, note=f"Escalation note NOTE{tag}")
        secrets["never"].append(f"NOTE{tag}")
    elif state == "redacted":
        moderation.redact(comment, moderator, f"SECRET{tag}", "personal_information")
        secrets["never"].append(f"SECRET{tag}")
    if state in ("published", "redacted"):
        secrets["shown"].append(f"KEEP{tag}" if state == "redacted" else f"TEXT{tag}")
    else:
        secrets["never"].append(f"TEXT{tag}")
    earlier.append(comment)


def _everything_the_api_serves(client, slug: str, numbers: range) -> str:
    base = f"/api/v1/consultations/{slug}"
    bodies = [
        client.get(path).get_data(as_text=True)
        for path in (
            "/api/v1/consultations",
            base,
            f"{base}/moderation-report",
            f"{base}/packets",
            f"{base}/surveys",
            f"{base}/comments.csv",
            f"{base}/comments.jsonl",
            *(f"{base}/comments/{number}" for number in numbers),
        )
    ]
    url: str | None = f"{base}/comments?limit=2"
    while url:
        page = client.get(url).get_json()
        bodies.append(str(page))
        url = page["links"]["next"]
    return "\n".join(bodies)


@PRIVACY
@given(specs=st.lists(COMMENT, min_size=1, max_size=6))
def test_open_data_never_shows_what_the_public_may_not_see(app, client, specs):
    consultation = factories.ConsultationFactory(slug=f"plan-{uuid.uuid4().hex[:10]}")
    moderator = factories.UserFactory(role="moderator")
    secrets: dict[str, list[str]] = {
        "never": [moderator.email],
        "fine": [],
        "shown": [],
        "names": [],
        "schools": [],
    }
    earlier: list = []
    for index, spec in enumerate(specs):
        _make(consultation, moderator, index, spec, earlier, secrets)
    db.session.commit()
    # One more, through the real form from a known address: the address is never published.
    tag = uuid.uuid4().hex[:8]
    posted = client.post(
        f"/consultations/{consultation.slug}/comments",
        data=comment_form(text=f"Posted POSTED{tag}", idempotency_key=f"privacy-{tag}"),
        environ_base={"REMOTE_ADDR": POSTER_IP},
    )
    assert posted.status_code == 303
    secrets["shown"].append(f"POSTED{tag}")

    served = _everything_the_api_serves(client, consultation.slug, range(1, len(specs) + 2))

    leaked = [secret for secret in [*secrets["never"], POSTER_IP] if secret in served]
    assert leaked == []
    # Each published text is in the listing, its own item, the CSV and the JSON Lines.
    assert [text for text in secrets["shown"] if served.count(text) < 4] == []

    # The public pages draw comments through the same serialiser, and show no more. (The
    # consultation page's comment form lists every school, so school names are checked only on
    # the comments' own pages.)
    never_on_pages = set(secrets["never"]) - set(secrets["names"])
    thread = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert [s for s in never_on_pages - set(secrets["schools"]) if s in thread] == []
    permalinks = "\n".join(
        client.get(f"/consultations/{consultation.slug}/comments/{n}").get_data(as_text=True)
        for n in range(1, len(specs) + 2)
    )
    assert [secret for secret in never_on_pages if secret in permalinks] == []
