"""The moderators' upload form for debate dumps, and the form that confirms a preview."""

from __future__ import annotations

from django import forms

from threads.importers.parsed import DumpError
from threads.importers.reading import MAX_DUMP_BYTES, read_dump_bytes
from threads.models import Thread

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
        max_length=Thread._meta.get_field("title").max_length,
        required=False,
        help_text="Needed when the dump carries no title.",
    )
    map_existing = forms.BooleanField(
        required=False,
        label=MAP_EXISTING_LABEL,
        help_text="Tick only if names in the file that match accounts here are those people.",
    )

    def clean_dump(self) -> str:
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
    title = forms.CharField(max_length=Thread._meta.get_field("title").max_length, required=False)
    map_existing = forms.BooleanField(required=False)
