"""Votes on two axes: toggling and switching, the rules, exact counters under concurrent
votes, and the vote bar that htmx swaps in place."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Post, Thread, Vote
from threads.services import moderation, posting, voting

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def target(db, thread):
    return make_reply(opening_post(thread), make_user("author"), body="A claim to vote on.")


def counters(post: Post) -> tuple[int, int, int, int]:
    post.refresh_from_db()
    return (post.upvotes, post.downvotes, post.agrees, post.disagrees)


def vote(user, post, axis, value):
    return voting.cast_vote(user=user, post=post, axis=axis, value=value)


# --- The service ---------------------------------------------------------------------------


def test_votes_toggle_switch_and_keep_the_axes_apart(target):
    voter = make_user("voter")
    assert vote(voter, target, "quality", 1).value == 1
    assert vote(voter, target, "agree", -1).value == -1
    assert counters(target) == (1, 0, 0, 1)
    assert vote(voter, target, "quality", -1).value == -1  # switch
    assert counters(target) == (0, 1, 0, 1)
    assert vote(voter, target, "quality", 0).value == 0  # taking it back is its own action
    assert counters(target) == (0, 0, 0, 1)
    assert Vote.objects.filter(user=voter).count() == 1


def test_a_retried_vote_is_a_no_op(target):
    """The review's finding: a retried POST of the same vote used to undo it."""
    voter = make_user("voter")
    assert vote(voter, target, "agree", 1).changed
    version = Post.objects.get(pk=target.pk).version
    retry = vote(voter, target, "agree", 1)
    assert (retry.value, retry.changed) == (1, False)
    assert counters(target) == (0, 0, 1, 0)
    assert Post.objects.get(pk=target.pk).version == version  # no new analysis either
    assert (
        vote(voter, target, "agree", 0).value == 0
        and vote(voter, target, "agree", 0).changed is False
    )
    assert counters(target) == (0, 0, 0, 0)


def test_the_vote_bar_buttons_take_back_a_pressed_vote_and_retries_keep_it(client, target):
    voter = make_user("voter")
    client.force_login(voter)
    url = f"/p/{target.pk}/vote/"
    for _ in range(2):  # the form posted twice (a retry) leaves one agree vote
        client.post(url, {"axis": "agree", "value": "1"}, **HTMX)
    bar = client.post(url, {"axis": "agree", "value": "1"}, **HTMX).content.decode()
    assert counters(target)[2] == 1
    assert 'name="value" value="0" class="vote agree" aria-pressed="true"' in bar
    client.post(url, {"axis": "agree", "value": "0"}, **HTMX)
    assert counters(target)[2] == 0


def test_a_vote_bumps_the_post_version_so_its_cached_rendering_is_replaced(target):
    before = target.version
    vote(make_user(), target, "agree", 1)
    target.refresh_from_db()
    assert target.version == before + 1


def test_the_result_carries_the_stored_counters_and_version(target):
    voter = make_user("voter")
    for axis, value in (("quality", 1), ("agree", -1), ("quality", -1), ("agree", 0)):
        post = vote(voter, target, axis, value).post
        stored = Post.objects.get(pk=target.pk)
        fields = ("upvotes", "downvotes", "agrees", "disagrees", "version")
        assert [getattr(post, f) for f in fields] == [getattr(stored, f) for f in fields]


