"""Remembering what a member last saw of a thread's map, for "what changed since your
last visit"."""

from __future__ import annotations

from django.utils import timezone

from threads.models import Thread, ThreadAnalysis, ThreadVisit, User


def visit_memory(map_json: dict) -> dict:
    """The parts of a map that 'what changed since your last visit' compares."""
    return {
        "cruxes": [{"post": c["post"]} for c in map_json.get("cruxes", [])],
        "groups": [
            {"id": g["id"], "size": g["size"], "members": g["members"]}
            for g in map_json.get("groups", [])
        ],
        "open": [{"post": o["post"]} for o in map_json.get("open", [])],
    }


def record_map_seen(*, user: User, thread: Thread, analysis: ThreadAnalysis) -> ThreadVisit | None:
    """Note that `user` has now seen `analysis`, the thread's current map; returns their
    previous visit (None on the first), whose memory the changes are computed from.
    (update_or_create is atomic itself; a race between two tabs keeps either look.)"""
    previous = ThreadVisit.objects.filter(user=user, thread=thread).first()
    ThreadVisit.objects.update_or_create(
        user=user,
        thread=thread,
        defaults={
            "watermark": analysis.watermark,
            "map_seen": visit_memory(analysis.map or {}),
            "seen_at": timezone.now(),
        },
    )
    return previous
