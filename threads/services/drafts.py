"""Drafts: the reply (or new thread) a user is writing, saved as they type so that it
survives a closed tab; restored when they come back, dropped when they post."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from threads.models import Draft, Post, User

TITLE_MAX = Draft._meta.get_field("title").max_length
ROLE_MAX = Draft._meta.get_field("role").max_length


def save_draft(
    *,
    user: User,
    parent: Post | None,
    text: str = "",
    title: str = "",
    quote: str = "",
    role: str = "",
) -> Draft | None:
    """Keep what the user has written so far; an empty draft is dropped. Returns the
    draft (None when there is nothing to keep)."""
    if not user.is_authenticated:
        raise ValidationError("Log in to keep a draft.")
    text = (text or "").replace("\r\n", "\n")
    if len(text) > settings.CRUX_MAX_BODY_CHARS:
        raise ValidationError({"body": "The draft is longer than a post may be."})
    title, quote, role = (title or "")[:TITLE_MAX], (quote or "")[:2000], (role or "")[:ROLE_MAX]
    if not text.strip() and not title.strip():
        discard_draft(user=user, parent=parent)
        return None
    draft, _ = Draft.objects.update_or_create(
        user=user,
        parent=parent,
        defaults={
            "text": text,
            "title": title,
            "quote": quote,
            "role": role,
            "updated": timezone.now(),
        },
    )
    return draft


def draft_for(*, user: User, parent: Post | None) -> Draft | None:
    if not user.is_authenticated:
        return None
    return Draft.objects.filter(user=user, parent=parent).first()


def discard_draft(*, user: User, parent: Post | None) -> bool:
    """Drop the draft (the post was submitted, or the text emptied)."""
    deleted, _ = Draft.objects.filter(user=user, parent=parent).delete()
    return bool(deleted)
