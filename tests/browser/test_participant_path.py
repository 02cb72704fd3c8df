"""A participant's path on a 360 x 740 phone: from the home page to a receipt in a few taps.

Taps are counted as clicks on links and buttons; scrolling as how far below the screen the next
thing to tap lies when the page opens (filling in a field needs neither). A lost connection and
an expired form are made to happen on the way, and the typed text has to survive both.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, SLUG, assert_accessible, screenshot

pytestmark = pytest.mark.slow

MAX_SCREENS = 2  # of scrolling, from where a page opens to the next thing to tap

WORDS = {
    "en": {
        "locale": "en-US",
        "comment": "Comment on this plan",
        "section": "Comment on this section",
        "read": "Read section 2",
        "form": "Add your comment",
        "text": "Your comment",
        "role": "I am a",
        "support": "Support",
        "name": "Name to show with your comment",
        "send": "Send comment",
        "comment_on": "Comment on",
        "thanks": "Thank you",
        "next": "What happens next",
        "restored": "Your unsent text is back in the box below.",
        "expired": "Your form expired before it was sent.",
    },
    "es": {
        "locale": "es-MX",
        "comment": "Comentar este plan",
        "section": "Comentar esta sección",
        "read": "Leer la sección 2",
        "form": "Añada su comentario",
        "text": "Su comentario",
        "role": "Soy",
        "support": "A favor",
        "name": "Nombre que se mostrará con su comentario",
        "send": "Enviar comentario",
        "comment_on": "Comentar sobre",
        "thanks": "Gracias",
        "next": "Qué sigue",
        "restored": "Su texto sin enviar está de nuevo en el cuadro de abajo.",
        "expired": "Su formulario caducó antes de enviarse.",
    },
}
LANGUAGES = ["en", "es"]


class Taps:
    """Clicks the way a thumb would, counting them."""

    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def tap(self, locator) -> None:
        locator.click()
        self.count += 1


def screens_below(page, locator) -> float:
    """How many screens of scrolling it takes, from here, to bring the element fully into view."""
    return page.evaluate(
        "(el) => Math.max(0, el.getBoundingClientRect().bottom - innerHeight) / innerHeight",
        locator.element_handle(),
    )


def in_view(page, locator) -> bool:
    return page.evaluate(
        "(el) => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.top < innerHeight; }",
        locator.element_handle(),
    )


def screen_shot(page, name: str) -> None:
    """The screen as it is now (not the whole page): what a thumb sees at this point."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{page.viewport_size['width']}px.png"))


def top_screenshot(page, name: str) -> None:
    """The first screen of the page, as a person sees it on arrival."""
    screenshot(page, name)  # the whole page (or its first screen), after the overflow check
    page.evaluate("window.scrollTo(0, 0)")
    screen_shot(page, f"{name}-top")


def stored(site, receipt_token: str) -> dict:
    engine = create_engine(site.database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT c.submitted_text, s.number FROM comment c"
                    " LEFT JOIN section s ON s.id = c.section_id WHERE c.receipt_token = :t"
                ),
                {"t": receipt_token},
            ).one()
    finally:
        engine.dispose()
    return {"text": row[0], "section": row[1]}


def fill_the_rest(page, words: dict[str, str], name: str) -> None:
    page.get_by_label(words["role"], exact=True).select_option("parent")
    page.get_by_label(words["support"], exact=True).check()
    page.get_by_label(words["name"]).fill(name)


