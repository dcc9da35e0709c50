"""The thread list, starting a thread, search, profiles and the Atom feeds."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from threads.feeds import NewThreadsFeed, ThreadPostsFeed
from threads.forms.threads import NewThreadForm
from threads.models import Post, PostTag, Thread, User
from threads.queries.notifications import with_unread
from threads.search import MAX_QUERY_CHARS, highlighted, search_posts, search_threads
from threads.services import drafts, posting
from threads.services.limits import RateLimited
from threads.services.permissions import ensure_can_participate

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20
SORTS = {
    "activity": ("-last_activity", "-pk"),
    "new": ("-created", "-pk"),
    "top": ("-score", "-reply_count", "-last_activity", "-pk"),
}
SORT_LABELS = {"activity": "Active", "new": "New", "top": "Top"}


def thread_list(sort: str) -> QuerySet[Thread]:
    """Threads for the list, with author and the first sentence of the summary's brief
    (read inside the database, so the map and summary JSON never leave it), and the id
    of the importer's stand-in opening post, which the brief must not quote."""
    first = KeyTransform(0, KeyTransform("brief", "analysis__summary"))
    stand_in = Post.objects.filter(thread=OuterRef("pk"), parent__isnull=True, is_placeholder=True)
    return (
        Thread.objects.select_related("author")
        .annotate(
            brief=KeyTextTransform("text", first),
            brief_post=KeyTransform("post", first),
            stand_in=Subquery(stand_in.values("pk")[:1]),
        )
        .order_by(*SORTS[sort])
    )


def attach_opening_tags(threads: list[Thread]) -> None:
    """Set `thread.tags` to the live tags of each thread's opening post (one query for
    the whole page) and `thread.web_link`."""
    by_thread: dict[int, list] = {thread.pk: [] for thread in threads}
    post_tags = (
        PostTag.objects.filter(post__thread__in=list(by_thread), post__parent__isnull=True)
        .order_by("tag__kind", "tag__name")
        .values_list("post__thread_id", "tag__retired", "tag__slug", "tag__name", "tag__kind")
    )
    for thread_id, retired, slug, name, kind in post_tags:
        tags = by_thread[thread_id]
        if not retired and all(tag["slug"] != slug for tag in tags):
            tags.append({"slug": slug, "name": name, "kind": kind})
    for thread in threads:
        thread.tags = by_thread[thread.pk]
        if getattr(thread, "stand_in", None) is not None and thread.brief_post == thread.stand_in:
            thread.brief = ""  # a summary stored before stand-in posts were never cited
        # Imports may carry any link; only web addresses become clickable.
        thread.web_link = thread.link if thread.link.startswith(("http://", "https://")) else ""


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "activity")
    if sort not in SORTS:
        sort = "activity"
    threads = thread_list(sort)
    if request.user.is_authenticated:
        threads = with_unread(threads, request.user.pk)
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    attach_opening_tags(page.object_list)
    context = {"page": page, "sort": sort, "sorts": SORT_LABELS}
    template = "threads/home.html#thread-list" if request.htmx else "threads/home.html"
    return render(request, template, context)


def _participation_refusal(user: User) -> str:
    try:
        ensure_can_participate(user)
    except PermissionDenied as refusal:
        return str(refusal)
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def new_thread(request: HttpRequest) -> HttpResponse:
    """Open a thread. Without JavaScript a plain POST redirects to the new thread; with
    htmx the form re-renders in place (422) or the browser is sent to the thread."""
    draft = drafts.draft_for(user=request.user, parent=None) if request.method == "GET" else None
    initial = {"title": draft.title, "body": draft.text} if draft else None
    form = NewThreadForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    twin = None
    if request.method == "POST" and form.is_valid():
        try:
            thread = posting.start_thread(author=request.user, **form.cleaned_data)
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
            status = 403
        except RateLimited as limited:
            form.add_error(None, limited)
            status = 429
        except posting.DuplicateThread as duplicate:
            form.add_error(None, duplicate)
            twin = duplicate.thread
            status = 422
        except ValidationError as invalid:
            form.add_error(None, invalid)
            status = 422
        else:
            drafts.discard_draft(user=request.user, parent=None)
            if request.htmx:
                return HttpResponseClientRedirect(thread.get_absolute_url())
            return redirect(thread)
    context = {"form": form, "refusal": _participation_refusal(request.user), "twin": twin}
    if request.htmx:
        # htmx swaps only 2xx and 422 (see base.html): any refusal shows in the form.
        status = 422 if status != 200 else 200
        return render(request, "threads/new_thread.html#form", context, status=status)
    return render(request, "threads/new_thread.html", context, status=status)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    thread_hits, page = [], None
    if query:
        thread_hits = search_threads(query)
        posts, markers = search_posts(query)
        page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
        page.hits = highlighted(page.object_list, markers, query)
    context = {
        "query": query,
        "truncated": len(query) > MAX_QUERY_CHARS,
        "max_chars": MAX_QUERY_CHARS,
        "thread_hits": thread_hits,
        "page": page,
    }
    template = "threads/search.html#results" if request.htmx else "threads/search.html"
    return render(request, template, context)


@require_GET
def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A user's posts, newest first. Others do not see removed, deleted or held posts;
    the user themself and moderators see them, marked."""
    person = User.objects.filter(username=username).first()
    if person is None:
        person = User.objects.filter(username__iexact=username).order_by("pk").first()
        if person is None:
            raise Http404(f"No user called {username}.")
        return redirect(person)
    viewer = request.user
    sees_hidden = viewer.is_authenticated and (viewer.pk == person.pk or viewer.is_moderator)
    posts = person.posts.select_related("thread").order_by("-created", "-pk")
    if not sees_hidden:
        posts = posts.public(viewer)
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    for post in page.object_list:
        post.excerpt = posting.excerpt(post.body_text, words=60)
    context = {
        "person": person,
        "page": page,
        "sees_hidden": sees_hidden,
        "is_moderator": person.is_moderator,
    }
    template = "threads/profile.html#posts" if request.htmx else "threads/profile.html"
    return render(request, template, context)


threads_feed = NewThreadsFeed()
thread_feed = ThreadPostsFeed()
