"""What a participant writes on a thread page: reply with a role and a quote, preview,
vote on two axes, edit (history kept) and delete. (Reading the page is
threads/views/thread.py, whose helpers render the partials here.)

Thin views: threads.services.posting / .voting write and decide what is allowed. Every
form works as a plain POST that redirects; with htmx the same view answers with a
partial of threads/thread.html (422 with the errors in place).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_POST

from threads import markdown, queries
from threads.forms.posts import EditForm, PreviewForm, ReplyForm, VoteForm, likely_role
from threads.models import Post
from threads.services import drafts, posting, voting
from threads.views.decorators import HtmxHttpRequest, login_required
from threads.views.responses import back_to_post, form_error_status, post_anchor, service_errors
from threads.views.thread import (
    THREAD,
    _permalink_response,
    _render,
    _viewer,
    _visible_post_or_404,
)

# --- Replying --------------------------------------------------------------------------------


def _post_form_response(
    request: HtmxHttpRequest, post: Post, form: ReplyForm | EditForm, partial: str, **opened: int
) -> HttpResponse:
    """The reply or edit form under `post`: for htmx its `partial`, else the post's page
    with the form open (`opened`: replying_to= or editing= the post's pk). Status 200 for
    a new form, form_error_status for one sent back with its errors."""
    status = form_error_status(request, form) if form.errors else 200
    if request.htmx:
        context = {"post": post, "thread": post.thread, "form": form}
        return _render(request, f"{THREAD}#{partial}", context, status=status)
    return _permalink_response(request, post, status=status, form=form, **opened)


@require_http_methods(["GET", "POST"])
@login_required
def reply(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the reply form (under the post, with htmx). POST: post the reply."""
    viewer = _viewer(request)
    parent = _visible_post_or_404(pk, viewer)
    if request.method == "GET":
        if viewer.banned:
            raise PermissionDenied(f"You are banned {viewer.ban}")
        draft = drafts.draft_for(user=request.user, parent=parent)
        initial = {"body": draft.text, "role": draft.role, "quote": draft.quote} if draft else {}
        if request.GET.get("quote"):
            initial["quote"] = request.GET["quote"][:2000]
        if not initial.get("role"):
            initial["role"] = likely_role(parent_role=parent.role, quote=initial.get("quote", ""))
        form = ReplyForm(initial=initial, auto_id=f"reply-{pk}-%s")
        return _post_form_response(request, parent, form, "reply_form", replying_to=parent.pk)

    form = ReplyForm(request.POST, auto_id=f"reply-{pk}-%s")
    if form.is_valid():
        with service_errors(form, refusals=True):
            post, created = posting.submit_reply(
                author=request.user, parent=parent, **form.cleaned_data
            )
    if form.is_valid():
        return _reply_done(request, parent, post, created=created)
    return _post_form_response(request, parent, form, "reply_form", replying_to=parent.pk)


def _reply_done(
    request: HtmxHttpRequest, parent: Post, post: Post, *, created: bool
) -> HttpResponse:
    # The author's draft of this reply went with the post (threads/services/posting.py).
    if request.htmx:
        # The form's slot empties; the new post goes first among the parent's replies
        # (out of band). A repeated submit adds nothing: the post is already there.
        shown = queries.single_post(post.pk, _viewer(request)) if created else None
        context = {"post": shown, "parent": parent, "thread": parent.thread}
        response = _render(request, f"{THREAD}#reply_created", context)
        response["HX-Trigger"] = "crux:posted"  # the header badge and new-replies strip refresh
        return response
    if post.held_for_approval:
        messages.info(request, "Your reply is waiting for a moderator's approval.")
    else:
        messages.success(request, "Your reply is posted.")
    return HttpResponseRedirect(post_anchor(post))


@require_POST
def preview(request: HtmxHttpRequest) -> HttpResponse:
    """Markdown in, the sanitised HTML the post would show out (a partial)."""
    form = PreviewForm(request.POST)
    html = markdown.render_markdown(form.cleaned_data["body"]) if form.is_valid() else ""
    context = {"preview_html": html, "form": form}
    return _render(request, f"{THREAD}#preview", context, status=200 if form.is_valid() else 422)


# --- Voting ----------------------------------------------------------------------------------


@require_POST
@login_required
def vote(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Quality up/down or agree/disagree; the same vote again takes it back."""
    viewer = _viewer(request)
    post = _visible_post_or_404(pk, viewer)
    form = VoteForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(msg for msgs in form.errors.values() for msg in msgs)
    else:
        try:
            voting.cast_vote(
                user=request.user,
                post=post,
                axis=form.cleaned_data["axis"],
                value=form.cleaned_data["value"],
            )
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if request.htmx:
        shown = queries.single_post(post.pk, viewer)
        context = {"post": shown, "thread": post.thread, "vote_error": error}
        return _render(request, f"{THREAD}#vote_bar", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(back_to_post(request, post))


# --- Editing and deleting -----------------------------------------------------------------


def _own_post_or_404(pk: int, request: HtmxHttpRequest) -> Post:
    post = _visible_post_or_404(pk, _viewer(request))
    if post.author_id != request.user.pk:
        raise PermissionDenied("Only the author can change this post.")
    return post


@require_http_methods(["GET", "POST"])
@login_required
def edit_post(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the edit form under the post. POST: save; the old text becomes a Revision."""
    post = _own_post_or_404(pk, request)
    opening = post.is_opening
    if request.method == "GET":
        full = Post.objects.only("body", "quote", "role").get(pk=post.pk)
        initial = {"body": full.body, "quote": full.quote, "role": full.role}
        form = EditForm(initial=initial, opening=opening, auto_id=f"edit-{pk}-%s")
        return _post_form_response(request, post, form, "edit_form", editing=post.pk)

    # The opening post's form has no quote or role: edit_post keeps them (None).
    form = EditForm(request.POST, opening=opening, auto_id=f"edit-{pk}-%s")
    if form.is_valid():
        with service_errors(form, refusals=True):
            posting.edit_post(post=post, editor=request.user, **form.cleaned_data)
    if not form.is_valid():
        return _post_form_response(request, post, form, "edit_form", editing=post.pk)
    if request.htmx:  # the form's slot empties, the post is swapped out of band
        return _post_main_response(request, post, partial="edit_done")
    messages.success(request, "Your post is updated; the earlier version is kept.")
    return HttpResponseRedirect(post_anchor(post))


def _post_main_response(
    request: HtmxHttpRequest, post: Post, *, error: str = "", partial: str = "post_main"
) -> HttpResponse:
    shown = queries.single_post(post.pk, _viewer(request))
    context = {"post": shown, "thread": post.thread, "post_error": error}
    return _render(request, f"{THREAD}#{partial}", context, status=422 if error else 200)


@require_POST
@login_required
def delete_post(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Soft delete: the post shows "[deleted by author]"; its replies and history stay."""
    post = _own_post_or_404(pk, request)
    error = ""
    try:
        posting.delete_post(post=post, user=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return _post_main_response(request, post, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Your post is deleted. Replies to it stay.")
    return HttpResponseRedirect(post_anchor(post))
