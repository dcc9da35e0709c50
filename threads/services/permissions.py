"""Who may do what. Checked in services, so every entry point (views, admin, commands)
enforces the same rules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import formats

from threads.models import User


def ensure_can_participate(user: User) -> None:
    """Posting, voting and reporting need an active account that is not banned."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Log in to take part.")
    ban = user.active_ban()
    if ban is not None:
        until = (
            f"until {formats.date_format(ban.until, 'DATETIME_FORMAT')} UTC"
            if ban.until
            else "permanently"
        )
        raise PermissionDenied(f"You are banned {until}: {ban.reason}")


def ensure_moderator(user: User) -> None:
    if not (user.is_authenticated and user.is_moderator):
        raise PermissionDenied("Only moderators can do this.")
