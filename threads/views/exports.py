"""Whole-thread exports: Crux JSON (lossless), AIF JSON and Argdown, for other tools."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from threads import markdown
from threads.importers.crux_json import record_to_json
from threads.importers.interchange import record_to_aif, record_to_argdown
from threads.models import Thread
from threads.services.importing import export_record


def _thread_or_404(pk: int) -> Thread | None:
    return Thread.objects.filter(pk=pk).first()


def _not_found(pk: int) -> JsonResponse:
    return JsonResponse({"error": f"No thread with id {pk}."}, status=404)


def _export_headers(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def export_json(request, pk: int):
    """The crux-thread/1 document (format in threads/importers/crux_json.py)."""
    thread = _thread_or_404(pk)
    if thread is None:
        return _not_found(pk)
    document = record_to_json(export_record(thread))
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    return _export_headers(response, f"crux-thread-{pk}.json")


@require_GET
def export_aif(request, pk: int):
    thread = _thread_or_404(pk)
    if thread is None:
        return _not_found(pk)
    document = record_to_aif(export_record(thread), markdown.plain_text)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    return _export_headers(response, f"crux-thread-{pk}.aif.json")


@require_GET
def export_argdown(request, pk: int):
    thread = _thread_or_404(pk)
    if thread is None:
        return _not_found(pk)
    text = record_to_argdown(export_record(thread), markdown.plain_text)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    return _export_headers(response, f"crux-thread-{pk}.argdown")
