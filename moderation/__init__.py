"""The back office: screening, the review queue, flags, redaction, audit log and escalation."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire moderation into the app: blueprints, the submission screen, its minute work, commands."""
    from forum.seed import register_demo_seeder
    from forum.services.comments import register_screen
    from forum.services.personal_data import register_contributor
    from moderation import (  # noqa: F401 - tasks declares moderation's minute work
        admin_views,
        cli,
        public_views,
        queries,
        tasks,
        threat_views,
        views,
    )
    from moderation.demo import seed_moderation_examples
    from moderation.screen_hook import screen_new_comment

    app.register_blueprint(views.bp)
    app.register_blueprint(threat_views.bp)
    app.register_blueprint(public_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(admin_views.invitations_bp)
    register_screen(app, screen_new_comment)
    register_contributor(app, queries.flags_of)
    register_demo_seeder(app, seed_moderation_examples)
    cli.register(app)
