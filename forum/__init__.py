"""The public site: accounts, consultations, comments and surveys."""
