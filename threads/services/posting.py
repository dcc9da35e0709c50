"""Writing posts: start a thread, reply with a role and a quote, edit, delete.

Each function validates everything first and raises ValidationError (with messages a
user can act on) before it writes anything, runs in one transaction, and asks for
a fresh analysis of the thread when the transaction commits.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, PositiveIntegerField, Subquery, Value, When
from django.utils import timezone
from django.utils.text import slugify

from threads import markdown
from threads.models import PATH_SEGMENT, Post, Revision, Role, Thread, User
from threads.services import limits, notifications
from threads.services.analysis import thread_changed
from threads.services.permissions import ensure_can_participate

TOKEN_LENGTH = Post._meta.get_field("submission_token").max_length
REPLY_ROLES = [role for role in Role if role != Role.CLAIM] + [Role.CLAIM]


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": "Write something: the post is empty."})
    if len(body) > settings.CRUX_MAX_BODY_CHARS:
        raise ValidationError(
            {
                "body": f"The post is {len(body):,} characters long; the limit is "
                f"{settings.CRUX_MAX_BODY_CHARS:,}."
            }
        )
    return body


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Give the thread a title."})
    if len(title) > settings.CRUX_MAX_TITLE_CHARS:
        raise ValidationError(
            {"title": f"Titles are at most {settings.CRUX_MAX_TITLE_CHARS} characters."}
        )
    return title


def _clean_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {known}."}) from None


def _squash(text: str) -> str:
    return " ".join(text.split())


def quote_occurs_in(quote: str, parent_body: str) -> bool:
    """Whether `quote` is words of the parent: of its Markdown source or of its text as
    rendered (readers select rendered text, where `**bold**` reads `bold`)."""
    needle = _squash(quote)
    return bool(needle) and (
        needle in _squash(parent_body)
        or needle in _squash(markdown.plain_text(parent_body, include_quotes=True))
    )


def clean_quote(quote: object, post: Post, *, where: str = "the post you reply to") -> str:
    """`quote` with its spaces squashed, if it is words of `post` ("" for none): the
    quote of a reply, or the span a reaction is on. `where` names `post` in the error."""
    quote = _squash(str(quote or ""))
    if not quote:
        return ""
    if len(quote) > settings.CRUX_MAX_BODY_CHARS:
        raise ValidationError({"quote": "The quote is longer than a post may be."})
    if not quote_occurs_in(quote, post.body):
        raise ValidationError({"quote": f"The quoted words do not occur in {where}."})
    return quote


def _slug(title: str) -> str:
    return slugify(title)[:200].strip("-") or "thread"


def _segment(post_id: int) -> str:
    return f"{post_id:0{PATH_SEGMENT}d}"


def _text_columns(body: str) -> dict[str, str]:
    """A post's three text columns, always made together: the Markdown source, its
    sanitised HTML (with @mentions linked) and its plain text for the analysis."""
    body_html, body_text = markdown.render_post(body, mentions=notifications.profile_links)
    return {"body": body, "body_html": body_html, "body_text": body_text}


# A second copy of the same thread by the same author within this time is refused.
DUPLICATE_THREAD_WINDOW = timedelta(hours=1)


class DuplicateThread(ValidationError):
    """The author opened a nearly identical thread a moment ago; `thread` is that one."""

    def __init__(self, thread: Thread):
        super().__init__(
            f"You started a nearly identical thread, “{thread.title}”, less than an hour "
            "ago. Add to that one instead."
        )
        self.thread = thread


def _recent_twin(author: User, title: str, body_text: str) -> Thread | None:
    # Imported here: threads.analysis.similar loads scikit-learn, which web processes
    # load only when they first answer a similar-arguments request.
    from threads.analysis.similar import near_identical

    since = timezone.now() - DUPLICATE_THREAD_WINDOW
    recent = Post.objects.filter(
        author=author, parent__isnull=True, created__gte=since
    ).select_related("thread")
    for opening in recent.only("thread__title", "thread__slug", "body_text"):
        same_title = near_identical(opening.thread.title, title)
        if same_title and near_identical(opening.body_text, body_text):
            return opening.thread
    return None


@transaction.atomic
def start_thread(*, author: User, title: str, body: str, link: str = "") -> Thread:
    """Open a thread with its opening post (the root claim of the debate). A nearly
    identical thread by the same author within the hour is refused (DuplicateThread)."""
    ensure_can_participate(author)
    title = _clean_title(title)
    body = _clean_body(body)
    link = (link or "").strip()
    if link:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ValidationError({"link": "The link must be an http(s) address."}) from None
    limits.check(author, "thread")
    now = timezone.now()
    text = _text_columns(body)
    twin = _recent_twin(author, title, text["body_text"])
    if twin is not None:
        raise DuplicateThread(twin)
    thread = Thread.objects.create(
        title=title, slug=_slug(title), link=link, author=author, created=now, last_activity=now
    )
    post = Post.objects.create(thread=thread, author=author, role=Role.CLAIM, created=now, **text)
    Post.objects.filter(pk=post.pk).update(path=_segment(post.pk))
    thread_changed(thread.pk)
    notifications.post_created(post)
    return thread


def reply(*, author: User, parent: Post, body: str, **optional: str) -> Post:
    """submit_reply's post alone (`optional`: its role, quote and submission_token)."""
    return submit_reply(author=author, parent=parent, body=body, **optional)[0]


