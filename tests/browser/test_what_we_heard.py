"""The public "What we heard" page in a real browser, English and Spanish, checked with axe-core."""

from __future__ import annotations

import re

from tests.browser.conftest import DESKTOP, PHONE, SLUG, assert_accessible, screenshot, sign_in
from tests.browser.test_browser import STAFF, wait_while


def test_what_we_heard_is_public_and_accessible(site, new_page):
    staff = new_page(DESKTOP)
    sign_in(staff, site, STAFF)
    staff.goto(f"/staff/analysis/{SLUG}")
    staff.get_by_role("button", name="Analyse the published comments now").click()
    wait_while(staff, lambda: staff.get_by_label("Progress").count() > 0, "the analysis")
    staff.goto(f"/staff/packets/{SLUG}")
    staff.get_by_role("button", name="Build draft").click()
    staff.wait_for_url(re.compile(r"/staff/packets/view/\d+$"))
    heading = staff.locator("main h1").first
    wait_while(staff, lambda: heading.inner_text() == "Building the draft…", "the packet draft")
    assert_accessible(staff, "the packet review page with the statistic tokens")
    draft_url = staff.url

    visitor = new_page(DESKTOP)
    assert visitor.goto(f"/consultations/{SLUG}/what-we-heard").status == 404
    staff.get_by_role("button", name="Check and publish as the next version").click()
    staff.wait_for_load_state()
    assert "Published as version" in staff.content(), staff.content()[:3000]

    for locale, viewport in (("en-US", DESKTOP), ("es-ES", PHONE), ("en-US", PHONE)):
        page = new_page(viewport=viewport, locale=locale)
        page.goto(f"/consultations/{SLUG}")
        page.locator(".what-we-heard a").click()  # the box on the consultation page
        page.wait_for_load_state()
        assert page.url.endswith(f"/consultations/{SLUG}/what-we-heard"), page.url
        assert_accessible(page, f"what we heard ({locale}, {viewport['width']} px)")
        screenshot(page, f"what-we-heard-{locale}")
        page.goto(f"/consultations/{SLUG}")
        assert_accessible(page, f"the consultation page with its box ({locale})")
    assert visitor.goto(draft_url).url.find("/login") != -1  # the staff review page is not public
