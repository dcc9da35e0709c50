"""The disagreement map and summaries: the panel on the thread page, its htmx refresh,
the JSON API, and "what changed since your last visit"."""

from __future__ import annotations

from datetime import timedelta
from textwrap import shorten

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from threads import privacy
from threads.analysis.changes import summary_changes
from threads.models import Post, Thread, ThreadAnalysis
from threads.services import visits
from threads.views.exports import too_many

PANEL_FIELDS = ("analysis__map", "analysis__summary")  # what the panel never reads
PANEL_FIELDS_EXTRA = ("analysis__summary", "analysis__panel")  # what map.json never reads
MAP_CACHE_SECONDS = 3600
# "Map computed 3 minutes ago" may lag this much; everything else is in the cache key.
PANEL_CACHE_SECONDS = 60
PANEL = "threads/analysis_panel.html#panel"


def panel_context(thread: Thread, analysis: ThreadAnalysis | None) -> dict:
    """The panel's state (fresh, stale, computing, failed) around its stored content."""
    if analysis is None or analysis.panel is None:
        state = analysis.status if analysis else "none"
        return {
            "thread": thread,
            "state": state,
            "ready": False,
            "poll": analysis is not None and _recently_requested(analysis),
            "error": analysis.error.splitlines()[0] if analysis and analysis.error else "",
        }
    stale = analysis.watermark < thread.data_version
    return {
        **analysis.panel,
        "thread": thread,
        "state": analysis.status,
        "ready": True,
        "stale": stale,
        "poll": (stale or analysis.status != ThreadAnalysis.Status.DONE)
        and _recently_requested(analysis),
        "failed": analysis.status == ThreadAnalysis.Status.FAILED,
        "computed_at": analysis.computed_at,
        "vote_count": analysis.vote_count,
    }


def _recently_requested(analysis: ThreadAnalysis) -> bool:
    """Poll only while a run may still land; past that the sweep takes over and a
    reader's next post or vote wakes the panel again."""
    since = timezone.now() - timedelta(seconds=2 * settings.CRUX_ANALYSIS_STUCK_SECONDS)
    latest = max(filter(None, [analysis.requested_at, analysis.started_at]), default=None)
    return analysis.status in ("pending", "running") or bool(latest and latest > since)


def panel_for_reader(request: HttpRequest, thread: Thread) -> dict:
    """What the panel template reads, and what its `{% cache %}` is keyed on: the state of
    the analysis and whether the reader is logged in ("since your last visit"); beyond
    that the panel is the same for every reader."""
    analysis = getattr(thread, "analysis", None)
    state = "none"
    if analysis is not None:
        parts = (
            analysis.pk,
            analysis.status,
            analysis.watermark,
            thread.data_version,
            analysis.computed_at and analysis.computed_at.timestamp(),
            analysis.requested_at and analysis.requested_at.timestamp(),
        )
        state = "-".join(str(part) for part in parts)
    user = getattr(request, "user", None)
    return {
        **panel_context(thread, analysis),
        "user": user,
        "panel_state": state,
        "signed_in": bool(user and user.is_authenticated),
        "panel_cache_seconds": PANEL_CACHE_SECONDS,
    }


@require_GET
@never_cache
def analysis_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel alone, for htmx to refresh while an analysis is pending."""
    thread = get_object_or_404(
        Thread.objects.select_related("analysis").defer(*PANEL_FIELDS), pk=pk
    )
    return render(request, PANEL, panel_for_reader(request, thread))


def _not_found(pk: int) -> JsonResponse:
    return JsonResponse({"error": f"No thread with id {pk}."}, status=404)


def _header(thread: Thread, analysis: ThreadAnalysis | None) -> dict:
    if analysis is None:
        return {"thread": thread.pk, "status": "pending", "stale": True, "watermark": None}
    return {
        "thread": thread.pk,
        "status": analysis.status,
        "stale": analysis.watermark < thread.data_version,
        "computed_at": analysis.computed_at.isoformat() if analysis.computed_at else None,
        "watermark": analysis.watermark if analysis.watermark >= 0 else None,
    }


@require_GET
def map_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The map; voters under per-thread pseudonyms unless a moderator asks
    (threads/privacy.py). Readers who are not signed in share one cached copy per
    version of the analysis, and every address is metered (threads/views/exports.py)."""
    refused = too_many(request, "map")
    if refused:
        return refused
    thread = (
        Thread.objects.select_related("analysis")
        .defer("analysis__map", *PANEL_FIELDS_EXTRA)
        .filter(pk=pk)
        .first()
    )
    if thread is None:
        return _not_found(pk)
    analysis = getattr(thread, "analysis", None)
    anonymous = not request.user.is_authenticated
    key = None
    if analysis is not None and anonymous:
        parts = (thread.pk, thread.data_version, analysis.status, analysis.watermark)
        stamp = analysis.computed_at.timestamp() if analysis.computed_at else 0
        key = "map-json:" + ":".join(map(str, (*parts, stamp)))
        cached = cache.get(key)
        if cached is not None:
            return HttpResponse(cached, content_type="application/json")
    body = _header(thread, analysis)
    stored_map = analysis and ThreadAnalysis.objects.values_list("map", flat=True).get(
        pk=analysis.pk
    )
    stored = privacy.map_for(stored_map, thread.pk, request.user) if stored_map else {}
    body["algorithm"] = stored.pop("algorithm", None)
    body.update(stored)
    response = JsonResponse(body)
    if key:
        cache.set(key, response.content, MAP_CACHE_SECONDS)
    return response


@require_GET
def summary_json(request: HttpRequest, pk: int) -> HttpResponse:
    thread = Thread.objects.select_related("analysis").filter(pk=pk).first()
    if thread is None:
        return _not_found(pk)
    analysis = getattr(thread, "analysis", None)
    summary = privacy.summary_for((analysis and analysis.summary) or {}, thread.pk, request.user)
    return JsonResponse({**_header(thread, analysis), **summary})


@require_GET
@never_cache
def analysis_changes(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed in the map since this reader last looked; then remember this look."""
    thread = get_object_or_404(Thread.objects.select_related("analysis"), pk=pk)
    analysis = getattr(thread, "analysis", None)
    context = {"thread": thread, "changes": None, "first_visit": False, "you": None}
    if request.user.is_authenticated and analysis is not None and analysis.map:
        context["you"] = privacy.own_position(analysis.map, thread.pk, request.user.username)
        visit = visits.record_map_seen(user=request.user, thread=thread, analysis=analysis)
        if visit is None or visit.map_seen is None:
            context["first_visit"] = True
        elif visit.watermark != analysis.watermark:
            changes = summary_changes(visit.map_seen, analysis.map)
            excerpts = {
                pk: {"post": pk, "author": author, "excerpt": shorten(text, 160, placeholder=" …")}
                for pk, author, text in Post.objects.visible_to(request.user)
                .filter(pk__in=[*changes.new_cruxes, *changes.answered])
                .values_list("pk", "author__username", "body_text")
            }
            context["changes"] = {
                "since": visit.seen_at,
                "new_cruxes": [excerpts[p] for p in changes.new_cruxes if p in excerpts],
                "groups": [g.__dict__ for g in changes.groups],
                "answered": [excerpts[p] for p in changes.answered if p in excerpts],
            }
    return render(request, "threads/analysis_panel.html#changes", context)
