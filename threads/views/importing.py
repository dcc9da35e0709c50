"""The moderators' upload page for debate dumps: the same import as `import_debate`.

Uploading shows a preview — the parsed tree with its comment boundaries, roles and
stand-in authors, and the report — and nothing is written until Import is pressed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from threads.importers.parsed import DumpError
from threads.importers.reading import MAX_DUMP_BYTES, read_dump_bytes
from threads.services.importing import (
    import_prepared,
    prepare_import,
    stash_upload,
    take_upload,
)
from threads.services.permissions import ensure_moderator

FORMAT_CHOICES = [
    ("auto", "Detect automatically"),
    ("motte", "The Motte thread page (copied text)"),
    ("lesswrong", "LessWrong comment section (copied text)"),
    ("kialo", "Kialo text outline"),
    ("json", "Crux JSON export (crux-thread/1)"),
]
MAP_EXISTING_LABEL = "These names are the same people"


class ImportForm(forms.Form):
    dump = forms.FileField(label="File", help_text="A UTF-8 text or JSON file, at most 20 MB.")
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="auto")
    title = forms.CharField(
        max_length=200, required=False, help_text="Needed when the dump carries no title."
    )
    map_existing = forms.BooleanField(
        required=False,
        label=MAP_EXISTING_LABEL,
        help_text="Tick only if names in the file that match accounts here are those people.",
    )

    def clean_dump(self):
        upload = self.cleaned_data["dump"]
        if upload.size > MAX_DUMP_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{MAX_DUMP_BYTES // 1_048_576} MB."
            )
        try:
            return read_dump_bytes(upload.read(MAX_DUMP_BYTES + 1))
        except DumpError as exc:
            raise forms.ValidationError(str(exc)) from None


class ConfirmForm(forms.Form):
    token = forms.CharField(max_length=64)
    format = forms.ChoiceField(choices=FORMAT_CHOICES)
    title = forms.CharField(max_length=200, required=False)
    map_existing = forms.BooleanField(required=False)


def _preview_rows(prepared) -> list[dict]:
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


@login_required
@require_http_methods(["GET", "POST"])
def import_debate(request):
    ensure_moderator(request.user)
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


def _confirm(request):
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


def _refused(request, message: str):
    context = {"form": ImportForm(), "import_error": message}
    return render(request, "threads/import.html", context, status=422)
