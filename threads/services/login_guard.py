"""Login abuse protection: after CRUX_LOGIN_MAX_FAILURES failed logins for one account
from one address, that account is refused from that address (429, with Retry-After) for
CRUX_LOGIN_COOLOFF_SECONDS — even with the right password, so guessing on cannot tell
a hit. The same account from another address still logs in, so an attacker cannot lock
its owner out (Discourse and django-axes key on the same pair).

The counters live in the cache: Redis in production, so every web worker sees the same
counts; LocMem in tests and on a laptop. An unknown username is counted like a known
one, and both get Django's one "enter a correct username and password" error, so the
responses never tell whether an account exists (Django's ModelBackend also runs the
password hasher for unknown usernames, so neither does the time taken).

The client address is REMOTE_ADDR. X-Forwarded-For is anyone's to write, so it is read
only when CRUX_TRUST_X_FORWARDED_FOR says a proxy of ours sets it — and then its last
entry, the one that proxy appended.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def max_failures() -> int:
    return int(getattr(settings, "CRUX_LOGIN_MAX_FAILURES", 5))


def cooloff_seconds() -> int:
    return int(getattr(settings, "CRUX_LOGIN_COOLOFF_SECONDS", 900))


def client_address(request: HttpRequest) -> str:
    if getattr(settings, "CRUX_TRUST_X_FORWARDED_FOR", False):
        appended = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if appended:
            return appended
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(kind: str, username: str, address: str) -> str:
    # Hashed: usernames may hold any character, and cache keys must not.
    pair = f"{username.strip().casefold()}\0{address}".encode()
    return f"login-guard:{kind}:{hashlib.sha256(pair).hexdigest()[:40]}"


def seconds_locked(username: str, address: str) -> int:
    """How long this account stays refused from this address (0: not refused)."""
    until = cache.get(_key("lock", username, address))
    if until is None:
        return 0
    return max(0, math.ceil(until - time.time()))


def record_failure(username: str, address: str) -> None:
    """Count a failed login; the last allowed failure locks the pair for the cool-off."""
    key, cooloff = _key("failures", username, address), cooloff_seconds()
    if cache.add(key, 1, timeout=cooloff):
        failures = 1
    else:
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=cooloff)
            failures = 1
    if failures >= max_failures():
        cache.set(_key("lock", username, address), time.time() + cooloff, timeout=cooloff)
        cache.delete(key)


def record_success(username: str, address: str) -> None:
    cache.delete(_key("failures", username, address))


def refusal(request: HttpRequest, seconds: int) -> HttpResponse:
    minutes = max(1, math.ceil(seconds / 60))
    response = render(
        request,
        "429.html",
        {
            "message": "Too many failed log-in attempts for this account from your network.",
            "wait_minutes": minutes,
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


if TYPE_CHECKING:
    from django.contrib.auth.views import LoginView as _GuardedView
else:
    _GuardedView = object  # a mixin: the view it is mixed into comes after it


class LoginGuard(_GuardedView):
    """Mixin for Django's LoginView: refuse a locked account/address pair before the
    form runs, count failed forms, forget the count after a successful login."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username, address = request.POST.get("username", ""), client_address(request)
        seconds = seconds_locked(username, address)
        if seconds:
            return refusal(request, seconds)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        record_failure(self.request.POST.get("username", ""), client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        record_success(self.request.POST.get("username", ""), client_address(self.request))
        return super().form_valid(form)
