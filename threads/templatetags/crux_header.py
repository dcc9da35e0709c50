"""What the site header shows that depends on who is looking (base.html)."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from threads.models import Report, User

register = template.Library()


@register.simple_tag
def open_report_count(user: User | AnonymousUser) -> int:
    """Reports no moderator has resolved yet; 0 (and no query) for everyone else."""
    if not (user.is_authenticated and user.is_moderator):
        return 0
    return Report.objects.filter(resolved_at__isnull=True).count()
