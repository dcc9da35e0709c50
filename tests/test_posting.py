"""Replying, editing and deleting: the services (every bad input refused with a clear
message and nothing saved) and the views (htmx partials and plain POSTs)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Ban, Draft, Notification, Post, Revision, Role, Thread, Watch
from threads.services import moderation, posting

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def root(thread):
    return opening_post(thread)


@pytest.fixture
def bob(db):
    return make_user("bob")


def post_count() -> int:
    return Post.objects.count()


# --- The reply service -----------------------------------------------------------------------


def test_reply_records_role_quote_path_and_counters(root, bob):
    reply = posting.reply(
        author=bob,
        parent=root,
        body="Prediction at scale needs planning.",
        role=Role.REBUTTAL,
        quote="will not become agents",
    )
    reply.refresh_from_db()
    assert reply.role == Role.REBUTTAL
    assert reply.quote == "will not become agents"
    assert reply.depth == 1
    assert reply.path == root.path + f"{reply.pk:010d}"
    assert "<p>Prediction at scale needs planning.</p>" in reply.body_html
    root.refresh_from_db()
    thread = Thread.objects.get(pk=root.thread_id)
    assert root.reply_count == 1
    assert (thread.reply_count, thread.participant_count) == (1, 2)


def test_quote_may_be_the_rendered_words_of_a_markdown_parent(bob):
    thread = make_thread(body="Models are **not** agents, and *never* will be.")
    reply = posting.reply(
        author=bob, parent=opening_post(thread), body="Why never?", quote="are not agents, and"
    )
    assert reply.quote == "are not agents, and"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"body": ""}, "body", "empty"),
        ({"body": "   \n\t  "}, "body", "empty"),
        ({"body": "x" * 40_001}, "body", "the limit is 40,000"),
        ({"quote": "words the parent never said"}, "quote", "do not occur"),
        ({"role": "insult"}, "role", "Unknown role 'insult'"),
    ],
)
def test_bad_reply_is_refused_with_a_message_and_saves_nothing(root, bob, changes, field, message):
    before = post_count()
    arguments = {"author": bob, "parent": root, "body": "A fine reply.", "role": "rebuttal"}
    with pytest.raises(ValidationError) as caught:
        posting.reply(**{**arguments, **changes})
    assert message in " ".join(caught.value.message_dict[field])
    assert post_count() == before
    assert Thread.objects.get(pk=root.thread_id).reply_count == 0


def test_reply_to_a_removed_post_is_refused(root, bob, moderator):
    target = make_reply(root)
    moderation.remove_post(moderator=moderator, post=target, reason="Off topic")
    before = post_count()
    with pytest.raises(ValidationError, match="removed by the moderators"):
        posting.reply(author=bob, parent=target, body="But I wanted to answer!")
    assert post_count() == before


def test_reply_in_a_locked_thread_is_refused(root, bob, moderator):
    moderation.lock_thread(moderator=moderator, thread=root.thread, reason="Cooling off")
    before = post_count()
    with pytest.raises(ValidationError, match="locked"):
        posting.reply(author=bob, parent=root, body="One more thing.")
    assert post_count() == before


def test_banned_user_cannot_reply_and_is_told_why(root, bob, moderator):
    moderation.ban_user(moderator=moderator, user=bob, reason="Repeated personal attacks")
    before = post_count()
    with pytest.raises(PermissionDenied, match="banned permanently: Repeated personal attacks"):
        posting.reply(author=bob, parent=root, body="Let me back in.")
    assert post_count() == before


@override_settings(CRUX_RATE_LIMITS={"post": {"new": (1, 3600), "established": (1, 3600)}})
def test_rate_limited_reply_is_refused_with_when_to_retry(root, bob):
    posting.reply(author=bob, parent=root, body="First.")
    before = post_count()
    with pytest.raises(ValidationError, match="limit of 1 posts per 60 minutes"):
        posting.reply(author=bob, parent=root, body="Second.")
    assert post_count() == before


def test_double_submit_with_one_token_makes_one_post(root, bob):
    first, made_first = posting.submit_reply(
        author=bob, parent=root, body="Only once.", submission_token="tok-1"
    )
    second, made_second = posting.submit_reply(
        author=bob, parent=root, body="Only once.", submission_token="tok-1"
    )
    assert (made_first, made_second) == (True, False)
    assert first.pk == second.pk
    assert Post.objects.filter(author=bob).count() == 1
    root.refresh_from_db()
    assert root.reply_count == 1


def test_a_double_submit_keeps_its_answer_even_after_the_author_is_banned(root, bob):
    first, _ = posting.submit_reply(author=bob, parent=root, body="Once.", submission_token="t")
    Ban.objects.create(user=bob, moderator=make_user("mod", moderator=True), reason="Spam")
    again, made = posting.submit_reply(author=bob, parent=root, body="Once.", submission_token="t")
    assert (again.pk, made) == (first.pk, False)
    with pytest.raises(PermissionDenied):
        posting.submit_reply(author=bob, parent=root, body="New.", submission_token="u")


def test_replying_follows_the_thread_drops_that_draft_and_reads_the_threads_notices(root, bob):
    other = make_reply(root, make_user("carol"), body="Another branch.")
    Draft.objects.create(user=bob, parent=root, text="Half a thought")
    Draft.objects.create(user=bob, parent=other, text="Kept for later")
    Watch.objects.create(user=bob, thread=root.thread, level=Watch.Level.WATCHING)
    notice = Notification.objects.create(
        recipient=bob, kind=Notification.Kind.REPLY, post=other, thread=root.thread
    )
    posting.reply(author=bob, parent=root, body="A whole thought.")
    assert list(Draft.objects.filter(user=bob).values_list("parent_id", flat=True)) == [other.pk]
    # A level the author chose stays; a first reply elsewhere starts tracking.
    assert Watch.objects.get(user=bob, thread=root.thread).level == Watch.Level.WATCHING
    notice.refresh_from_db()
    assert notice.read
    elsewhere = opening_post(make_thread(title="Another debate"))
    posting.reply(author=bob, parent=elsewhere, body="Here too.")
    assert Watch.objects.get(user=bob, thread=elsewhere.thread).level == Watch.Level.TRACKING


def test_participants_are_counted_once_each(root, bob):
    carol = make_user("carol")
    first = posting.reply(author=bob, parent=root, body="One.")
    posting.reply(author=carol, parent=first, body="Two.")
    posting.reply(author=bob, parent=root, body="Three.")
    thread = Thread.objects.get(pk=root.thread_id)
    assert (thread.reply_count, thread.participant_count) == (3, 3)  # opener, bob, carol
    first.refresh_from_db()
    assert first.reply_count == 1 and first.path.startswith(root.path)


# --- Editing and deleting ----------------------------------------------------------------------


def test_edit_keeps_the_previous_version_as_a_revision(root, bob):
    reply = make_reply(root, bob, body="First thoughts.", role=Role.COMMENT)
    edited = posting.edit_post(
        post=reply, editor=bob, body="Second thoughts.", role=Role.REBUTTAL, quote="agents"
    )
    assert (edited.body, edited.role, edited.quote) == ("Second thoughts.", "rebuttal", "agents")
    assert edited.edited is not None and edited.version == 2
    revision = Revision.objects.get(post=reply)
    assert (revision.number, revision.body, revision.role) == (1, "First thoughts.", "comment")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": "  "}, "empty"),
        ({"quote": "not in the parent at all"}, "do not occur"),
        ({"role": "shout"}, "Unknown role"),
    ],
)
def test_bad_edit_is_refused_and_changes_nothing(root, bob, changes, message):
    reply = make_reply(root, bob, body="Original words.")
    with pytest.raises(ValidationError, match=message):
        posting.edit_post(**{"post": reply, "editor": bob, "body": "New words.", **changes})
    reply.refresh_from_db()
    assert reply.body == "Original words." and reply.version == 1
    assert not Revision.objects.exists()


def test_only_the_author_may_edit_or_delete(root, bob):
    reply = make_reply(root, bob, body="Mine.")
    mallory = make_user("mallory")
    with pytest.raises(ValidationError, match="Only the author"):
        posting.edit_post(post=reply, editor=mallory, body="Hijacked.")
    with pytest.raises(ValidationError, match="Only the author"):
        posting.delete_post(post=reply, user=mallory)
    reply.refresh_from_db()
    assert reply.body == "Mine." and not reply.deleted_by_author


def test_delete_is_soft_and_keeps_replies_and_revisions(root, bob):
    reply = make_reply(root, bob, body="Soon gone.")
    posting.edit_post(post=reply, editor=bob, body="Soon gone, edited.")
    answer = make_reply(reply, body="An answer that must survive.")
    assert posting.delete_post(post=reply, user=bob) is True
    assert posting.delete_post(post=reply, user=bob) is False  # already deleted: no change
    reply.refresh_from_db()
    assert reply.deleted_by_author and reply.body == "Soon gone, edited."
    assert Post.objects.filter(pk=answer.pk).exists()
    assert reply.revisions.count() == 1


# --- Views: replying -----------------------------------------------------------------------------


def test_reply_form_opens_under_the_post_with_a_submission_token(client, root, bob):
    client.force_login(bob)
    response = client.get(f"/p/{root.pk}/reply/?quote=become%20agents", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="reply-form-{root.pk}"' in html and "<html" not in html
    assert re.search(r'name="submission_token" value="[\w-]{20,}"', html)
    assert "become agents</textarea>" in html


def test_htmx_reply_is_inserted_under_its_parent_without_a_reload(client, root, bob):
    client.force_login(bob)
    response = client.post(
        f"/p/{root.pk}/reply/",
        {
            "role": "rebuttal",
            "quote": "will not become agents",
            "body": "They *will*, once they plan.",
            "submission_token": "t-1",
        },
        **HTMX,
    )
    html = response.content.decode()
    reply = Post.objects.get(author=bob)
    assert response.status_code == 200
    assert f'hx-swap-oob="afterbegin:#replies-{root.pk}"' in html
    assert f'id="post-{reply.pk}"' in html and 'data-post-id="' in html
    assert "rebuts" in html and "<em>will</em>" in html
    assert "will not become agents" in html


def test_htmx_reply_with_errors_comes_back_as_the_form_with_status_422(client, root, bob):
    client.force_login(bob)
    response = client.post(
        f"/p/{root.pk}/reply/",
        {"role": "rebuttal", "quote": "never said", "body": " ", "submission_token": "t-2"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Write something: the post is empty." in html
    assert f'id="reply-form-{root.pk}"' in html
    assert not Post.objects.filter(author=bob).exists()


def test_double_submitted_htmx_reply_inserts_nothing_the_second_time(client, root, bob):
    client.force_login(bob)
    data = {"role": "comment", "body": "Just once.", "submission_token": "same-token"}
    client.post(f"/p/{root.pk}/reply/", data, **HTMX)
    second = client.post(f"/p/{root.pk}/reply/", data, **HTMX)
    assert second.status_code == 200
    assert "hx-swap-oob" not in second.content.decode()
    assert Post.objects.filter(author=bob).count() == 1


def test_plain_post_reply_redirects_to_the_new_post(client, root, bob):
    client.force_login(bob)
    response = client.post(f"/p/{root.pk}/reply/", {"role": "support", "body": "Indeed."})
    reply = Post.objects.get(author=bob)
    assert response.status_code == 302
    assert response["Location"] == f"{reply.get_absolute_url()}#post-{reply.pk}"
    page = client.get(response["Location"])
    assert "Your reply is posted." in page.content.decode()


def test_plain_post_reply_with_errors_shows_the_form_on_the_parents_page(client, root, bob):
    client.force_login(bob)
    response = client.post(f"/p/{root.pk}/reply/", {"role": "nonsense", "body": "Hmm."})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Unknown role &#x27;nonsense&#x27;" in html
    assert "<html" in html and f'id="reply-form-{root.pk}"' in html
    assert not Post.objects.filter(author=bob).exists()


def test_banned_user_sees_the_ban_message_in_the_form_not_a_traceback(client, root, bob, moderator):
    moderation.ban_user(moderator=moderator, user=bob, reason="Spam")
    client.force_login(bob)
    response = client.post(f"/p/{root.pk}/reply/", {"role": "comment", "body": "Hi"}, **HTMX)
    assert response.status_code == 422
    assert "You are banned permanently: Spam" in response.content.decode()
    plain = client.post(f"/p/{root.pk}/reply/", {"role": "comment", "body": "Hi"})
    assert plain.status_code == 403
    assert "You are banned permanently: Spam" in plain.content.decode()
    assert not Post.objects.filter(author=bob).exists()


def test_replying_needs_a_login(client, root):
    response = client.get(f"/p/{root.pk}/reply/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(f"/p/{root.pk}/reply/", {"body": "x"}, **HTMX)
    assert "/accounts/login/" in response["HX-Redirect"]
    assert post_count() == 1


def test_reply_form_post_without_csrf_token_is_refused(root, bob):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    response = strict.post(f"/p/{root.pk}/reply/", {"role": "comment", "body": "Sneaky"})
    assert response.status_code == 403
    assert not Post.objects.filter(author=bob).exists()


def test_preview_renders_sanitised_markdown(client, bob):
    client.force_login(bob)
    response = client.post(
        "/preview/", {"body": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"}
    )
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html and 'href="javascript' not in html


# --- Views: editing, deleting, history -----------------------------------------------------


def test_htmx_edit_swaps_the_post_and_empties_the_form(client, root, bob):
    reply = make_reply(root, bob, body="Before.", role=Role.COMMENT)
    client.force_login(bob)
    form = client.get(f"/p/{reply.pk}/edit/", **HTMX)
    assert form.status_code == 200 and "Before.</textarea>" in form.content.decode()
    response = client.post(
        f"/p/{reply.pk}/edit/",
        {"role": "concession", "quote": "", "body": "After, I concede."},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="post-main-{reply.pk}" hx-swap-oob="true"' in html
    assert "After, I concede." in html and "concedes" in html and ">edited<" in html


def test_the_opening_post_edits_only_its_text(client, root):
    client.force_login(root.author)
    form = client.get(f"/p/{root.pk}/edit/", **HTMX).content.decode()
    assert 'name="body"' in form and 'name="role"' not in form and 'name="quote"' not in form
    response = client.post(f"/p/{root.pk}/edit/", {"body": "A sharper claim."}, **HTMX)
    assert response.status_code == 200
    root.refresh_from_db()
    assert (root.body, root.role) == ("A sharper claim.", "claim")


def test_edit_with_errors_shows_them_in_place(client, root, bob):
    reply = make_reply(root, bob, body="Before.")
    client.force_login(bob)
    response = client.post(f"/p/{reply.pk}/edit/", {"role": "comment", "body": ""}, **HTMX)
    assert response.status_code == 422
    assert "the post is empty" in response.content.decode()
    reply.refresh_from_db()
    assert reply.body == "Before."


def test_someone_elses_post_cannot_be_edited_through_the_view(client, root, bob):
    reply = make_reply(root, bob, body="Bob's words.")
    client.force_login(make_user("eve"))
    assert client.get(f"/p/{reply.pk}/edit/").status_code == 403
    assert client.post(f"/p/{reply.pk}/edit/", {"body": "Eve's words."}).status_code == 403
    assert client.post(f"/p/{reply.pk}/delete/").status_code == 403
    reply.refresh_from_db()
    assert reply.body == "Bob's words." and not reply.deleted_by_author


def test_deleted_post_shows_deleted_by_author_and_keeps_its_replies(client, root, bob):
    reply = make_reply(root, bob, body="Regrettable words.")
    answer = make_reply(reply, body="A reply that stays.")
    client.force_login(bob)
    response = client.post(f"/p/{reply.pk}/delete/", **HTMX)
    assert "[deleted by author]" in response.content.decode()
    page = client.get(root.thread.get_absolute_url()).content.decode()
    assert "[deleted by author]" in page and "Regrettable words." not in page
    assert "A reply that stays." in page and f'id="post-{answer.pk}"' in page


def test_history_shows_every_version_with_an_escaped_diff(client, root, bob):
    reply = make_reply(root, bob, body="Cats are <b>great</b>.")
    posting.edit_post(post=reply, editor=bob, body="Cats are <b>fine</b> <script>x()</script>.")
    html = client.get(f"/p/{reply.pk}/history/").content.decode()
    assert "Version 2 (current)" in html and "Version 1" in html
    assert "<del>&lt;b&gt;great&lt;/b&gt;.</del>" in html
    assert "<ins>&lt;b&gt;fine&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;.</ins>" in html
    assert "<script>x()" not in html


def test_history_of_a_deleted_post_is_not_public(client, root, bob):
    reply = make_reply(root, bob, body="Secret once.")
    posting.edit_post(post=reply, editor=bob, body="Secret twice.")
    posting.delete_post(post=reply, user=bob)
    assert client.get(f"/p/{reply.pk}/history/").status_code == 404
    client.force_login(bob)
    assert client.get(f"/p/{reply.pk}/history/").status_code == 200


# --- The role is a required choice (issue 19) -----------------------------------------------


def test_reply_without_a_role_is_refused_with_a_message_and_the_text_kept(client, root, bob):
    client.force_login(bob)
    data = {"quote": "", "body": "My carefully written point.", "submission_token": "t-9"}
    response = client.post(f"/p/{root.pk}/reply/", data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Say what your reply does to the post it answers" in html
    assert "My carefully written point.</textarea>" in html
    assert not Post.objects.filter(author=bob).exists()


def test_reply_form_preselects_no_role_for_an_ordinary_quote(client, root, bob):
    client.force_login(bob)
    html = client.get(f"/p/{root.pk}/reply/?quote=become%20agents", **HTMX).content.decode()
    assert 'name="role"' in html and "checked" not in html
    assert "Just a comment" in html and "Comment — none of these" not in html


def test_reply_form_preselects_answer_when_the_quote_is_a_question(client, root, bob):
    client.force_login(bob)
    html = client.get(f"/p/{root.pk}/reply/?quote=Will%20they%3F", **HTMX).content.decode()
    assert re.search(r'<input[^>]*value="answer"[^>]*checked', html)
    assert len(re.findall(r"checked", html)) == 1


def test_reply_form_preselects_answer_under_a_question(client, root, bob):
    question = make_reply(root, bob, body="What do you mean by agents", role=Role.QUESTION)
    client.force_login(make_user("carol"))
    html = client.get(f"/p/{question.pk}/reply/", **HTMX).content.decode()
    assert re.search(r'<input[^>]*value="answer"[^>]*checked', html)


def test_editing_an_imported_claim_reply_keeps_its_role_choosable(client, root, bob):
    reply = make_reply(root, bob, body="A new claim.", role=Role.CLAIM)
    client.force_login(bob)
    html = client.get(f"/p/{reply.pk}/edit/", **HTMX).content.decode()
    assert re.search(r'<input[^>]*value="claim"[^>]*checked', html)


# --- Quotes stay honest (issue 19) ------------------------------------------------------


def test_a_reply_whose_quote_an_edit_removed_links_the_earlier_version(client, root, bob):
    reply = make_reply(root, bob, body="They will.", quote="will not become agents")
    alice = root.author
    posting.edit_post(post=root, editor=alice, body="Language models are tools, full stop.")
    reply.refresh_from_db()
    assert reply.quote_version == 1
    html = client.get(root.thread.get_absolute_url()).content.decode()
    assert "quoting an earlier version" in html
    assert f'href="/p/{root.pk}/history/#version-{root.pk}-1"' in html
    history = client.get(f"/p/{root.pk}/history/").content.decode()
    assert f'id="version-{root.pk}-1"' in history


def test_a_quote_still_in_the_edited_parent_has_no_note_and_words_put_back_clear_it(root, bob):
    kept = make_reply(root, bob, body="Kept.", quote="become agents")
    posting.edit_post(post=root, editor=root.author, body="Models will never become agents.")
    kept.refresh_from_db()
    assert kept.quote_version is None
    gone = make_reply(root, make_user("carol"), body="Gone.", quote="never")
    posting.edit_post(post=root, editor=root.author, body="Models will become agents.")
    gone.refresh_from_db()
    assert gone.quote_version == 2
    posting.edit_post(post=root, editor=root.author, body="Models will never become agents.")
    gone.refresh_from_db()
    assert gone.quote_version is None


def test_a_second_edit_keeps_pointing_at_the_version_that_was_quoted(root, bob):
    reply = make_reply(root, bob, body="No.", quote="will not become agents")
    posting.edit_post(post=root, editor=root.author, body="First rewrite.")
    posting.edit_post(post=root, editor=root.author, body="Second rewrite.")
    reply.refresh_from_db()
    assert reply.quote_version == 1


# --- New threads (issue 19) ---------------------------------------------------------------


def test_a_near_identical_thread_by_the_same_author_within_the_hour_is_refused(client, user):
    first = make_thread(user, title="Will AI be agentic?", body="Models will plan, eventually.")
    client.force_login(user)
    response = client.post(
        "/t/new/",
        {"title": "Will AI be agentic", "body": "Models will plan eventually.", "link": ""},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "nearly identical thread" in html
    assert f'href="{first.get_absolute_url()}"' in html
    assert Thread.objects.count() == 1


def test_the_same_thread_is_accepted_from_someone_else_or_after_an_hour(user, bob):
    from datetime import timedelta

    from django.utils import timezone

    first = make_thread(user, title="Will AI be agentic?", body="Models will plan, eventually.")
    make_thread(bob, title="Will AI be agentic?", body="Models will plan, eventually.")
    Post.objects.filter(thread=first).update(created=timezone.now() - timedelta(minutes=61))
    make_thread(user, title="Will AI be agentic?", body="Models will plan, eventually.")
    assert Thread.objects.count() == 3


def test_a_different_thread_by_the_same_author_is_accepted(user):
    make_thread(user, title="Will AI be agentic?", body="Models will plan, eventually.")
    make_thread(user, title="Will AI be agentic?", body="A different case: chess engines.")
    assert Thread.objects.count() == 2


def test_the_new_thread_form_has_a_preview(client, user):
    client.force_login(user)
    html = client.get("/t/new/").content.decode()
    assert 'hx-post="/preview/"' in html and 'hx-include="#id_body"' in html
    preview = client.post("/preview/", {"body": "A *claim* with $x^2$."}, **HTMX).content.decode()
    assert "<em>claim</em>" in preview and '<span class="math inline">x^2</span>' in preview


def test_an_opening_post_is_never_badged_an_open_objection(root, bob):
    import json

    from threads.services.analysis import run_analysis

    support = make_reply(root, bob, body="Right: prediction is not pursuit.", role=Role.SUPPORT)
    rebuttal = make_reply(support, make_user("carol"), body="It is, at scale.", role="rebuttal")
    analysis = run_analysis(root.thread_id, force=True)
    markers = json.loads(analysis.panel["markers_json"])
    kinds = {item["post"]: item["kind"] for item in analysis.map["open"]}
    assert root.pk not in kinds  # another participant replied to it: it is not open
    assert "open objection" not in markers.get(str(root.pk), [])
    assert markers[str(rebuttal.pk)] == ["open objection"]


# --- Moderating from the thread (issue 19) ------------------------------------------------


def test_a_moderator_locks_from_the_thread_menu_with_a_reason_shown_on_the_thread(
    client, root, moderator, user
):
    thread = root.thread
    client.force_login(moderator)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert (
        'class="thread-menu"' in page and f'action="/moderation/threads/{thread.pk}/lock/' in page
    )
    response = client.post(
        f"/moderation/threads/{thread.pk}/lock/?next={thread.get_absolute_url()}",
        {"reason": "Heat, no light"},
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.locked and thread.lock_reason == "Heat, no light"
    client.force_login(user)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Locked by the moderators: Heat, no light" in page
    log = client.get("/moderation/log/").content.decode()
    assert "Heat, no light" in log
    moderation.unlock_thread(moderator=moderator, thread=thread, reason="Cooled down")
    thread.refresh_from_db()
    assert not thread.locked and thread.lock_reason == ""


def test_locking_without_a_reason_is_refused_and_changes_nothing(root, moderator):
    with pytest.raises(ValidationError, match="Say why"):
        moderation.lock_thread(moderator=moderator, thread=root.thread, reason="  ")
    root.thread.refresh_from_db()
    assert not root.thread.locked


def test_the_header_counts_open_reports_for_moderators_only(client, root, bob, moderator, user):
    moderation.report_post(reporter=bob, post=root, reason="Off topic")
    client.force_login(moderator)
    assert 'class="report-count"' in client.get("/").content.decode()
    assert '>1<span class="visually-hidden"> open report</span>' in client.get("/").content.decode()
    client.force_login(user)
    assert 'class="report-count"' not in client.get("/").content.decode()


def test_a_banned_member_sees_why_and_until_when_and_no_reply_controls(
    client, root, bob, moderator
):
    from datetime import timedelta

    from django.utils import timezone

    reply = make_reply(root, make_user("carol"), body="A reply to vote on.")
    moderation.ban_user(
        moderator=moderator, user=bob, reason="Spam links", until=timezone.now() + timedelta(days=3)
    )
    client.force_login(bob)
    html = client.get(root.thread.get_absolute_url()).content.decode()
    assert "You are banned until" in html and "Spam links" in html
    assert "reply-link" not in html and "vote-form" not in html and "quote-button" not in html
    assert client.get(f"/p/{reply.pk}/reply/").status_code == 403
    client.force_login(make_user("dora"))
    html = client.get(root.thread.get_absolute_url()).content.decode()
    assert "reply-link" in html and "You are banned" not in html
