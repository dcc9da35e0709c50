"""The read API: threads and their posts as JSON, for other tools and our own checks.

Errors are JSON too ({"error": "..."}), never HTML pages. What a reader may not see is
withheld the same way as on the pages: removed and author-deleted posts keep their
place in the tree with "body": null (moderators get the text), posts held for approval
and their replies are left out (moderators get them, marked "held": true).
"""

from __future__ import annotations

from datetime import datetime

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from threads.models import Post, Thread

THREADS_PER_PAGE = 50


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _thread_summary(thread: Thread) -> dict:
    return {
        "id": thread.pk,
        "title": thread.title,
        "url": thread.get_absolute_url(),
        "created": _iso(thread.created),
        "last_activity": _iso(thread.last_activity),
        "reply_count": thread.reply_count,
        "participants": thread.participant_count,
        "locked": thread.locked,
    }


def _post_json(post: Post, *, moderator: bool) -> dict:
    withheld = (post.is_removed or post.deleted_by_author) and not moderator
    body = {
        "id": post.pk,
        "parent": post.parent_id,
        "author": post.author.username,
        "role": post.role,
        "placeholder": post.is_placeholder,
        "quote": None if withheld else post.quote,
        "body": None if withheld else post.body,
        "created": _iso(post.created),
        "edited": _iso(post.edited),
        "removed": post.is_removed,
        "deleted": post.deleted_by_author,
        "score": post.score,
        "agree": post.agrees,
        "disagree": post.disagrees,
    }
    if post.held_for_approval:  # only its author and the moderators get this far
        body["held"] = True
    return body


@require_GET
def thread_json(request: HttpRequest, pk: str) -> HttpResponse:
    """One thread and all its posts, depth-first. Two queries whatever the size."""
    if not (pk.isascii() and pk.isdigit()):
        return _error(f"No thread with id {pk!r}: thread ids are whole numbers.", 404)
    thread = Thread.objects.filter(pk=int(pk)).first()
    if thread is None:
        return _error(f"No thread with id {pk}.", 404)
    moderator = request.user.is_authenticated and request.user.is_moderator
    posts = Post.objects.visible_to(request.user).filter(thread=thread)
    posts = posts.select_related("author").order_by("path")
    return JsonResponse(
        {
            "id": thread.pk,
            "title": thread.title,
            "url": thread.get_absolute_url(),
            "created": _iso(thread.created),
            "last_activity": _iso(thread.last_activity),
            "locked": thread.locked,
            "posts": [_post_json(post, moderator=moderator) for post in posts],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def threads_json(request: HttpRequest) -> HttpResponse:
    """Threads by last activity, THREADS_PER_PAGE a page (?page=N, from 1)."""
    paginator = Paginator(
        Thread.objects.order_by("-last_activity", "-pk"),
        THREADS_PER_PAGE,
        allow_empty_first_page=True,
    )
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return _error("?page must be a whole number from 1.", 400)
    except EmptyPage:
        return _error(f"?page must be from 1 to {paginator.num_pages}.", 400)

    def page_url(number: int) -> str:
        return f"{request.path}?page={number}"

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "threads": [_thread_summary(thread) for thread in page.object_list],
        },
        json_dumps_params={"ensure_ascii": False},
    )
