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
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Prefetch, Q, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from threads.forms.moderation import (
    BanForm,
    ReasonForm,
    RemovePostForm,
    ReportForm,
    ResolveReportsForm,
    RoleForm,
    TagCreateForm,
    TagMergeForm,
    TagPostForm,
    TagRenameForm,
    UntagPostForm,
)
from threads.models import Ban, ModAction, Post, PostTag, Report, Role, Tag, Thread, User
from threads.services import moderation
from threads.services.posting import excerpt

LOG_PAGE_SIZE = 50
TAG_PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 25
HELD_SHOWN = 50


def _to_login(request: HttpRequest) -> HttpResponse:
    if request.htmx:  # the whole page goes to the login form, not a fragment of it
        back = request.htmx.current_url_abs_path or "/"
        return HttpResponseClientRedirect(redirect_to_login(back).url)
    return redirect_to_login(request.get_full_path())


def moderator_required(view: Callable) -> Callable:
    """Logged-out visitors are sent to log in; logged-in non-moderators get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _to_login(request)
        if not request.user.is_moderator:
            raise PermissionDenied("Only moderators can do this.")
        return view(request, *args, **kwargs)

    wrapped.moderator_only = True
    return wrapped


def logged_in_required(view: Callable) -> Callable:
    """Like Django's login_required, but an htmx request sends the whole page to log in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _to_login(request)
        return view(request, *args, **kwargs)

    return wrapped


# --- Answering forms ----------------------------------------------------------------------


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _post_url(post: Post) -> str:
    return f"{post.get_absolute_url()}#post-{post.pk}"


def _from_queue(request: HttpRequest) -> bool:
    return request.POST.get("from") == "queue"


def _render_form(
    request: HttpRequest, template: str, partial: str, context: dict, *, form_id: str
) -> HttpResponse:
    """The whole page, or for htmx only the form's partial; 422 when it has errors. An
    answer to a POST is retargeted onto the form's own element `form_id`, since the form
    asked for the refreshed post (or queue entry) that only a success brings."""
    form = context.get("form")
    status = 422 if form is not None and form.errors else 200
    if request.htmx:
        response = render(request, f"{template}#{partial}", context, status=status)
        if request.method == "POST":
            response["HX-Retarget"] = f"#{form_id}"
            response["HX-Reselect"] = f"#{form_id}"
            response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, template, context, status=status)


def _run(form, service: Callable[[dict], bool | object], *, unchanged: str) -> bool:
    """Validate the form and run the service on it; errors (and a no-op, which the
    moderator should hear about) end up on the form. True when something changed."""
    if not form.is_valid():
        return False
    try:
        changed = service(form.cleaned_data)
    except ValidationError as error:
        _add_service_errors(form, error)
        return False
    if changed is False:
        form.add_error(None, unchanged)
        return False
    return True


# --- The moderation panel of a post, and its actions --------------------------------------

POST_TEMPLATE = "moderation/post.html"

# The forms of a post's panel, by action. Their ids carry the post id, so many panels
# can sit on one thread page.
PANEL_FORMS = {
    "tag": TagPostForm,
    "untag": UntagPostForm,
    "role": RoleForm,
    "remove": RemovePostForm,
    "restore": ReasonForm,
    "approve": ReasonForm,
}


def _panel_form(action: str, post: Post, data=None, **kwargs):
    return PANEL_FORMS[action](data, auto_id=f"id_{action}_{post.pk}_%s", **kwargs)


def _post_or_404(post_id: int, viewer: object = None) -> Post:
    """The post, if `viewer` may see it (moderators see every post)."""
    posts = Post.objects.visible_to(viewer) if viewer is not None else Post.objects.all()
    return get_object_or_404(posts.select_related("thread", "author"), pk=post_id)


def _panel_context(post: Post, **bound) -> dict:
    """Everything the panel shows, with `bound` (submitted) forms in place of blank ones."""
    tags = _live_tags()
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


def _render_panel(request: HttpRequest, post: Post, **bound) -> HttpResponse:
    context = _panel_context(post, **bound)
    return _render_form(request, POST_TEMPLATE, "panel", context, form_id=f"mod-panel-{post.pk}")


