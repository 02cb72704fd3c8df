"""Chunked request bodies get the same size limit, and the same 413, as bodies with a length.

Werkzeug stops reading a chunked body (no Content-Length) at MAX_CONTENT_LENGTH and parses what
it read, so an oversized form arrived cut short instead of refused. This WSGI middleware reads
such a body itself, up to one byte past the limit, and hands it on with its real length; an
oversized one therefore gets Werkzeug's ordinary 413 and nothing of it is parsed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_BLOCK = 64 * 1024
_NO_BODY = {"GET", "HEAD", "OPTIONS"}


class ChunkedBodyLimit:
    def __init__(self, app: WSGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        # The server ends the stream itself (gunicorn, Werkzeug's server: it is de-chunked), and
        # the body's length is unknown: Werkzeug ignores Content-Length beside chunked encoding.
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if (
            environ.get("wsgi.input_terminated")
            and (chunked or not environ.get("CONTENT_LENGTH"))
            and environ.get("REQUEST_METHOD") not in _NO_BODY
        ):
            body = self._read(environ["wsgi.input"])
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))  # over the limit: Werkzeug answers 413
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ.pop("wsgi.input_terminated")
        return self.app(environ, start_response)

    def _read(self, stream: Any) -> bytes:
        """Read at most one byte past the limit: enough to know, and never the whole flood."""
        parts, size = [], 0
        while size <= self.max_bytes:
            block = stream.read(min(_BLOCK, self.max_bytes + 1 - size))
            if not block:
                break
            parts.append(block)
            size += len(block)
        return b"".join(parts)
