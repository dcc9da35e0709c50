"""{% analysis_panel thread %}: the map and summary panel, built from the stored analysis."""

from django import template
from django.template.loader import render_to_string

from threads.views.analysis import panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def analysis_panel(context, thread):
    analysis = getattr(thread, "analysis", None) if thread is not None else None
    request = context.get("request")
    return render_to_string(
        "threads/analysis_panel.html#panel",
        {**panel_context(thread, analysis), "user": getattr(request, "user", None)},
        request=request,
    )
