"""Who may write: a bearer token from TCKG_API_TOKEN, for the routes that change
the graph (POST and DELETE /plans). Reads stay open.

The token is compared in constant time and never logged or echoed back.
"""
from __future__ import annotations

import hmac
import os

from fastapi import Request

from api.errors import ApiError

TOKEN_ENV = "TCKG_API_TOKEN"


def require_token(request: Request) -> None:
    """A FastAPI dependency: 403 when no token is configured, 401 when the
    request's is missing or wrong; nothing else runs before it passes."""
    expected = os.environ.get(TOKEN_ENV, "")
    if not expected:
        raise ApiError(403, f"publishing over HTTP is switched off: start the server with "
                            f"{TOKEN_ENV} set to a long random secret, and send it as "
                            "'Authorization: Bearer <token>'")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # compare_digest on bytes: a wrong token takes as long to refuse as a nearly right one.
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ApiError(401, "this route needs 'Authorization: Bearer <token>' with the server's "
                            f"{TOKEN_ENV}", headers={"WWW-Authenticate": "Bearer"})
