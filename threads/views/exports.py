"""Whole-thread exports: Crux JSON (lossless), AIF JSON and Argdown, for other tools."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from threads import markdown
from threads.importers.crux_json import record_to_json
from threads.importers.interchange import record_to_aif, record_to_argdown
from threads.importers.records import ThreadRecord
from threads.models import Thread
from threads.queries.analysis import readers_record
from threads.services.importing import export_record


def _export(
    request: HttpRequest, pk: int, filename: str, render: Callable[[ThreadRecord], HttpResponse]
) -> HttpResponse:
    thread = Thread.objects.filter(pk=pk).first()
    if thread is None:
        return JsonResponse({"error": f"No thread with id {pk}."}, status=404)
    record = export_record(thread)
    if not (request.user.is_authenticated and request.user.is_moderator):
        record = readers_record(record)
    response = render(record)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _json(document: dict) -> JsonResponse:
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@require_GET
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The crux-thread/1 document (format in threads/importers/crux_json.py). Lossless, so
    it carries removed and held posts, their history and who voted how: moderators only."""
    if not (request.user.is_authenticated and request.user.is_moderator):
        return JsonResponse({"error": "Only moderators can export a whole thread."}, status=403)
    return _export(
        request, pk, f"crux-thread-{pk}.json", lambda record: _json(record_to_json(record))
    )


@require_GET
def export_aif(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(
        request,
        pk,
        f"crux-thread-{pk}.aif.json",
        lambda record: _json(record_to_aif(record, markdown.plain_text)),
    )


@require_GET
def export_argdown(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(
        request,
        pk,
        f"crux-thread-{pk}.argdown",
        lambda record: HttpResponse(
            record_to_argdown(record, markdown.plain_text), content_type="text/plain; charset=utf-8"
        ),
    )
