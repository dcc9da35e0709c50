"""Accounts: sign up (with email verification), log in, log out, password change and reset.

Everything but signing up and verifying is Django's own auth views with Crux's templates
(in templates/registration/). The login view is a thin subclass so that login-abuse
protection (threads/views/login_guard.py) has one obvious place to go.

Sockpuppets (issue #17): signups are metered per client address, and with
CRUX_EMAIL_VERIFICATION on (the production default) a new account gets a signed link by
email; until it is followed, the account's votes do not shape the opinion groups
(threads/queries/analysis.py: untrusted_voters).
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core import signing
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from threads.forms.accounts import SignupForm
from threads.models import User
from threads.services import limits
from threads.views.login_guard import LoginGuard, client_address

VERIFY_SALT = "crux.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600  # the link works for three days


class LoginView(LoginGuard, auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST logs out (Django's rule: a link must not end a session). GET asks first, so an
    old bookmark of /accounts/logout/ shows a button instead of a 405 page."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, "registration/logout_confirm.html")


login = LoginView.as_view()
logout = LogoutView.as_view()
password_change = auth_views.PasswordChangeView.as_view(
    template_name="registration/password_change_form.html"
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
    template_name="registration/password_reset_form.html",
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html"
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)


def _next_url(request: HttpRequest) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def send_verification(request: HttpRequest, user: User) -> None:
    """Mail `user` a signed link that confirms their address (Django's mail API)."""
    token = signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT)
    link = request.build_absolute_uri(reverse("verify_email", args=[token]))
    context = {"user": user, "link": link, "days": VERIFY_MAX_AGE // 86400}
    send_mail(
        "Confirm your email address for Crux",
        render_to_string("registration/verify_email.txt", context),
        None,
        [user.email],
    )


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and log straight in; with verification on, mail the link."""
    if request.user.is_authenticated:
        return redirect(_next_url(request) or "home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        wait = limits.check_address(client_address(request), "signup")
        if wait:
            context = {
                "message": "Too many new accounts from your network.",
                "wait_minutes": max(1, math.ceil(wait / 60)),
            }
            response = render(request, "429.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        user = form.save()
        auth_login(request, user)
        messages.success(request, f"Welcome to Crux, {user.username}.")
        if settings.CRUX_EMAIL_VERIFICATION:
            send_verification(request, user)
            messages.info(
                request,
                f"We sent a link to {user.email}: follow it to confirm your address, and "
                "your votes will count in the disagreement maps.",
            )
        return redirect(_next_url(request) or "home")
    status = 422 if form.errors else 200
    context = {"form": form, "next": _next_url(request) or ""}
    return render(request, "registration/signup.html", context, status=status)


@require_GET
@never_cache
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """Follow the emailed link: the account's address is confirmed (idempotent)."""
    try:
        claim = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        return render(request, "registration/verify_email.html", {"outcome": "expired"}, status=400)
    except signing.BadSignature:
        return render(request, "registration/verify_email.html", {"outcome": "invalid"}, status=400)
    user = User.objects.filter(pk=claim.get("user"), email=claim.get("email")).first()
    if user is None:
        return render(request, "registration/verify_email.html", {"outcome": "invalid"}, status=400)
    User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now()
    )
    return render(request, "registration/verify_email.html", {"outcome": "verified", "who": user})
