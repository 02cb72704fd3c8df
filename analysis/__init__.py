"""Comment analysis: one encoder pass, sentiment, stance, themes, campaigns, and board packets."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire analysis into the app: staff pages, background tasks, commands, the demo codebook."""
    from analysis import cli, tasks, views  # noqa: F401 - tasks declares the background work
    from analysis.demo import seed_codebook
    from analysis.packet import cli as packet_cli
    from analysis.packet import public_views
    from analysis.packet import views as packet_views
    from forum.seed import register_demo_seeder

    app.register_blueprint(views.bp)
    app.register_blueprint(packet_views.bp)
    app.register_blueprint(public_views.bp)
    # The consultation page's "What we heard" box asks for this without importing analysis.
    app.add_template_global(public_views.latest_published, "latest_packet")
    cli.register(app)
    packet_cli.register(app)
    register_demo_seeder(app, seed_codebook)
