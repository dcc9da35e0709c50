"""Similar arguments while composing (issue 19): as a reply or a new thread is typed,
the posts that may already make its point. The JSON API for tools and the htmx partials
under the forms read the same function in threads.similar.

    GET /api/threads/<id>/similar.json?text=…   {"similar": [{"post", "score", "excerpt"}]}
    GET /api/threads/new/similar.json?text=…    the same over other threads' opening posts

and moderators mark a post as a duplicate of another (the map pools their stances).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from threads import similar
from threads.models import Post, Thread
from threads.services import moderation
from threads.views.decorators import moderator_required


def _text(request: HttpRequest, *names: str) -> str:
    return "\n\n".join(request.GET.get(name, "") for name in names).strip()


def _exclude(request: HttpRequest) -> set[int]:
    value = request.GET.get("parent", "")
    return {int(value)} if value.isascii() and value.isdigit() else set()


def _json(found: list[similar.SimilarPost]) -> JsonResponse:
    items = [{"post": s.post, "score": s.score, "excerpt": s.excerpt} for s in found]
    return JsonResponse({"similar": items}, json_dumps_params={"ensure_ascii": False})


def _public_thread_or_404(pk: int) -> Thread:
    thread = Thread.objects.filter(pk=pk).only("pk").first()
    if thread is None:
        raise Http404("No such thread.")
    return thread


@require_GET
def thread_similar_json(request: HttpRequest, pk: int) -> JsonResponse:
    """Up to three public posts of thread `pk` like ?text= (?parent=ID leaves that one out)."""
    if not Thread.objects.filter(pk=pk).exists():
        return JsonResponse({"error": f"No thread with id {pk}."}, status=404)
    return _json(similar.similar_in_thread(pk, _text(request, "text"), exclude=_exclude(request)))


@require_GET
def new_thread_similar_json(request: HttpRequest) -> JsonResponse:
    """Up to three threads whose opening post is like ?text=."""
    return _json(similar.similar_threads(_text(request, "text")))


@require_GET
def thread_similar_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The list under a reply form (htmx, debounced): ?body= is the reply typed so far."""
    thread = _public_thread_or_404(pk)
    text = _text(request, "text", "body")
    found = similar.similar_in_thread(thread.pk, text, exclude=_exclude(request))
    context = {"similar": found, "for_new_thread": False}
    return render(request, "threads/thread.html#similar", context)


@require_GET
def new_thread_similar_panel(request: HttpRequest) -> HttpResponse:
    """The list under the new-thread form: ?title= and ?body= typed so far."""
    found = similar.similar_threads(_text(request, "title", "body"))
    context = {"similar": found, "for_new_thread": True}
    return render(request, "threads/thread.html#similar", context)


@moderator_required
@require_POST
def mark_duplicate(request: HttpRequest, post_id: int) -> HttpResponse:
    """A moderator says a post makes the same point as an earlier one (?original=ID), or,
    with an empty original, that it does not after all. Back to the post, with a message."""
    post = get_object_or_404(Post, pk=post_id)
    original_id = request.POST.get("original", "").strip().lstrip("#")
    reason = request.POST.get("reason", "")
    try:
        if not original_id:
            changed = moderation.unmark_duplicate(moderator=request.user, post=post, reason=reason)
            done = "The post is no longer marked as a duplicate."
        elif not (original_id.isascii() and original_id.isdigit()):
            raise ValidationError("Give the number of the original post, e.g. 1234.")
        else:
            original = Post.objects.filter(pk=int(original_id)).first()
            if original is None:
                raise ValidationError(f"There is no post {original_id}.")
            changed = moderation.mark_duplicate(
                moderator=request.user, post=post, original=original, reason=reason
            )
            done = f"Marked as a duplicate of post {original_id}; the map pools their stances."
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done if changed else "Nothing to change: already so.")
    return redirect(f"{post.get_absolute_url()}#post-{post.pk}")