def submit_reply(
    *,
    author: User,
    parent: Post,
    body: str,
    role: str = Role.COMMENT,
    quote: str = "",
    submission_token: str = "",
) -> tuple[Post, bool]:
    """Reply to `parent` with a role toward it and optionally the exact words it answers.

    Returns the post and whether this call made it: a repeated `submission_token` (a
    double submit of the same form) is answered with the post the first submit made."""
    submission_token = (submission_token or "")[:TOKEN_LENGTH]
    try:
        return _reply(
            author=author,
            parent=parent,
            body=body,
            role=role,
            quote=quote,
            submission_token=submission_token,
        )
    except IntegrityError:
        # Two submits of one form raced past the check in _reply; the other one won.
        earlier = Post.objects.filter(author=author, submission_token=submission_token).first()
        if submission_token and earlier is not None:
            return earlier, False
        raise


def _locked_parent(parent: Post, author: User, submission_token: str) -> Post:
    """The parent row, locked (its reply counter changes, and a removal must not slip in
    between), with its thread and, as `earlier`, the id of the author's post made with
    this submission token if there is one (a double submit)."""
    earlier = Post.objects.filter(author=author, submission_token=submission_token)
    locked = Post.objects.select_for_update(of=("self",)).select_related("thread")
    if submission_token:
        locked = locked.annotate(earlier=Subquery(earlier.values("pk")[:1]))
    return locked.get(pk=parent.pk)


@transaction.atomic
def _reply(
    *, author: User, parent: Post, body: str, role: str, quote: str, submission_token: str
) -> tuple[Post, bool]:
    # Lock the parent row only: the thread's counters change by atomic F() updates, so
    # replies elsewhere in the thread need not wait for this one.
    parent = _locked_parent(parent, author, submission_token)
    earlier = getattr(parent, "earlier", None)
    if earlier is not None:
        return Post.objects.get(pk=earlier), False
    ensure_can_participate(author)
    role = _clean_role(role)
    body = _clean_body(body)
    thread = parent.thread
    if thread.locked:
        raise ValidationError("This thread is locked: it takes no new replies.")
    if parent.is_removed:
        raise ValidationError("That post was removed by the moderators; you cannot reply to it.")
    if parent.deleted_by_author:
        raise ValidationError("That post was deleted by its author; you cannot reply to it.")
    if parent.depth >= settings.CRUX_MAX_DEPTH:
        raise ValidationError("This branch is too deep to go on; reply to an earlier post.")
    quote = clean_quote(quote, parent)
    limits.check(author, "post")

    now = timezone.now()
    post = Post.objects.create(
        thread=thread,
        parent=parent,
        author=author,
        role=role,
        quote=quote,
        **_text_columns(body),
        depth=parent.depth + 1,
        created=now,
        submission_token=submission_token,
        held_for_approval=limits.should_hold_for_approval(author),
    )
    post.path = parent.path + _segment(post.pk)
    # One UPDATE for both rows: the new post's path (it holds the post's own id) and
    # the parent's reply counter.
    Post.objects.filter(pk__in=[post.pk, parent.pk]).update(
        path=Case(When(pk=post.pk, then=Value(post.path)), default=F("path")),
        reply_count=Case(
            When(pk=parent.pk, then=F("reply_count") + 1),
            default=F("reply_count"),
            output_field=PositiveIntegerField(),
        ),
    )
    earlier_here = Post.objects.filter(thread=thread, author=author).exclude(pk=post.pk)
    thread_changed(
        thread.pk,
        reply_count=F("reply_count") + 1,
        last_activity=now,
        participant_count=F("participant_count")
        + Case(When(Exists(earlier_here), then=0), default=1, output_field=PositiveIntegerField()),
    )
    notifications.post_created(post)
    return post, True


