"""Stated stances (issue 13): credences, reactions, the rating queue, belief updates.

Thin views: threads.services.stances (and .voting for agree/disagree in the queue)
decide what is allowed, threads.queries.stances reads. Bad input answers 422 with the
service's message and stores nothing; with htmx the same views answer with partials
of threads/stances.html and threads/rate.html, without it a success redirects.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from threads import queries
from threads.models import Post, Thread, User, Vote
from threads.queries import stances as stance_queries
from threads.services import stances, voting
from threads.views.decorators import HtmxHttpRequest, login_required
from threads.views.responses import back_to_post
from threads.views.thread import _render, _viewer, _visible_post_or_404

STANCES = "threads/stances.html"
RATE = "threads/rate.html"


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _stated_response(request: HtmxHttpRequest, post: Post, *, error: str = "") -> HttpResponse:
    """The post's stance block, with live tallies, or the no-JavaScript answer."""
    status = 422 if error else 200
    if request.htmx:
        shown = queries.single_post(post.pk, _viewer(request))
        context = {
            "post": shown,
            "thread": post.thread,
            "live": stance_queries.live_tally(post),
            "stance_error": error,
            "stance_open": True,
        }
        return _render(request, f"{STANCES}#post_stated", context, status=status)
    back = back_to_post(request, post)
    if error:
        context = {"stance_error": error, "back_url": back}
        return _render(request, "threads/stance_error.html", context, status=status)
    return HttpResponseRedirect(back)


def _state(
    request: HtmxHttpRequest, pk: int, change: Callable[..., object], **fields: str | None
) -> HttpResponse:
    """Run `change` (a stances service) on the visible post `pk` with the POSTed
    `fields`; answer with the post's stance block, or its refusal."""
    post = _visible_post_or_404(pk, _viewer(request))
    try:
        change(user=request.user, post=post, **fields)
    except (ValidationError, PermissionDenied) as error:
        return _stated_response(request, post, error=_message(error))
    return _stated_response(request, post)


@require_http_methods(["GET", "POST"])
@login_required
def credence(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """POST value (1–99) and optional because (a post of the same thread). GET: the
    credence control and reactions, for the thread page to load when a member opens
    them (htmx), or as a page of their own (without JavaScript)."""
    if request.method == "GET":
        return _stance_forms(request, _visible_post_or_404(pk, _viewer(request)))
    value, because = request.POST.get("value"), request.POST.get("because")
    return _state(request, pk, stances.state_credence, value=value, because=because)


def _stance_forms(request: HtmxHttpRequest, post: Post) -> HttpResponse:
    shown = queries.single_post(post.pk, _viewer(request))
    context = {"post": shown, "thread": post.thread, "back_url": back_to_post(request, post)}
    if request.htmx:
        return _render(request, f"{STANCES}#stance_forms", context)
    return _render(request, "threads/stance_page.html", context)


@require_POST
@login_required
def react(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """POST kind (crux / not_crux / changed_mind / needs_evidence) and optional quote."""
    kind, quote = request.POST.get("kind", ""), request.POST.get("quote", "")
    return _state(request, pk, stances.react, kind=kind, quote=quote)


# --- The rating queue ------------------------------------------------------------------------


def _queue_context(
    request: HtmxHttpRequest, thread: Thread, *, rated: int = 0, error: str = ""
) -> dict:
    found = stance_queries.next_post_for(thread.pk, request.user)
    visible = Post.objects.visible_to(_viewer(request)).select_related("author")
    post = parent = None
    if found:
        post = visible.filter(pk=found).first()
        if post is not None and post.parent_id:
            parent = visible.filter(pk=post.parent_id).first()
    return {
        "thread": thread,
        "post": post,
        "parent": parent,
        "pending": found is False,
        "rated": rated,
        "rate_error": error,
    }


def _rate_answer(request: HtmxHttpRequest, post: Post) -> None:
    action = request.POST.get("action", "")
    if action in ("agree", "disagree"):
        value = 1 if action == "agree" else -1
        # The queue never offers a post twice; a resubmitted form must not take the
        # vote back (a second identical vote does that on the thread page).
        if not Vote.objects.filter(
            user=request.user, post=post, axis=Vote.Axis.AGREE, value=value
        ).exists():
            voting.cast_vote(user=request.user, post=post, axis=Vote.Axis.AGREE, value=value)
    elif action == "pass":
        stances.pass_post(user=request.user, post=post)
    elif action == "credence":
        stances.state_credence(
            user=request.user,
            post=post,
            value=request.POST.get("value"),
            because=request.POST.get("because"),
        )
    else:
        raise ValidationError({"action": "Answer agree, disagree, pass or with a credence."})


@require_http_methods(["GET", "POST"])
@login_required
def rate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the next post to rate. POST post + action (agree / disagree / pass /
    credence with value and because): answer it through the normal services, then the
    next one."""
    thread = get_object_or_404(Thread, pk=pk)
    if request.method == "GET":
        return _render(request, RATE, _queue_context(request, thread))
    error = ""
    rated = _int(request.POST.get("rated"))
    post = (
        Post.objects.visible_to(_viewer(request))
        .select_related("thread")
        .filter(pk=_int(request.POST.get("post")), thread=thread)
        .first()
    )
    if post is None:
        error = "That post is not in this thread."
    else:
        try:
            _rate_answer(request, post)
        except (ValidationError, PermissionDenied) as exc:
            error = _message(exc)
        else:
            rated += 1
    if request.htmx:
        context = _queue_context(request, thread, rated=rated, error=error)
        return _render(request, f"{RATE}#queue_item", context, status=422 if error else 200)
    if error:
        context = _queue_context(request, thread, rated=rated, error=error)
        return _render(request, RATE, context, status=422)
    return HttpResponseRedirect(reverse("rate", args=[thread.pk]))


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


@require_GET
def next_json(request: HtmxHttpRequest, pk: int) -> JsonResponse:
    """{"post": id} of the next post for the logged-in participant, {"post": null} when
    nothing is left (or the thread's map has not been computed yet: "pending": true)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in to rate posts."}, status=401)
    found = stance_queries.next_post_for(pk, request.user)
    if found is False:
        if not Thread.objects.filter(pk=pk).exists():
            return JsonResponse({"error": f"No thread {pk}."}, status=404)
        return JsonResponse({"post": None, "pending": True})
    return JsonResponse({"post": found})


@require_GET
def updates_json(request: HtmxHttpRequest, pk: int) -> JsonResponse:
    """Every belief update in the thread: moves of 15 credence points or more."""
    if not Thread.objects.filter(pk=pk).exists():
        return JsonResponse({"error": f"No thread {pk}."}, status=404)
    updates = [
        {
            "user": u.user,
            "post": u.post,
            "before": u.before,
            "after": u.after,
            "because": u.because,
            "at": u.at.isoformat(),
        }
        for u in stance_queries.thread_belief_updates(pk)
    ]
    return JsonResponse({"updates": updates})


@require_GET
def profile_updates(request: HtmxHttpRequest, username: str) -> HttpResponse:
    """The profile tab listing a user's belief updates."""
    person = User.objects.filter(username=username).first()
    if person is None:
        raise Http404(f"No user called {username}.")
    context = {"person": person, "updates": stance_queries.user_belief_updates(person)}
    return render(request, "threads/profile_updates.html", context)
