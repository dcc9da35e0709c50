"""What views answer with, written once: where a form returns to (a safe next URL, a
post's anchor), a service's ValidationError (or refusal) put on the form that asked, and
a form rendered whole or as its htmx partial (422 with its errors, 403 if refused)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from threads.models import Post

if TYPE_CHECKING:
    from threads.views.decorators import HtmxHttpRequest


def post_anchor(post: Post) -> str:
    """The post's permalink, scrolled to the post."""
    return f"{post.get_absolute_url()}#post-{post.pk}"


def is_safe_url(request: HttpRequest, target: str) -> bool:
    """Whether `target` stays on this site (no open redirect)."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def next_url(request: HttpRequest, default: str) -> str:
    """The form's `next` (POST or query string) if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_safe_url(request, target) else default


def back_to_post(request: HttpRequest, post: Post) -> str:
    """Where a plain (no-JavaScript) POST returns to: the page it came from, at the post."""
    target = request.META.get("HTTP_REFERER", "").split("#")[0]
    if is_safe_url(request, target):
        return f"{target}#post-{post.pk}"
    return post_anchor(post)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@dataclass(frozen=True)
class FormAction:
    """A moderator's form and the service it calls with `moderator`, the object acted on
    and the form's cleaned data; what the moderator is told when it is done, and when the
    service returns False (nothing changed; the post panel fills in {role})."""

    form: type[forms.Form]
    service: Callable[..., object]
    done: str
    unchanged: str


# The code of a form error that is a service's PermissionDenied (see form_error_status).
REFUSED = "refused"


@contextmanager
def service_errors(form: forms.Form, *, refusals: bool = False) -> Iterator[None]:
    """Around a service called for a valid form: its ValidationError ends up on the form
    (which is then no longer valid). With `refusals`, so does its PermissionDenied (a
    banned or inactive participant), as an error of the whole form coded REFUSED."""
    try:
        yield
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as refusal:
        if not refusals:
            raise
        form.add_error(None, ValidationError(str(refusal), code=REFUSED))


def form_error_status(request: HtmxHttpRequest, form: forms.Form) -> int:
    """The status of a form sent back with its errors: 422, but 403 when a service refused
    the user and the answer is a whole page (htmx swaps only 2xx and 422 answers)."""
    refused = form.has_error(NON_FIELD_ERRORS, code=REFUSED)
    return 403 if refused and not request.htmx else 422


def render_form(
    request: HtmxHttpRequest, template: str, partial: str, context: dict, *, form_id: str
) -> HttpResponse:
    """The whole page, or for htmx only the form's partial; 422 when it has errors. An
    answer to a POST is retargeted onto the form's own element `form_id`, since the form
    asked for the refreshed post (or queue entry) that only a success brings."""
    form = context.get("form")
    status = form_error_status(request, form) if form is not None and form.errors else 200
    if request.htmx:
        response = render(request, f"{template}#{partial}", context, status=status)
        if request.method == "POST":
            response["HX-Retarget"] = f"#{form_id}"
            response["HX-Reselect"] = f"#{form_id}"
            response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, template, context, status=status)
