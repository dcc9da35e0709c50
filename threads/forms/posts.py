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

# The picker, most used first; each choice says what the reply does to its parent. There
# is no default: an unchosen role would silently become "comment" and starve the map.
ROLE_CHOICES = [
    (Role.REBUTTAL.value, "Rebut — argues against it"),
    (Role.SUPPORT.value, "Support — gives a reason for it"),
    (Role.QUESTION.value, "Ask — asks a question about it"),
    (Role.ANSWER.value, "Answer — answers its question"),
    (Role.CONCESSION.value, "Concede — grants its point"),
    (Role.COMMENT.value, "Just a comment — none of these"),
]
ROLE_REQUIRED = (
    "Say what your reply does to the post it answers: rebut, support, ask, answer, "
    "concede, or just a comment."
)


def likely_role(*, parent_role: str, quote: str) -> str:
    """The role to preselect, or "" for none: "answer" when the words being answered are
    a question (the parent asks one, or the quoted words end with "?"); otherwise the
    author must choose."""
    if parent_role == Role.QUESTION or quote.strip().endswith("?"):
        return Role.ANSWER.value
    return ""


def new_submission_token() -> str:
    return secrets.token_urlsafe(18)


class PostTextForm(forms.Form):
    """The fields a reply and an edit share. `role` must be chosen; whether it is a known
    one, and whether `body` says anything, is checked by the service (so an unknown role
    or an empty body gets the service's message)."""

    role = forms.CharField(
        label="What does your reply do to the post it answers?",
        error_messages={"required": ROLE_REQUIRED},
        widget=forms.RadioSelect(choices=ROLE_CHOICES, attrs={"class": "role-choice"}),
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
        # An imported reply may have a role the picker does not offer (a claim): keep it
        # choosable, so an edit of the text does not have to change the role.
        current = (self.data.get("role") if self.is_bound else None) or self.initial.get("role")
        if not opening and current and current not in dict(ROLE_CHOICES):
            label = f"Keep it ({Role(current).label})" if current in Role.values else current
            self.fields["role"].widget.choices = [*ROLE_CHOICES, (current, label)]
        if opening:
            del self.fields["role"]
            del self.fields["quote"]


class VoteForm(forms.Form):
    axis = forms.ChoiceField(choices=Vote.Axis.choices)
    # 0 takes the vote back; sending the vote one already has changes nothing.
    value = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1"), ("0", "none")], coerce=int)


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, strip=False, max_length=settings.CRUX_MAX_BODY_CHARS)
