"""Background jobs: one Huey queue for the whole application, configured from `app.config`.

Each package declares its own tasks and its share of the every-minute sweep in its `tasks`
module, on the `queue` below; the factory binds them to the queue `JOB_QUEUE_URL` names (Huey on
SQLite in instance/ by default, Redis in production). A worker is started with
`huey_consumer worker.huey`: `worker.py` builds the app from the factory, and every task runs
inside that app's context. Tasks take ids and are idempotent, so a repeated one does nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

logger = logging.getLogger(__name__)


def make_huey(url: str, instance_dir: str) -> Huey:
    """Huey on Redis for a redis:// URL, else on the SQLite file the URL names (or instance/)."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("sounding-board", url=url)
    path = url.removeprefix("sqlite:///") if url else os.path.join(instance_dir, "jobs.sqlite3")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return SqliteHuey("sounding-board", filename=path)


@dataclass
class Task:
    """A declared task: calling it enqueues a run on the bound queue (or runs it, when immediate)."""

    function: Callable[..., Any]
    options: dict[str, Any]
    queue: JobQueue

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__name__}"

    def __call__(self, *args: Any) -> Any:
        return self.queue.bound_task(self.name)(*args)


@dataclass
class JobQueue:
    """The tasks and minute work every package declares, bound to one Huey at a time."""

    tasks: dict[str, Task] = field(default_factory=dict)
    minute_work: list[tuple[int, Callable[[], object]]] = field(default_factory=list)
    huey: Huey | None = None
    app: Flask | None = None
    _bound: WeakKeyDictionary[Huey, dict[str, Any]] = field(default_factory=WeakKeyDictionary)
    _hueys: dict[str, Huey] = field(default_factory=dict)  # by JOB_QUEUE_URL

    def task(self, **options: Any) -> Callable[[Callable[..., Any]], Task]:
        """Declare a task (Huey's options: retries, retry_delay, ...); bound by `init_app`."""

        def declare(function: Callable[..., Any]) -> Task:
            declared = Task(function, options, self)
            self.tasks[declared.name] = declared
            return declared

        return declare

    def every_minute(self, work: Callable[[], object] | None = None, *, order: int = 0) -> Any:
        """Declare a package's share of the every-minute sweep (it runs in the app context).

        Work runs by `order`, then as declared; mail delivery goes last, so what the other
        steps queue leaves in the same sweep.
        """

        def declare(work: Callable[[], object]) -> Callable[[], object]:
            if all(declared is not work for _order, declared in self.minute_work):
                self.minute_work.append((order, work))
                self.minute_work.sort(key=lambda entry: entry[0])  # stable: declared order kept
            return work

        return declare(work) if work is not None else declare

    def init_app(self, app: Flask) -> None:
        """Bind the declared tasks to the queue the app's configuration names."""
        url = app.config.get("JOB_QUEUE_URL", "")
        if url not in self._hueys:
            self._hueys[url] = make_huey(url, app.instance_path)
        self.app = app
        self.bind(self._hueys[url])
        self.huey.immediate = bool(app.config.get("JOB_QUEUE_IMMEDIATE"))  # type: ignore[union-attr]
        app.extensions["jobs"] = self

    def bind(self, huey: Huey) -> None:
        """Register every declared task, and the sweep, on `huey` (once per Huey instance)."""
        self.huey = huey
        bound = self._bound.setdefault(huey, {})
        for name, task in self.tasks.items():
            if name not in bound:
                bound[name] = huey.task(name=name, **task.options)(self._in_app(task.function))
        if "jobs.every_minute" not in bound:
            bound["jobs.every_minute"] = huey.periodic_task(
                crontab(minute="*"), name="jobs.every_minute", retries=2, retry_delay=10
            )(self._in_app(self.sweep))

    def bound_task(self, name: str) -> Any:
        bound = self._bound.get(self.huey, {}) if self.huey is not None else {}
        if name not in bound:
            raise RuntimeError(f"The task {name} is not bound: create the app first.")
        return bound[name]

    def sweep(self) -> None:
        """Run every package's minute work; one failing does not stop the others."""
        failures: list[BaseException] = []
        for _order, work in self.minute_work:
            try:
                work()
            except Exception as error:
                logger.exception("minute work %s failed", work.__qualname__)
                failures.append(error)
        if failures:
            raise failures[0]  # Huey retries the sweep; each step is idempotent

    def _in_app(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            if has_app_context() or self.app is None:
                return function(*args)
            with self.app.app_context():
                return function(*args)

        run.__name__ = function.__name__
        run.__module__ = function.__module__
        run.__qualname__ = function.__qualname__
        return run


queue = JobQueue()
