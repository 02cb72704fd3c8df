"""Business rules of the public site. Services flush; the request or command commits once."""
