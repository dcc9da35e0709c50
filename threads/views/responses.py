"""What views answer with, written once: where a form returns to (a safe next URL, a
post's anchor) and a service's ValidationError put on the form that asked."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from threads.models import Post


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
