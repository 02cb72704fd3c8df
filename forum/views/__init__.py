"""HTTP views of the public site, one blueprint per area."""
