"""A forum full of hostile text: every payload as a post body, a quote, a thread title,
a username, a tag name and a report reason, stored the way the app stores them.

Rows are bulk-created (7,000+ service calls would take minutes) but every stored value
is what the write paths produce: bodies rendered by threads.markdown.render_markdown,
the one sanitiser the services call; titles, quotes and usernames cleaned the way the
forms and services clean them (security_corpus.fit). The pages are then rendered by the
real views and templates.

Layout, `PER_THREAD` payloads per thread (the thread page shows 100 replies at once):
each payload thread's opening post holds its payloads' text, and reply i has payload i
as its body and as its quote (words of the opening post), is written by the user named
payload i, and carries the tag named payload i. The first opening post is reported by
every payload user, with their payload as the reason (the queue lists a post's reports
together). Separately, one thread per payload is titled with it (the thread list shows
them). The first payload thread also gets votes and its map and summaries, which quote
its posts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from security_corpus import Payload, fit

from threads import markdown
from threads.models import PATH_SEGMENT, Post, PostTag, Report, Role, Tag, Thread, User, Vote
from threads.services.analysis import run_analysis
from threads.services.posting import _slug

PER_THREAD = 100
USERNAME_MAX = User._meta.get_field("username").max_length
TAG_NAME_MAX = Tag._meta.get_field("name").max_length
TITLE_MAX = Thread._meta.get_field("title").max_length
REASON_MAX = Report._meta.get_field("reason").max_length


@dataclass
class Stored:
    """What was stored for one payload, field by field ("" = the field could not hold
    anything of it, e.g. a whitespace-only title)."""

    payload: Payload
    body: str = ""
    quote: str = ""
    title: str = ""
    username: str = ""
    tag_name: str = ""
    reason: str = ""
    post_id: int | None = None


@dataclass
class HostileSite:
    stored: list[Stored]
    payload_threads: list[Thread] = field(default_factory=list)
    title_threads: list[Thread] = field(default_factory=list)
    reported_posts: list[Post] = field(default_factory=list)
    moderator: User | None = None

    def count(self, attr: str) -> int:
        return sum(1 for item in self.stored if getattr(item, attr))


def _user_for(item: Stored, index: int, taken: set[str], prefix: str) -> User:
    # A "/" cannot be in a username: the profile and moderation URLs could not be built
    # (signup and imports refuse it, see test_security_authz). Its look-alike U+2215
    # keeps the rest of the payload as hostile as it was.
    name = fit(item.payload.text, USERNAME_MAX).replace("/", "\u2215")
    if not name or name in taken:
        name = f"{prefix}-author-{index}"  # blank, or the same as an earlier payload's
    else:
        item.username = name
    taken.add(name)
    return User(username=name, imported=True, password=make_password(None))


def build(payloads: list[Payload], *, moderator: User, prefix: str = "xss") -> HostileSite:
    stored = [Stored(payload=p) for p in payloads]
    site = HostileSite(stored=stored, moderator=moderator)
    now = timezone.now()
    taken = set(User.objects.values_list("username", flat=True))
    users = User.objects.bulk_create(
        [_user_for(item, i, taken, prefix) for i, item in enumerate(stored)], batch_size=1000
    )

    for item in stored:
        item.body = fit(item.payload.text)
        item.quote = fit(item.payload.text, squash=True)
        item.title = fit(item.payload.text, TITLE_MAX, squash=True)
        item.tag_name = fit(item.payload.text, TAG_NAME_MAX)
        item.reason = fit(item.payload.text, REASON_MAX)

    kinds = [kind for kind, _ in Tag.Kind.choices]
    tags = Tag.objects.bulk_create(
        [
            Tag(
                kind=kinds[i % len(kinds)],
                name=item.tag_name or f"{prefix} tag {i}",
                slug=f"{prefix}-tag-{i}",
            )
            for i, item in enumerate(stored)
        ],
        batch_size=1000,
    )

    # One thread per payload, titled with it (authors: the payload users).
    titled = [
        Thread(
            title=item.title or f"{prefix} thread {i}",
            slug=_slug(item.title),
            author=users[i],
            created=now,
            last_activity=now,
        )
        for i, item in enumerate(stored)
    ]
    site.title_threads = Thread.objects.bulk_create(titled, batch_size=1000)

    for start in range(0, len(stored), PER_THREAD):
        chunk = list(range(start, min(start + PER_THREAD, len(stored))))
        _payload_thread(site, chunk, users, tags, prefix=prefix, now=now)
    # Every payload user reports the first opening post, giving their payload as the
    # reason: the queue lists a post's open reports together, so one page shows them all.
    reported = site.payload_threads[0].posts.get(parent__isnull=True)
    Report.objects.bulk_create(
        [
            Report(post=reported, reporter=user, reason=item.reason or "blank", created=now)
            for item, user in zip(stored, users, strict=True)
        ],
        batch_size=1000,
    )
    site.reported_posts.append(reported)
    _analyse(site.payload_threads[0], prefix)
    return site


def _analyse(thread: Thread, prefix: str) -> None:
    """Votes from two camps on the first thread, then its map and summaries: the panel
    quotes the hostile posts and names their authors."""
    rng = random.Random(9)
    posts = list(thread.posts.all())
    voters = User.objects.bulk_create(
        [User(username=f"{prefix}-voter-{i}", password=make_password(None)) for i in range(16)]
    )
    Vote.objects.bulk_create(
        [
            Vote(user=voter, post=post, axis=Vote.Axis.AGREE,
                 value=1 if (i % 2 == 0) == (post.pk % 2 == 0) else -1)
            for i, voter in enumerate(voters)
            for post in rng.sample(posts, min(40, len(posts)))
        ]
    )  # fmt: skip
    run_analysis(thread.pk, force=True)


def _payload_thread(site, chunk, users, tags, *, prefix, now) -> None:
    stored = site.stored
    opening_body = "\n\n".join(stored[i].body for i in chunk if stored[i].body) or "Payloads."
    first = stored[chunk[0]]
    thread = Thread.objects.create(
        title=first.title or f"{prefix} payloads {chunk[0]}",
        slug=_slug(first.title),
        author=site.moderator,
        created=now,
        last_activity=now,
        reply_count=len(chunk),
        participant_count=len(chunk) + 1,
    )
    root = Post.objects.create(
        thread=thread,
        author=site.moderator,
        role=Role.CLAIM,
        body=opening_body,
        body_html=markdown.render_markdown(opening_body),
        body_text=markdown.plain_text(opening_body),
        created=now,
        reply_count=len(chunk),
    )
    root.path = f"{root.pk:0{PATH_SEGMENT}d}"
    Post.objects.filter(pk=root.pk).update(path=root.path)
    replies = [
        Post(
            thread=thread,
            parent=root,
            author=users[i],
            role=Role.REBUTTAL,
            quote=stored[i].quote,
            body=stored[i].body or "(blank payload)",
            body_html=markdown.render_markdown(stored[i].body or "(blank payload)"),
            body_text=markdown.plain_text(stored[i].body or "(blank payload)"),
            depth=1,
            created=now,
        )
        for i in chunk
    ]
    Post.objects.bulk_create(replies, batch_size=500)
    for post in replies:
        post.path = root.path + f"{post.pk:0{PATH_SEGMENT}d}"
    Post.objects.bulk_update(replies, ["path"], batch_size=500)
    for i, post in zip(chunk, replies, strict=True):
        stored[i].post_id = post.pk
    PostTag.objects.bulk_create(
        [
            PostTag(post=post, tag=tags[i], tagged_by=site.moderator)
            for i, post in zip(chunk, replies, strict=True)
        ]
    )
    site.payload_threads.append(thread)
