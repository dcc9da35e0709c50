"""Moderation views: the inline controls on posts, reports and the moderation queue, tag
pages, the public moderation log, bans and the tag taxonomy.

Thin: a form checks the input's shape, threads.services.moderation does the work (and
checks the rules again), and the view answers. A plain POST redirects back to the post;
an htmx POST from a post's panel follows the same redirect and swaps the refreshed post
into the page (its forms say `hx-select="#post-main-<id>"`, the thread page's element),
so the page shows the new tag, role or removal notice exactly as everyone else will see
it. A form with errors comes back with status 422, retargeted onto the panel. Every view
marked @moderator_required refuses everyone else (a test walks all of them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from threads.forms.moderation import (
    BanForm,
    ReasonForm,
    RemovePostForm,
    ReportForm,
    ResolveReportsForm,
    RoleForm,
    TagPostForm,
    UntagPostForm,
)
from threads.models import Post, Report, Role, Tag, Thread, User
from threads.queries import moderation as reads
from threads.services import moderation
from threads.services.posting import excerpt
from threads.views.decorators import HtmxHttpRequest, login_required, moderator_required
from threads.views.responses import (
    FormAction,
    next_url,
    post_anchor,
    render_form,
    service_errors,
)

QUEUE_PAGE_SIZE = 25


# --- Answering forms ----------------------------------------------------------------------


def _from_queue(request: HtmxHttpRequest) -> bool:
    return request.POST.get("from") == "queue"


# --- The moderation panel of a post, and its actions --------------------------------------

POST_TEMPLATE = "moderation/post.html"


# The actions of a post's moderation panel; their service is called with `post`.
PANEL_ACTIONS = {
    "tag": FormAction(
        TagPostForm, moderation.tag_post, "Tagged.", "The post already has that tag."
    ),
    "untag": FormAction(
        UntagPostForm,
        moderation.untag_post,
        "Tag taken off.",
        "The post does not have that tag (any more).",
    ),
    "role": FormAction(
        RoleForm, moderation.change_role, "Role changed.", "The post already {role} its parent."
    ),
    "remove": FormAction(
        RemovePostForm, moderation.remove_post, "Post removed.", "This post is already removed."
    ),
    "restore": FormAction(
        ReasonForm,
        moderation.restore_post,
        "Post restored.",
        "This post is not removed; there is nothing to restore.",
    ),
    "approve": FormAction(
        ReasonForm,
        moderation.approve_post,
        "Post approved: everyone can see it now.",
        "This post is not waiting for approval.",
    ),
}


def _panel_form(
    action: str, post: Post, data: QueryDict | None = None, **kwargs: Any
) -> forms.Form:
    # The ids carry the post id, so many panels can sit on one thread page.
    return PANEL_ACTIONS[action].form(data, auto_id=f"id_{action}_{post.pk}_%s", **kwargs)


def _post_or_404(post_id: int, viewer: object = None) -> Post:
    """The post, if `viewer` may see it (moderators see every post)."""
    posts = Post.objects.visible_to(viewer) if viewer is not None else Post.objects.all()
    return get_object_or_404(posts.select_related("thread", "author"), pk=post_id)


def _panel_context(post: Post, **bound: Any) -> dict:
    """Everything the panel shows, with `bound` (submitted) forms in place of blank ones."""
    tags = reads.live_tags()
    forms = {
        "tag_form": _panel_form("tag", post, tags=tags),
        "role_form": _panel_form("role", post, initial={"role": post.role}),
        "remove_form": _panel_form("remove", post),
        "restore_form": _panel_form("restore", post),
        "approve_form": _panel_form("approve", post),
    }
    forms.update({f"{action}_form": form for action, form in bound.items()})
    return {
        "post": _with_excerpt(post),
        "thread": post.thread,
        "uses": list(
            post.post_tags.select_related("tag", "tagged_by").order_by("tag__kind", "tag__name")
        ),
        "open_reports": post.reports.filter(resolved_at__isnull=True).count(),
        "form": next(iter(bound.values()), None),
        **forms,
    }


def _render_panel(request: HtmxHttpRequest, post: Post, **bound: Any) -> HttpResponse:
    context = _panel_context(post, **bound)
    return render_form(request, POST_TEMPLATE, "panel", context, form_id=f"mod-panel-{post.pk}")


@moderator_required
@require_GET
def moderate_post(request: HtmxHttpRequest, post_id: int) -> HttpResponse:
    """A post's moderation panel: its tags (with untag buttons) and the forms to tag it,
    change its role, remove or restore, approve. Loaded into the post's controls by htmx;
    a page of its own without JavaScript."""
    return _render_panel(request, _post_or_404(post_id))


def _panel_action(request: HtmxHttpRequest, post_id: int, action: str) -> HttpResponse:
    """A panel form: check it, call its service, then back to the post (or the queue
    entry) on success, or the form again with its errors."""
    post = _post_or_404(post_id)
    what = PANEL_ACTIONS[action]
    form = _panel_form(action, post, request.POST)
    if form.is_valid():
        with service_errors(form):
            if what.service(moderator=request.user, post=post, **form.cleaned_data) is False:
                form.add_error(None, what.unchanged.format(role=Role(post.role).label))
    if form.is_valid():
        messages.success(request, what.done)
        if _from_queue(request):
            if request.htmx:
                return _queue_item_response(request, post, what.done, f"held-{post.pk}")
            return redirect("moderation_queue")
        # htmx follows this redirect too, and swaps the refreshed post into the page.
        return HttpResponseRedirect(next_url(request, post_anchor(post)))
    if _from_queue(request):
        post.remove_form = form
        context = {"post": _with_excerpt(post), "form": form}
        return _queue_error(request, post, form, "held-item", context)
    return _render_panel(request, post, **{action: form})


def _panel_view(action: str) -> Callable[[HtmxHttpRequest, int], HttpResponse]:
    """The POST view of one of the post panel's actions (see PANEL_ACTIONS)."""

    @moderator_required
    @require_POST
    def view(request: HtmxHttpRequest, post_id: int) -> HttpResponse:
        return _panel_action(request, post_id, action)

    view.__name__ = view.__qualname__ = f"{action}_view"
    return view


