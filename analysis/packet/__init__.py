"""Board packets: a reviewed, grounded summary of stakeholder positions in four formats."""
