"""Real-browser tests: Debian's Chromium driven by Playwright against gunicorn and a job worker.

They need Chromium (`apt-get install chromium`, or CHROMIUM=/path/to/chrome) and axe-core
(`npm ci --prefix tests/browser`, which `make test` runs where npm exists). Without either they
skip and say which is missing. Screenshots go to test-artifacts/screenshots/ (or
$TEST_ARTIFACTS/screenshots/), at phone and desktop widths, for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import new_database
from tests.serving import ROOT, Gunicorn, JobWorker, app_env, demo_password, flask

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
SLUG = "reimagine-school-safety"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# The WCAG 2.0 and 2.1 level A and AA rules (what the ADA Title II rule requires).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def chromium_path() -> str | None:
    named = os.environ.get("CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (requirements-dev.txt)"
    )
    executable = chromium_path()
    if not executable:
        pytest.skip(
            "No Chromium found: install Debian's chromium (apt-get install chromium) or set "
            "CHROMIUM to a Chrome binary to run the browser tests"
        )
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: run `npm ci --prefix tests/browser`")
    with playwright_api.sync_playwright() as playwright:
        chrome = playwright.chromium.launch(
            executable_path=executable,
            args=["--headless", "--no-sandbox", "--disable-background-networking"],
        )
        yield chrome
        chrome.close()


@dataclass
class Site:
    url: str
    instance: Path
    database_url: str

    def password(self, email: str) -> str:
        return demo_password(self.instance, email)


@pytest.fixture(scope="session")
def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo district, served by gunicorn in production mode with a job worker."""
    root = tmp_path_factory.mktemp("browser-site")
    with new_database(database_url, root) as url:
        env = app_env(url, root / "instance")
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")
        server = Gunicorn(env, root / "gunicorn.log", workers=1).start()  # limits in memory
        worker = JobWorker(env, root / "worker.log").start()
        try:
            yield Site(server.url, root / "instance", url)
        finally:
            worker.kill(signal.SIGTERM)
            server.kill(signal.SIGTERM)


@pytest.fixture
def new_page(browser, site):
    """Open pages in fresh browser contexts (no shared cookies) at a given screen size."""
    contexts = []

    def open_page(
        viewport: dict[str, int] = DESKTOP, locale: str = "en-US", javascript: bool = True
    ):
        context = browser.new_context(
            viewport=viewport,
            locale=locale,
            base_url=site.url,
            reduced_motion="reduce",
            java_script_enabled=javascript,
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    """Photograph the page; at phone width, first check that nothing sticks out sideways."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    if width == PHONE["width"]:
        overflow = page.evaluate(
            """() => {
              // Content inside a sideways-scrolling region (a wide table) scrolls there, not the page.
              const inScroller = el => { for (let p = el.parentElement; p; p = p.parentElement) {
                if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true; }
                return false; };
              return Array.from(document.querySelectorAll('body *'))
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(el => !inScroller(el))
                .slice(0, 5).map(el => el.outerHTML.slice(0, 120));
            }"""
        )
        assert not overflow, f"{name} is wider than a {width} px phone screen: {overflow}"
    path = ARTIFACTS / f"{name}-{width}px.png"
    # Whole pages, except very long ones (a packet, a full queue): their first screen.
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(path), full_page=height <= 8000, timeout=60_000)
    return path


def assert_accessible(page, what: str) -> None:
    """Run axe-core in the page; fail with each WCAG 2.1 A/AA violation spelled out."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's strict CSP stays in force.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    assert results["passes"], f"axe-core checked nothing on {what}"
    problems = [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "where": [node["target"] for node in violation["nodes"][:5]],
            "html": [node["html"][:200] for node in violation["nodes"][:3]],
        }
        for violation in results["violations"]
    ]
    assert not problems, f"axe-core found WCAG 2.1 A/AA violations on {what}:\n" + json.dumps(
        problems, indent=2, ensure_ascii=False
    )


def sign_in(page, site: Site, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(site.password(email))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign out").is_visible(), page.content()[:2000]
