"""The signed-in user loads with their standing (moderator or not, active ban) in the one
query session authentication makes: threads/auth.py, threads/queries/accounts.py."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from tests.factories import make_user
from threads.models import Ban, User
from threads.queries.accounts import user_with_standing


def test_standing_comes_with_the_user_in_one_query(db, django_assert_num_queries):
    member = make_user("member")
    with django_assert_num_queries(1):
        loaded = user_with_standing(member.pk)
        assert loaded.is_moderator is False and loaded.active_ban() is None
    assert user_with_standing(10**9) is None and user_with_standing("not a number") is None


def test_a_moderator_through_a_group_and_a_current_ban_are_seen(db, django_assert_num_queries):
    moderators = Group.objects.create(name="standing test moderators")
    moderators.permissions.add(Permission.objects.get(codename="moderate"))
    mod = make_user("mod")
    mod.groups.add(moderators)
    member = make_user("member")
    Ban.objects.create(
        user=member, moderator=mod, reason="old", until=timezone.now() - timedelta(days=1)
    )
    Ban.objects.create(user=member, moderator=mod, reason="lifted", lifted_at=timezone.now())
    current = Ban.objects.create(
        user=member, moderator=mod, reason="spam", until=timezone.now() + timedelta(days=3)
    )
    # The standing comes with each user; the words of a ban take one more query, made
    # for banned members only and once per request.
    with django_assert_num_queries(3):
        assert user_with_standing(mod.pk).is_moderator is True
        loaded = user_with_standing(member.pk)
        ban = loaded.active_ban()
        assert loaded.active_ban() is ban
    assert (ban.pk, ban.reason, ban.until) == (current.pk, "spam", current.until)
    # What the service layer does with a ban it read works on the preloaded one too.
    ban.lifted_at = timezone.now()
    ban.save(update_fields=["lifted_at"])
    assert User.objects.get(pk=member.pk).active_ban() is None


def test_a_ban_takes_effect_on_the_members_next_request(client, thread):
    member = make_user("member")
    client.force_login(member)
    root = thread.posts.order_by("pk").first()
    assert client.post(f"/p/{root.pk}/vote/", {"axis": "quality", "value": "1"}).status_code == 302
    Ban.objects.create(user=member, moderator=make_user("mod"), reason="trolling")
    refused = client.post(
        f"/p/{root.pk}/vote/", {"axis": "quality", "value": "-1"}, follow=True
    ).content.decode()
    assert "You are banned permanently: trolling" in refused
    assert root.votes.get(user=member).value == 1
