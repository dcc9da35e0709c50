"""Template tags of the inbox and the thread page's unread markers."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def poll_seconds(what: str) -> int:
    """How often a polling element refreshes while the tab is visible (see notifications.js)."""
    if what == "badge":
        return settings.CRUX_BADGE_POLL_SECONDS
    return settings.CRUX_NEW_REPLIES_POLL_SECONDS
