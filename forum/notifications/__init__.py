"""Notifications by email: following consultations, replies, closing reminders, packets.

Who hears what:
- the author of a comment (an account with a confirmed address) when someone replies to it;
- people following a consultation (accounts with a confirmed address, or guests who confirmed
  theirs) 48 hours before it closes, and when the board packet ("What we heard") is published;
- the author when a moderator hides their comment (moderation sends it).
Each notification is queued once (its outbox `dedupe_key`), carries a one-click unsubscribe link
(RFC 8058 headers), and is written in its reader's language.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Routes, the packet signal, the sweep step, and `follow_of` for templates."""
    from forum.notifications import following, sending  # sending declares its sweep step
    from forum.services.personal_data import register_contributor
    from forum.signals import packet_published
    from forum.views import notifications as views

    app.register_blueprint(views.bp)
    register_contributor(app, following.personal_data)

    packet_published.connect(sending.on_packet_published, weak=False)
    app.jinja_env.globals["follow_of"] = following.follow_of
