"""Error pages that need a view of their own. 404, 403 and 500 use Django's default
handlers with templates/404.html, 403.html and 500.html; the CSRF failure page is ours
because Django's built-in one carries an inline <style> that the CSP refuses."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from forum.middleware import API_PREFIX


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form without a valid token changes nothing and says
    so in words a reader understands (the technical `reason` goes to the log only)."""
    if request.path.startswith(API_PREFIX):  # API errors are JSON (forum/middleware.py)
        message = (
            "This form has expired: Crux could not confirm that the request came from this "
            "site (CSRF token missing or out of date). Nothing was changed."
        )
        return JsonResponse({"error": message}, status=403)
    return render(request, "403.html", {"csrf_failure": True}, status=403)
