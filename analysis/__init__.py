"""Comment analysis: one encoder pass, sentiment, stance, themes, campaigns, and board packets."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire analysis into the app: staff pages, commands and the demo codebook."""
    from analysis import cli, views
    from analysis.demo import seed_codebook
    from forum.seed import register_demo_seeder

    app.register_blueprint(views.bp)
    cli.register(app)
    register_demo_seeder(app, seed_codebook)
