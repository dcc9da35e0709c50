"""Voter privacy, as in Polis: who voted how is nobody else's business.

The stored analysis (ThreadAnalysis.map) keeps usernames, because moderators need them
and the analysis package should not care. Everything built from it for readers — the
map JSON, the panel's scatter — names each participant by a pseudonym that is stable
within a thread and different across threads (an HMAC of thread and username under
SECRET_KEY), so positions cannot be linked to accounts or across threads. Only the
authorship of posts is public. A signed-in participant is told which pseudonym and
group are theirs ("you are here"); moderators see names.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    from threads.models import User


def pseudonym(thread_id: int, username: str) -> str:
    """ "Participant 7f3a2c": the same person in the same thread always gets the same one."""
    message = f"crux-voter:{thread_id}:{username}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"Participant {digest[:6]}"


def pseudonymised_map(map_json: Mapping[str, Any], thread_id: int) -> dict[str, Any]:
    """A copy of a stored map with every voter named by their pseudonym. Group members
    are sorted, so their order (first vote first) tells nothing either."""
    groups = [
        {**group, "members": sorted(pseudonym(thread_id, m) for m in group.get("members", []))}
        for group in map_json.get("groups", [])
    ]
    points = [
        {**point, "participant": pseudonym(thread_id, point["participant"])}
        for point in map_json.get("points", [])
    ]
    consensus = [
        {**item, "supporters": sorted(pseudonym(thread_id, m) for m in item["supporters"])}
        if "supporters" in item
        else item
        for item in map_json.get("consensus", [])
    ]
    return {**map_json, "groups": groups, "points": points, "consensus": consensus}


def summary_for(summary: Mapping[str, Any], thread_id: int, user: object) -> dict[str, Any]:
    """The summary as `user` may see it: common ground's supporters are voters, so they
    are pseudonyms for everyone but moderators, as on the map."""
    if getattr(user, "is_authenticated", False) and getattr(user, "is_moderator", False):
        return dict(summary)
    common = [
        {**item, "supporters": sorted(pseudonym(thread_id, m) for m in item["supporters"])}
        if isinstance(item, dict) and "supporters" in item
        else item
        for item in summary.get("common_ground", [])
    ]
    return {**summary, "common_ground": common} if "common_ground" in summary else dict(summary)


def own_position(map_json: Mapping[str, Any], thread_id: int, username: str) -> dict | None:
    """Where `username` stands on the stored map: their pseudonym, group and point."""
    point = next((p for p in map_json.get("points", []) if p["participant"] == username), None)
    group = next(
        (g["id"] for g in map_json.get("groups", []) if username in g.get("members", [])), None
    )
    if point is None and group is None:
        return None
    return {
        "participant": pseudonym(thread_id, username),
        "group": group if group is not None else (point or {}).get("group"),
        "x": point and point["x"],
        "y": point and point["y"],
    }


def map_for(
    map_json: Mapping[str, Any], thread_id: int, user: User | AnonymousUser
) -> dict[str, Any]:
    """The map as `user` may see it: names for moderators, pseudonyms for everyone else,
    plus "you" (their own position) for a signed-in participant."""
    if user is not None and user.is_authenticated and user.is_moderator:
        return {**map_json, "names": "usernames"}
    shown = {**pseudonymised_map(map_json, thread_id), "names": "pseudonyms"}
    if user is not None and user.is_authenticated:
        shown["you"] = own_position(map_json, thread_id, user.username)
    return shown