@moderator_required
@require_GET
def moderate_post(request: HttpRequest, post_id: int) -> HttpResponse:
    """A post's moderation panel: its tags (with untag buttons) and the forms to tag it,
    change its role, remove or restore, approve. Loaded into the post's controls by htmx;
    a page of its own without JavaScript."""
    return _render_panel(request, _post_or_404(post_id))


def _post_action(
    request: HttpRequest,
    post: Post,
    *,
    action: str,
    service: Callable[[dict], object],
    done: str,
    unchanged: str,
    **form_kwargs,
) -> HttpResponse:
    form = _panel_form(action, post, request.POST, **form_kwargs)
    if _run(form, service, unchanged=unchanged):
        messages.success(request, done)
        if _from_queue(request):
            if request.htmx:
                return _queue_item_response(request, post, done, f"held-{post.pk}")
            return redirect("moderation_queue")
        # htmx follows this redirect too, and swaps the refreshed post into the page.
        return HttpResponseRedirect(_next_url(request, _post_url(post)))
    if _from_queue(request):
        post.remove_form = form
        context = {"post": _with_excerpt(post), "form": form}
        return _queue_error(request, post, form, "held-item", context)
    return _render_panel(request, post, **{action: form})


@moderator_required
@require_POST
def tag_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_or_404(post_id)
    return _post_action(
        request,
        post,
        action="tag",
        service=lambda data: moderation.tag_post(
            moderator=request.user, post=post, tag=data["tag"], note=data["note"]
        ),
        done="Tagged.",
        unchanged="The post already has that tag.",
    )


@moderator_required
@require_POST
def untag_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_or_404(post_id)
    return _post_action(
        request,
        post,
        action="untag",
        service=lambda data: moderation.untag_post(
            moderator=request.user, post=post, tag=data["tag"], reason=data["reason"]
        ),
        done="Tag taken off.",
        unchanged="The post does not have that tag (any more).",
    )


