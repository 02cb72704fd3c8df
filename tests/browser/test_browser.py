"""End to end in Chromium: comment, survey, moderation and packet, checked by axe-core.

Each page a participant, moderator or board staff member uses is checked against WCAG 2.1 A
and AA by axe-core, at a phone width where the page is public, and photographed at phone and
desktop widths for a person to look at (test-artifacts/screenshots/).
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.browser.conftest import DESKTOP, PHONE, SLUG, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.slow  # real processes: servers, browsers, Redis

MODERATOR = "moderator@demo.soundingboard.example"
STAFF = "staff@demo.soundingboard.example"


def stored_text(site, receipt_token: str) -> str:
    engine = create_engine(site.database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT submitted_text FROM comment WHERE receipt_token = :t"),
                {"t": receipt_token},
            ).scalar_one()
    finally:
        engine.dispose()


def fill_comment(page, words: str, name: str = "Marisol") -> None:
    page.get_by_role("textbox", name="Your comment", exact=True).fill(words)
    page.get_by_label("I am a").select_option("parent")
    page.get_by_label("Support", exact=True).check()
    page.get_by_label("Name to show with your comment").fill(name)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_post_a_comment_and_read_the_receipt(new_page, site, viewport):
    page = new_page(viewport)
    page.goto(f"/consultations/{SLUG}")
    assert_accessible(page, f"the consultation page and comment form ({viewport['width']} px)")
    screenshot(page, "consultation")

    page.get_by_role("button", name="Send comment").click()  # empty: errors, tied to fields
    assert page.get_by_text("Write a comment before sending it.").first.is_visible()
    textarea = page.get_by_role("textbox", name="Your comment", exact=True)
    assert textarea.get_attribute("aria-invalid") == "true"
    assert_accessible(page, "the comment form showing errors")
    screenshot(page, "comment-errors")

    words = f"Counselors help more than officers. Posted from a {viewport['width']} px screen."
    fill_comment(page, words)
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_url(re.compile(r"/receipts/"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    assert_accessible(page, "the comment receipt")
    screenshot(page, "receipt")
    token = page.url.rsplit("/", 1)[1]
    assert stored_text(site, token) == words


def test_a_comment_can_be_sent_with_the_keyboard_alone(new_page, site):
    page = new_page(PHONE)
    page.goto(f"/consultations/{SLUG}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    words = "Typed without a mouse: more counselors, please."
    done = set()
    for _ in range(200):  # Tab through the page, answering each field the form asks for
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "({id: document.activeElement.id, tag: document.activeElement.tagName,"
            " text: document.activeElement.textContent.trim(),"
            " outline: getComputedStyle(document.activeElement).outlineStyle})"
        )
        if focused["id"] in done:
            continue
        if focused["id"] == "text":
            page.keyboard.type(words)
        elif focused["id"] == "stakeholder_role":
            page.keyboard.press("ArrowDown")  # the first role after "Choose one"
        elif focused["id"].startswith("declared_position"):
            page.keyboard.press("Space")  # choose the focused position
        elif focused["id"] == "author_name":
            page.keyboard.type("Keyboard user")
        elif focused["tag"] == "BUTTON" and focused["text"] == "Send comment":
            assert focused["outline"] != "none", "the focused button shows no focus outline"
            page.keyboard.press("Enter")
            break
        else:
            continue
        done.add(focused["id"])
    else:
        pytest.fail(f"never reached the Send button by Tab; answered {sorted(done)}")
    assert {"text", "stakeholder_role", "author_name"} <= done
    page.wait_for_url(re.compile(r"/receipts/"))
    assert stored_text(site, page.url.rsplit("/", 1)[1]) == words


def answer_every_question(page) -> None:
    """Answer each survey question with ordinary form controls, as a participant would."""
    for fieldset in page.locator("form fieldset.question").all():
        radios = fieldset.locator("input[type=radio]")
        boxes = fieldset.locator("input[type=checkbox]")
        selects = fieldset.locator("select")
        if radios.count():
            radios.first.check()
        elif boxes.count():
            boxes.first.check()
        elif selects.count():  # ranking: one select per option, ranks 1..n
            for rank in range(selects.count()):
                selects.nth(rank).select_option(str(rank + 1))
        elif fieldset.locator("input[type=number]").count():
            fieldset.locator("input[type=number]").fill("2")
        else:
            fieldset.locator("input[type=text], textarea").first.fill("More counselors, please.")
    page.locator("#stakeholder_role").select_option("student")  # "I am a", in any language


def test_answer_the_survey(new_page, site):
    page = new_page(PHONE)
    page.goto(f"/consultations/{SLUG}")
    page.get_by_role("link", name=re.compile("School safety survey")).first.click()
    assert_accessible(page, "the survey")
    screenshot(page, "survey")
    page.get_by_role("button", name="Send answers").click()
    summary = page.get_by_role("heading", name="Some answers need attention")
    assert summary.is_visible()
    assert_accessible(page, "the survey showing errors")
    screenshot(page, "survey-errors")

    answer_every_question(page)
    page.get_by_role("button", name="Send answers").click()
    page.wait_for_url(re.compile(r"/survey-receipts/"))
    assert "Your answers are saved" in page.content()
    assert_accessible(page, "the survey receipt")
    screenshot(page, "survey-receipt")
    page.goto(page.url)  # the receipt still reads the same on a second visit
    assert "Your answers" in page.content()


FOCUSED = """() => {
  const el = document.activeElement;
  const box = el.closest('fieldset');
  const selects = box ? Array.from(box.querySelectorAll('select')) : [];
  return {id: el.id, name: el.name || '', tag: el.tagName, type: el.type || '',
          mode: el.inputMode || '', text: el.textContent.trim(), rank: selects.indexOf(el)};
}"""


def test_the_survey_can_be_answered_with_the_keyboard_alone(new_page, site):
    page = new_page(PHONE)
    page.goto(f"/consultations/{SLUG}")
    page.get_by_role("link", name=re.compile("School safety survey")).first.click()
    survey_url = page.url
    answered: set[str] = set()
    for _ in range(300):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        key = focused["name"] or focused["id"]
        if focused["tag"] == "BUTTON" and focused["text"] == "Send answers":
            page.keyboard.press("Enter")
            break
        if not key or key in answered or key in ("csrf_token", "idempotency_key"):
            continue
        if focused["type"] in ("radio", "checkbox"):
            page.keyboard.press("Space")
        elif focused["tag"] == "SELECT" and focused["rank"] >= 0 and "-" in key:
            for _ in range(focused["rank"] + 1):  # ranking: the i-th option gets rank i + 1
                page.keyboard.press("ArrowDown")
        elif focused["tag"] == "SELECT" and key == "stakeholder_role":
            page.keyboard.press("ArrowDown")
        elif focused["mode"] == "decimal":
            page.keyboard.type("3")
        elif focused["tag"] == "TEXTAREA" or focused["type"] == "text":
            page.keyboard.type("Counselors first, typed with the keyboard.")
        else:
            continue
        answered.add(key)
    else:
        pytest.fail(f"never reached the Send button by Tab; answered {sorted(answered)}")
    page.wait_for_url(lambda url: url != survey_url)
    page.wait_for_load_state()
    assert "/survey-receipts/" in page.url, page.content()[:3000]
    assert "Your answers are saved" in page.content()


def test_comment_and_survey_work_without_javascript(new_page, site):
    page = new_page(PHONE, javascript=False)
    page.goto(f"/consultations/{SLUG}")
    words = "Sent from a browser with JavaScript switched off."
    fill_comment(page, words, name="No script")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_url(re.compile(r"/receipts/"))
    assert stored_text(site, page.url.rsplit("/", 1)[1]) == words

    page.goto(f"/consultations/{SLUG}")
    page.get_by_role("link", name=re.compile("School safety survey")).first.click()
    answer_every_question(page)
    page.get_by_role("button", name="Send answers").click()
    page.wait_for_url(re.compile(r"/survey-receipts/"))
    assert "Your answers are saved" in page.content()


def test_a_moderator_hides_a_held_comment(new_page, site):
    guest = new_page(PHONE)
    guest.goto(f"/consultations/{SLUG}")
    words = "Call my cell 916-555-0142 about the officers at Sierra Vista."
    fill_comment(guest, words, name="Dana")
    guest.get_by_role("button", name="Send comment").click()
    guest.wait_for_url(re.compile(r"/receipts/"))
    label = re.search(r"#\d+", guest.get_by_role("heading", level=1).inner_text()).group(0)

    moderator = new_page(DESKTOP)
    sign_in(moderator, site, MODERATOR)
    moderator.goto("/moderation/")
    assert_accessible(moderator, "the moderation queue")
    screenshot(moderator, "moderation-queue")
    moderator.get_by_role("link", name=label, exact=True).click()
    assert_accessible(moderator, "a comment under review")
    screenshot(moderator, "moderation-comment")
    moderator.get_by_label("Hide under rule").select_option("personal_information")
    moderator.get_by_role("button", name="Hide", exact=True).click()
    moderator.wait_for_load_state()
    assert "Done: hide" in moderator.content()

    guest.goto(f"/consultations/{SLUG}")
    assert words not in guest.content()
    guest.go_back()
    guest.reload()
    assert "personal_information" in guest.content()  # the author is told the rule


def wait_while(page, still_busy, what: str) -> None:
    """Reload the page until a background job is done, as a person would."""
    deadline = time.monotonic() + 600
    while still_busy():
        assert time.monotonic() < deadline, f"{what} did not finish within 10 minutes"
        time.sleep(2)
        page.reload()


def test_board_staff_analyse_then_build_and_review_a_packet(new_page, site):
    page = new_page(DESKTOP)
    sign_in(page, site, STAFF)
    page.goto(f"/staff/analysis/{SLUG}")
    page.get_by_role("button", name="Analyse the published comments now").click()
    wait_while(page, lambda: page.get_by_label("Progress").count() > 0, "the analysis")
    assert page.get_by_role("heading", name=re.compile(r"Latest results \(run \d+")).is_visible()
    assert_accessible(page, "the analysis overview")
    screenshot(page, "analysis")

    page.goto(f"/staff/packets/{SLUG}")
    assert_accessible(page, "the board packets page")
    page.get_by_role("button", name="Build draft").click()
    page.wait_for_url(re.compile(r"/staff/packets/view/\d+$"))
    heading = page.locator("main h1").first
    wait_while(page, lambda: heading.inner_text() == "Building the draft…", "the packet draft")
    assert re.fullmatch(r"Draft \d+: review before publishing", heading.inner_text())
    assert_accessible(page, "the packet review page")
    screenshot(page, "packet-review")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_staff_code_a_sample_with_the_keyboard(new_page, site, viewport):
    page = new_page(viewport)
    sign_in(page, site, STAFF)
    page.goto(f"/staff/analysis/{SLUG}")
    page.get_by_role("link", name="Code a sample").click()
    page.wait_for_url(re.compile(r"/coding$"))
    assert_accessible(page, f"the coding page ({viewport['width']} px)")
    screenshot(page, "coding")
    shown = page.locator("#comment-heading").inner_text()
    first = page.locator('input[type="checkbox"][data-shortcut="1"]')
    page.keyboard.press("1")  # static/js/coding.js: digits tick and untick the themes
    assert first.is_checked()
    page.keyboard.press("1")
    assert not first.is_checked()
    page.keyboard.press("1")
    page.get_by_role("button", name="Save and next").click()
    page.wait_for_load_state()
    assert "The next analysis learns the themes from them." in page.content()
    assert page.locator("#comment-heading").inner_text() != shown
    assert_accessible(page, "the coding page after saving")


SPANISH_PAGES = [
    ("/", "Dé su opinión"),
    (f"/consultations/{SLUG}", "Enviar comentario"),
    (f"/consultations/{SLUG}/comments/1", "Comentario"),
    (f"/consultations/{SLUG}/moderation-report", "Informe de moderación"),
    ("/rules", "Reglas de participación"),
    ("/login", "Iniciar sesión"),
    ("/register", "Crear una cuenta"),
    ("/api/v1/docs", "Datos abiertos: la API de comentarios públicos"),
]


def test_spanish_pages_by_the_language_picker(new_page, site):
    page = new_page(PHONE)
    page.goto("/")
    page.get_by_role("button", name="Español").click()
    for path, words in SPANISH_PAGES:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "es"
        assert words in page.content()
        assert_accessible(page, f"{path} in Spanish")
        screenshot(page, "es-" + (path.strip("/").replace("/", "-") or "home"))

    page.goto(f"/consultations/{SLUG}")
    page.get_by_role("link", name=re.compile("School safety survey")).first.click()
    assert "Enviar respuestas" in page.content()
    assert_accessible(page, "the survey in Spanish")
    screenshot(page, "es-survey")
    page.get_by_role("link", name="Ver los resultados hasta ahora").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page, "the survey results in Spanish")
    screenshot(page, "es-survey-results")
    page.go_back()
    answer_every_question(page)
    page.get_by_role("button", name="Enviar respuestas").click()
    page.wait_for_url(re.compile(r"/survey-receipts/"))
    assert "Gracias. Sus respuestas se guardaron." in page.content()
    assert_accessible(page, "the survey receipt in Spanish")
    screenshot(page, "es-survey-receipt")

    page.goto(f"/consultations/{SLUG}")
    page.get_by_role("textbox", name="Su comentario", exact=True).fill(
        "Necesitamos más consejeros en las escuelas."
    )
    page.get_by_label("Soy").select_option("parent")
    page.get_by_label("A favor", exact=True).check()
    page.get_by_label("Idioma preferido").select_option("es")
    page.get_by_label("Nombre que se mostrará con su comentario").fill("Lupe")
    page.get_by_role("button", name="Enviar comentario").click()
    page.wait_for_url(re.compile(r"/receipts/"))
    assert "Gracias" in page.content()
    assert_accessible(page, "the receipt in Spanish")
    screenshot(page, "es-receipt")


def test_a_right_to_left_override_in_a_name_stays_inside_the_name(new_page, site):
    """Issue 18: an RLO character in a name reversed the rest of the byline; isolated, it can't."""
    page = new_page(DESKTOP)
    page.goto(f"/consultations/{SLUG}")
    fill_comment(page, "Isolated names keep the rest of the byline readable.", "\u202eLopez Ana")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_url(re.compile(r"/receipts/"))
    number = re.search(r"#(\d+)", page.get_by_role("heading", level=1).inner_text()).group(1)
    page.goto(f"/consultations/{SLUG}/comments/{number}")
    layout = page.evaluate(
        """() => {
          const author = document.querySelector('article.comment .byline .author');
          const role = author.nextElementSibling;
          const text = role.firstChild, range = document.createRange();
          const x = (i) => { range.setStart(text, i); range.setEnd(text, i + 1);
                             return range.getBoundingClientRect().left; };
          return {name: author.getBoundingClientRect(), role: role.getBoundingClientRect(),
                  roleText: text.textContent, firstLetter: x(0), lastLetter: x(text.length - 1)};
        }"""
    )
    screenshot(page, "right-to-left-override-in-a-name")
    assert layout["roleText"] == "Parent or guardian"
    # The role still reads left to right, and still comes after the name.
    assert layout["firstLetter"] < layout["lastLetter"], layout
    assert layout["role"]["left"] >= layout["name"]["right"], layout
