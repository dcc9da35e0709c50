"""Forms of the thread page: reply, edit, vote and preview.

They only give the input its shape; threads.services.posting and .voting decide what is
allowed and say why not, and the views put those messages on the form.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings

from threads.models import Role, Vote

# The picker, most used first; each choice says what the reply does to its parent.
ROLE_CHOICES = [
    (Role.REBUTTAL.value, "Rebuttal — argues against it"),
    (Role.SUPPORT.value, "Support — gives a reason for it"),
    (Role.QUESTION.value, "Question — asks about it"),
    (Role.ANSWER.value, "Answer — answers its question"),
    (Role.CONCESSION.value, "Concession — grants its point"),
    (Role.CLAIM.value, "Claim — a new claim it leads to"),
    (Role.COMMENT.value, "Comment — none of these"),
]


def new_submission_token() -> str:
    return secrets.token_urlsafe(18)


class PostTextForm(forms.Form):
    """The fields a reply and an edit share. `role` and `body` are checked by the
    service (so an unknown role or an empty body gets the service's message)."""

    role = forms.CharField(
        required=False, widget=forms.Select(choices=ROLE_CHOICES), initial=Role.COMMENT.value
    )
    quote = forms.CharField(
        required=False,
        strip=False,
        label="Quote (optional)",
        help_text="The exact words of the post you answer. Select them there and press "
        "“Quote this”.",
        widget=forms.Textarea(attrs={"rows": 2, "class": "quote-field"}),
    )
    body = forms.CharField(
        required=False,
        strip=False,
        label="Your reply",
        help_text="Markdown: **bold**, *italic*, > quote, [link](https://…), lists.",
        widget=forms.Textarea(attrs={"rows": 6, "class": "body-field"}),
    )

    def clean_role(self) -> str:
        return self.cleaned_data["role"] or Role.COMMENT.value


class ReplyForm(PostTextForm):
    submission_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", new_submission_token())


class EditForm(PostTextForm):
    """Editing a reply may change its text, quote and role; the opening post only its text."""

    def __init__(self, *args: Any, opening: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = "Text"
        if opening:
            del self.fields["role"]
            del self.fields["quote"]


class VoteForm(forms.Form):
    axis = forms.ChoiceField(choices=Vote.Axis.choices)
    # 0 takes the vote back; sending the vote one already has changes nothing.
    value = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1"), ("0", "none")], coerce=int)


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, strip=False, max_length=settings.CRUX_MAX_BODY_CHARS)
