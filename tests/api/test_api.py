"""The open-data API through HTTP: what it serves, how it pages and filters, and its manners."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from extensions import db
from forum.models import Comment
from tests import factories
from tests.api.schema_check import assert_matches_documented, load_document, operation_for
from tests.html_checks import active_content
from tests.test_spreadsheet_exports import HOSTILE, formula_cells

BASE = "/api/v1/consultations/safety-plan"


def example_paths(world, document) -> dict[str, str]:
    """A concrete path for every documented path template."""
    values = {
        "{slug}": world.consultation.slug,
        "{number}": str(world.comments[0].number),
        "{survey_id}": str(world.survey.id),
    }

    def fill(template: str) -> str:
        for name, value in values.items():
            template = template.replace(name, value)
        return template

    return {template: fill(template) for template in document["paths"]}


@pytest.fixture
def document(client, world):
    return load_document(client)


def test_the_openapi_document_is_valid_and_every_endpoint_answers_as_documented(
    client, world, document
):
    paths = example_paths(world, document)
    assert len(paths) >= 14
    for template, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        assert operation_for(document, path)[0] == template
        assert_matches_documented(document, response, path)


def test_documented_errors_match_the_problem_schema(client, world, document):
    for path, status in [
        (f"{BASE}/comments?role=headteacher", 400),
        (f"{BASE}/comments?cursor=not-ours", 400),
        (f"{BASE}/comments/{world.hidden.number}", 404),
        ("/api/v1/consultations/no-such-plan", 404),
        (f"{BASE}/surveys/999999/results", 404),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        assert response.mimetype == "application/problem+json"
        assert_matches_documented(document, response, path)
        problem = response.get_json()
        assert problem["status"] == status and problem["detail"]
        assert problem["type"].startswith("http://localhost/api/v1/docs#problem-")


def test_comments_show_the_public_text_and_fields(client, world):
    items = client.get(f"{BASE}/comments").get_json()["items"]
    by_number = {item["number"]: item for item in items}
    first, reply, student = world.comments
    assert set(by_number) == {first.number, reply.number, student.number}  # not the hidden one
    assert by_number[first.number]["school"] == "Lincoln High"
    assert by_number[first.number]["section_title"] == "Officers on campus"
    assert by_number[student.number]["school"] is None  # a student's school is never shown
    assert by_number[reply.number]["parent_number"] == first.number
    assert by_number[reply.number]["language"] == "es"
    assert by_number[reply.number]["text"] == "Más consejeros, por favor."
    assert by_number[first.number]["url"].endswith(f"/consultations/safety-plan/comments/{first.number}")  # fmt: skip


def test_a_redacted_comment_shows_only_the_redacted_text(client, world):
    from moderation import services as moderation

    moderation.redact(world.comments[0], world.moderator, "officers", "personal_information")
    db.session.commit()
    item = client.get(f"{BASE}/comments/{world.comments[0].number}").get_json()
    assert item["text"] == "Fewer [redacted]." and item["redacted"] is True
    assert "officers" not in client.get(f"{BASE}/comments.csv").get_data(as_text=True)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_cursor_pages_walk_every_comment_once(client, world):
    for n in range(7):
        factories.CommentFactory(consultation=world.consultation, submitted_text=f"More {n}")
    db.session.commit()
    seen, url, pages = [], f"{BASE}/comments?limit=3&role=parent", 0
    while url:
        response = client.get(url)
        body = response.get_json()
        seen += [item["number"] for item in body["items"]]
        assert query_of(body["links"]["self"]) == query_of(url)
        url, pages = body["links"]["next"], pages + 1
        if url:
            assert response.headers["Link"] == f'<{url}>; rel="next"'
            assert "role=parent" in url  # filters carry over to the next page
    expected = db.session.scalars(
        db.select(Comment.number)
        .where(Comment.status == "published", Comment.stakeholder_role == "parent")
        .order_by(Comment.number)
    ).all()
    assert seen == list(expected) and pages == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("section=1", lambda w: [w.comments[0]]),
        ("section=2", lambda w: [w.comments[2]]),
        ("section=0", lambda w: [w.comments[1]]),
        ("role=teacher", lambda w: [w.comments[1]]),
        ("position=oppose", lambda w: [w.comments[1]]),
        ("language=es", lambda w: [w.comments[1]]),
        ("since=2000-01-01", lambda w: w.comments),
        ("since=2999-01-01T00:00:00Z", lambda w: []),
    ],
)
def test_filters(client, world, query, expected):
    numbers = [item["number"] for item in client.get(f"{BASE}/comments?{query}").get_json()["items"]]  # fmt: skip
    assert numbers == [c.number for c in expected(world)]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "section=x",
        "position=maybe",
        "since=yesterday",
        "language=!!",
        "sort=new",
    ],
)
def test_bad_parameters_are_400_problems_that_say_which(client, world, query):
    response = client.get(f"{BASE}/comments?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert query.split("=")[0] in response.get_json()["detail"]


def test_etag_and_conditional_get(client, world):
    first = client.get(f"{BASE}/comments")
    etag = first.headers["ETag"]
    again = client.get(f"{BASE}/comments", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # A withdrawal changes the listing, so the old ETag no longer matches.
    world.comments[2].status = "withdrawn"
    db.session.commit()
    changed = client.get(f"{BASE}/comments", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert first.headers["Cache-Control"] == "no-cache"


def test_read_only_cors_without_credentials(client, world):
    response = client.get(f"{BASE}/comments", headers={"Origin": "https://news.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        f"{BASE}/comments",
        headers={"Origin": "https://news.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert client.head(f"{BASE}/comments").headers["Access-Control-Allow-Origin"] == "*"
    post = client.post(f"{BASE}/comments", headers={"Origin": "https://news.example"})
    assert post.status_code == 405 and "Access-Control-Allow-Origin" not in post.headers
    assert post.mimetype == "application/problem+json"
    assert post.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_unknown_api_addresses_are_404_problems(client, world):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Not found"


def test_drafts_are_not_in_the_api(client, world):
    factories.ConsultationFactory(slug="secret-draft", status="draft")
    db.session.commit()
    slugs = [c["slug"] for c in client.get("/api/v1/consultations").get_json()["items"]]
    assert slugs == ["safety-plan"]
    assert client.get("/api/v1/consultations/secret-draft").status_code == 404
    assert client.get("/api/v1/consultations/secret-draft/comments.csv").status_code == 404


def test_no_cookies_even_for_a_signed_in_browser(client, auth, world):
    assert client.get(f"{BASE}/comments").headers.get("Set-Cookie") is None
    auth.login(world.staff.email)
    response = client.get(f"{BASE}/comments")
    assert response.status_code == 200
    assert response.headers.get("Set-Cookie") is None
    assert "Cookie" not in response.headers.get("Vary", "")
    assert client.get("/api/v1/consultations/safety-plan").headers.get("Set-Cookie") is None


def test_consultation_and_public_counts(client, world):
    body = client.get(BASE).get_json()
    assert body["agenda_item"] == "7.2" and body["published_comments"] == 3
    assert [s["number"] for s in body["sections"]] == [1, 2]
    assert body["links"]["moderation_report"].endswith(f"{BASE}/moderation-report")
    report = client.get(f"{BASE}/moderation-report").get_json()
    assert (report["received"], report["published"], report["hidden"]) == (4, 3, 1)
    assert report["hidden_by_reason"] == {"commercial_spam": 1}
    assert {"action": "hide", "reason_code": "commercial_spam", "count": 1} in report["actions"]


def test_survey_results_only_where_public(client, world):
    listed = client.get(f"{BASE}/surveys").get_json()["items"]
    assert listed[0]["results_public"] is True
    results = client.get(listed[0]["results"]).get_json()
    assert results["responses"] == 4
    prompts = [q["prompt"] for q in results["questions"]]
    assert "How many children attend?" not in prompts  # that question's results are staff-only
    world.survey.hide_results_until_closed = True
    db.session.commit()
    assert client.get(f"{BASE}/surveys").get_json()["items"][0]["results"] is None
    hidden = client.get(listed[0]["results"])
    assert hidden.status_code == 404 and "not public" in hidden.get_json()["detail"]


def test_data_is_the_same_in_any_language(client, world):
    url = f"{BASE}/surveys/{world.survey.id}/results"
    english = client.get(url, headers={"Accept-Language": "en"})
    spanish = client.get(url, headers={"Accept-Language": "es"})
    assert english.data == spanish.data and english.headers["ETag"] == spanish.headers["ETag"]
    assert "Strongly agree" in english.get_data(as_text=True)
    page = client.get("/api/v1/docs", headers={"Accept-Language": "es"})
    assert 'lang="es"' in page.get_data(as_text=True)  # the documentation page is translated


def test_published_packets_are_listed_with_their_hash(app, client, world):
    [packet] = client.get(f"{BASE}/packets").get_json()["items"]
    assert packet["version"] == 1 and packet["content_hash"] == "a" * 64
    assert packet["staff_downloads"]["pdf"].endswith(f"/staff/packets/view/{world.packet.id}/packet.pdf")  # fmt: skip
    if "heard.version" in app.view_functions:  # the public "What we heard" page
        assert packet["public_url"].endswith("/consultations/safety-plan/what-we-heard/v1")
    else:
        assert packet["public_url"] is None


def test_csv_download_is_spreadsheet_safe_and_licensed(client, world, app):
    for text in HOSTILE:
        factories.CommentFactory(consultation=world.consultation, submitted_text=text)
    db.session.commit()
    response = client.get(f"{BASE}/comments.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data(as_text=True).removeprefix("\ufeff")
    licence, rest = data.split("\r\n", 1)
    assert licence.startswith("# ") and app.config["OPEN_DATA_LICENCE"] in licence
    rows = list(csv.DictReader(io.StringIO(rest)))
    assert len(rows) == 3 + len(HOSTILE)
    assert formula_cells(rest) == []
    dictionary = client.get("/api/v1/data-dictionary.json").get_json()
    assert list(rows[0]) == [field["name"] for field in dictionary["fields"]]


def test_jsonl_download_matches_the_api_records(client, world):
    lines = client.get(f"{BASE}/comments.jsonl").get_data(as_text=True).splitlines()
    about, *records = [json.loads(line) for line in lines]
    assert "licence" in about["about"]
    assert records == client.get(f"{BASE}/comments").get_json()["items"]


def test_rate_limit_answers_429_problem(app_factory, world):
    limited = app_factory(RATELIMIT_ENABLED=True, RATE_LIMIT_API="2 per minute")
    client = limited.test_client()
    statuses = [client.get("/api/v1/consultations").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/")
    assert response.status_code == 429  # one budget for the whole API
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_api_needs_no_csrf_token_and_refuses_writes_plainly(app_factory, world):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    assert client.get(f"{BASE}/comments").status_code == 200
    response = client.post(f"{BASE}/comments", data={"text": "hi"})
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_consultation_page_links_to_its_open_data(client, world):
    page = client.get("/consultations/safety-plan").get_data(as_text=True)
    for link in ("comments.csv", "comments.jsonl", "/api/v1/consultations/safety-plan", "/api/v1/docs"):  # fmt: skip
        assert link in page


def test_documentation_page_lists_every_endpoint_without_scripts(client, world, document):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for path in document["paths"]:
        assert f"GET {path}" in page
    for name in ("section_number", "stakeholder_role", "received_at"):
        assert f"<code>{name}</code>" in page
    found = active_content(page)
    assert found.inline_scripts == 0 and found.handlers == []
    assert all(src.startswith("/static/") for src in found.script_sources)  # no CDN
    assert response.headers["Content-Security-Policy"].count("script-src 'self'") == 1
    assert 'id="problem-rate-limited"' in page


def test_a_nul_character_is_a_400_problem_not_a_page(client, world):
    response = client.get(f"{BASE}/comments?role=par%00ent")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "NUL" in response.get_json()["detail"]
