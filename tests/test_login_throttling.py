"""Password guessing is throttled without letting a stranger lock the owner out of signing in.

These run with the site's real limits (config.Config), as the attack on issue 18 did.
"""

from __future__ import annotations

import time

import flask_limiter._extension
import limits.storage.memory
import limits.strategies
import pytest

from tests.conftest import PASSWORD

WRONG = "not the password at all"


@pytest.fixture
def app_overrides():
    return {"RATELIMIT_ENABLED": True}


class Clock:
    """The rate limiter's clock, moved by the test instead of by waiting."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    for module in (limits.storage.memory, limits.strategies, flask_limiter._extension):
        monkeypatch.setattr(module, "time", fake)
    return fake


def sign_in(client, email: str, password: str, address: str):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def guess(client, email: str, times: int, first_address: int = 0) -> list[int]:
    """Wrong passwords from a new address every ten tries (the per-address limit is ten)."""
    return [
        sign_in(client, email, WRONG, f"203.0.113.{first_address + i // 10}").status_code
        for i in range(times)
    ]


def attack(client, email: str, clock: Clock) -> list[int]:
    """What the scanner did: about 50 wrong passwords from one address over four minutes."""
    statuses = []
    for _minute in range(5):
        statuses += [sign_in(client, email, WRONG, "203.0.113.1").status_code for _ in range(10)]
        clock.advance(61)
    return statuses


def test_fifty_wrong_passwords_do_not_lock_the_owner_out_of_their_own_browser(
    app, participant, clock
):
    owner = app.test_client()
    assert sign_in(owner, participant.email, PASSWORD, "198.51.100.7").status_code == 302
    owner.post("/logout")
    statuses = attack(app.test_client(), participant.email, clock)
    assert 429 in statuses  # guessing is throttled...
    # ...but the browser that signed in before still gets in, from a new address too.
    response = sign_in(owner, participant.email, PASSWORD, "198.51.100.99")
    assert response.status_code == 302
    assert owner.get("/account/comments").status_code == 200


def test_a_new_browser_waits_minutes_not_an_hour_after_a_guessing_attack(app, participant, clock):
    attack(app.test_client(), participant.email, clock)
    newcomer = app.test_client()
    response = sign_in(newcomer, participant.email, PASSWORD, "198.51.100.20")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) <= 15 * 60
    assert b"Too many attempts" in response.data


def test_only_failed_sign_ins_count_against_an_account(app, participant):
    browser = app.test_client()
    for index in range(12):  # more than any per-account window allows
        response = sign_in(browser, participant.email, PASSWORD, f"198.51.100.{30 + index}")
        assert response.status_code == 302
        browser.post("/logout")


def test_a_device_cookie_does_not_give_unlimited_guesses(app, participant):
    other = app.test_client()
    assert sign_in(other, participant.email, PASSWORD, "198.51.100.50").status_code == 302
    other.post("/logout")
    # Someone with the remembered browser guesses from many addresses: still throttled.
    statuses = guess(other, participant.email, 60, first_address=100)
    assert 429 in statuses
