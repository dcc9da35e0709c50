"""The one set of request checks the views use: who may reach a view.

`login_required` sends a logged-out visitor to log in (an htmx request: the whole page
goes there, not a fragment of it); `moderator_required` does the same and then refuses
a logged-in non-moderator with 403. A moderator-only view is marked `moderator_only`,
so the tests can walk every one of them. Requests are typed as django-htmx's example
app types them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (all of Crux's do)."""

    htmx: HtmxDetails


View = Callable[..., HttpResponse]


def to_login(request: HtmxHttpRequest) -> HttpResponse:
    """The login page, coming back here afterwards (for htmx: to the page it came from)."""
    if request.htmx:
        back = request.htmx.current_url_abs_path or "/"
        return HttpResponseClientRedirect(redirect_to_login(back).url)
    return redirect_to_login(request.get_full_path())


def _guard(view: View, *, moderator: bool) -> View:
    @wraps(view)
    def wrapped(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return to_login(request)
        if moderator and not request.user.is_moderator:
            raise PermissionDenied("Only moderators can do this.")
        return view(request, *args, **kwargs)

    wrapped.moderator_only = moderator  # type: ignore[attr-defined]  # read by the URL walks
    return wrapped


def login_required(view: View) -> View:
    """Participants only: logged-out visitors are sent to log in."""
    return _guard(view, moderator=False)


def moderator_required(view: View) -> View:
    """Moderators only: logged-out visitors log in first, others get 403."""
    return _guard(view, moderator=True)