@moderator_required
@require_POST
def change_role(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_or_404(post_id)
    return _post_action(
        request,
        post,
        action="role",
        service=lambda data: moderation.change_role(
            moderator=request.user, post=post, role=data["role"], reason=data["reason"]
        ),
        done="Role changed.",
        unchanged=f"The post already {Role(post.role).label} its parent.",
    )


@moderator_required
@require_POST
def remove_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_or_404(post_id)
    return _post_action(
        request,
        post,
        action="remove",
        service=lambda data: moderation.remove_post(
            moderator=request.user, post=post, reason=data["reason"]
        ),
        done="Post removed.",
        unchanged="This post is already removed.",
    )


@moderator_required
@require_POST
def restore_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_or_404(post_id)
    return _post_action(
        request,
        post,
        action="restore",
        service=lambda data: moderation.restore_post(
            moderator=request.user, post=post, reason=data["reason"]
        ),
        done="Post restored.",
        unchanged="This post is not removed; there is nothing to restore.",
    )


@moderator_required
@require_POST
def approve_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_or_404(post_id)
    return _post_action(
        request,
        post,
        action="approve",
        service=lambda data: moderation.approve_post(
            moderator=request.user, post=post, reason=data["reason"]
        ),
        done="Post approved: everyone can see it now.",
        unchanged="This post is not waiting for approval.",
    )


@logged_in_required
@require_http_methods(["GET", "POST"])
def report_post(request: HttpRequest, post_id: int) -> HttpResponse:
    """Any logged-in user: report a post to the moderators, or nominate it as a quality
    contribution. A banned user is told why they cannot."""
    post = _post_or_404(post_id, request.user)
    data = request.POST if request.method == "POST" else None
    form = ReportForm(data, auto_id=f"id_report_{post.pk}_%s")
    context = {"post": _with_excerpt(post), "thread": post.thread, "form": form, "reporting": True}
    form_id = f"mod-report-{post.pk}"
    if request.method == "POST" and form.is_valid():
        try:
            report = moderation.report_post(
                reporter=request.user,
                post=post,
                reason=form.cleaned_data["reason"],
                kind=form.cleaned_data["kind"],
            )
        except PermissionDenied as refusal:  # banned or inactive: say why, change nothing
            form.add_error(None, str(refusal))
            response = _render_form(request, POST_TEMPLATE, "report-form", context, form_id=form_id)
            if not request.htmx:  # htmx shows only 2xx and 422 responses
                response.status_code = 403
            return response
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            done = (
                "Thank you: the moderators will look at this post."
                if report.kind == Report.Kind.REPORT
                else "Thank you for the nomination: the moderators will consider it."
            )
            if request.htmx:
                context["done"] = done
                return render(request, f"{POST_TEMPLATE}#report-form", context)
            messages.success(request, done)
            return HttpResponseRedirect(_next_url(request, _post_url(post)))
    return _render_form(request, POST_TEMPLATE, "report-form", context, form_id=form_id)


# --- The moderation queue -----------------------------------------------------------------

QUEUE_TEMPLATE = "moderation/queue.html"


def _open_reports_prefetch() -> Prefetch:
    return Prefetch(
        "reports",
        queryset=Report.objects.filter(resolved_at__isnull=True)
        .select_related("reporter")
        .order_by("created"),
        to_attr="open_reports",
    )


def _report_groups():
    """Posts with open reports, the longest-waiting first, with counts by kind."""
    is_open = Q(reports__resolved_at__isnull=True)
    return (
        Post.objects.filter(
            pk__in=Report.objects.filter(resolved_at__isnull=True).values("post_id")
        )
        .select_related("thread", "author")
        .annotate(
            report_count=Count("reports", filter=is_open & Q(reports__kind=Report.Kind.REPORT)),
            nomination_count=Count(
                "reports", filter=is_open & Q(reports__kind=Report.Kind.QUALITY_CONTRIBUTION)
            ),
            first_reported=Min("reports__created", filter=is_open),
        )
        .order_by("first_reported", "pk")
    )


def _live_tags() -> list[Tag]:
    return list(
        Tag.objects.filter(retired=False, merged_into__isnull=True).order_by("kind", "name")
    )


def _with_excerpt(post: Post, words: int = 60) -> Post:
    post.excerpt = excerpt(post.body_text, words)
    return post


def _resolve_form(post: Post, data=None, tags: list[Tag] | None = None) -> ResolveReportsForm:
    return ResolveReportsForm(data, tags=tags, auto_id=f"id_resolve_{post.pk}_%s")


def _queue_context(request: HttpRequest, *, bound_post: Post | None = None, bound=None) -> dict:
    """The queue page, in a fixed number of queries. `bound` is a submitted form with
    errors, shown in place of the blank one of `bound_post`."""
    page = Paginator(_report_groups(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = list(page.object_list)
    prefetch_related_objects(groups, _open_reports_prefetch())
    tags = _live_tags()
    for group in groups:
        _with_excerpt(group)
        group.resolve_form = _resolve_form(group, tags=tags)
    held = [
        _with_excerpt(post)
        for post in Post.objects.filter(held_for_approval=True, removed_at__isnull=True)
        .select_related("thread", "author")
        .order_by("created")[:HELD_SHOWN]
    ]
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
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Open reports grouped by post, and posts held for approval."""
    return render(request, QUEUE_TEMPLATE, _queue_context(request))


def _queue_error(request: HttpRequest, post: Post, form, partial: str, context: dict):
    """A queue form with errors: the entry (htmx) or the whole queue with a message."""
    if request.htmx:
        item_id = f"queue-{post.pk}" if partial == "report-group" else f"held-{post.pk}"
        return _render_form(request, QUEUE_TEMPLATE, partial, context, form_id=item_id)
    errors = "; ".join(message for messages_ in form.errors.values() for message in messages_)
    messages.error(request, f"Post #{post.pk}: {errors}")
    context = _queue_context(request, bound_post=post, bound=form)
    return render(request, QUEUE_TEMPLATE, {**context, "form": form}, status=422)


def _queue_item_response(request: HttpRequest, post: Post, done: str, item_id: str) -> HttpResponse:
    """A queue entry after a moderator dealt with it (approved, removed, resolved)."""
    context = {"post": post, "done": done, "item_id": item_id}
    return render(request, f"{QUEUE_TEMPLATE}#done-item", context)


@moderator_required
@require_POST
def resolve_reports(request: HttpRequest, post_id: int) -> HttpResponse:
    """Close all open reports on a post: remove it, dismiss them, or tag it."""
    post = _post_or_404(post_id)
    form = _resolve_form(post, request.POST)

    def service(data):
        return moderation.resolve_reports(
            moderator=request.user,
            post=post,
            resolution=data["resolution"],
            reason=data["reason"],
            tag=data.get("tag"),
        )

    if _run(form, service, unchanged=""):
        resolution = Report.Resolution(form.cleaned_data["resolution"]).label.lower()
        done = f"Reports resolved: {resolution}."
        if request.htmx:
            return _queue_item_response(request, post, done, f"queue-{post.pk}")
        messages.success(request, done)
        return redirect("moderation_queue")
    group = _report_groups().filter(pk=post.pk).first() or post
    prefetch_related_objects([group], _open_reports_prefetch())
    _with_excerpt(group)
    group.resolve_form = form
    context = {"group": group, "form": form}
    return _queue_error(request, post, form, "report-group", context)


# --- Threads ------------------------------------------------------------------------------


def _thread_lock_action(request: HttpRequest, thread_id: int, *, lock: bool) -> HttpResponse:
    thread = get_object_or_404(Thread, pk=thread_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    service = moderation.lock_thread if lock else moderation.unlock_thread
    unchanged = "This thread is already locked." if lock else "This thread is not locked."
    if request.method == "POST" and _run(
        form,
        lambda data: service(moderator=request.user, thread=thread, reason=data["reason"]),
        unchanged=unchanged,
    ):
        messages.success(request, "Thread locked." if lock else "Thread unlocked.")
        target = _next_url(request, thread.get_absolute_url())
        # The lock shows on the whole page (no reply forms, no votes): reload it.
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    action = "lock" if lock else "unlock"
    context = {"thread": thread, "form": form, "action": action}
    return _render_form(
        request,
        "moderation/thread_action.html",
        "lock-form",
        context,
        form_id=f"mod-{action}-{thread.pk}",
    )


@moderator_required
@require_http_methods(["GET", "POST"])
def lock_thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _thread_lock_action(request, thread_id, lock=True)


@moderator_required
@require_http_methods(["GET", "POST"])
def unlock_thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _thread_lock_action(request, thread_id, lock=False)


# --- Users and bans -----------------------------------------------------------------------

USER_TEMPLATE = "moderation/user.html"


def _user_context(member: User, *, ban_form=None, unban_form=None) -> dict:
    bans = list(
        Ban.objects.filter(user=member)
        .select_related("moderator", "lifted_by")
        .order_by("-created")
    )
    active = member.active_ban()
    return {
        "member": member,
        "bans": bans,
        "active_ban": active,
        "active_ban_words": moderation.describe_ban(active) if active else "",
        "ban_form": ban_form or BanForm(),
        "unban_form": unban_form or ReasonForm(),
        "post_count": member.posts.count(),
        "removed_count": member.posts.filter(removed_at__isnull=False).count(),
    }


@moderator_required
@require_GET
def moderate_user(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username)
    return render(request, USER_TEMPLATE, _user_context(member))


def _user_action(request, member, *, form_key, form, service, done, unchanged) -> HttpResponse:
    if _run(form, service, unchanged=unchanged):
        messages.success(request, done)
        if request.htmx:
            return render(
                request, f"{USER_TEMPLATE}#ban-panel", {**_user_context(member), "done": done}
            )
        return redirect("mod_user", member.username)
    context = _user_context(member, **{form_key: form})
    context["form"] = form
    return _render_form(request, USER_TEMPLATE, "ban-panel", context, form_id="ban-panel")


@moderator_required
@require_POST
def ban_user(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username)
    form = BanForm(request.POST)
    return _user_action(
        request,
        member,
        form_key="ban_form",
        form=form,
        service=lambda data: moderation.ban_user(
            moderator=request.user, user=member, reason=data["reason"], until=form.ban_until()
        ),
        done=f"{member.username} is banned.",
        unchanged="",
    )


@moderator_required
@require_POST
def unban_user(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username)
    return _user_action(
        request,
        member,
        form_key="unban_form",
        form=ReasonForm(request.POST),
        service=lambda data: moderation.unban_user(
            moderator=request.user, user=member, reason=data["reason"]
        ),
        done=f"{member.username}'s ban is lifted.",
        unchanged=f"{member.username} is not banned.",
    )


# --- The tag taxonomy (moderators) --------------------------------------------------------

TAGS_TEMPLATE = "moderation/tags_manage.html"


def _tag_rows(tags: list[Tag], live: list[Tag], *, bound_tag: Tag | None = None, **bound):
    """Tags with their rename/merge/retire forms; `bound` forms (submitted, with errors)
    replace the blank ones of `bound_tag`."""
    for tag in tags:
        tag.rename_form = TagRenameForm(
            initial={"name": tag.name, "description": tag.description},
            auto_id=f"id_rename_{tag.pk}_%s",
        )
        tag.merge_form = TagMergeForm(source=tag, tags=live, auto_id=f"id_merge_{tag.pk}_%s")
        tag.retire_form = ReasonForm(auto_id=f"id_retire_{tag.pk}_%s")
        tag.row_form = None
        if bound_tag is not None and tag.pk == bound_tag.pk:
            for attr, form in bound.items():
                setattr(tag, attr, form)
                tag.row_form = form
    return tags


def _tags_with_counts():
    return (
        Tag.objects.select_related("merged_into")
        .annotate(uses=Count("post_tags", distinct=True))
        .order_by("kind", "name")
    )


def _manage_context(*, create_form=None, bound_tag: Tag | None = None, **bound) -> dict:
    rows = _tag_rows(list(_tags_with_counts()), _live_tags(), bound_tag=bound_tag, **bound)
    groups = [(label, [t for t in rows if t.kind == kind]) for kind, label in Tag.Kind.choices]
    return {"groups": groups, "create_form": create_form or TagCreateForm()}


@moderator_required
@require_GET
def manage_tags(request: HttpRequest) -> HttpResponse:
    """All tags by kind, each with forms to rename, merge and retire it; a form to add one."""
    return render(request, TAGS_TEMPLATE, _manage_context())


@moderator_required
@require_POST
def create_tag(request: HttpRequest) -> HttpResponse:
    form = TagCreateForm(request.POST)
    created: list[Tag] = []

    def service(data):
        created.append(moderation.create_tag(moderator=request.user, **data))

    if _run(form, service, unchanged=""):
        tag = created[0]
        messages.success(request, f"Tag “{tag.name}” created.")
        target = f"{reverse('mod_tags')}#tag-{tag.pk}"
        # The new tag belongs in its kind's list: reload the page there.
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    if request.htmx:
        context = {"create_form": form, "form": form}
        return _render_form(request, TAGS_TEMPLATE, "create-form", context, form_id="tag-create")
    return render(request, TAGS_TEMPLATE, _manage_context(create_form=form), status=422)


def _tag_row_action(
    request, slug, *, form_attr, build_form, service, done, unchanged
) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    form = build_form(tag)
    if _run(form, lambda data: service(tag, data), unchanged=unchanged):
        messages.success(request, done)
        if not request.htmx:
            return redirect(f"{reverse('mod_tags')}#tag-{tag.pk}")
        row = _tag_rows(list(_tags_with_counts().filter(pk=tag.pk)), _live_tags())[0]
        return render(request, f"{TAGS_TEMPLATE}#tag-row", {"tag": row, "done": done})
    if not request.htmx:
        context = _manage_context(bound_tag=tag, **{form_attr: form})
        return render(request, TAGS_TEMPLATE, context, status=422)
    rows = _tag_rows(
        list(_tags_with_counts().filter(pk=tag.pk)),
        _live_tags(),
        bound_tag=tag,
        **{form_attr: form},
    )
    context = {"tag": rows[0], "form": form}
    return _render_form(request, TAGS_TEMPLATE, "tag-row", context, form_id=f"tag-{tag.pk}")


@moderator_required
@require_POST
def rename_tag(request: HttpRequest, slug: str) -> HttpResponse:
    return _tag_row_action(
        request,
        slug,
        form_attr="rename_form",
        build_form=lambda tag: TagRenameForm(request.POST, auto_id=f"id_rename_{tag.pk}_%s"),
        service=lambda tag, data: moderation.rename_tag(moderator=request.user, tag=tag, **data),
        done="Tag renamed.",
        unchanged="Nothing to change: the name and description are the same.",
    )


@moderator_required
@require_POST
def merge_tag(request: HttpRequest, slug: str) -> HttpResponse:
    return _tag_row_action(
        request,
        slug,
        form_attr="merge_form",
        build_form=lambda tag: TagMergeForm(
            request.POST, source=tag, auto_id=f"id_merge_{tag.pk}_%s"
        ),
        service=lambda tag, data: moderation.merge_tag(
            moderator=request.user, source=tag, target=data["target"], reason=data["reason"]
        ),
        done="Tag merged: its posts now carry the other tag, and its page redirects there.",
        unchanged="",
    )


@moderator_required
@require_POST
def retire_tag(request: HttpRequest, slug: str) -> HttpResponse:
    return _tag_row_action(
        request,
        slug,
        form_attr="retire_form",
        build_form=lambda tag: ReasonForm(request.POST, auto_id=f"id_retire_{tag.pk}_%s"),
        service=lambda tag, data: moderation.retire_tag(
            moderator=request.user, tag=tag, reason=data["reason"]
        ),
        done="Tag retired: it stays on its posts but cannot be applied any more.",
        unchanged="This tag is already retired.",
    )


# --- Public pages: tags and the moderation log --------------------------------------------


@require_GET
def tag_index(request: HttpRequest) -> HttpResponse:
    """Every live tag, grouped by kind, with how many visible posts carry it."""
    kind = request.GET.get("kind", "")
    tags = Tag.objects.filter(merged_into__isnull=True).annotate(
        uses=Count(
            "post_tags",
            filter=Q(post_tags__post__in=Post.objects.public()),
        )
    )
    kinds = Tag.Kind.choices
    if kind in Tag.Kind.values:
        tags = tags.filter(kind=kind)
        kinds = [(k, label) for k, label in kinds if k == kind]
    else:
        kind = ""
    tags = list(tags.order_by("retired", "name"))
    groups = [(value, label, [t for t in tags if t.kind == value]) for value, label in kinds]
    return render(
        request,
        "moderation/tag_index.html",
        {"groups": groups, "kind": kind, "kinds": Tag.Kind.choices},
    )


@require_GET
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The arguments carrying a tag across all threads, newest tagging first."""
    tag = get_object_or_404(Tag.objects.select_related("merged_into"), slug=slug)
    if tag.merged_into_id:
        return redirect(tag.merged_into, permanent=True)
    uses = (
        PostTag.objects.filter(tag=tag, post__in=Post.objects.public())
        .select_related("post", "post__thread", "post__author", "tagged_by")
        .order_by("-created", "-pk")
    )
    role = request.GET.get("role", "")
    if role in Role.values:
        uses = uses.filter(post__role=role)
    else:
        role = ""
    page = Paginator(uses, TAG_PAGE_SIZE).get_page(request.GET.get("page"))
    for use in page.object_list:
        _with_excerpt(use.post, 50)
    context = {"tag": tag, "page": page, "role": role, "roles": Role.choices}
    if request.htmx and request.htmx.target == "tag-uses":
        return render(request, "moderation/tag_detail.html#tag-uses", context)
    return render(request, "moderation/tag_detail.html", context)


@require_GET
def moderation_log(request: HttpRequest) -> HttpResponse:
    """The public moderation log: every moderator action, newest first."""
    actions = ModAction.objects.select_related("moderator", "post", "thread", "user", "tag")
    action = request.GET.get("action", "")
    if action in ModAction.Action.values:
        actions = actions.filter(action=action)
    else:
        action = ""
    page = Paginator(actions.order_by("-created", "-id"), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "action": action, "actions": ModAction.Action.choices}
    if request.htmx and request.htmx.target == "log-entries":
        return render(request, "moderation/log.html#log-entries", context)
    return render(request, "moderation/log.html", context)
