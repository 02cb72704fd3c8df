"""Load test: a production gunicorn on a fresh database, readers and posters from Locust, checks.

    python -m loadtest.run                                  # SQLite, 200 readers, 50 posters, 3 min
    python -m loadtest.run --database-url postgresql://postgres@127.0.0.1:5432/test
    python -m loadtest.run --short                          # 20 readers, 5 posters, 20 s (CI)

It migrates and seeds the demo into the database (on PostgreSQL: a new database created next to
the one named, dropped afterwards), starts gunicorn with the production settings, runs Locust
headless, then checks that every receipt a client got is a stored comment (zero lost), that no
form was stored twice, and that fewer than 1% of requests failed; it prints p50/p95/p99 for
reading and for posting. The exit status is 0 only when every check passes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.serving import BIN, Gunicorn, Process, app_env, flask

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
                "SELECT idempotency_key, receipt_token FROM comment "
                "WHERE idempotency_key LIKE 'web:guest:load-%'"
            )
        ).all()
    engine.dispose()
    stored_tokens = {token for _key, token in rows}
    keys = [key.removeprefix("web:guest:") for key, _token in rows]
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
    args = parser.parse_args(argv)
    if args.short:
        args.readers, args.posters, args.duration = 20, 5, 20
    return args


def drive(args: argparse.Namespace, database_url: str, workdir: Path) -> tuple[list, list]:
    """Serve the app, run Locust against it, and return (receipts, timings)."""
    env = app_env(database_url, workdir / "instance", TRUSTED_PROXY_HOPS="1")
    receipts_file, timings_file = workdir / "receipts.jsonl", workdir / "timings.json"
    print(
        f"Preparing {database_url.rsplit('@', maxsplit=1)[-1]} (migrate, seed the demo)...",
        flush=True,
    )
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    server = Gunicorn(env, workdir / "gunicorn.log", workers=args.workers).start()
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
    receipts = (
        [json.loads(line) for line in receipts_file.read_text().splitlines()]
        if receipts_file.exists()
        else []
    )
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else []
    return receipts, timings


def report(results: dict[str, int], timings: list) -> list[str]:
    """Print the figures and return the checks that failed."""
    reads = [ms for name, ms, _ok in timings if name.startswith("read")]
    posts = [ms for name, ms, _ok in timings if name.startswith("post")]
    failures = sum(1 for _name, _ms, ok in timings if not ok)
    error_rate = failures / len(timings) if timings else 1.0
    print(f"\nRequests: {len(timings)} ({len(reads)} reads, {len(posts)} posts), failed {failures}")
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
    if not posts:
        problems.append("no comment was posted")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="sounding-board-load-"))
    database = Database(args.database_url, workdir)
    try:
        receipts, timings = drive(args, database.url, workdir)
        problems = report(check(database.url, receipts), timings)
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
