"""Login abuse protection, behind Django's LoginView (HTTP, so it lives with the views).

Every login attempt is counted *before* its password is checked, in one atomic step
(threads/services/limits.count: Redis INCRBY, or the database while Redis is away), on
two counters over a fixed window of CRUX_LOGIN_COOLOFF_SECONDS:

- per account and address: past CRUX_LOGIN_MAX_FAILURES the pair is refused (429, with
  Retry-After) until the window ends — even with the right password, so guessing on
  cannot tell a hit. The same account from another address still logs in, so an
  attacker cannot lock its owner out (Discourse and django-axes key on the same pair);
- per address across accounts: past CRUX_LOGIN_MAX_FAILURES_PER_ADDRESS every login
  from that address is refused, so spraying one password over many accounts stops too.

A successful login takes its attempt back (and clears the pair), so only failures add
up. Because the count comes first, a burst of 40 concurrent guesses gets exactly
CRUX_LOGIN_MAX_FAILURES passwords checked. An unknown username is counted like a known
one, and both get Django's one "enter a correct username and password" error, so the
responses never tell whether an account exists (Django's ModelBackend also runs the
password hasher for unknown usernames, so neither does the time taken).

The client address is REMOTE_ADDR, unless REMOTE_ADDR is one of CRUX_TRUSTED_PROXIES:
then X-Forwarded-For is read from the right, skipping our own proxies, and the first
address that is not one of them is the client (the right-most untrusted hop). Anything
to the left of that is whatever the client wrote and is never believed.
"""

from __future__ import annotations

import ipaddress
import math
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from threads.services.limits import count, hashed, reset


def max_failures() -> int:
    return int(settings.CRUX_LOGIN_MAX_FAILURES)


def max_failures_per_address() -> int:
    return int(settings.CRUX_LOGIN_MAX_FAILURES_PER_ADDRESS)


def cooloff_seconds() -> int:
    return int(settings.CRUX_LOGIN_COOLOFF_SECONDS)


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.CRUX_TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's address: the right-most hop that is not one of our proxies."""
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    if not _trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    address = remote
    for hop in reversed([hop for hop in hops if hop]):
        address = hop
        if not _trusted(hop):
            break
    return address


def _pair(username: str, address: str) -> str:
    # Hashed: usernames may hold any character, and cache keys must not.
    return f"login:pair:{hashed(username.strip().casefold(), address)}"


def _address(address: str) -> str:
    return f"login:address:{hashed(address)}"


def attempt(username: str, address: str) -> int:
    """Count a login attempt; 0 when its password may be checked, otherwise the seconds
    until the pair (or the address) is let in again."""
    window = cooloff_seconds()
    pair = count(_pair(username, address), window)
    everyone = count(_address(address), window)
    if pair.value > max_failures() or everyone.value > max_failures_per_address():
        return max(1, pair.resets_in)
    return 0


def record_success(username: str, address: str) -> None:
    """The attempt was no failure: clear the pair and give the address its attempt back."""
    window = cooloff_seconds()
    reset(_pair(username, address), window)
    count(_address(address), window, delta=-1)


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


class LoginGuard:
    """Mixin for Django's LoginView: count the attempt and refuse past the limits before
    the form runs; a successful login takes its attempt back."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = attempt(request.POST.get("username", ""), client_address(request))
        if seconds:
            return refusal(request, seconds)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        record_success(self.request.POST.get("username", ""), client_address(self.request))
        return super().form_valid(form)
