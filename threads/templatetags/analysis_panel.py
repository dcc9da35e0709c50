"""{% analysis_panel thread %}: the map and summary panel, from the stored analysis."""

from django import template

from threads.views.analysis import render_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def analysis_panel(context, thread):
    return render_panel(context.get("request"), thread)
