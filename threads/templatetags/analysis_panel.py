"""{% analysis_panel thread %}: the map and summary panel, from the stored analysis."""

from __future__ import annotations

from django import template
from django.template import Context

from threads.models import Thread
from threads.views.analysis import render_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def analysis_panel(context: Context, thread: Thread) -> str:
    return render_panel(context.get("request"), thread)