@transaction.atomic
def edit_post(
    *, post: Post, editor: User, body: str, quote: str | None = None, role: str | None = None
) -> Post:
    """Change a post's text (and, for replies, its quote or role); the old text is kept."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread", "parent")
        .get(pk=post.pk)
    )
    if editor.pk != post.author_id:
        raise ValidationError("Only the author can edit this post.")
    ensure_can_participate(editor)
    if post.is_removed or post.deleted_by_author:
        raise ValidationError("A removed or deleted post cannot be edited.")
    if post.thread.locked:
        raise ValidationError("This thread is locked: its posts cannot be edited.")
    body = _clean_body(body)
    new_role = post.role if role is None or post.is_opening else _clean_role(role)
    new_quote = post.quote
    if quote is not None and post.parent is not None:
        new_quote = clean_quote(quote, post.parent)
    if (body, new_quote, new_role) == (post.body, post.quote, post.role):
        return post

    revision = Revision.objects.create(
        post=post,
        number=post.revisions.count() + 1,
        body=post.body,
        quote=post.quote,
        role=post.role,
        created=post.edited or post.created,
        editor=editor,
    )
    for column, value in _text_columns(body).items():
        setattr(post, column, value)
    if new_quote != post.quote:  # checked against the parent's current text just now
        post.quote_version = None
    post.quote = new_quote
    post.role = new_role
    post.role_inferred = False
    post.edited = timezone.now()
    post.version = F("version") + 1
    post.save(
        update_fields=[
            *("body", "body_html", "body_text", "quote", "role", "role_inferred", "edited"),
            *("version", "quote_version"),
        ]
    )
    post.refresh_from_db(fields=["version"])
    _follow_quotes(post, revision)
    # Text, quote and role are all read by the analysis and shown on the thread page,
    # whose cached copies follow Thread.data_version.
    thread_changed(post.thread_id)
    notifications.post_edited(post)
    return post


def _follow_quotes(parent: Post, revision: Revision) -> None:
    """After `parent` was edited: replies whose quoted words are no longer in it now quote
    `revision` (the version they answered; an earlier one if already so marked), and
    replies whose words are back quote the current text again."""
    gone, back = [], []
    replies = parent.children.exclude(quote="").values_list("pk", "quote", "quote_version")
    for pk, quote, version in replies:
        present = quote_occurs_in(quote, parent.body)
        if not present and version is None:
            gone.append(pk)
        elif present and version is not None:
            back.append(pk)
    # Post.version keys each reply's cached fragment, which shows the note.
    if gone:
        Post.objects.filter(pk__in=gone).update(
            quote_version=revision.number, version=F("version") + 1
        )
    if back:
        Post.objects.filter(pk__in=back).update(quote_version=None, version=F("version") + 1)


@transaction.atomic
def delete_post(*, post: Post, user: User) -> bool:
    """Soft-delete by the author: the text stays in the database and its replies stay.

    Returns False when the post was already deleted (nothing changed)."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if user.pk != post.author_id:
        raise ValidationError("Only the author can delete this post.")
    if post.deleted_by_author:
        return False
    Post.objects.filter(pk=post.pk).update(deleted_by_author=True, version=F("version") + 1)
    thread_changed(post.thread_id)
    return True


def excerpt(text: str, words: int = 30) -> str:
    """The first `words` words of a plain text, for lists and previews."""
    tokens = text.split()
    return " ".join(tokens[:words]) + (" …" if len(tokens) > words else "")
