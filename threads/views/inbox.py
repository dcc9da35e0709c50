"""The inbox and everything around it: the header badge, the notifications JSON, mark
read, watching levels, the "N new replies" strip, drafts saved as you type, mail
settings and the one-click unsubscribe link.

Thin views: threads.queries.notifications reads; threads.services.notifications,
.watching, .drafts and .mail write.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from threads import queries
from threads.forms.notifications import MuteUserForm, NotificationSettingsForm
from threads.models import Notification, Post, Thread, Watch
from threads.queries import notifications as notification_queries
from threads.services import drafts, mail, notifications, visits, watching
from threads.views.decorators import login_required

INBOX = "threads/inbox.html"
THREAD = "threads/thread.html"


# --- The inbox -----------------------------------------------------------------------------


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Notifications grouped by thread, newest first."""
    groups, unread = notification_queries.inbox(request.user.pk)
    return render(request, INBOX, {"groups": groups, "unread": unread})


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    notifications.mark_all_read(user=request.user)
    if request.htmx:
        response = inbox(request)
        response["HX-Trigger"] = "crux:notifications"
        return response
    messages.success(request, "All notifications are marked read.")
    return redirect("inbox")


@require_POST
@login_required
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with ?next= (or without htmx) go on to its post."""
    notification = get_object_or_404(
        Notification.objects.select_related("actor", "post", "thread"),
        pk=pk,
        recipient=request.user,
    )
    notifications.mark_read(user=request.user, ids=[notification.pk])
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if request.htmx and not target:
        notification.read = True
        response = render(request, f"{INBOX}#notification", {"n": notification})
        response["HX-Trigger"] = "crux:notifications"
        return response
    return redirect(target or "inbox")


@require_GET
@never_cache
def badge(request: HttpRequest) -> HttpResponse:
    """The header's unread count (cached; at most one query on a miss)."""
    unread = (
        notification_queries.unread_count(request.user.pk) if request.user.is_authenticated else 0
    )
    return render(request, f"{INBOX}#badge", {"unread": unread})


@require_GET
@never_cache
def notifications_json(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in to see your notifications."}, status=401)
    rows = notification_queries.inbox_rows(request.user.pk, limit=100)
    return JsonResponse(
        {
            "unread": notification_queries.unread_count(request.user.pk),
            "notifications": [notification_queries.as_json(row) for row in rows],
        }
    )


# --- Watching and new replies on the thread page --------------------------------------------


@require_http_methods(["GET", "POST"])
def watch_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: set the reader's watching level (`level`). GET: this address is also that
    of a thread whose title slugifies to "watch", so it shows that thread."""
    if request.method == "GET":
        from threads.views.thread import thread_page

        return thread_page(request, pk, "watch")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    thread = get_object_or_404(Thread, pk=pk)
    error = ""
    try:
        watching.set_watch_level(user=request.user, thread=thread, level=request.POST.get("level"))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        level = watching.watch_level(user=request.user, thread=thread)
        context = {"thread": thread, "watch_level": level, "watch_error": error}
        context["watch_levels"] = Watch.Level.choices
        return render(request, f"{THREAD}#watch_control", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Your watching level for this thread is saved.")
    return redirect(thread.get_absolute_url())


@require_GET
@never_cache
def new_replies(request: HttpRequest, pk: int) -> HttpResponse:
    """The "N new replies — show" strip: posts by others since the page was loaded."""
    thread = get_object_or_404(Thread.objects.only("pk", "slug"), pk=pk)
    since = _moment(request.GET.get("since"))
    count = 0
    if since is not None and request.user.is_authenticated:
        count = visits.new_posts_since(thread=thread, user_id=request.user.pk, since=since)
    response = render(request, f"{THREAD}#new_replies", {"thread": thread, "new_count": count})
    if count:
        response["HX-Trigger"] = "crux:notifications"  # the badge may have news too
    return response


def _moment(value: str | None) -> datetime | None:
    moment = parse_datetime(value or "")
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.utc)
    return moment


# --- Drafts --------------------------------------------------------------------------------


def _save_draft(request: HttpRequest, parent: Post | None) -> HttpResponse:
    try:
        drafts.save_draft(
            user=request.user,
            parent=parent,
            text=request.POST.get("body", ""),
            title=request.POST.get("title", ""),
            quote=request.POST.get("quote", ""),
            role=request.POST.get("role", ""),
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=422)
    return HttpResponse(status=204)


@require_POST
@login_required
def save_reply_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the reply to post `pk` being written (htmx, debounced); 204."""
    parent = queries.post_for_page(pk, queries.Viewer.of(request.user))
    if parent is None:
        raise Http404("No such post.")
    return _save_draft(request, parent)


@require_POST
@login_required
def save_thread_draft(request: HttpRequest) -> HttpResponse:
    """Keep the new thread being written; 204."""
    return _save_draft(request, None)


# --- Mail settings and unsubscribing --------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    chosen = mail.settings_for(request.user)
    form = NotificationSettingsForm(instance=chosen)
    mute_form = MuteUserForm()
    status = 200
    if request.method == "POST" and "username" in request.POST:
        mute_form = MuteUserForm(request.POST)
        if mute_form.is_valid():
            other = mute_form.cleaned_data["username"]
            muted = request.POST.get("mute", "1") == "1"
            try:
                notifications.set_user_muted(user=request.user, other=other, muted=muted)
            except ValidationError as exc:
                mute_form.add_error("username", exc.messages)
            else:
                verb = "muted" if muted else "unmuted"
                messages.success(request, f"{other.username} is {verb}.")
                return redirect("notification_settings")
        status = 422
    elif request.method == "POST":
        form = NotificationSettingsForm(request.POST, instance=chosen)
        if form.is_valid():
            form.save()
            messages.success(request, "Your mail settings are saved.")
            return redirect("notification_settings")
        status = 422
    context = {
        "form": form,
        "mute_form": mute_form,
        "muted": chosen.muted_users.order_by("username"),
    }
    return render(request, "threads/notification_settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every mail: following it unsubscribes at once (no login: the signed
    token says who and from what); the page offers to undo it (POST, with CSRF)."""
    try:
        user, what = mail.read_unsubscribe_token(token)
    except signing.BadSignature:
        context = {"invalid": True}
        return render(request, "threads/unsubscribe.html", context, status=400)
    subscribed = request.method == "POST" and request.POST.get("resubscribe") == "1"
    mail.set_subscribed(user=user, what=what, subscribed=subscribed)
    context = {"what": mail.LISTS[what], "subscribed": subscribed, "token": token}
    context["site_url"] = settings.CRUX_SITE_URL
    return render(request, "threads/unsubscribe.html", context)


def reading_context(request: HttpRequest, thread: Thread) -> dict:
    """What the thread page shows a logged-in reader about their place in the thread:
    new posts since their last visit, their watch level (one query; see read_thread)."""
    if not request.user.is_authenticated:
        return {}
    reading = visits.read_thread(user_id=request.user.pk, thread_id=thread.pk)
    return {
        "reading": reading,
        "watch_level": reading.level,
        "watch_levels": Watch.Level.choices,
        "rendered_at": timezone.now(),
    }
