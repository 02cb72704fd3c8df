"""Analysis tests run the real encoder (loaded once per test process) and jobs inline."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_overrides() -> dict[str, object]:
    return {"JOB_QUEUE_IMMEDIATE": True}


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    from forum.services.consultations import get_by_slug

    return get_by_slug("reimagine-school-safety")


@pytest.fixture
def analysed(runner, demo):
    """The demo consultation after one analysis run (the real encoder and heads)."""
    result = runner.invoke(args=["analysis", "run", demo.slug])
    assert result.exit_code == 0, result.output
    return demo