def test_an_established_voter_has_their_posts_counted_once(thread, django_assert_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from threads.models import User
    from threads.services import limits

    veteran = make_user("veteran")
    for i in range(limits.NEW_ACCOUNT_POSTS):
        make_reply(opening_post(thread), veteran, body=f"Point {i}.")
    User.objects.filter(pk=veteran.pk).update(date_joined=timezone.now() - timedelta(days=30))
    with django_assert_num_queries(2):  # the user, then their posts counted
        assert not limits.is_new_account(User.objects.get(pk=veteran.pk))
    with django_assert_num_queries(1):  # a later request: its user load, no count
        assert not limits.is_new_account(User.objects.get(pk=veteran.pk))
    newcomer = make_user("newcomer")
    User.objects.filter(pk=newcomer.pk).update(date_joined=timezone.now() - timedelta(days=30))
    assert limits.is_new_account(User.objects.get(pk=newcomer.pk))  # few posts: still new


def test_quality_votes_on_the_opening_post_score_the_thread(thread):
    root = opening_post(thread)
    vote(make_user(), root, "quality", 1)
    vote(make_user(), root, "quality", 1)
    assert Thread.objects.get(pk=thread.pk).score == 2


def test_you_cannot_agree_with_your_own_post(target):
    with pytest.raises(ValidationError, match="your own post"):
        vote(target.author, target, "agree", 1)
    assert counters(target) == (0, 0, 0, 0) and not Vote.objects.exists()
    vote(target.author, target, "quality", 1)  # quality votes on one's own post are allowed
    assert counters(target)[0] == 1


def test_voting_on_a_removed_post_is_refused(target, moderator):
    moderation.remove_post(moderator=moderator, post=target, reason="Spam")
    with pytest.raises(ValidationError, match="removed or deleted"):
        vote(make_user(), target, "quality", 1)
    assert not Vote.objects.exists()


def test_voting_on_a_deleted_post_is_refused(target):
    posting.delete_post(post=target, user=target.author)
    with pytest.raises(ValidationError, match="removed or deleted"):
        vote(make_user(), target, "agree", 1)
    assert not Vote.objects.exists()


def test_voting_on_a_post_waiting_for_approval_is_refused(thread, moderator, settings):
    settings.CRUX_HOLD_FIRST_POSTS = True
    held = make_reply(opening_post(thread), make_user("newcomer"), body="First words.")
    assert held.held_for_approval
    with pytest.raises(ValidationError, match="waiting for a moderator's approval"):
        vote(moderator, held, "quality", 1)
    assert not Vote.objects.exists()


def test_voting_in_a_locked_thread_is_refused(target, moderator):
    moderation.lock_thread(moderator=moderator, thread=target.thread, reason="Done")
    with pytest.raises(ValidationError, match="locked"):
        vote(make_user(), target, "quality", 1)
    assert not Vote.objects.exists()


@pytest.mark.parametrize(("axis", "value"), [("funny", 1), ("quality", 2), ("agree", 5)])
def test_unknown_axis_or_value_is_refused(target, axis, value):
    with pytest.raises(ValidationError):
        vote(make_user(), target, axis, value)
    assert not Vote.objects.exists() and counters(target) == (0, 0, 0, 0)


def test_banned_user_cannot_vote(target, moderator):
    troll = make_user("troll")
    moderation.ban_user(moderator=moderator, user=troll, reason="Trolling")
    with pytest.raises(PermissionDenied, match="Trolling"):
        vote(troll, target, "quality", -1)
    assert not Vote.objects.exists()


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------


def _run_concurrently(jobs) -> list[BaseException]:
    """Run each job in its own thread (and so its own database connection), all released
    at once; returns the errors raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait(timeout=20)
            job()
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_counters_stay_exact_under_concurrent_votes():
    thread = make_thread()
    target = make_reply(opening_post(thread), body="Contested.")
    voters = [make_user(f"voter{i}") for i in range(12)]

    def votes_of(user, index):
        def job():
            vote(user, target, "quality", 1 if index % 3 else -1)
            vote(user, target, "agree", 1 if index % 2 else -1)
            if index % 4 == 0:  # switch sides
                vote(user, target, "agree", -1 if index % 2 else 1)
            if index % 5 == 0:  # take the quality vote back
                vote(user, target, "quality", 1 if index % 3 else -1)

        return job

    # Some voters also double-click: two racing identical votes from one user.
    jobs = [votes_of(user, i) for i, user in enumerate(voters)]
    jobs += [lambda: vote(voters[1], target, "agree", 1) for _ in range(2)]
    assert _run_concurrently(jobs) == []

    rows = Vote.objects.filter(post=target)
    expected = (
        rows.filter(axis="quality", value=1).count(),
        rows.filter(axis="quality", value=-1).count(),
        rows.filter(axis="agree", value=1).count(),
        rows.filter(axis="agree", value=-1).count(),
    )
    assert counters(target) == expected
    assert sum(expected) == rows.count() > 0
    # One row per (user, post, axis), whatever the interleaving.
    assert rows.values("user", "axis").distinct().count() == rows.count()


# --- The view --------------------------------------------------------------------------------


def test_htmx_vote_returns_the_vote_bar_with_new_counts_and_your_vote(client, target):
    client.force_login(make_user("fan"))
    response = client.post(f"/p/{target.pk}/vote/", {"axis": "agree", "value": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<div class="vote-bar" id="votes-{target.pk}">')
    assert '<span class="count agrees">1</span>' in html
    assert 'class="vote agree" aria-pressed="true"' in html
    response = client.post(f"/p/{target.pk}/vote/", {"axis": "agree", "value": "-1"}, **HTMX)
    html = response.content.decode()
    assert '<span class="count agrees">0</span>' in html
    assert '<span class="count disagrees">1</span>' in html
    assert 'class="vote disagree" aria-pressed="true"' in html


def test_refused_vote_comes_back_with_its_reason_and_status_422(client, target):
    client.force_login(target.author)
    response = client.post(f"/p/{target.pk}/vote/", {"axis": "agree", "value": "1"}, **HTMX)
    assert response.status_code == 422
    assert "You cannot agree or disagree with your own post." in response.content.decode()
    bad = client.post(f"/p/{target.pk}/vote/", {"axis": "charm", "value": "1"}, **HTMX)
    assert bad.status_code == 422 and "Select a valid choice" in bad.content.decode()
    assert not Vote.objects.exists()


def test_plain_post_vote_redirects_back_to_the_post(client, target):
    client.force_login(make_user())
    page = target.thread.get_absolute_url()
    response = client.post(
        f"/p/{target.pk}/vote/", {"axis": "quality", "value": "1"}, HTTP_REFERER=page
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"{page}#post-{target.pk}")
    assert counters(target)[0] == 1


def test_plain_post_vote_error_is_shown_as_a_message(client, target):
    client.force_login(target.author)
    response = client.post(f"/p/{target.pk}/vote/", {"axis": "agree", "value": "1"}, follow=True)
    assert "You cannot agree or disagree with your own post." in response.content.decode()


def test_voting_needs_a_login(client, target):
    response = client.post(f"/p/{target.pk}/vote/", {"axis": "quality", "value": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Vote.objects.exists()


def test_your_votes_are_shown_pressed_on_the_thread_page(client, target):
    fan = make_user("fan")
    vote(fan, target, "quality", 1)
    client.force_login(fan)
    html = client.get(target.thread.get_absolute_url()).content.decode()
    bar = html[html.index(f'id="votes-{target.pk}"') :]
    bar = bar[: bar.index("</div>")]
    assert 'class="vote up" aria-pressed="true"' in bar
    assert 'class="vote down" aria-pressed="false"' in bar
    # Another member, served from the same cache, does not see fan's vote as theirs.
    client.force_login(make_user("other"))
    html = client.get(target.thread.get_absolute_url()).content.decode()
    bar = html[html.index(f'id="votes-{target.pk}"') :]
    assert 'class="vote up" aria-pressed="false"' in bar[: bar.index("</div>")]
