"""The back office: screening, the review queue, flags, redaction, audit log and escalation."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire moderation into the app: blueprints, the submission screen, its minute work, commands."""
    from forum.seed import register_demo_seeder
    from forum.services.comments import register_screen
    from moderation import cli, public_views, tasks, threat_views, views  # noqa: F401
    from moderation.demo import seed_moderation_examples
    from moderation.screen_hook import screen_new_comment

    app.register_blueprint(views.bp)
    app.register_blueprint(threat_views.bp)
    app.register_blueprint(public_views.bp)
    register_screen(app, screen_new_comment)
    register_demo_seeder(app, seed_moderation_examples)
    cli.register(app)
