"""Following a consultation as a guest, confirming, and unsubscribing, in a real browser: each
page at phone and desktop widths, in English and Spanish, checked with axe-core and photographed."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import create_engine, text

from forum.notifications.links import UNSUBSCRIBE_SALT
from tests.browser.conftest import DESKTOP, PHONE, SLUG, assert_accessible, screenshot
from tests.serving import app_env

pytestmark = pytest.mark.slow  # real processes: servers, browsers

HEADINGS = {
    "en": ("Check your email", "You follow this consultation", "Stop these emails",
           "You are unsubscribed", "This link does not work"),
    "es": ("Revise su correo electrónico", "Sigue esta consulta", "Dejar de recibir estos correos",
           "Se dio de baja", "Este enlace no funciona"),
}  # fmt: skip


def _engine(site):
    url = site.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url)


def _check(page, heading: str, name: str, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).first.inner_text() == heading
    assert_accessible(page, f"{name} ({language})")
    screenshot(page, f"{language}-{name}")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])  # fmt: skip
def test_a_guest_follows_confirms_and_unsubscribes(new_page, site, viewport, language):
    sent, confirmed, ask, done, failed = HEADINGS[language]
    email = f"follower-{language}-{viewport['width']}@example.org"
    page = new_page(viewport)
    page.goto(f"/consultations/{SLUG}")
    if language == "es":
        page.get_by_role("button", name="Español").click()
        page.wait_for_load_state()
    box = page.locator("section#follow")
    box.get_by_role("textbox").fill(email)
    box.get_by_role("button").click()
    page.wait_for_load_state()
    _check(page, sent, "follow-sent", language)

    engine = _engine(site)
    with engine.connect() as connection:
        body = connection.execute(
            text("SELECT body FROM outbox_email WHERE recipient = :email"), {"email": email}
        ).scalar_one()
        link = re.search(r"https?://[^/\s]+(/follow/confirm/\S+)", body).group(1)
        page.goto(link)
        _check(page, confirmed, "follow-confirmed", language)
        follow_id = connection.execute(
            text("SELECT id FROM follow WHERE email = :email"), {"email": email}
        ).scalar_one()
    engine.dispose()

    secret = app_env(site.database_url, site.instance)["SECRET_KEY"]
    token = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps(["follow", follow_id])
    page.goto(f"/unsubscribe/{token}")
    _check(page, ask, "unsubscribe", language)
    page.get_by_role("button", name=re.compile("Unsubscribe|Darme de baja")).click()
    page.wait_for_load_state()
    _check(page, done, "unsubscribed", language)

    page.goto(link)  # the follow is gone, so its confirmation link no longer works
    _check(page, failed, "follow-link-failed", language)
