"""The back office: screening, the review queue, flags, redaction, audit log and escalation."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire moderation into the app: blueprints, the submission screen, mail, commands."""
    from flask import g

    from forum.seed import register_demo_seeder
    from forum.services.comments import register_screen
    from moderation import cli, public_views, threat_views, views
    from moderation.demo import seed_moderation_examples
    from moderation.notify import deliver_pending
    from moderation.screen_hook import screen_new_comment

    app.register_blueprint(views.bp)
    app.register_blueprint(threat_views.bp)
    app.register_blueprint(public_views.bp)
    register_screen(app, screen_new_comment)
    register_demo_seeder(app, seed_moderation_examples)
    cli.register(app)

    @app.after_request
    def send_queued_mail(response):
        # Threat notifications leave at once, without waiting for any job queue.
        if g.pop("outbox_has_mail", False) and response.status_code < 400:
            try:
                deliver_pending()
            except Exception:  # a mail failure must not turn a stored comment into an error page
                app.logger.exception("delivering queued mail failed; the sweep will retry")
        return response
