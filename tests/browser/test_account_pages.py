"""The account pages (reset, registration sent, my account, administration) at phone and desktop
widths, in English and Spanish, each checked with axe-core and photographed."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.slow  # real processes: servers, browsers, Redis

PARENT = "parent@demo.soundingboard.example"
ADMIN = "admin@demo.soundingboard.example"
WIDTHS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]


def _check(page, path: str, heading: str, name: str, language: str) -> None:
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).first.inner_text().startswith(heading)
    assert_accessible(page, f"{path} ({language})")
    screenshot(page, f"{language}-{name}")


def _to_language(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def _to_spanish(page) -> None:
    _to_language(page, "Español")


def _back_to_english(page) -> None:
    """A signed-in person's choice is kept on the account: leave the demo account in English."""
    _to_language(page, "English")


@pytest.mark.parametrize("viewport", WIDTHS)
def test_reset_and_registration_pages(new_page, site, viewport):
    page = new_page(viewport)
    _check(page, "/password-reset", "Reset your password", "password-reset", "en")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert_accessible(page, "the reset confirmation")
    _check(page, "/register/check-email", "Check your email", "register-sent", "en")
    _to_spanish(page)
    _check(page, "/password-reset", "Restablecer su contraseña", "password-reset", "es")
    _check(page, "/register/check-email", "Revise su correo", "register-sent", "es")


@pytest.mark.parametrize("viewport", WIDTHS)
def test_my_account_page(new_page, site, viewport):
    page = new_page(viewport)
    sign_in(page, site, PARENT)
    _check(page, "/account", "My account", "account", "en")
    _to_spanish(page)
    _check(page, "/account", "Mi cuenta", "account", "es")
    _back_to_english(page)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_account_administration_pages(new_page, site, viewport):
    page = new_page(viewport)
    sign_in(page, site, ADMIN)
    _check(page, "/admin/users", "Accounts", "admin-users", "en")
    page.goto("/admin/users?q=parent%40demo")
    page.get_by_role("link", name="Rosa M.").click()
    account_path = page.url.removeprefix(site.url)
    _check(page, account_path, "Rosa M.", "admin-user", "en")
    _check(page, "/admin/users/invite", "Invite staff", "admin-invite", "en")
    _to_spanish(page)
    _check(page, "/admin/users", "Cuentas", "admin-users", "es")
    _check(page, account_path, "Rosa M.", "admin-user", "es")
    _check(page, "/admin/users/invite", "Invitar al personal", "admin-invite", "es")
    _back_to_english(page)
