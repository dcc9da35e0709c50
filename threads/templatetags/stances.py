"""Template helpers for stated stances: a post's tallies from the stored analysis, and
a credence histogram drawn with block characters (no inline styles: CSP)."""

from __future__ import annotations

from django import template
from django.template import Context

from threads.models import Post, Reaction

register = template.Library()

BLOCKS = " ▁▂▃▄▅▆▇█"
REACTION_LABELS = dict(Reaction.Kind.choices)


@register.simple_tag(takes_context=True)
def stated_for(context: Context, post: Post) -> dict | None:
    """`{% stated_for post as stated %}`: the credence and reaction tallies the last
    analysis run stored for this post (ThreadAnalysis.panel["stated"]), or None; pages
    without an `analysis` in their context get None."""
    panel = getattr(context.get("analysis"), "panel", None) or {}
    return (panel.get("stated") or {}).get("posts", {}).get(str(post.pk))


@register.filter
def minds_changed(analysis: object) -> list:
    panel = getattr(analysis, "panel", None) or {}
    return (panel.get("stated") or {}).get("minds_changed", [])


@register.filter
def histogram(bins: object) -> str:
    """Five counts as five block characters, the tallest full."""
    bins = list(bins or [])
    top = max(bins, default=0)
    if not top:
        return ""
    return "".join(BLOCKS[max(1, round(8 * b / top))] if b else "·" for b in bins)


@register.filter
def reaction_label(kind: str) -> str:
    return REACTION_LABELS.get(kind, kind)


@register.filter
def percent(value: object) -> str:
    return "" if value is None else f"{round(float(value))}%"