tag_post = _panel_view("tag")
untag_post = _panel_view("untag")
change_role = _panel_view("role")
remove_post = _panel_view("remove")
restore_post = _panel_view("restore")
approve_post = _panel_view("approve")


@login_required
@require_http_methods(["GET", "POST"])
def report_post(request: HtmxHttpRequest, post_id: int) -> HttpResponse:
    """Any logged-in user: report a post to the moderators, or nominate it as a quality
    contribution. A banned user is told why they cannot."""
    post = _post_or_404(post_id, request.user)
    data = request.POST if request.method == "POST" else None
    form = ReportForm(data, auto_id=f"id_report_{post.pk}_%s")
    context = {"post": _with_excerpt(post), "thread": post.thread, "form": form, "reporting": True}
    form_id = f"mod-report-{post.pk}"
    if request.method == "POST" and form.is_valid():
        # Banned or inactive: the form says why (403 as a page), and nothing changes.
        with service_errors(form, refusals=True):
            report = moderation.report_post(reporter=request.user, post=post, **form.cleaned_data)
    if request.method == "POST" and form.is_valid():
        done = (
            "Thank you: the moderators will look at this post."
            if report.kind == Report.Kind.REPORT
            else "Thank you for the nomination: the moderators will consider it."
        )
        if request.htmx:
            context["done"] = done
            return render(request, f"{POST_TEMPLATE}#report-form", context)
        messages.success(request, done)
        return HttpResponseRedirect(next_url(request, post_anchor(post)))
    return render_form(request, POST_TEMPLATE, "report-form", context, form_id=form_id)


# --- The moderation queue -----------------------------------------------------------------

QUEUE_TEMPLATE = "moderation/queue.html"


def _with_excerpt(post: Post, words: int = 60) -> Post:
    post.excerpt = excerpt(post.body_text, words)
    return post


def _resolve_form(
    post: Post, data: QueryDict | None = None, tags: list[Tag] | None = None
) -> ResolveReportsForm:
    return ResolveReportsForm(data, tags=tags, auto_id=f"id_resolve_{post.pk}_%s")


