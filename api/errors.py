"""One JSON error shape for every route: {"error": {"status": n, "message": "..."}}.

An error nobody expected becomes a 500 in that shape too, never a plain-text
page or a traceback: the response carries a request id (in the message and the
X-Request-ID header), and the server log carries the same id with the traceback.
"""
from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("tckg.api")
REQUEST_ID = "X-Request-ID"


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def error_response(status: int, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    """The one error shape; `extra` adds fields beside "error" (a 422's report)."""
    return JSONResponse(dict({"error": {"status": status, "message": message}}, **extra),
                        status_code=status, headers=headers)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


class CatchAll:
    """ASGI middleware: any exception a route lets escape is logged with a request
    id and its traceback, and answered as a JSON 500 naming that id. It answers
    here instead of re-raising, so the server does not print a second traceback."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:  # the outermost boundary: log it, answer in the shape
            request_id = new_request_id()
            log.exception("request %s: unexpected error on %s %s", request_id,
                          scope.get("method"), scope.get("path"))
            if started:  # the status line is gone: all that is left is to end the response
                raise
            response = error_response(500, f"internal error (request id {request_id}); the "
                                           "server log has the details under that id",
                                      {REQUEST_ID: request_id})
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, err: ApiError):
        if err.status < 500:
            return error_response(err.status, err.message, err.headers)
        request_id = new_request_id()  # a server-side failure the log should tie to the answer
        log.error("request %s: %s %s", request_id, err.status, err.message)
        return error_response(err.status, f"{err.message} (request id {request_id})",
                              {REQUEST_ID: request_id})

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, err: HTTPException):
        return error_response(err.status_code, str(err.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, err: RequestValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        return error_response(422, problems)

    app.add_middleware(CatchAll)