def the_form_is_in_reach(page, words: dict[str, str]) -> None:
    """The form opens in view, is a named region, and its Send button is in two screens."""
    region = page.get_by_role("region", name=words["form"])
    assert region.is_visible()
    assert in_view(page, page.get_by_role("heading", name=words["form"])), "form not in view"
    send = page.get_by_role("button", name=words["send"])
    assert screens_below(page, send) <= MAX_SCREENS, (
        f"Send is {screens_below(page, send):.1f} screens down"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_from_the_home_page_to_a_receipt_in_two_taps(new_page, site, lang):
    words = WORDS[lang]
    page = new_page(PHONE, locale=words["locale"])
    thumb = Taps(page)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page, f"the home page ({lang})")
    screenshot(page, f"path-home-{lang}")
    action = page.get_by_role("link", name=re.compile("^" + words["comment"])).first
    assert screens_below(page, action) <= MAX_SCREENS
    thumb.tap(action)
    page.wait_for_load_state()
    assert page.url.endswith("#comment-form")
    the_form_is_in_reach(page, words)
    screen_shot(page, f"path-form-{lang}")
    assert thumb.count == 1

    long_text = (
        f"[{lang}] More counselors, fewer officers. " * 30
    ).strip()  # a long comment, worth keeping
    page.get_by_role("textbox", name=words["text"], exact=True).fill(long_text)
    fill_the_rest(page, words, "Pat")
    page.wait_for_timeout(1200)  # the character count updates after a pause in typing
    assert re.search(
        r"\d characters left|\d caracteres", page.locator("#text-counter").inner_text()
    )

    if lang == "en":
        # The connection drops as Send is tapped: the browser shows its own error page.
        page.route("**/comments", lambda route: route.abort("internetdisconnected"))
        thumb.tap(page.get_by_role("button", name=words["send"]))
        page.wait_for_timeout(500)
        page.unroute("**/comments")
        page.goto(f"/consultations/{SLUG}#comment-form")  # back online, the page again
        box = page.get_by_role("textbox", name=words["text"], exact=True)
        assert box.input_value() == long_text  # the draft kept in the tab
        assert words["restored"] in page.locator("#draft-note").inner_text()
        fill_the_rest(page, words, "Pat")
    else:
        # The form expires (its CSRF token no longer matches): the server gives the text back.
        page.evaluate(
            "document.querySelector('form[data-draft] input[name=csrf_token]').value = 'expired'"
        )
        thumb.tap(page.get_by_role("button", name=words["send"]))
        page.wait_for_load_state()
        assert words["expired"] in page.content()
        box = page.get_by_role("textbox", name=words["text"], exact=True)
        assert box.input_value() == long_text
        assert_accessible(page, "the form given back after it expired (es)")

    thumb.tap(page.get_by_role("button", name=words["send"]))
    page.wait_for_url(re.compile(r"/receipts/"))
    assert page.get_by_role("heading", level=1).inner_text().startswith(words["thanks"])
    assert page.get_by_role("heading", name=words["next"]).is_visible()
    assert_accessible(page, f"the receipt with what happens next ({lang})")
    screenshot(page, f"path-receipt-{lang}")
    assert stored(site, page.url.rsplit("/", 1)[1])["text"] == long_text

    page.goto(f"/consultations/{SLUG}#comment-form")  # sent: the draft is gone
    assert page.get_by_role("textbox", name=words["text"], exact=True).input_value() == ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_sections_link_opens_the_form_with_that_section_chosen(new_page, site, lang):
    words = WORDS[lang]
    page = new_page(PHONE, locale=words["locale"])
    thumb = Taps(page)
    page.goto("/")
    thumb.tap(page.get_by_role("link", name="Reimagine School Safety", exact=True).first)
    page.wait_for_load_state()
    top_screenshot(page, f"consultation-{lang}")
    assert in_view(page, page.get_by_role("link", name=words["comment"], exact=True))
    assert_accessible(page, f"the consultation page ({lang}, 360 px)")

    section = page.locator(".plan-section").nth(1)  # "2. School resource officers"
    link = section.get_by_role("link", name=words["section"])
    assert screens_below(page, link) <= MAX_SCREENS  # from the top of the page as it opens
    summary = section.get_by_text(words["read"], exact=True)
    summary.click()  # reading the section first: a tap, but not one on the way to the form
    assert section.get_by_text("three officers").first.is_visible()
    summary.scroll_into_view_if_needed()
    screen_shot(page, f"path-section-open-{lang}")
    thumb.tap(link)
    page.wait_for_load_state()
    assert page.url.endswith("#comment-form")
    the_form_is_in_reach(page, words)
    chosen = page.get_by_label(words["comment_on"]).evaluate("s => s.selectedOptions[0].text")
    assert chosen.endswith("2. School resource officers"), chosen
    assert thumb.count == 2  # the plan's title on the home page, then the section's link

    words_sent = f"[{lang}] Keep one officer at each high school."
    page.get_by_role("textbox", name=words["text"], exact=True).fill(words_sent)
    fill_the_rest(page, words, "Sam")
    thumb.tap(page.get_by_role("button", name=words["send"]))
    page.wait_for_url(re.compile(r"/receipts/"))
    assert stored(site, page.url.rsplit("/", 1)[1]) == {"text": words_sent, "section": 2}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_top_of_the_consultation_page_on_a_desktop(new_page, site, lang):
    words = WORDS[lang]
    page = new_page(DESKTOP, locale=words["locale"])
    page.goto(f"/consultations/{SLUG}")
    assert in_view(page, page.get_by_role("link", name=words["comment"], exact=True))
    top_screenshot(page, f"consultation-{lang}")


def test_sections_open_without_javascript(new_page, site):
    page = new_page(PHONE, javascript=False)
    page.goto(f"/consultations/{SLUG}")
    section = page.locator(".plan-section").nth(1)
    assert not section.get_by_text("three officers").first.is_visible()
    section.get_by_text("Read section 2", exact=True).click()
    assert section.get_by_text("three officers").first.is_visible()
    section.get_by_role("link", name="Comment on this section").click()
    page.wait_for_load_state()
    chosen = page.get_by_label("Comment on").evaluate("s => s.selectedOptions[0].text")
    assert chosen.endswith("2. School resource officers")


def test_comments_filter_by_role_and_position(new_page, site):
    page = new_page(PHONE)
    page.goto(f"/consultations/{SLUG}")
    page.get_by_label("From", exact=True).select_option("student")
    page.get_by_label("Position", exact=True).select_option("oppose")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_load_state()
    assert "role=student" in page.url and "position=oppose" in page.url
    assert re.search(r"\d+ comments? match", page.locator(".filter-result").inner_text())
    bylines = page.locator("#comments .comment-list > li > article > .byline").all_inner_texts()
    assert bylines and all("Student" in byline for byline in bylines)
    assert_accessible(page, "the filtered comment list")
    page.locator("#comments").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('comments').scrollIntoView()")
    screen_shot(page, "path-filtered-comments")
