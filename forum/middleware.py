"""Error responses that readers and API clients can use.

- Under /api/ every error is JSON ({"error": "…"}) with its status — 404, 403 (CSRF
  included), 405, 429 and 500 alike — never an HTML page a script cannot parse.
- When PostgreSQL's statement_timeout or lock_timeout fires (forum/settings.py sets them
  below gunicorn's timeout), the request gets a friendly 503 with Retry-After instead of
  a worker killed mid-request; the transaction was rolled back, so nothing half-landed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# PostgreSQL SQLSTATEs: query_canceled (statement_timeout) and lock_not_available.
TIMEOUT_SQLSTATES = {"57014", "55P03"}
RETRY_AFTER_SECONDS = 5
MESSAGES = {
    400: "Bad request.",
    403: "You are not allowed to do that.",
    404: "Nothing here: check the address.",
    405: "Method not allowed.",
    429: "Too many requests: slow down and try again later.",
    500: "Something went wrong on our side; it has been logged.",
    503: "The server is busy right now; try again in a few seconds.",
}


def is_database_timeout(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    return isinstance(exc, DatabaseError) and getattr(cause, "sqlstate", None) in TIMEOUT_SQLSTATES


def json_error(status: int, message: str | None = None) -> JsonResponse:
    return JsonResponse({"error": message or MESSAGES.get(status, "Error.")}, status=status)


class ErrorResponsesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = MESSAGES.get(response.status_code)
            if response.status_code == 405 and response.get("Allow"):
                message = f"Method not allowed: use {response['Allow']}."
            converted = json_error(response.status_code, message)
            for header in ("Allow", "Retry-After"):
                if response.get(header):
                    converted[header] = response[header]
            return converted
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_timeout(exception):
            return None
        log.warning("database timeout on %s %s: %s", request.method, request.path, exception)
        if request.path.startswith(API_PREFIX):
            response = json_error(503)
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
