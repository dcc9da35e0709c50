"""Moderation services: what moderators can do to posts, threads, users and tags, what
each action leaves in the public log, and that nothing is ever half done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Ban, ModAction, Post, PostTag, Report, Role, Tag, Vote
from threads.services import limits, moderation, posting, voting
from threads.services import tags as taxonomy

pytestmark = pytest.mark.django_db


def tag(slug: str) -> Tag:
    return Tag.objects.get(slug=slug)


def data_version(post_or_thread) -> int:
    thread_id = getattr(post_or_thread, "thread_id", None) or post_or_thread.pk
    from threads.models import Thread

    return Thread.objects.get(pk=thread_id).data_version


@pytest.fixture
def reply(thread):
    return make_reply(opening_post(thread), make_user("bob"))


# --- The seeded taxonomy ------------------------------------------------------------------


def test_the_tag_taxonomy_is_seeded_with_described_tags_of_each_kind():
    counts = {kind: Tag.objects.filter(kind=kind).count() for kind in Tag.Kind.values}
    assert counts == {"topic": 9, "scheme": 6, "quality": 6}
    assert not Tag.objects.filter(description="").exists()
    assert tag("mesa-optimisation").kind == "topic"
    assert tag("appeal-to-authority").kind == "scheme"
    assert tag("motte-and-bailey").kind == "quality"


# --- Tags on posts ------------------------------------------------------------------------


def test_tagging_a_post_records_who_when_and_why_and_logs_it(moderator, reply):
    before = data_version(reply)
    assert moderation.tag_post(
        moderator=moderator, post=reply, tag=tag("steelman"), note="fair to the other side"
    )
    use = PostTag.objects.get(post=reply)
    assert (use.tag.slug, use.tagged_by, use.note) == (
        "steelman",
        moderator,
        "fair to the other side",
    )
    assert use.created is not None
    entry = ModAction.objects.get()
    assert (entry.action, entry.post, entry.tag, entry.moderator) == (
        "tag",
        reply,
        tag("steelman"),
        moderator,
    )
    assert entry.thread_id == reply.thread_id and entry.reason == "fair to the other side"
    assert data_version(reply) == before + 1  # the map is recomputed
    assert Post.objects.get(pk=reply.pk).version == reply.version + 1


def test_tagging_twice_changes_nothing_and_logs_once(moderator, reply):
    assert moderation.tag_post(moderator=moderator, post=reply, tag=tag("analogy")) is True
    assert moderation.tag_post(moderator=moderator, post=reply, tag=tag("analogy")) is False
    assert PostTag.objects.filter(post=reply).count() == 1
    assert ModAction.objects.count() == 1


def test_a_retired_or_merged_tag_cannot_be_applied(moderator, reply):
    taxonomy.retire_tag(moderator=moderator, tag=tag("forecast"))
    with pytest.raises(ValidationError, match="retired"):
        moderation.tag_post(moderator=moderator, post=reply, tag=tag("forecast"))
    taxonomy.merge_tag(moderator=moderator, source=tag("strawman"), target=tag("non-sequitur"))
    with pytest.raises(ValidationError, match="merged into"):
        moderation.tag_post(moderator=moderator, post=reply, tag=tag("strawman"))
    assert not PostTag.objects.exists()


def test_a_removed_post_cannot_be_tagged_until_restored(moderator, reply):
    moderation.remove_post(moderator=moderator, post=reply, reason="off topic")
    with pytest.raises(ValidationError, match="removed"):
        moderation.tag_post(moderator=moderator, post=reply, tag=tag("analogy"))
    moderation.restore_post(moderator=moderator, post=reply)
    assert moderation.tag_post(moderator=moderator, post=reply, tag=tag("analogy"))


def test_untagging_takes_the_tag_off_and_logs_who_had_put_it_there(moderator, reply):
    moderation.tag_post(moderator=moderator, post=reply, tag=tag("strawman"), note="misreads")
    before = data_version(reply)
    assert moderation.untag_post(
        moderator=moderator, post=reply, tag=tag("strawman"), reason="on reflection, fair"
    )
    assert not PostTag.objects.exists()
    entry = ModAction.objects.first()
    assert entry.action == "untag" and entry.reason == "on reflection, fair"
    assert entry.details == {"tagged_by": moderator.pk, "note": "misreads"}
    assert data_version(reply) == before + 1
    assert moderation.untag_post(moderator=moderator, post=reply, tag=tag("strawman")) is False


def test_only_moderators_can_tag(user, reply):
    with pytest.raises(PermissionDenied):
        moderation.tag_post(moderator=user, post=reply, tag=tag("steelman"))
    assert not PostTag.objects.exists() and not ModAction.objects.exists()


# --- Roles --------------------------------------------------------------------------------


def test_correcting_a_role_marks_it_chosen_and_logs_from_and_to(moderator, reply):
    Post.objects.filter(pk=reply.pk).update(role_inferred=True)
    before = data_version(reply)
    assert moderation.change_role(
        moderator=moderator, post=reply, role=Role.QUESTION, reason="it asks"
    )
    reply.refresh_from_db()
    assert (reply.role, reply.role_inferred) == ("question", False)
    entry = ModAction.objects.get()
    assert entry.action == "role"
    assert entry.details == {"from": "rebuttal", "to": "question", "was_inferred": True}
    assert data_version(reply) == before + 1


def test_setting_the_same_role_is_a_no_op_unless_it_was_guessed(moderator, reply):
    assert moderation.change_role(moderator=moderator, post=reply, role="rebuttal") is False
    Post.objects.filter(pk=reply.pk).update(role_inferred=True)
    assert moderation.change_role(moderator=moderator, post=reply, role="rebuttal") is True
    reply.refresh_from_db()
    assert reply.role_inferred is False
    assert ModAction.objects.count() == 1


def test_the_opening_posts_role_cannot_change(moderator, thread):
    with pytest.raises(ValidationError, match="opening post"):
        moderation.change_role(moderator=moderator, post=opening_post(thread), role="comment")


def test_an_unknown_role_is_refused(moderator, reply):
    with pytest.raises(ValidationError, match="Unknown role"):
        moderation.change_role(moderator=moderator, post=reply, role="shouts")


# --- Removal and restoration --------------------------------------------------------------


def test_removal_keeps_the_text_the_replies_and_the_revisions(moderator, reply):
    posting.edit_post(post=reply, editor=reply.author, body="Prediction needs planning, surely.")
    child = make_reply(reply, make_user("carol"))
    before = data_version(reply)
    assert moderation.remove_post(moderator=moderator, post=reply, reason="Rule 2: be kind")
    reply.refresh_from_db()
    assert reply.is_removed and reply.removed_by == moderator
    assert reply.removed_reason == "Rule 2: be kind"
    assert reply.body == "Prediction needs planning, surely."
    assert reply.revisions.get().body == "I disagree: prediction needs planning."
    assert Post.objects.filter(pk=child.pk, parent=reply).exists()
    assert data_version(reply) == before + 1
    assert ModAction.objects.get().reason == "Rule 2: be kind"


def test_removing_a_removed_post_changes_nothing(moderator, reply):
    moderation.remove_post(moderator=moderator, post=reply, reason="first")
    assert moderation.remove_post(moderator=moderator, post=reply, reason="second") is False
    reply.refresh_from_db()
    assert reply.removed_reason == "first"
    assert ModAction.objects.count() == 1


def test_removal_needs_a_reason(moderator, reply):
    with pytest.raises(ValidationError, match="Say why"):
        moderation.remove_post(moderator=moderator, post=reply, reason="   ")
    assert not Post.objects.get(pk=reply.pk).is_removed


def test_restoring_brings_the_post_back_and_logs_the_old_reason(moderator, reply):
    moderation.remove_post(moderator=moderator, post=reply, reason="spam?")
    assert moderation.restore_post(moderator=moderator, post=reply, reason="not spam")
    reply.refresh_from_db()
    assert not reply.is_removed and reply.removed_reason == "" and reply.removed_by is None
    entry = ModAction.objects.first()
    assert entry.action == "restore" and entry.details["removed_reason"] == "spam?"
    assert moderation.restore_post(moderator=moderator, post=reply) is False


def test_a_failure_while_logging_leaves_the_post_unremoved(moderator, reply, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("log table on fire")

    monkeypatch.setattr(ModAction.objects, "create", broken)
    version = data_version(reply)
    with pytest.raises(RuntimeError):
        moderation.remove_post(moderator=moderator, post=reply, reason="spam")
    reply.refresh_from_db()
    assert not reply.is_removed and reply.removed_reason == ""
    assert data_version(reply) == version


def test_a_failure_while_logging_leaves_no_tag_and_no_ban(moderator, reply, monkeypatch):
    monkeypatch.setattr(ModAction.objects, "create", lambda **kw: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        moderation.tag_post(moderator=moderator, post=reply, tag=tag("steelman"))
    with pytest.raises(ZeroDivisionError):
        moderation.ban_user(moderator=moderator, user=reply.author, reason="trolling")
    with pytest.raises(ZeroDivisionError):
        taxonomy.merge_tag(moderator=moderator, source=tag("strawman"), target=tag("analogy"))
    assert not PostTag.objects.exists() and not Ban.objects.exists()
    assert tag("strawman").merged_into is None


def test_a_failing_effect_leaves_no_log_row(moderator, reply, monkeypatch):
    from threads.services import moderation as module

    monkeypatch.setattr(module, "thread_changed", lambda thread_id: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        moderation.remove_post(moderator=moderator, post=reply, reason="spam")
    assert not ModAction.objects.exists()


# --- Approval of held posts ---------------------------------------------------------------


def test_a_new_users_posts_are_held_until_a_moderator_approves_one(settings, moderator, thread):
    settings.CRUX_HOLD_FIRST_POSTS = True
    newcomer = make_user("newcomer")
    first = make_reply(opening_post(thread), newcomer)
    second = make_reply(opening_post(thread), newcomer, body="And another thing.")
    assert first.held_for_approval and second.held_for_approval
    before = data_version(first)
    assert moderation.approve_post(moderator=moderator, post=first)
    assert not Post.objects.get(pk=first.pk).held_for_approval
    assert ModAction.objects.get().action == "approve"
    assert data_version(first) == before + 1
    assert not make_reply(opening_post(thread), newcomer, body="Third.").held_for_approval
    assert moderation.approve_post(moderator=moderator, post=first) is False


def test_moderators_posts_are_never_held(settings, moderator, thread):
    settings.CRUX_HOLD_FIRST_POSTS = True
    assert not make_reply(opening_post(thread), moderator).held_for_approval


def test_nothing_is_held_when_the_setting_is_off(settings, thread):
    settings.CRUX_HOLD_FIRST_POSTS = False
    assert not make_reply(opening_post(thread), make_user()).held_for_approval


# --- Locking ------------------------------------------------------------------------------


def test_a_locked_thread_takes_no_replies_or_votes_until_unlocked(moderator, thread, reply):
    assert moderation.lock_thread(moderator=moderator, thread=thread, reason="heat, no light")
    assert moderation.lock_thread(moderator=moderator, thread=thread) is False
    with pytest.raises(ValidationError, match="locked"):
        make_reply(opening_post(thread), make_user())
    with pytest.raises(ValidationError, match="locked"):
        voting.cast_vote(user=make_user(), post=reply, axis=Vote.Axis.QUALITY, value=1)
    assert moderation.unlock_thread(moderator=moderator, thread=thread)
    make_reply(opening_post(thread), make_user())
    assert list(ModAction.objects.values_list("action", flat=True)) == ["unlock", "lock"]


# --- Bans ---------------------------------------------------------------------------------


def test_a_banned_user_can_neither_post_vote_nor_report_and_is_told_why(moderator, thread, reply):
    troll = make_user("troll")
    until = timezone.now() + timedelta(days=7)
    ban = moderation.ban_user(moderator=moderator, user=troll, reason="Rule 1", until=until)
    assert troll.active_ban() == ban
    for attempt in (
        lambda: make_reply(opening_post(thread), troll),
        lambda: voting.cast_vote(user=troll, post=reply, axis="quality", value=1),
        lambda: moderation.report_post(reporter=troll, post=reply, reason="meh"),
    ):
        with pytest.raises(PermissionDenied, match="banned until .*: Rule 1"):
            attempt()
    entry = ModAction.objects.get()
    assert entry.action == "ban" and entry.user == troll and entry.details["until"]


def test_a_permanent_ban_says_so(moderator):
    troll = make_user("troll")
    moderation.ban_user(moderator=moderator, user=troll, reason="spam bot")
    with pytest.raises(PermissionDenied, match="banned permanently: spam bot"):
        posting.start_thread(author=troll, title="Buy", body="cheap pills")


def test_a_ban_ends_by_itself_or_when_lifted(moderator, thread):
    troll = make_user("troll")
    ban = moderation.ban_user(
        moderator=moderator, user=troll, reason="cool off", until=timezone.now() + timedelta(days=1)
    )
    Ban.objects.filter(pk=ban.pk).update(until=timezone.now() - timedelta(seconds=1))
    assert troll.active_ban() is None
    make_reply(opening_post(thread), troll)
    moderation.ban_user(moderator=moderator, user=troll, reason="again")
    assert moderation.unban_user(moderator=moderator, user=troll, reason="appeal accepted")
    assert troll.active_ban() is None
    assert moderation.unban_user(moderator=moderator, user=troll) is False
    assert ModAction.objects.first().action == "unban"


def test_bans_are_refused_for_moderators_for_oneself_and_twice(moderator):
    other_mod = make_user("othermod", moderator=True)
    with pytest.raises(ValidationError, match="moderator"):
        moderation.ban_user(moderator=moderator, user=other_mod, reason="coup")
    with pytest.raises(ValidationError, match="yourself"):
        moderation.ban_user(moderator=moderator, user=moderator, reason="oops")
    troll = make_user("troll")
    moderation.ban_user(moderator=moderator, user=troll, reason="one")
    with pytest.raises(ValidationError, match="already banned permanently"):
        moderation.ban_user(moderator=moderator, user=troll, reason="two")
    with pytest.raises(ValidationError, match="future"):
        moderation.ban_user(moderator=moderator, user=make_user(), reason="x", until=timezone.now())
    assert Ban.objects.count() == 1


# --- Reports ------------------------------------------------------------------------------


def test_one_report_per_user_per_post(user, reply):
    moderation.report_post(reporter=user, post=reply, reason="insulting")
    with pytest.raises(ValidationError, match="already sent a report"):
        moderation.report_post(
            reporter=user, post=reply, kind=Report.Kind.QUALITY_CONTRIBUTION, reason=""
        )
    assert Report.objects.count() == 1


def test_a_report_needs_a_reason_of_at_most_500_characters_but_a_nomination_does_not(user, reply):
    with pytest.raises(ValidationError, match="what is wrong"):
        moderation.report_post(reporter=user, post=reply, reason=" ")
    with pytest.raises(ValidationError, match="At most 500"):
        moderation.report_post(reporter=user, post=reply, reason="x" * 501)
    nomination = moderation.report_post(
        reporter=user, post=reply, reason="", kind=Report.Kind.QUALITY_CONTRIBUTION
    )
    assert nomination.kind == "quality"


def test_own_posts_and_removed_posts_cannot_be_reported(moderator, user, reply):
    with pytest.raises(ValidationError, match="your own"):
        moderation.report_post(reporter=reply.author, post=reply, reason="regret")
    moderation.remove_post(moderator=moderator, post=reply, reason="gone")
    with pytest.raises(ValidationError, match="not visible"):
        moderation.report_post(reporter=user, post=reply, reason="still bad")


def test_reporting_is_rate_limited_more_strictly_for_new_accounts(settings, thread):
    settings.CRUX_RATE_LIMITS = {"report": {"new": (2, 3600)}}
    newcomer = make_user("newcomer")
    replies = [make_reply(opening_post(thread), make_user(), body=f"Point {i}.") for i in range(3)]
    for post in replies[:2]:
        moderation.report_post(reporter=newcomer, post=post, reason="rude")
    with pytest.raises(limits.RateLimited, match="limit of 2 reports per 60 minutes"):
        moderation.report_post(reporter=newcomer, post=replies[2], reason="rude")
    assert Report.objects.count() == 2


def test_resolving_by_removal_removes_the_post_and_closes_every_open_report(moderator, reply):
    reporters = [make_user() for _ in range(3)]
    for reporter in reporters:
        moderation.report_post(reporter=reporter, post=reply, reason="abusive")
    closed = moderation.resolve_reports(
        moderator=moderator, post=reply, resolution="removed", reason="Rule 2"
    )
    assert closed == 3
    reply.refresh_from_db()
    assert reply.is_removed and reply.removed_reason == "Rule 2"
    assert set(Report.objects.values_list("resolution", "resolved_by")) == {
        ("removed", moderator.pk)
    }
    actions = list(ModAction.objects.values_list("action", flat=True))
    assert actions == ["resolve", "remove"]


def test_resolving_a_nomination_by_tagging_tags_the_post(moderator, user, reply):
    moderation.report_post(
        reporter=user, post=reply, reason="great", kind=Report.Kind.QUALITY_CONTRIBUTION
    )
    moderation.resolve_reports(
        moderator=moderator,
        post=reply,
        resolution="tagged",
        reason="agreed, excellent",
        tag=tag("quality-contribution"),
    )
    assert PostTag.objects.get(post=reply).tag.slug == "quality-contribution"
    assert not Report.objects.filter(resolved_at__isnull=True).exists()


def test_resolving_needs_open_reports_a_reason_and_for_tagging_a_tag(moderator, user, reply):
    with pytest.raises(ValidationError, match="no open reports"):
        moderation.resolve_reports(
            moderator=moderator, post=reply, resolution="dismissed", reason="fine"
        )
    moderation.report_post(reporter=user, post=reply, reason="rude")
    with pytest.raises(ValidationError, match="reason"):
        moderation.resolve_reports(
            moderator=moderator, post=reply, resolution="dismissed", reason=""
        )
    with pytest.raises(ValidationError, match="tag"):
        moderation.resolve_reports(moderator=moderator, post=reply, resolution="tagged", reason="x")
    assert (
        moderation.resolve_reports(
            moderator=moderator, post=reply, resolution="dismissed", reason="not rude"
        )
        == 1
    )
    assert not Post.objects.get(pk=reply.pk).is_removed


# --- The taxonomy -------------------------------------------------------------------------


def test_creating_and_renaming_a_tag_keeps_its_address(moderator):
    created = taxonomy.create_tag(
        moderator=moderator, kind="topic", name="Corrigibility", description="Accepting correction."
    )
    assert created.slug == "corrigibility"
    with pytest.raises(ValidationError, match="already a topic tag"):
        taxonomy.create_tag(moderator=moderator, kind="topic", name="corrigibility")
    assert taxonomy.rename_tag(moderator=moderator, tag=created, name="Corrigibility & shutdown")
    created.refresh_from_db()
    assert (created.name, created.slug) == ("Corrigibility & shutdown", "corrigibility")
    assert taxonomy.rename_tag(moderator=moderator, tag=created, name=created.name) is False
    entry = ModAction.objects.first()
    assert entry.details == {"from": "Corrigibility", "to": "Corrigibility & shutdown"}


def test_merging_re_points_every_use_and_keeps_one_where_a_post_had_both(moderator, thread):
    other = make_thread(make_user(), title="Second thread")
    both = make_reply(opening_post(thread), make_user())
    only_source = make_reply(opening_post(other), make_user())
    for post in (both, only_source):
        moderation.tag_post(moderator=moderator, post=post, tag=tag("strawman"))
    moderation.tag_post(moderator=moderator, post=both, tag=tag("non-sequitur"), note="kept")
    thread.refresh_from_db()
    other.refresh_from_db()
    versions = {thread.pk: thread.data_version, other.pk: other.data_version}

    moved = taxonomy.merge_tag(
        moderator=moderator, source=tag("strawman"), target=tag("non-sequitur"), reason="dupe"
    )
    assert moved == 1
    assert set(PostTag.objects.values_list("post_id", "tag__slug")) == {
        (both.pk, "non-sequitur"),
        (only_source.pk, "non-sequitur"),
    }
    assert PostTag.objects.get(post=both).note == "kept"
    source = tag("strawman")
    assert source.retired and source.merged_into == tag("non-sequitur")
    for t in (thread, other):
        t.refresh_from_db()
        assert t.data_version == versions[t.pk] + 1
    entry = ModAction.objects.first()
    assert entry.action == "tag_merge" and entry.tag == source
    assert entry.details["moved"] == 1 and len(entry.details["already_had_target"]) == 1


def test_a_tag_cannot_be_merged_into_itself_or_into_a_retired_tag(moderator):
    with pytest.raises(ValidationError, match="itself"):
        taxonomy.merge_tag(moderator=moderator, source=tag("analogy"), target=tag("analogy"))
    taxonomy.retire_tag(moderator=moderator, tag=tag("forecast"))
    with pytest.raises(ValidationError, match="retired"):
        taxonomy.merge_tag(moderator=moderator, source=tag("analogy"), target=tag("forecast"))
    assert tag("analogy").merged_into is None


def test_tags_merged_into_a_merged_tag_follow_it(moderator):
    taxonomy.merge_tag(moderator=moderator, source=tag("strawman"), target=tag("non-sequitur"))
    taxonomy.merge_tag(moderator=moderator, source=tag("non-sequitur"), target=tag("ad-hominem"))
    assert tag("strawman").merged_into == tag("ad-hominem")


def test_retiring_keeps_the_tag_on_its_posts(moderator, reply):
    moderation.tag_post(moderator=moderator, post=reply, tag=tag("timelines"))
    assert taxonomy.retire_tag(moderator=moderator, tag=tag("timelines"), reason="too broad")
    assert taxonomy.retire_tag(moderator=moderator, tag=tag("timelines")) is False
    assert PostTag.objects.filter(post=reply, tag__slug="timelines").exists()


# --- The log itself -----------------------------------------------------------------------


# The app's refusals (save, delete, update, bulk) are in
# tests/security/test_security_deploy.py; here, the database's own.


@pytest.mark.postgres
def test_the_database_refuses_to_edit_the_log(moderator, reply):
    from django.db import DatabaseError, transaction

    moderation.remove_post(moderator=moderator, post=reply, reason="spam")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE threads_modaction SET reason = 'edited'")
    assert ModAction.objects.get().reason == "spam"


# --- Rate limits --------------------------------------------------------------------------


def test_established_accounts_get_the_looser_limit(settings, thread):
    settings.CRUX_RATE_LIMITS = {"report": {"new": (1, 3600), "established": (3, 3600)}}
    veteran = make_user("veteran")
    for i in range(limits.NEW_ACCOUNT_POSTS):
        make_reply(opening_post(thread), veteran, body=f"Earlier point {i}.")
    veteran.date_joined = timezone.now() - timedelta(days=30)
    veteran.save(update_fields=["date_joined"])
    assert not limits.is_new_account(veteran)
    targets = [make_reply(opening_post(thread), make_user(), body=f"Claim {i}.") for i in range(4)]
    for post in targets[:3]:
        moderation.report_post(reporter=veteran, post=post, reason="rude")
    with pytest.raises(limits.RateLimited, match="limit of 3 reports") as refusal:
        moderation.report_post(reporter=veteran, post=targets[3], reason="rude")
    assert "new accounts" not in str(refusal.value)
    assert "You can go on in" in str(refusal.value)


def test_a_partial_limits_setting_keeps_the_other_defaults(settings):
    settings.CRUX_RATE_LIMITS = {"post": {"new": (1, 60)}}
    configured = limits.configured_limits()
    assert configured["post"] == {"established": (60, 3600), "new": (1, 60)}
    assert configured["vote"] == limits.DEFAULT_LIMITS["vote"]


def test_posting_is_rate_limited_with_a_clear_message(settings, thread):
    settings.CRUX_RATE_LIMITS = {"post": {"new": (2, 600)}}
    newcomer = make_user("newcomer")
    make_reply(opening_post(thread), newcomer, body="One.")
    make_reply(opening_post(thread), newcomer, body="Two.")
    with pytest.raises(limits.RateLimited, match=r"limit of 2 posts per 10 minutes \(new"):
        make_reply(opening_post(thread), newcomer, body="Three.")


def test_moderators_are_not_rate_limited(settings, moderator, thread):
    settings.CRUX_RATE_LIMITS = {"report": {"new": (1, 3600), "established": (1, 3600)}}
    for i in range(3):
        post = make_reply(opening_post(thread), make_user(), body=f"Claim {i}.")
        moderation.report_post(reporter=moderator, post=post, reason="check this")
    assert Report.objects.count() == 3
