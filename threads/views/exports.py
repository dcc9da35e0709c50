"""Whole-thread exports: Crux JSON (lossless), AIF JSON and Argdown, for other tools.

Building an export reads the whole thread, so the anonymous ones are cached per version
of the thread (Thread.data_version moves with every post, vote, edit and moderation
action) and metered per client address (threads/services/limits.py: "export"): eight
clients looping on a 5,000-post export no longer pin every web worker.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from threads import markdown
from threads.importers.crux_json import record_to_json
from threads.importers.interchange import record_to_aif, record_to_argdown
from threads.importers.records import ThreadRecord
from threads.models import Thread
from threads.queries.exports import export_record, readers_record
from threads.services import limits
from threads.views.login_guard import client_address

EXPORT_CACHE_SECONDS = 3600


def too_many(request: HttpRequest, action: str) -> JsonResponse | None:
    """A 429 (JSON, with Retry-After) when this address used up `action`, else None."""
    seconds = limits.check_address(client_address(request), action)
    if not seconds:
        return None
    response = JsonResponse(
        {"error": f"Too many requests from your address; try again in {seconds} seconds."},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _export(
    request: HttpRequest, pk: int, suffix: str, render: Callable[[ThreadRecord], HttpResponse]
) -> HttpResponse:
    """The thread's export `crux-thread-<pk><suffix>`, made by `render` from its record."""
    refused = too_many(request, "export")
    if refused:
        return refused
    thread = Thread.objects.filter(pk=pk).first()
    if thread is None:
        return JsonResponse({"error": f"No thread with id {pk}."}, status=404)
    filename = f"crux-thread-{pk}{suffix}"
    moderator = request.user.is_authenticated and request.user.is_moderator
    # Readers share one copy per version of the thread; moderators see held posts too.
    version = hashlib.sha256(f"{thread.title}\0{thread.locked}".encode()).hexdigest()[:12]
    key = f"export:{filename}:{thread.data_version}:{version}"
    stored = None if moderator else cache.get(key)
    if stored is not None:
        body, content_type = stored
        response = HttpResponse(body, content_type=content_type)
    else:
        record = export_record(thread)
        response = render(record if moderator else readers_record(record))
        if not moderator:
            cache.set(key, (response.content, response["Content-Type"]), EXPORT_CACHE_SECONDS)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _json(document: dict) -> JsonResponse:
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


def _crux_json(record: ThreadRecord) -> HttpResponse:
    return _json(record_to_json(record))


def _aif(record: ThreadRecord) -> HttpResponse:
    return _json(record_to_aif(record, markdown.plain_text))


def _argdown(record: ThreadRecord) -> HttpResponse:
    text = record_to_argdown(record, markdown.plain_text)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_GET
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The crux-thread/1 document (format in threads/importers/crux_json.py). Lossless, so
    it carries removed and held posts, their history and who voted how: moderators only."""
    if not (request.user.is_authenticated and request.user.is_moderator):
        return JsonResponse({"error": "Only moderators can export a whole thread."}, status=403)
    return _export(request, pk, ".json", _crux_json)


@require_GET
def export_aif(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, ".aif.json", _aif)


@require_GET
def export_argdown(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, ".argdown", _argdown)
