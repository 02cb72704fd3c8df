"""Events other packages announce and the forum reacts to (notifications), without importing them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent inside the publishing transaction with `packet=` (a published analysis.packet Packet):
# followers of its consultation are told "What we heard" is out.
packet_published = _signals.signal("packet-published")
