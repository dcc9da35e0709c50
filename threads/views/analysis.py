"""The disagreement map and summaries: the panel on the thread page, its htmx refresh,
the JSON API, and "what changed since your last visit"."""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from threads.analysis.changes import summary_changes
from threads.models import Thread, ThreadAnalysis, ThreadVisit

OPEN_LABELS = {
    "unanswered_question": "Unanswered question",
    "unanswered_rebuttal": "Unanswered objection",
    "unanswered_claim": "Unrebutted claim",
}


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def _cite(meta: dict, item: dict) -> dict:
    post = meta.get(str(item["post"]), {})
    cited = {**item, "author": post.get("author", ""), "excerpt": post.get("excerpt", "")}
    if "kind" in item:
        cited["label"] = OPEN_LABELS.get(item["kind"], "Open")
    return cited


def panel_context(thread: Thread, analysis: ThreadAnalysis | None) -> dict:
    """Everything the map and summary panel shows, from the stored analysis alone."""
    if analysis is None or analysis.map is None:
        state = analysis.status if analysis else ThreadAnalysis.Status.PENDING
        return {
            "thread": thread,
            "state": state,
            "ready": False,
            "poll": state in ("pending", "running"),
            "error": analysis.error.splitlines()[0] if analysis and analysis.error else "",
        }
    map_json, summary = analysis.map, analysis.summary or {}
    presentation = map_json.get("presentation", {})
    meta = presentation.get("posts", {})
    stale = analysis.watermark < thread.data_version
    groups = [
        {
            "id": group["id"],
            "size": group["size"],
            "share": _percent(group["size"] / max(1, map_json["participants"])),
            "representative": [
                {**_cite(meta, rep), "agree": _percent(rep["agree_share"])}
                for rep in group["representative"]
            ],
        }
        for group in map_json["groups"]
    ]
    camps = {
        camp["group"]: [
            {**_cite(meta, sentence), "agree": _percent(share)}
            for sentence, share in zip(camp["sentences"], camp["agree_shares"], strict=False)
        ]
        for camp in summary.get("groups", [])
    }
    for group in groups:
        group["sentences"] = camps.get(group["id"], [])
    crux_texts = {c["post"]: c for c in summary.get("cruxes", [])}
    cruxes = []
    for crux in map_json["cruxes"][:5]:
        told = crux_texts.get(crux["post"], {})
        cruxes.append(
            {
                **_cite(meta, crux),
                "text": told.get("text") or meta.get(str(crux["post"]), {}).get("excerpt", ""),
                "support": told.get("support") and _cite(meta, told["support"]),
                "rebuttal": told.get("rebuttal") and _cite(meta, told["rebuttal"]),
                "by_group": [
                    {"group": g, "agree": _percent(share)} for g, share in crux["by_group"].items()
                ],
            }
        )
    markers: dict[str, list[str]] = {}
    for crux in map_json["cruxes"][:5]:
        markers.setdefault(str(crux["post"]), []).append("crux")
    for item in map_json["consensus"][:5]:
        markers.setdefault(str(item["post"]), []).append("common ground")
    for item in map_json["open"]:
        label = "open question" if item["kind"] == "unanswered_question" else "open objection"
        markers.setdefault(str(item["post"]), []).append(label)
    return {
        "thread": thread,
        "state": analysis.status,
        "ready": True,
        "stale": stale,
        "poll": stale or analysis.status in ("pending", "running"),
        "failed": analysis.status == ThreadAnalysis.Status.FAILED,
        "computed_at": analysis.computed_at,
        "vote_count": analysis.vote_count,
        "participants": map_json["participants"],
        "single_group_reason": map_json.get("single_group_reason"),
        "summary_status": summary.get("status"),
        "summary_reason": summary.get("reason"),
        "brief": [_cite(meta, e) for e in summary.get("brief", [])],
        "groups": groups,
        "cruxes": cruxes,
        "common_ground": [_cite(meta, e) for e in summary.get("common_ground", [])],
        "consensus": [_cite(meta, c) for c in map_json["consensus"][:5]],
        "open": [_cite(meta, o) for o in summary.get("open", [])]
        or [_cite(meta, o) for o in map_json["open"][:10]],
        "argument_map": _with_excerpts(presentation.get("argument_map"), meta),
        "scatter": presentation.get("scatter"),
        "markers_json": json.dumps(markers, separators=(",", ":")),
    }


def _with_excerpts(argument_map: dict | None, meta: dict) -> dict | None:
    if not argument_map:
        return argument_map
    nodes = [_cite(meta, node) for node in argument_map["nodes"]]
    return {**argument_map, "nodes": nodes}


@require_GET
@never_cache
def analysis_panel(request, pk: int):
    """The panel alone, for htmx to refresh while an analysis is pending."""
    thread = get_object_or_404(Thread.objects.select_related("analysis"), pk=pk)
    analysis = getattr(thread, "analysis", None)
    return render(request, "threads/analysis_panel.html#panel", panel_context(thread, analysis))


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
def map_json(request, pk: int):
    thread = Thread.objects.select_related("analysis").filter(pk=pk).first()
    if thread is None:
        return _not_found(pk)
    analysis = getattr(thread, "analysis", None)
    body = _header(thread, analysis)
    stored = dict(analysis.map or {}) if analysis else {}
    stored.pop("presentation", None)
    body["algorithm"] = stored.pop("algorithm", None)
    body.update(stored)
    return JsonResponse(body)


@require_GET
def summary_json(request, pk: int):
    thread = Thread.objects.select_related("analysis").filter(pk=pk).first()
    if thread is None:
        return _not_found(pk)
    analysis = getattr(thread, "analysis", None)
    return JsonResponse({**_header(thread, analysis), **((analysis and analysis.summary) or {})})


def _visit_memory(map_json: dict) -> dict:
    """The parts of a map that 'what changed since your last visit' compares."""
    return {
        "cruxes": [{"post": c["post"]} for c in map_json.get("cruxes", [])],
        "groups": [
            {"id": g["id"], "size": g["size"], "members": g["members"]}
            for g in map_json.get("groups", [])
        ],
        "open": [{"post": o["post"]} for o in map_json.get("open", [])],
    }


@require_GET
@never_cache
def analysis_changes(request, pk: int):
    """What changed in the map since this reader last looked; then remember this look."""
    thread = get_object_or_404(Thread.objects.select_related("analysis"), pk=pk)
    analysis = getattr(thread, "analysis", None)
    context = {"thread": thread, "changes": None, "first_visit": False}
    if request.user.is_authenticated and analysis is not None and analysis.map:
        visit = ThreadVisit.objects.filter(user=request.user, thread=thread).first()
        if visit is None or visit.map_seen is None:
            context["first_visit"] = True
        elif visit.watermark != analysis.watermark:
            changes = summary_changes(visit.map_seen, analysis.map)
            meta = analysis.map.get("presentation", {}).get("posts", {})
            context["changes"] = {
                "since": visit.seen_at,
                "new_cruxes": [_cite(meta, {"post": p}) for p in changes.new_cruxes],
                "groups": [g.__dict__ for g in changes.groups],
                "answered": [_cite(meta, {"post": p}) for p in changes.answered],
            }
        ThreadVisit.objects.update_or_create(
            user=request.user,
            thread=thread,
            defaults={
                "watermark": analysis.watermark,
                "map_seen": _visit_memory(analysis.map),
                "seen_at": timezone.now(),
            },
        )
    return render(request, "threads/analysis_panel.html#changes", context)
