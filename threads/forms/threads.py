"""The form for starting a thread. threads.services.posting.start_thread does the real
validation (its messages are the ones users see); the form only carries the fields."""

from __future__ import annotations

from django import forms
from django.conf import settings


class NewThreadForm(forms.Form):
    title = forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={"maxlength": settings.CRUX_MAX_TITLE_CHARS, "autocomplete": "off"}
        ),
        help_text="The claim or question the debate is about.",
    )
    link = forms.CharField(
        required=False,
        label="Link (optional)",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text="An article or post the thread discusses.",
    )
    body = forms.CharField(
        required=False,
        strip=False,
        label="Opening post",
        widget=forms.Textarea(attrs={"rows": 12, "maxlength": settings.CRUX_MAX_BODY_CHARS}),
        help_text="Markdown. State your claim and your reasons; replies will answer it.",
    )
