"""Tags: the public tag index, a tag's page (the arguments carrying it across threads)
and the public moderation log, which anyone may read; and the moderators' taxonomy page
(create, rename, merge, retire), where every change lands in that log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from threads.forms.moderation import ReasonForm, TagCreateForm, TagMergeForm, TagRenameForm
from threads.models import ModAction, Role, Tag
from threads.queries import moderation as reads
from threads.services import tags as taxonomy
from threads.services.posting import excerpt
from threads.views.decorators import HtmxHttpRequest, moderator_required
from threads.views.responses import FormAction, render_form, service_errors

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


# --- The tag taxonomy (moderators) ----------------------------------------------------

TAGS_TEMPLATE = "moderation/tags_manage.html"


def _row_form(
    action: str,
    tag: Tag,
    form_class: type[forms.Form],
    data: QueryDict | None = None,
    **kwargs: Any,
) -> forms.Form:
    """The `action` form (rename, merge, retire) of a tag's row; its ids are the row's own."""
    return form_class(data, auto_id=f"id_{action}_{tag.pk}_%s", **kwargs)


def _tag_rows(
    tags: list[Tag], live: list[Tag], *, bound_tag: Tag | None = None, **bound: Any
) -> list[Tag]:
    """Tags with their rename/merge/retire forms; `bound` forms (submitted, with errors)
    replace the blank ones of `bound_tag`."""
    for tag in tags:
        initial = {"name": tag.name, "description": tag.description}
        tag.rename_form = _row_form("rename", tag, TagRenameForm, initial=initial)
        tag.merge_form = _row_form("merge", tag, TagMergeForm, source=tag, tags=live)
        tag.retire_form = _row_form("retire", tag, ReasonForm)
        tag.row_form = None
        if bound_tag is not None and tag.pk == bound_tag.pk:
            for attr, form in bound.items():
                setattr(tag, attr, form)
                tag.row_form = form
    return tags


def _manage_context(
    *, create_form: forms.Form | None = None, bound_tag: Tag | None = None, **bound: Any
) -> dict:
    rows = _tag_rows(
        list(reads.tags_with_counts()), reads.live_tags(), bound_tag=bound_tag, **bound
    )
    groups = [(label, [t for t in rows if t.kind == kind]) for kind, label in Tag.Kind.choices]
    return {"groups": groups, "create_form": create_form or TagCreateForm()}


@moderator_required
@require_GET
def manage_tags(request: HtmxHttpRequest) -> HttpResponse:
    """All tags by kind, each with forms to rename, merge and retire it; a form to add one."""
    return render(request, TAGS_TEMPLATE, _manage_context())


@moderator_required
@require_POST
def create_tag(request: HtmxHttpRequest) -> HttpResponse:
    form = TagCreateForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            tag = taxonomy.create_tag(moderator=request.user, **form.cleaned_data)
    if form.is_valid():
        messages.success(request, f"Tag “{tag.name}” created.")
        target = f"{reverse('mod_tags')}#tag-{tag.pk}"
        # The new tag belongs in its kind's list: reload the page there.
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    if request.htmx:
        context = {"create_form": form, "form": form}
        return render_form(request, TAGS_TEMPLATE, "create-form", context, form_id="tag-create")
    return render(request, TAGS_TEMPLATE, _manage_context(create_form=form), status=422)


def _tag_row_answer(
    request: HtmxHttpRequest, tag: Tag, action: str, form: forms.Form, *, done: str
) -> HttpResponse:
    form_attr = f"{action}_form"
    if form.is_valid():
        messages.success(request, done)
        if not request.htmx:
            return redirect(f"{reverse('mod_tags')}#tag-{tag.pk}")
        row = _tag_rows(list(reads.tags_with_counts().filter(pk=tag.pk)), reads.live_tags())[0]
        return render(request, f"{TAGS_TEMPLATE}#tag-row", {"tag": row, "done": done})
    if not request.htmx:
        context = _manage_context(bound_tag=tag, **{form_attr: form})
        return render(request, TAGS_TEMPLATE, context, status=422)
    rows = _tag_rows(
        list(reads.tags_with_counts().filter(pk=tag.pk)),
        reads.live_tags(),
        bound_tag=tag,
        **{form_attr: form},
    )
    context = {"tag": rows[0], "form": form}
    return render_form(request, TAGS_TEMPLATE, "tag-row", context, form_id=f"tag-{tag.pk}")


# The row forms whose service says whether it changed anything; called with `tag`.
TAG_CHANGES = {
    "rename": FormAction(
        TagRenameForm,
        taxonomy.rename_tag,
        "Tag renamed.",
        "Nothing to change: the name and description are the same.",
    ),
    "retire": FormAction(
        ReasonForm,
        taxonomy.retire_tag,
        "Tag retired: it stays on its posts but cannot be applied any more.",
        "This tag is already retired.",
    ),
}


def _change_tag(request: HtmxHttpRequest, slug: str, action: str) -> HttpResponse:
    what = TAG_CHANGES[action]
    tag = get_object_or_404(Tag, slug=slug)
    form = _row_form(action, tag, what.form, request.POST)
    if form.is_valid():
        with service_errors(form):
            if not what.service(moderator=request.user, tag=tag, **form.cleaned_data):
                form.add_error(None, what.unchanged)
    return _tag_row_answer(request, tag, action, form, done=what.done)


@moderator_required
@require_POST
def rename_tag(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return _change_tag(request, slug, "rename")


@moderator_required
@require_POST
def merge_tag(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    form = _row_form("merge", tag, TagMergeForm, request.POST, source=tag)
    if form.is_valid():
        with service_errors(form):
            taxonomy.merge_tag(moderator=request.user, source=tag, **form.cleaned_data)
    done = "Tag merged: its posts now carry the other tag, and its page redirects there."
    return _tag_row_answer(request, tag, "merge", form, done=done)


@moderator_required
@require_POST
def retire_tag(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return _change_tag(request, slug, "retire")
