"""Accounts: sign up, log in and out, password change and reset, profile pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Post, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]

PASSWORD = "correct horse battery"
STRONG = "a sturdy new passphrase 42"


def signup(client, username="newcomer", password=STRONG, email="", **extra):
    return client.post(
        reverse("signup"),
        {"username": username, "email": email, "password1": password, "password2": password}
        | extra,
    )


# --- Sign up -----------------------------------------------------------------------------


def test_signup_creates_the_account_and_logs_in(client):
    response = signup(client, email="newcomer@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="newcomer")
    assert user.email == "newcomer@example.org"
    home = client.get(reverse("home"))
    assert home.wsgi_request.user == user
    assert b"newcomer" in home.content
    assert b"Log out" in home.content


def test_signup_follows_a_safe_next_but_not_an_offsite_one(client):
    response = signup(client, next="/search/?q=agents")
    assert response["Location"] == "/search/?q=agents"

    client.logout()
    response = signup(client, username="second", next="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_signup_with_a_weak_password_is_refused_and_creates_nothing(client):
    response = signup(client, password="password")

    assert response.status_code == 422
    assert b"This password is too common" in response.content
    assert not User.objects.filter(username="newcomer").exists()
    assert "_auth_user_id" not in client.session


def test_signup_with_mismatched_passwords_is_refused(client):
    response = client.post(
        reverse("signup"),
        {"username": "newcomer", "password1": STRONG, "password2": STRONG + "x"},
    )
    assert response.status_code == 422
    assert b"didn\xe2\x80\x99t match" in response.content or b"match" in response.content
    assert not User.objects.filter(username="newcomer").exists()


def test_signup_with_a_username_differing_only_in_case_is_refused(client, user):
    response = signup(client, username=user.username.upper())

    assert response.status_code == 422
    assert b"That username is taken" in response.content
    assert User.objects.filter(username__iexact=user.username).count() == 1


@pytest.mark.parametrize("username", ["imported-42", "Imported-alice", "kialo-import", "KIALO-x"])
def test_signup_with_an_importer_placeholder_name_is_refused(client, username):
    response = signup(client, username=username)

    assert response.status_code == 422
    assert b"reserved for the authors of imported debates" in response.content
    assert not User.objects.filter(username__iexact=username).exists()


def test_signup_with_a_too_short_or_invalid_username_is_refused(client):
    assert b"at least 3 characters" in signup(client, username="ab").content
    assert signup(client, username="has space").status_code == 422
    assert not User.objects.exists()


def test_signup_page_for_a_logged_in_user_goes_home(client, user):
    client.force_login(user)
    assert client.get(reverse("signup"))["Location"] == reverse("home")


# --- Log in and out ------------------------------------------------------------------------


def test_login_with_the_right_password_logs_in(client, user):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == user


def test_login_with_a_wrong_password_says_so(client, user):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_login_redirects_to_next(client, user):
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD, "next": "/search/"}
    )
    assert response["Location"] == "/search/"


def test_logout_link_asks_first_and_the_post_logs_out(client, user):
    client.force_login(user)

    confirm = client.get(reverse("logout"))
    assert confirm.status_code == 200
    assert b'method="post"' in confirm.content
    assert "_auth_user_id" in client.session

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_needs_the_csrf_token(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in client.session


def test_nav_shows_login_and_signup_to_readers_and_a_logout_form_to_members(client, user):
    anonymous = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("login")}"' in anonymous
    assert f'href="{reverse("signup")}"' in anonymous

    client.force_login(user)
    member = client.get(reverse("home")).content.decode()
    form = re.search(
        r'<form class="nav-logout" method="post" action="([^"]+)">(.*?)</form>', member, re.S
    )
    assert form and form.group(1) == reverse("logout")
    assert "csrfmiddlewaretoken" in form.group(2)
    assert f'href="{user.get_absolute_url()}"' in member


# --- Passwords ---------------------------------------------------------------------------


def test_password_change_needs_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_sets_the_new_password(client, user):
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
    )

    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_password_change_to_a_weak_password_is_refused(client, user):
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert response.status_code == 200
    assert b"This password is entirely numeric" in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client, db):
    make_user("known", email="known@example.org")

    known = client.post(reverse("password_reset"), {"email": "known@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["known@example.org"]


def test_password_reset_link_from_the_email_sets_a_new_password(client, db):
    known = make_user("known", email="known@example.org")
    client.post(reverse("password_reset"), {"email": "known@example.org"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG}
    )

    assert response["Location"] == reverse("password_reset_complete")
    known.refresh_from_db()
    assert known.check_password(STRONG)
    # The link works once.
    assert b"This link no longer works" in client.get(link, follow=True).content


# --- Profiles ----------------------------------------------------------------------------


def test_profile_lists_the_users_posts_with_role_and_thread(client, user):
    thread = make_thread(user, title="Is scaling enough?")
    make_reply(opening_post(thread), user, body="Scaling laws keep holding.", role="support")

    response = client.get(reverse("profile", args=["alice"]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Scaling laws keep holding." in content
    assert "Is scaling enough?" in content
    assert "role-support" in content and "supports" in content
    assert "role-claim" in content


def test_profile_hides_removed_and_deleted_posts_from_others_but_not_the_author(client, user):
    thread = make_thread(user)
    removed = make_reply(opening_post(thread), user, body="A post the moderators removed.")
    deleted = make_reply(opening_post(thread), user, body="A post its author deleted.")
    Post.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    Post.objects.filter(pk=deleted.pk).update(deleted_by_author=True)

    other = client.get(reverse("profile", args=["alice"])).content
    assert b"A post the moderators removed." not in other
    assert b"A post its author deleted." not in other

    client.force_login(user)
    own = client.get(reverse("profile", args=["alice"])).content
    assert b"A post the moderators removed." in own
    assert b"removed by the moderators" in own
    assert b"A post its author deleted." in own


def test_profile_shows_the_moderator_badge(client, moderator):
    assert b"badge-moderator" in client.get(reverse("profile", args=["mod"])).content


def test_profile_is_paginated(client, user):
    thread = make_thread(user)
    for number in range(25):
        make_reply(opening_post(thread), user, body=f"Reply number {number}.")

    first = client.get(reverse("profile", args=["alice"])).content.decode()
    second = client.get(reverse("profile", args=["alice"]) + "?page=2").content.decode()

    assert "Reply number 24." in first and "Reply number 24." not in second
    assert "Page 1 of 2" in first
    assert "Reply number 0." in second


def test_profile_of_an_unknown_user_is_404_and_wrong_case_redirects(client, user):
    assert client.get(reverse("profile", args=["nobody"])).status_code == 404
    response = client.get(reverse("profile", args=["ALICE"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("profile", args=["alice"])


def test_profile_page_query_count_does_not_grow_with_posts(
    client, user, django_assert_max_num_queries
):
    thread = make_thread(user)
    for number in range(20):
        make_reply(opening_post(thread), user, body=f"Reply {number}.")
    with django_assert_max_num_queries(6):
        assert client.get(reverse("profile", args=["alice"])).status_code == 200


# --- In the browser ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_sign_up_then_log_out_from_the_nav(page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    page.click(".nav-account >> text=Sign up")
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=password1]", "password")
    page.fill("input[name=password2]", "password")
    page.click("form.stacked-form [type=submit]")
    page.wait_for_selector("text=This password is too common.")

    page.fill("input[name=password1]", STRONG)
    page.fill("input[name=password2]", STRONG)
    page.click("form.stacked-form [type=submit]")
    page.wait_for_selector(".nav-account >> text=newcomer")

    page.click(".nav-logout button")
    page.wait_for_selector(".nav-account >> text=Log in")
    assert User.objects.filter(username="newcomer").exists()
    assert errors == []
