"""Run the real thing in child processes: gunicorn, the job worker, a private Redis.

Used by the production, fault and load tests. Each process gets its own process group so a
test can SIGKILL it (and its workers) the way a crash or an out-of-memory kill would.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment of a production deployment on this machine."""
    env = {
        **os.environ,
        "FLASK_APP": "app.py",
        "SOUNDING_BOARD_ENV": "production",
        "SECRET_KEY": "test-production-secret",
        "TRUSTED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "HF_HUB_OFFLINE": "1",
        "ACCESS_LOG": "",
        "LOG_LEVEL": "warning",
    }
    env.pop("TEST_DATABASE_URL", None)
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    completed = subprocess.run(  # noqa: S603 - our own command
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


class Process:
    """A child process in its own group, killed with its children when the test ends."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - our own commands
                self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


class Gunicorn(Process):
    def __init__(self, env: dict[str, str], log: Path, workers: int = 2) -> None:
        self.port = free_port()
        env = {**env, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        super().__init__([str(BIN / "gunicorn"), "--config", "gunicorn.conf.py"], env, log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        super().start()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and self.popen is not None and self.popen.poll() is None:
            try:
                if requests.get(f"{self.url}/healthz", timeout=10).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.kill()
        raise AssertionError(f"gunicorn did not become healthy:\n{self.output()}")


class JobWorker(Process):
    """`make worker`: one Huey consumer running analysis runs, packet builds and the sweep."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        args = [str(BIN / "huey_consumer"), "worker.huey", "--workers", "1", "-k", "thread"]
        super().__init__(args, env, log)


class RedisServer(Process):
    """A private, disposable Redis on a free port (no persistence), to stop and start at will."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        binary = shutil.which("redis-server") or "redis-server"
        args = [binary, "--port", str(self.port), "--save", "", "--appendonly", "no"]
        super().__init__(args, dict(os.environ), log)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        import redis

        super().start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url).ping()
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
            else:
                return self
        raise AssertionError(f"redis-server did not start:\n{self.output()}")


class Browser:
    """A requests session that behaves like a browser behind TLS.

    Production cookies are Secure, and these tests speak plain HTTP to 127.0.0.1, so the session
    re-sends cookies as a browser would over HTTPS (it clears the Secure mark it just checked).
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def _keep_cookies(self) -> None:
        for cookie in self.session.cookies:
            cookie.secure = False

    def get(self, path: str, **kwargs: object) -> requests.Response:
        response = self.session.get(self.base + path, timeout=30, **kwargs)
        self._keep_cookies()
        return response

    def post_form(self, page: str, action: str, data: dict[str, object]) -> requests.Response:
        """Load the page, take its CSRF token, and post the form as a browser would."""
        html = self.get(page).text
        token = CSRF.search(html)
        assert token, f"no CSRF token on {page}"
        response = self.session.post(
            self.base + action,
            data={"csrf_token": token.group(1), **data},
            allow_redirects=False,
            timeout=30,
        )
        self._keep_cookies()
        return response

    def login(self, email: str, password: str) -> None:
        response = self.post_form("/login", "/login", {"email": email, "password": password})
        assert response.status_code == 302, response.text[:500]


def demo_password(instance: Path, email: str) -> str:
    for line in (instance / "demo-accounts.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == email:
            return parts[2]
    raise AssertionError(f"{email} is not in the demo sign-ins")
