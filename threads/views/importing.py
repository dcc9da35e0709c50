"""The moderators' upload page for debate dumps: the same import as `import_debate`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from threads.importers.parsed import DumpError
from threads.importers.reading import MAX_DUMP_BYTES, read_dump_bytes
from threads.services.importing import import_text
from threads.services.permissions import ensure_moderator

FORMAT_CHOICES = [
    ("auto", "Detect automatically"),
    ("motte", "The Motte thread page (copied text)"),
    ("lesswrong", "LessWrong comment section (copied text)"),
    ("kialo", "Kialo text outline"),
    ("json", "Crux JSON export (crux-thread/1)"),
]


class ImportForm(forms.Form):
    dump = forms.FileField(label="File", help_text="A UTF-8 text or JSON file, at most 20 MB.")
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="auto")
    title = forms.CharField(
        max_length=200, required=False, help_text="Needed when the dump carries no title."
    )

    def clean_dump(self) -> UploadedFile:
        upload = self.cleaned_data["dump"]
        if upload.size > MAX_DUMP_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{MAX_DUMP_BYTES // 1_048_576} MB."
            )
        try:
            return read_dump_bytes(upload.read())
        except DumpError as exc:
            raise forms.ValidationError(str(exc)) from None


@login_required
@require_http_methods(["GET", "POST"])
def import_debate(request: HttpRequest) -> HttpResponse:
    ensure_moderator(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            thread, report = import_text(
                form.cleaned_data["dump"],
                fmt=form.cleaned_data["format"],
                title=form.cleaned_data["title"] or None,
            )
        except DumpError as exc:
            form.add_error(None, f"{exc} Nothing was imported.")
        else:
            messages.success(
                request,
                f"Imported “{thread.title}”: {report['posts']} posts, "
                f"{report.get('duplicates_dropped', 0)} duplicates dropped, "
                f"{report.get('attached_by_quote', 0)} replies attached by quote.",
            )
            return redirect(thread)
    status = 422 if request.method == "POST" else 200
    return render(request, "threads/import.html", {"form": form}, status=status)
