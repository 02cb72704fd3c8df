"""A short load run in every suite: `make load` runs the full one (200 readers, 50 posters)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.serving import ROOT

pytestmark = pytest.mark.slow  # real processes: servers, browsers, Redis


def test_short_load_run_loses_nothing_and_stores_nothing_twice(database_url):
    args = [sys.executable, "-m", "loadtest.run", "--short"]
    if database_url.startswith("postgresql"):
        args += ["--database-url", database_url.replace("+psycopg", "")]
    completed = subprocess.run(  # noqa: S603 - our own script
        args, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, report
    assert "lost (receipt but no comment): 0" in report
    assert "duplicates (one form stored twice): 0" in report
    assert "PASSED" in report
