"""Load test: a production gunicorn on a fresh database, readers and posters from Locust, checks.

    python -m loadtest.run                                  # SQLite, 200 readers, 50 posters, 3 min
    python -m loadtest.run --database-url postgresql://postgres@127.0.0.1:5432/test
    python -m loadtest.run --short                          # 20 readers, 5 posters, 20 s (CI)
    python -m loadtest.run --scanner                        # posting as fast as a scanner did

`--scanner` turns the rate limits off, has each poster post again at once (`--post-wait 0`)
and runs the job worker beside the server (its every-minute job competes for SQLite's lock),
as when issue 18's scanner sent about 2,200 comments; the report then counts the job's failures.

It migrates and seeds the demo into the database (on PostgreSQL: a new database created next to
the one named, dropped afterwards), starts gunicorn with the production settings, runs Locust
headless, then checks that every receipt a client got is a stored comment (zero lost), that no
form was stored twice, and that fewer than 1% of requests failed; it prints p50/p95/p99 for
reading and for posting, and fails on any 5xx answer. The exit status is 0 only when every
check passes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import uuid
from pathlib import Path

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.serving import BIN, Gunicorn, JobWorker, Process, app_env, flask

ROOT = Path(__file__).resolve().parent.parent
POST_P95_TARGET_MS = 500


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Database:
    """A fresh database for the run: a file for SQLite, a new database on a PostgreSQL server."""

    def __init__(self, url: str | None, workdir: Path) -> None:
        self.admin_url = url
        if not url or url.startswith("sqlite"):
            self.url = f"sqlite:///{workdir / 'load.sqlite3'}"
            self.name = None
        else:
            base = url.replace("postgresql://", "postgresql+psycopg://", 1)
            self.admin_url = base
            self.name = f"sb_load_{uuid.uuid4().hex[:8]}"
            with create_engine(base, isolation_level="AUTOCOMMIT").connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
            self.url = make_url(base).set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.name and self.admin_url:
            engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            engine.dispose()


def check(database_url: str, receipts: list[dict[str, str]]) -> dict[str, int]:
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT idempotency_key, receipt_token FROM comment WHERE idempotency_key LIKE :p"
            ),
            {"p": "web:g%:load-%"},
        ).all()
    engine.dispose()
    stored_tokens = {token for _key, token in rows}
    keys = [key.split(":", 2)[2] for key, _token in rows]  # web:<session owner>:<form key>
    receipt_keys = {r["key"] for r in receipts}
    tokens_per_key: dict[str, set[str]] = {}
    for receipt in receipts:
        tokens_per_key.setdefault(receipt["key"], set()).add(receipt["token"])
    return {
        "receipts": len(receipts),
        "distinct forms with a receipt": len(receipt_keys),
        "comments stored": len(rows),
        "lost (receipt but no comment)": sum(
            1 for r in receipts if r["token"] not in stored_tokens
        ),
        "duplicates (one form stored twice)": len(keys) - len(set(keys)),
        "double clicks answered with another receipt": sum(
            1 for tokens in tokens_per_key.values() if len(tokens) > 1
        ),
        "stored without a receipt (client gave up)": len(set(keys) - receipt_keys),
    }


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default SQLite)")
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--posters", type=int, default=50)
    parser.add_argument("--duration", type=int, default=180, help="seconds")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn processes")
    parser.add_argument("--short", action="store_true", help="20 readers, 5 posters, 20 seconds")
    parser.add_argument("--post-wait", type=float, default=None, help="seconds between posts")
    parser.add_argument("--no-rate-limits", action="store_true", help="RATELIMIT_ENABLED=0")
    parser.add_argument("--worker", action="store_true", help="run the job worker too")
    parser.add_argument(
        "--limit-storage",
        default="redis://127.0.0.1:6379/13",
        help="RATELIMIT_STORAGE_URI for the rate limits' counts (shared by the workers)",
    )
    parser.add_argument(
        "--scanner", action="store_true", help="--post-wait 0 --no-rate-limits --worker"
    )
    args = parser.parse_args(argv)
    if args.short:
        args.readers, args.posters, args.duration = 20, 5, 20
    if args.scanner:
        args.post_wait, args.no_rate_limits, args.worker = 0.0, True, True
    return args


def drive(args: argparse.Namespace, database_url: str, workdir: Path) -> tuple[list, list]:
    """Serve the app, run Locust against it, and return (receipts, timings)."""
    env = app_env(database_url, workdir / "instance", TRUSTED_PROXY_HOPS="1")
    if args.no_rate_limits:
        env["RATELIMIT_ENABLED"] = "0"
    else:  # shared by the workers, as production requires when several processes serve
        env["RATELIMIT_STORAGE_URI"] = args.limit_storage
        if args.limit_storage.startswith("redis://"):
            redis.Redis.from_url(args.limit_storage).flushdb()  # no counts from an earlier run
    receipts_file, timings_file = workdir / "receipts.jsonl", workdir / "timings.json"
    print(
        f"Preparing {database_url.rsplit('@', maxsplit=1)[-1]} (migrate, seed the demo)...",
        flush=True,
    )
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    server = Gunicorn(env, workdir / "gunicorn.log", workers=args.workers).start()
    worker = JobWorker(env, workdir / "worker.log").start() if args.worker else None
    users = args.readers + args.posters
    print(
        f"gunicorn ({args.workers} processes) at {server.url}; {args.readers} readers and "
        f"{args.posters} posters for {args.duration} s...",
        flush=True,
    )
    locust_env = {
        **env,
        "LOAD_READERS": str(args.readers),
        "LOAD_POSTERS": str(args.posters),
        "RECEIPTS_FILE": str(receipts_file),
        "TIMINGS_FILE": str(timings_file),
        **({"LOAD_POST_WAIT": str(args.post_wait)} if args.post_wait is not None else {}),
    }
    command = [str(BIN / "locust"), "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless"]
    command += ["--users", str(users), "--spawn-rate", str(max(10, users // 10))]
    command += ["--run-time", f"{args.duration}s", "--stop-timeout", "30", "--host", server.url]
    command += ["--only-summary", "--loglevel", "WARNING"]
    locust = Process(command, locust_env, workdir / "locust.log").start()
    try:
        if locust.popen is not None:
            locust.popen.wait(timeout=args.duration + 120)
    finally:
        locust.kill()
        server.kill()
        if worker is not None:
            worker.kill()
    receipts = (
        [json.loads(line) for line in receipts_file.read_text().splitlines()]
        if receipts_file.exists()
        else []
    )
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else []
    return receipts, timings


def job_failures(worker_log: Path) -> int:
    """Jobs (the every-minute sweep among them) that ended in an exception, from Huey's log."""
    if not worker_log.exists():
        return 0
    failed = re.findall(
        r"Unhandled exception in task ([\w-]+)", worker_log.read_text(errors="replace")
    )
    return len(set(failed))  # Huey's log line can appear twice (its handler and the root's)


