"""Interface languages: complete catalogues, the picker, Spanish pages, and adding a language."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from sqlalchemy import func, select

from config import _interface_languages
from extensions import db
from forum.i18n import (
    DOMAIN,
    TRANSLATIONS,
    catalogue_paths,
    catalogue_problems,
    compile_catalogues,
    extract_template,
)
from forum.models import Comment, User
from tests.conftest import PASSWORD, user_with_role
from tests.forum.test_comments import comment_form

SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


def test_every_catalogue_translates_every_message_in_the_code(tmp_path):
    """Fails when any interface text in the code or templates lacks a translation."""
    template = extract_template(tmp_path / "messages.pot")
    assert len(template) > 500, "extraction found too little interface text"
    problems = catalogue_problems(TRANSLATIONS, template)
    assert problems == [], "\n".join(problems[:30])


def test_extraction_reads_every_template_and_module_with_interface_text(tmp_path):
    """A folder the extractor skips (as `_macros/` once was) would hide untranslated text."""
    template = extract_template(tmp_path / "messages.pot", locations=True)
    root = TRANSLATIONS.parent
    seen = {
        Path(path).relative_to(root).as_posix()
        for message in template
        for path, _line in message.locations
    }
    call = re.compile(r"(?<![\w.])(_|_l|ngettext)\(")  # gettext as the code and templates spell it
    with_text = {
        path.relative_to(root).as_posix()
        for pattern in (
            "templates/**/*.html",
            "forum/**/*.py",
            "moderation/*.py",
            "analysis/**/*.py",
        )
        for path in root.glob(pattern)
        if call.search(path.read_text(encoding="utf-8"))
    }
    assert "templates/_macros/surveys.html" in with_text
    assert with_text - seen == set()


def test_every_offered_language_has_a_catalogue(app):
    assert set(app.config["LANGUAGES"]) <= set(catalogue_paths(TRANSLATIONS))
    assert {"en", "es"} <= set(app.config["LANGUAGES"])


def test_a_spanish_browser_gets_spanish_pages(client, consultation):
    home = client.get("/", headers=SPANISH).get_data(as_text=True)
    assert '<html lang="es" dir="ltr">' in home
    assert "Dé su opinión" in home
    assert "Have your say" not in home
    page = client.get(f"/consultations/{consultation.slug}", headers=SPANISH)
    html = page.get_data(as_text=True)
    assert "Enviar comentario" in html and "Send comment" not in html
    assert "Madre, padre o tutor legal" in html  # the role choices too


def test_the_districts_own_text_keeps_its_language_on_spanish_pages(client, consultation):
    """WCAG 3.1.2: a screen reader voices the English plan in English inside a Spanish page."""
    spanish = client.get(f"/consultations/{consultation.slug}", headers=SPANISH)
    html = spanish.get_data(as_text=True)
    assert '<h1 lang="en">School safety plan</h1>' in html
    assert '<div class="plan-body" lang="en">' in html
    english = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "<h1>School safety plan</h1>" in english


def test_dates_and_numbers_follow_the_language(client, consultation):
    consultation.closes_at = datetime(2031, 3, 5, 20, 0, tzinfo=UTC)
    db.session.commit()
    english = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    spanish = client.get(f"/consultations/{consultation.slug}", headers=SPANISH)
    assert "Mar 5, 2031" in english
    assert "5 mar 2031" in spanish.get_data(as_text=True)


def test_spanish_errors_explain_what_to_fix(client, consultation):
    response = client.post(
        f"/consultations/{consultation.slug}/comments",
        data=comment_form(text="   "),
        headers=SPANISH,
    )
    assert response.status_code == 400
    assert "Escriba un comentario antes de enviarlo." in response.get_data(as_text=True)
    response = client.post(
        f"/consultations/{consultation.slug}/comments",
        data=comment_form(stakeholder_role="mayor"),
        headers=SPANISH,
    )
    assert response.status_code == 400
    assert "Not a valid choice" not in response.get_data(as_text=True)  # WTForms' own text too
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_the_language_picker_remembers_the_choice(client, consultation):
    back = f"/consultations/{consultation.slug}"
    response = client.post("/language", data={"locale": "es", "next": back})
    assert response.status_code == 303
    assert response.headers["Location"] == back
    page = client.get(back).get_data(as_text=True)  # no Accept-Language: the choice decides
    assert '<html lang="es"' in page
    assert 'lang="es" class="link-button" aria-current="true">Español</button>' in page
    client.post("/language", data={"locale": "en", "next": back})
    assert '<html lang="en"' in client.get(back).get_data(as_text=True)


def test_a_signed_in_choice_follows_the_account(app, client, auth, participant):
    auth.login(participant.email)
    client.post("/language", data={"locale": "es", "next": "/"})
    assert db.session.get(User, participant.id).preferred_locale == "es"
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": participant.email, "password": PASSWORD})
    assert "Dé su opinión" in other_browser.get("/").get_data(as_text=True)


def test_the_picker_refuses_unknown_languages_and_offsite_returns(client):
    assert client.post("/language", data={"locale": "xx"}).status_code == 400
    response = client.post("/language", data={"locale": "es", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_right_to_left_comments_round_trip(client, consultation):
    text = "نحن نحتاج إلى مستشارين أكثر في المدارس. שלום"
    response = client.post(
        f"/consultations/{consultation.slug}/comments",
        data=comment_form(text=text, preferred_language="other"),
    )
    assert response.status_code == 303
    stored = db.session.scalars(select(Comment)).one()
    assert stored.submitted_text == text
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text in receipt
    assert 'dir="auto"' in client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)


def test_adding_a_language_as_the_readme_says(tmp_path, app_factory):
    """README "Adding a language": init a catalogue, translate, compile, list it in LANGUAGES."""
    translations = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, translations, ignore=shutil.ignore_patterns("*.mo"))
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(  # noqa: S603 - the pybabel beside this Python
        [pybabel, "init", "-i", translations / f"{DOMAIN}.pot", "-d", translations, "-l", "vi"],
        check=True,
        capture_output=True,
    )
    po = translations / "vi" / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale="vi")
    catalogue["Have your say"].string = "Hãy cho chúng tôi biết ý kiến của bạn"
    with po.open("wb") as handle:
        write_po(handle, catalogue)

    with (translations / f"{DOMAIN}.pot").open("rb") as handle:
        template = read_po(handle)
    unfinished = catalogue_problems(translations, template)
    assert unfinished and all(line.startswith("vi: untranslated") for line in unfinished)
    assert "vi: untranslated: 'Have your say'" not in unfinished

    compile_catalogues(translations)
    app = app_factory(
        BABEL_TRANSLATION_DIRECTORIES=str(translations),
        LANGUAGES=_interface_languages("en,es,vi"),
    )
    with app.app_context():
        page = app.test_client().get("/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="vi"' in page
    assert "Hãy cho chúng tôi biết ý kiến của bạn" in page
    assert ">Tiếng Việt</button>" in page


def test_the_detected_language_is_stored_by_the_worker_and_shown_to_moderators(
    client, auth, runner, consultation
):
    moderator = user_with_role("moderator")
    texts = {
        "es": "Necesitamos más consejeros y psicólogos en todas las escuelas del distrito.",
        "vi": "Chúng tôi cần thêm nhân viên tư vấn tại các trường học của quận.",
        "und": "ok",
    }
    for language, text in texts.items():
        response = client.post(
            f"/consultations/{consultation.slug}/comments",
            data=comment_form(text=text, idempotency_key=(language * 32)[:32]),
        )
        assert response.status_code == 303
    stored = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    assert [c.detected_language for c in stored] == [None, None, None]  # not while posting

    result = runner.invoke(args=["analysis", "detect-languages"])
    assert result.exit_code == 0, result.output
    assert "Detected the language of 3 comment(s)." in result.output
    db.session.expire_all()
    assert [c.detected_language for c in stored] == ["es", "vi", "und"]

    auth.login(moderator.email)
    page = client.get(f"/moderation/comments/{stored[0].id}").get_data(as_text=True)
    assert "Detected in the text: Spanish." in page
    spanish = client.get(f"/moderation/comments/{stored[1].id}", headers=SPANISH)
    assert "Detectado en el texto: vietnamita." in spanish.get_data(as_text=True)
    page = client.get(f"/moderation/comments/{stored[2].id}").get_data(as_text=True)
    assert "could not tell (too short or mixed)" in page


def test_the_review_queue_names_a_comments_language(client, auth, runner, consultation):
    held = "Llámeme al 916-555-0142, necesitamos más consejeros en todas las escuelas."
    response = client.post(
        f"/consultations/{consultation.slug}/comments", data=comment_form(text=held)
    )
    assert response.status_code == 303
    assert runner.invoke(args=["analysis", "detect-languages"]).exit_code == 0
    auth.login(user_with_role("moderator").email)
    queue = client.get("/moderation/").get_data(as_text=True)
    assert held in queue  # held for review: it shows a phone number
    assert "Written in Spanish." in queue
    assert '<div class="comment-text original" lang="es" dir="auto">' in queue