def _queue_context(
    request: HtmxHttpRequest, *, bound_post: Post | None = None, bound: dict | None = None
) -> dict:
    """The queue page, in a fixed number of queries. `bound` is a submitted form with
    errors, shown in place of the blank one of `bound_post`."""
    page = Paginator(reads.report_groups(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = list(page.object_list)
    prefetch_related_objects(groups, reads.open_reports_prefetch())
    tags = reads.live_tags()
    for group in groups:
        _with_excerpt(group)
        group.resolve_form = _resolve_form(group, tags=tags)
    held = [_with_excerpt(post) for post in reads.held_posts()]
    if bound_post is not None:
        for item in groups:
            if item.pk == bound_post.pk and isinstance(bound, ResolveReportsForm):
                item.resolve_form = bound
        for item in held:
            if item.pk == bound_post.pk and isinstance(bound, RemovePostForm):
                item.remove_form = bound
    return {"page": page, "groups": groups, "held": held}


@moderator_required
@require_GET
def moderation_queue(request: HtmxHttpRequest) -> HttpResponse:
    """Open reports grouped by post, and posts held for approval."""
    return render(request, QUEUE_TEMPLATE, _queue_context(request))


def _queue_error(
    request: HtmxHttpRequest, post: Post, form: forms.Form, partial: str, context: dict
) -> HttpResponse:
    """A queue form with errors: the entry (htmx) or the whole queue with a message."""
    if request.htmx:
        item_id = f"queue-{post.pk}" if partial == "report-group" else f"held-{post.pk}"
        return render_form(request, QUEUE_TEMPLATE, partial, context, form_id=item_id)
    errors = "; ".join(message for messages_ in form.errors.values() for message in messages_)
    messages.error(request, f"Post #{post.pk}: {errors}")
    context = _queue_context(request, bound_post=post, bound=form)
    return render(request, QUEUE_TEMPLATE, {**context, "form": form}, status=422)


def _queue_item_response(
    request: HtmxHttpRequest, post: Post, done: str, item_id: str
) -> HttpResponse:
    """A queue entry after a moderator dealt with it (approved, removed, resolved)."""
    context = {"post": post, "done": done, "item_id": item_id}
    return render(request, f"{QUEUE_TEMPLATE}#done-item", context)


@moderator_required
@require_POST
def resolve_reports(request: HtmxHttpRequest, post_id: int) -> HttpResponse:
    """Close all open reports on a post: remove it, dismiss them, or tag it."""
    post = _post_or_404(post_id)
    form = _resolve_form(post, request.POST)
    if form.is_valid():
        with service_errors(form):
            moderation.resolve_reports(moderator=request.user, post=post, **form.cleaned_data)
    if form.is_valid():
        resolution = Report.Resolution(form.cleaned_data["resolution"]).label.lower()
        done = f"Reports resolved: {resolution}."
        if request.htmx:
            return _queue_item_response(request, post, done, f"queue-{post.pk}")
        messages.success(request, done)
        return redirect("moderation_queue")
    group = reads.report_groups().filter(pk=post.pk).first() or post
    prefetch_related_objects([group], reads.open_reports_prefetch())
    _with_excerpt(group)
    group.resolve_form = form
    context = {"group": group, "form": form}
    return _queue_error(request, post, form, "report-group", context)


# --- Threads ------------------------------------------------------------------------------


def _thread_lock_action(request: HtmxHttpRequest, thread_id: int, *, lock: bool) -> HttpResponse:
    thread = get_object_or_404(Thread, pk=thread_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    service = moderation.lock_thread if lock else moderation.unlock_thread
    unchanged = "This thread is already locked." if lock else "This thread is not locked."
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            if not service(moderator=request.user, thread=thread, **form.cleaned_data):
                form.add_error(None, unchanged)
    if request.method == "POST" and form.is_valid():
        messages.success(request, "Thread locked." if lock else "Thread unlocked.")
        target = next_url(request, thread.get_absolute_url())
        # The lock shows on the whole page (no reply forms, no votes): reload it.
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    action = "lock" if lock else "unlock"
    context = {"thread": thread, "form": form, "action": action}
    return render_form(
        request,
        "moderation/thread_action.html",
        "lock-form",
        context,
        form_id=f"mod-{action}-{thread.pk}",
    )


@moderator_required
@require_http_methods(["GET", "POST"])
def lock_thread(request: HtmxHttpRequest, thread_id: int) -> HttpResponse:
    return _thread_lock_action(request, thread_id, lock=True)


@moderator_required
@require_http_methods(["GET", "POST"])
def unlock_thread(request: HtmxHttpRequest, thread_id: int) -> HttpResponse:
    return _thread_lock_action(request, thread_id, lock=False)


# --- Users and bans -----------------------------------------------------------------------

USER_TEMPLATE = "moderation/user.html"


def _user_context(
    member: User, *, ban_form: forms.Form | None = None, unban_form: forms.Form | None = None
) -> dict:
    bans = reads.member_bans(member)
    active = member.active_ban()
    return {
        "member": member,
        "bans": bans,
        "active_ban": active,
        "active_ban_words": moderation.describe_ban(active) if active else "",
        "ban_form": ban_form or BanForm(),
        "unban_form": unban_form or ReasonForm(),
        **reads.member_counts(member),
    }


@moderator_required
@require_GET
def moderate_user(request: HtmxHttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username)
    return render(request, USER_TEMPLATE, _user_context(member))


def _user_answer(
    request: HtmxHttpRequest, member: User, form: forms.Form, *, form_key: str, done: str
) -> HttpResponse:
    if form.is_valid():
        messages.success(request, done)
        if request.htmx:
            context = {**_user_context(member), "done": done}
            return render(request, f"{USER_TEMPLATE}#ban-panel", context)
        return redirect("mod_user", member.username)
    context = {**_user_context(member, **{form_key: form}), "form": form}
    return render_form(request, USER_TEMPLATE, "ban-panel", context, form_id="ban-panel")


@moderator_required
@require_POST
def ban_user(request: HtmxHttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username)
    form = BanForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            moderation.ban_user(moderator=request.user, user=member, **form.cleaned_data)
    done = f"{member.username} is banned."
    return _user_answer(request, member, form, form_key="ban_form", done=done)


@moderator_required
@require_POST
def unban_user(request: HtmxHttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username)
    form = ReasonForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            if not moderation.unban_user(moderator=request.user, user=member, **form.cleaned_data):
                form.add_error(None, f"{member.username} is not banned.")
    done = f"{member.username}'s ban is lifted."
    return _user_answer(request, member, form, form_key="unban_form", done=done)
