"""Public pages of the moderators' work: the tag index, a tag's page (the arguments
carrying it across threads) and the public moderation log. Anyone may read them."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from threads.models import ModAction, Role, Tag
from threads.queries import moderation as reads
from threads.services.posting import excerpt
from threads.views.decorators import HtmxHttpRequest

LOG_PAGE_SIZE = 50
TAG_PAGE_SIZE = 25


@require_GET
def tag_index(request: HtmxHttpRequest) -> HttpResponse:
    """Every live tag, grouped by kind, with how many visible posts carry it."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in Tag.Kind.values else ""
    kinds = [(k, label) for k, label in Tag.Kind.choices if not kind or k == kind]
    tags = reads.public_tags(kind)
    groups = [(value, label, [t for t in tags if t.kind == value]) for value, label in kinds]
    context = {"groups": groups, "kind": kind, "kinds": Tag.Kind.choices}
    return render(request, "moderation/tag_index.html", context)


@require_GET
def tag_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The arguments carrying a tag across all threads, newest tagging first."""
    tag = get_object_or_404(Tag.objects.select_related("merged_into"), slug=slug)
    if tag.merged_into_id:
        return redirect(tag.merged_into, permanent=True)
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    page = Paginator(reads.tag_uses(tag, role), TAG_PAGE_SIZE).get_page(request.GET.get("page"))
    for use in page.object_list:
        use.post.excerpt = excerpt(use.post.body_text, 50)
    context = {"tag": tag, "page": page, "role": role, "roles": Role.choices}
    if request.htmx and request.htmx.target == "tag-uses":
        return render(request, "moderation/tag_detail.html#tag-uses", context)
    return render(request, "moderation/tag_detail.html", context)


@require_GET
def moderation_log(request: HtmxHttpRequest) -> HttpResponse:
    """The public moderation log: every moderator action, newest first."""
    action = request.GET.get("action", "")
    action = action if action in ModAction.Action.values else ""
    page = Paginator(reads.log_entries(action), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "action": action, "actions": ModAction.Action.choices}
    if request.htmx and request.htmx.target == "log-entries":
        return render(request, "moderation/log.html#log-entries", context)
    return render(request, "moderation/log.html", context)