def report(results: dict[str, int], timings: list) -> list[str]:
    """Print the figures and return the checks that failed."""
    reads = [ms for name, ms, _ok, _status in timings if name.startswith("read")]
    posts = [ms for name, ms, _ok, _status in timings if name.startswith("post")]
    failures = sum(1 for _name, _ms, ok, _status in timings if not ok)
    server_errors = sum(1 for _name, _ms, _ok, status in timings if status >= 500)
    error_rate = failures / len(timings) if timings else 1.0
    print(f"\nRequests: {len(timings)} ({len(reads)} reads, {len(posts)} posts), failed {failures}")
    print(f"5xx answers: {server_errors}")
    print(f"{'':10}{'p50':>9}{'p95':>9}{'p99':>9}   (ms)")
    for label, values in (("reading", reads), ("posting", posts)):
        print(f"{label:10}" + "".join(f"{percentile(values, p):9.0f}" for p in (0.5, 0.95, 0.99)))
    for name, value in results.items():
        print(f"{name}: {value}")
    post_p95 = percentile(posts, 0.95)
    within = "within" if post_p95 < POST_P95_TARGET_MS else "over"
    print(
        f"error rate {error_rate:.2%}; posting p95 {post_p95:.0f} ms "
        f"({within} the {POST_P95_TARGET_MS} ms target)"
    )
    problems = []
    if results["lost (receipt but no comment)"]:
        problems.append("comments were lost")
    if (
        results["duplicates (one form stored twice)"]
        or results["double clicks answered with another receipt"]
    ):
        problems.append("a form was stored twice")
    if error_rate >= 0.01:
        problems.append(f"error rate {error_rate:.2%} is not under 1%")
    if server_errors:
        problems.append(f"{server_errors} answers were 5xx")
    if not posts:
        problems.append("no comment was posted")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="sounding-board-load-"))
    database = Database(args.database_url, workdir)
    try:
        receipts, timings = drive(args, database.url, workdir)
        results = check(database.url, receipts)
        if args.worker:
            results["job failures (worker log)"] = job_failures(workdir / "worker.log")
        problems = report(results, timings)
        if results.get("job failures (worker log)"):
            problems.append("the job worker's jobs failed")
    finally:
        database.drop()
    if problems:
        print("FAILED: " + "; ".join(problems))
        print(f"Logs are in {workdir}")
        return 1
    print("PASSED: zero lost, zero duplicates, error rate under 1%.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
