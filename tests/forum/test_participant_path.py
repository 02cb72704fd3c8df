"""The participant's path through HTTP: the way to comment at the top, the plan by section,
filtered comments, a form that keeps its text when refused, and a receipt that says what next."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from forum.models import Comment, ConsultationStatus
from forum.timeutil import now_utc
from tests import factories
from tests.forum.test_comments import comment_form, post

SPANISH = {"Accept-Language": "es"}


def page_of(client, consultation, query: str = "", **kwargs) -> str:
    return client.get(f"/consultations/{consultation.slug}{query}", **kwargs).get_data(as_text=True)


def selected(html: str, select_id: str) -> str | None:
    """The value of the selected option of one <select>, or None when none is marked."""
    select_html = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    found = re.search(
        r'<option[^>]*?selected[^>]*value="([^"]*)"|<option value="([^"]*)" selected', select_html
    )
    return None if found is None else (found.group(1) or found.group(2))


def test_the_way_to_comment_comes_before_the_plan_and_the_form_before_the_comments(
    client, consultation
):
    factories.CommentFactory(consultation=consultation, submitted_text="An early comment.")
    db.session.commit()
    html = page_of(client, consultation)
    action = html.index('<a class="button-primary" href="#comment-form">Comment on this plan</a>')
    assert action < html.index('id="plan-heading"') < html.index('id="comment-form"')
    assert html.index('id="comment-form"') < html.index('id="comments"')
    assert html.index('id="comments"') < html.index("An early comment.")
    assert '<a href="#comments">Read 1 comment</a>' in html
    # The form is a region named by its heading, as landmarks list it.
    assert 'aria-labelledby="comment-form-heading"' in html


@pytest.mark.parametrize(
    "change",
    [
        {"status": ConsultationStatus.CLOSED},
        {"opens_at": now_utc() + timedelta(days=1), "closes_at": now_utc() + timedelta(days=9)},
    ],
    ids=["closed", "upcoming"],
)
def test_no_call_to_comment_where_comments_are_not_taken(client, consultation, change):
    for name, value in change.items():
        setattr(consultation, name, value)
    db.session.commit()
    for html in (page_of(client, consultation), client.get("/").get_data(as_text=True)):
        assert "Comment on this plan" not in html
        assert "Comment on this section" not in html


def test_each_open_card_on_the_home_page_leads_straight_to_its_form(client, consultation):
    closed = factories.ConsultationFactory(title="Old plan", status=ConsultationStatus.CLOSED)
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert home.count("Comment on this plan") == 1
    assert f'href="/consultations/{consultation.slug}#comment-form"' in home
    assert f"/consultations/{closed.slug}#comment-form" not in home
    # Each card's link has its own accessible name: the visible words, then the plan's title.
    assert 'Comment on this plan<span class="visually-hidden">: School safety plan</span>' in home


def test_the_plan_opens_one_section_at_a_time_each_with_a_way_to_comment_on_it(
    client, consultation
):
    officers, counselors = consultation.current_sections
    html = page_of(client, consultation)
    assert '<div class="plan-body"><p>Intro paragraph.</p></div>' in html
    assert html.count('<details class="plan-section-text">') == 2
    assert "<summary>Read section 1</summary>" in html
    assert '<h2 id="section-1">1. Officers on campus</h2>' in html
    assert "<p>Three officers instead of eight.</p>" in html.split("Read section 1", 1)[1]
    for section in (officers, counselors):
        link = f'href="/consultations/{consultation.slug}?section={section.id}#comment-form"'
        assert link in html
        assert f'{link} aria-describedby="section-{section.number}">Comment on this section' in html
    assert '<nav class="toc"' not in html  # the headings themselves are the contents now


def test_a_section_link_opens_the_form_with_that_section_chosen(client, consultation):
    counselors = consultation.current_sections[1]
    html = page_of(client, consultation, f"?section={counselors.id}")
    assert selected(html, "section_id") == str(counselors.id)
    response = post(client, consultation, section_id=str(counselors.id))
    assert response.status_code == 303
    assert db.session.scalar(select(Comment)).section_id == counselors.id


def test_a_heading_inside_a_quote_keeps_the_plan_whole(client):
    consultation = factories.ConsultationFactory(
        body_markdown="Intro.\n\n> ## Quoted heading\n>\n> Quoted text.\n\n## Real section\n\nText."
    )
    db.session.commit()
    html = page_of(client, consultation)
    assert "<details" not in html  # cutting at the quoted heading would break the quote
    assert '<nav class="toc"' in html
    body = html.split('<div class="plan-body">', 1)[1]
    assert body.index("<blockquote>") < body.index("Quoted text.") < body.index("</blockquote>")


def test_the_spanish_page_offers_the_same_path(client, consultation):
    html = page_of(client, consultation, headers=SPANISH)
    assert "Comentar este plan" in html
    assert "Comentar esta sección" in html
    assert "Leer la sección 1" in html
    assert '<div class="plan-section-heading" lang="en"><h2 id="section-1">' in html


# Filtering the comment list by section, role and position


@pytest.fixture
def voices(consultation):
    officers = consultation.current_sections[0]
    for text, role, position, section in [
        ("Parent in support.", "parent", "support", None),
        ("Student opposed.", "student", "oppose", officers),
        ("Teacher in support, on officers.", "teacher", "support", officers),
        ("Parent opposed, on officers.", "parent", "oppose", officers),
    ]:
        factories.CommentFactory(
            consultation=consultation,
            submitted_text=text,
            stakeholder_role=role,
            declared_position=position,
            section=section,
        )
    db.session.commit()
    return consultation


TEXTS = [
    "Parent in support.",
    "Student opposed.",
    "Teacher in support, on officers.",
    "Parent opposed, on officers.",
]


def shown(html: str) -> list[str]:
    return [text for text in TEXTS if text in html]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", TEXTS),
        ("?role=parent", ["Parent in support.", "Parent opposed, on officers."]),
        ("?position=oppose", ["Student opposed.", "Parent opposed, on officers."]),
        ("?role=parent&position=oppose", ["Parent opposed, on officers."]),
        ("?role=teacher&position=oppose", []),
        # Unknown values are ignored, as an unknown section or sort order is.
        ("?role=mayor&position=maybe&section=abc&sort=sideways", TEXTS),
    ],
)
def test_comments_filter_by_role_and_position(client, voices, query, expected):
    response = client.get(f"/consultations/{voices.slug}{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown(html) == expected
    assert f'<span class="count">({len(expected)})</span>' in html
    narrowed = "role=parent" in query or "position=oppose" in query or "teacher" in query
    assert ("these filters." in html) == narrowed
    if not expected:
        assert "No comments match these filters." in html


def test_section_role_and_position_combine_and_are_remembered_in_the_form(client, voices):
    officers = voices.current_sections[0]
    html = page_of(client, voices, f"?section={officers.id}&role=parent&position=oppose")
    assert shown(html) == ["Parent opposed, on officers."]
    assert "1 comment matches these filters." in html
    assert selected(html, "filter-role") == "parent"
    assert selected(html, "filter-position") == "oppose"
    assert selected(html, "filter-section") == str(officers.id)


def test_the_cached_thread_is_kept_apart_for_each_filter(client, voices):
    """The thread cache is keyed by the filters too: one reader's filter never shows another's."""
    assert shown(page_of(client, voices, "?role=student")) == ["Student opposed."]
    assert shown(page_of(client, voices, "?role=teacher")) == ["Teacher in support, on officers."]
    assert shown(page_of(client, voices, "?position=support")) == [
        "Parent in support.",
        "Teacher in support, on officers.",
    ]
    assert shown(page_of(client, voices)) == TEXTS
    factories.CommentFactory(
        consultation=voices, submitted_text="A second student.", stakeholder_role="student"
    )
    db.session.commit()
    assert "A second student." in page_of(client, voices, "?role=student")  # version raised


def test_pages_of_a_filtered_list_keep_the_filters(client, consultation):
    for number in range(51):
        factories.CommentFactory(
            consultation=consultation,
            submitted_text=f"Student view {number}.",
            stakeholder_role="student",
        )
    db.session.commit()
    html = page_of(client, consultation, "?role=student&sort=newest")
    assert (
        f"/consultations/{consultation.slug}?role=student&amp;sort=newest&amp;page=2#comments"
        in html
    )


# The form keeps what was typed


class TestRefusedSubmissions:
    @pytest.fixture
    def app_overrides(self):
        return {"RATELIMIT_ENABLED": True, "RATE_LIMIT_COMMENT": "1 per minute"}

    def test_a_rate_limited_comment_comes_back_with_its_text(self, client, consultation):
        assert post(client, consultation, idempotency_key="first-key-000000").status_code == 303
        long_text = "I have thought about this for a long time. " * 40
        response = post(
            client,
            consultation,
            text=long_text,
            author_name="Rosa",
            stakeholder_role="teacher",
            idempotency_key="second-key-00000",
        )
        assert response.status_code == 429
        html = response.get_data(as_text=True)
        assert "You have sent several comments in a short time, so this one was not saved." in html
        assert long_text.strip() in html.replace("&#39;", "'")
        assert 'value="Rosa"' in html
        assert selected(html, "stakeholder_role") == "teacher"
        assert len(list(db.session.scalars(select(Comment)))) == 1

    def test_the_same_in_spanish(self, client, consultation):
        post(client, consultation, idempotency_key="first-key-000000")
        response = client.post(
            f"/consultations/{consultation.slug}/comments",
            data=comment_form(text="Mi comentario largo.", idempotency_key="second-key-00000"),
            headers=SPANISH,
        )
        assert response.status_code == 429
        html = response.get_data(as_text=True)
        assert "así que este no se guardó. Su texto está abajo" in html
        assert "Mi comentario largo." in html


def test_the_character_count_and_draft_hooks_are_on_the_form(client, consultation):
    html = page_of(client, consultation)
    assert 'data-counter="text-counter"' in html
    assert 'id="text-counter" aria-live="polite"' in html
    assert f'data-draft="comment:{consultation.slug}"' in html


def test_signed_in_people_start_with_the_role_and_school_of_their_last_comment(
    client, auth, consultation, participant
):
    school = factories.SchoolFactory(district=consultation.district)
    elsewhere = factories.SchoolFactory()  # another district's school: not offered here
    db.session.commit()
    assert selected(page_of(client, consultation), "stakeholder_role") is None  # a guest
    auth.login(participant.email)
    assert selected(page_of(client, consultation), "stakeholder_role") is None  # no comment yet
    response = post(client, consultation, stakeholder_role="teacher", school_id=str(school.id))
    assert response.status_code == 303
    html = page_of(client, consultation)
    assert selected(html, "stakeholder_role") == "teacher"
    assert selected(html, "school_id") == str(school.id)
    assert not re.search(r'<input[^>]*checked[^>]*name="declared_position"', html)  # per plan

    other = factories.ConsultationFactory(district=elsewhere.district)
    db.session.commit()
    html = page_of(client, other)
    assert selected(html, "stakeholder_role") == "teacher"
    assert selected(html, "school_id") in (None, "")  # that school is not in this district


# The receipt says what happens next


def test_the_receipt_says_what_happens_next(client, consultation):
    consultation.meeting_date = date(2031, 5, 14)
    consultation.agenda_item = "11.2"
    db.session.commit()
    receipt = client.get(post(client, consultation).headers["Location"]).get_data(as_text=True)
    steps = receipt.split('<section class="next-steps"', 1)[1].split("</section>", 1)[0]
    assert f'data-draft-sent="comment:{consultation.slug}"' in receipt
    assert "What happens next" in steps
    assert "The comment period closes on" in steps
    assert "which meets on May 14, 2031 to discuss the plan." in steps
    assert "It is agenda item 11.2." in steps
    assert "You can withdraw your comment with the button at the end of this page" in steps
    follow = f'<a href="/consultations/{consultation.slug}#follow">follow the consultation</a>'
    assert follow in steps


def test_the_receipt_in_spanish(client, consultation):
    location = post(client, consultation).headers["Location"]
    receipt = client.get(location, headers=SPANISH).get_data(as_text=True)
    assert "Qué sigue" in receipt
    assert "What happens next" not in receipt
