"""`flask db-backup` and `flask db-restore` round-trip the database with equal row counts."""

from __future__ import annotations

from extensions import db
from forum.backup import row_counts
from tests.conftest import dispose_engines
from tests.moderation.conftest import post_comment


def test_backup_then_restore_into_an_empty_database_keeps_every_row(
    runner, client, consultation, app_factory, empty_database_url, tmp_path
):
    for index in range(5):
        post_comment(client, consultation, f"Comment number {index} about counselors.")
    post_comment(client, consultation, "Call me at 916-555-0101 please.")  # screening rows too
    before = row_counts()
    assert before["comment"] == 6 and before["review_reason"] >= 1
    backup_file = tmp_path / (
        "backup.sqlite3" if db.engine.dialect.name == "sqlite" else "backup.dump"
    )
    result = runner.invoke(args=["db-backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert backup_file.stat().st_size > 0

    target = app_factory(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with target.app_context():
        restored = target.test_cli_runner().invoke(args=["db-restore", str(backup_file), "--yes"])
        assert restored.exit_code == 0, restored.output
        after = row_counts()
        db.session.remove()
    dispose_engines(target)
    assert after == before
