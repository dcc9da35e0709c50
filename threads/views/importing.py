"""The moderators' upload page for debate dumps: the same import as `import_debate`.

Uploading shows a preview — the parsed tree with its comment boundaries, roles and
stand-in authors, and the report — and nothing is written until Import is pressed.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from threads.forms.importing import ConfirmForm, ImportForm
from threads.importers.parsed import DumpError
from threads.services.importing import (
    import_prepared,
    prepare_import,
    stash_upload,
    take_upload,
)
from threads.views.decorators import HtmxHttpRequest, moderator_required


def _preview_rows(prepared: object) -> list[dict]:
    """One row per post, opening first, with its depth for indentation."""
    depth: dict = {}
    rows = []
    for post in prepared.record.posts:
        depth[post.key] = 0 if post.parent_key is None else depth[post.parent_key] + 1
        rows.append(
            {
                "key": post.key,
                "depth": min(depth[post.key], 12),
                "author": post.author,
                "role": post.role,
                "quote": post.quote,
                "body": post.body,
                "note": post.note,
            }
        )
    return rows


@moderator_required
@require_http_methods(["GET", "POST"])
def import_debate(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            prepared = prepare_import(
                data["dump"],
                fmt=data["format"],
                title=data["title"] or None,
                map_existing=data["map_existing"],
            )
        except DumpError as exc:
            form.add_error(None, f"{exc} Nothing was imported.")
        else:
            confirm = ConfirmForm(
                initial={
                    "token": stash_upload(request.user.pk, data["dump"]),
                    "format": prepared.fmt,
                    "title": data["title"],
                    "map_existing": data["map_existing"],
                }
            )
            context = {
                "form": form,
                "confirm": confirm,
                "prepared": prepared,
                "rows": _preview_rows(prepared),
                "report": prepared.report,
                "summary": prepared.debate.report.summary_lines() if prepared.debate else [],
                "map_existing": data["map_existing"],
            }
            return render(request, "threads/import.html", context)
    status = 422 if request.method == "POST" else 200
    return render(request, "threads/import.html", {"form": form}, status=status)


def _confirm(request: HtmxHttpRequest) -> HttpResponse:
    confirm = ConfirmForm(request.POST)
    if not confirm.is_valid():
        return _refused(request, "The preview was incomplete; upload the file again.")
    data = confirm.cleaned_data
    try:
        text = take_upload(request.user.pk, data["token"])
        prepared = prepare_import(text, fmt=data["format"], title=data["title"] or None)
        thread, report = import_prepared(prepared, map_existing=data["map_existing"])
    except DumpError as exc:
        return _refused(request, f"{exc} Nothing was imported.")
    messages.success(
        request,
        f"Imported “{thread.title}”: {report['posts']} posts, "
        f"{report.get('duplicates_dropped', 0)} duplicates dropped, "
        f"{report.get('attached_by_quote', 0)} replies attached by quote.",
    )
    return redirect(thread)


def _refused(request: HtmxHttpRequest, message: str) -> HttpResponse:
    context = {"form": ImportForm(), "import_error": message}
    return render(request, "threads/import.html", context, status=422)
