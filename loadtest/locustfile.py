"""Readers and posters for `make load` (run by loadtest/run.py, which starts the server).

Every poster's request comes from its own address (X-Forwarded-For, trusted one hop by the
server under test), as visitors behind the district's proxy would. Each receipt a poster gets
is written to RECEIPTS_FILE; every request's time goes to TIMINGS_FILE for the percentiles.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import uuid

from locust import HttpUser, between, events, task

SLUG = os.environ.get("LOAD_SLUG", "reimagine-school-safety")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RECEIPT = re.compile(r"/receipts/([\w-]+)$")
_lock = threading.Lock()
_timings: list[tuple[str, float, bool, int]] = []
# Seconds between one poster's comments, on average (LOAD_POST_WAIT); unset: 5 to 15 seconds.
_POST_WAIT = float(os.environ["LOAD_POST_WAIT"]) if os.environ.get("LOAD_POST_WAIT") else None

WORDS = [
    *("counselors", "officers", "safety", "budget", "trust", "response", "training"),
    *("students", "parents", "teachers", "campus", "emergency", "mental", "health"),
    *("plan", "board", "district", "school", "support", "oppose", "listen"),
]


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):  # type: ignore[no-untyped-def]
    response = kwargs.get("response")
    status = getattr(response, "status_code", 0) or 0
    _timings.append((name, response_time, exception is None, status))


@events.quitting.add_listener
def _write_timings(environment, **kwargs):  # type: ignore[no-untyped-def]
    path = os.environ.get("TIMINGS_FILE")
    if path:
        with open(path, "w") as out:
            json.dump(_timings, out)


def _address() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


class Visitor(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = _address()
        self.client.headers["X-Forwarded-Proto"] = "https"

    def get(self, path: str, name: str):  # type: ignore[no-untyped-def]
        response = self.client.get(path, name=name)
        self.keep_cookies()
        return response

    def keep_cookies(self) -> None:
        """Send Secure cookies back, as a browser does over HTTPS (this client speaks HTTP)."""
        for cookie in self.client.cookies:
            cookie.secure = False


class Reader(Visitor):
    fixed_count = int(os.environ.get("LOAD_READERS", "200"))
    wait_time = between(3, 12)

    @task(5)
    def consultation(self) -> None:
        page = random.choice(["", "?page=2", "?page=3", "?sort=newest"])
        self.get(f"/consultations/{SLUG}{page}", name="read: consultation page")

    @task(2)
    def comment(self) -> None:
        self.get(f"/consultations/{SLUG}/comments/{random.randint(1, 300)}", name="read: comment")

    @task(1)
    def home(self) -> None:
        self.get("/", name="read: home")

    @task(1)
    def survey_results(self) -> None:
        self.get(f"/consultations/{SLUG}/surveys/1/results", name="read: survey results")


class Poster(Visitor):
    fixed_count = int(os.environ.get("LOAD_POSTERS", "50"))
    wait_time = between(0, 2 * _POST_WAIT) if _POST_WAIT is not None else between(5, 15)

    @task
    def post_comment(self) -> None:
        page = self.get(f"/consultations/{SLUG}", name="read: consultation page")
        token = CSRF.search(page.text or "")
        if token is None:
            return
        key = f"load-{uuid.uuid4().hex}"
        # Browsers send the page as Referer; over HTTPS the CSRF check requires it.
        referer = self.host.replace("http://", "https://", 1) + f"/consultations/{SLUG}"
        words = " ".join(random.choices(WORDS, k=random.randint(12, 60)))
        form = {
            "csrf_token": token.group(1),
            "text": f"{words.capitalize()}.",
            "author_name": "Load test",
            "stakeholder_role": random.choice(["parent", "student", "teacher", "community"]),
            "declared_position": random.choice(["support", "oppose", "mixed", "neutral"]),
            "preferred_language": "en",
            "school_id": "",
            "section_id": "",
            "idempotency_key": key,
        }
        # One in ten posts is a double click: the same form twice must give one comment.
        for _attempt in range(2 if random.random() < 0.1 else 1):
            with self.client.post(
                f"/consultations/{SLUG}/comments",
                data=form,
                name="post: comment",
                allow_redirects=False,
                catch_response=True,
                headers={"Referer": referer},
            ) as response:
                self.keep_cookies()
                found = RECEIPT.search(response.headers.get("Location", ""))
                if response.status_code == 303 and found:
                    response.success()
                    self._receipt(key, found.group(1))
                else:
                    response.failure(f"status {response.status_code}")

    def _receipt(self, key: str, token: str) -> None:
        path = os.environ.get("RECEIPTS_FILE")
        if path:
            with _lock, open(path, "a") as out:
                out.write(json.dumps({"key": key, "token": token}) + "\n")
