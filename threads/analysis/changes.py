"""What changed in a thread's map since a reader last saw it.

Plain dict logic over two stored map JSONs, so the web process can answer "what changed
since your last visit" without loading the numerical libraries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GroupChange:
    group: str  # the group's name in the new map
    was: str | None  # its name in the old map (names follow size, so they can move)
    size: int
    previous_size: int
    change: str  # "grew" | "shrank" | "new"


@dataclass(frozen=True)
class MapChanges:
    new_cruxes: tuple[int, ...]
    groups: tuple[GroupChange, ...]
    answered: tuple[int, ...]  # open before, not open now

    def to_json(self) -> dict[str, Any]:
        return {
            "new_cruxes": list(self.new_cruxes),
            "groups": [
                {
                    "group": c.group,
                    "was": c.was,
                    "size": c.size,
                    "previous_size": c.previous_size,
                    "change": c.change,
                }
                for c in self.groups
            ],
            "answered": list(self.answered),
        }


def summary_changes(
    old_map_json: Mapping[str, Any] | None, new_map_json: Mapping[str, Any]
) -> MapChanges:
    """What changed between the map a reader last saw and the current one.

    Groups are matched by shared members, not by letter, because letters follow group
    size and a group that grows past another takes its letter. Each new group is paired
    greedily with the unmatched old group it shares most members with; one with no
    shared member is "new" (maps stored without member lists are matched by letter).
    `old_map_json` None (first visit) means nothing to compare.
    """
    if old_map_json is None:
        return MapChanges((), (), ())
    old_cruxes = {crux["post"] for crux in old_map_json.get("cruxes", [])}
    new_cruxes = tuple(
        crux["post"] for crux in new_map_json.get("cruxes", []) if crux["post"] not in old_cruxes
    )
    old_groups = {g["id"]: g for g in old_map_json.get("groups", [])}
    new_groups = new_map_json.get("groups", [])

    def shared(new: Mapping[str, Any], old: Mapping[str, Any]) -> int:
        if "members" not in new or "members" not in old:
            return int(new["id"] == old["id"])  # a stored map without members: go by name
        return len(set(new["members"]) & set(old["members"]))

    overlaps = sorted(
        (-shared(new, old), new["id"], old["id"])
        for new in new_groups
        for old in old_groups.values()
    )
    match: dict[str, str] = {}
    used: set[str] = set()
    for negative_overlap, new_id, old_id in overlaps:
        if negative_overlap < 0 and new_id not in match and old_id not in used:
            match[new_id] = old_id
            used.add(old_id)
    changes = []
    for new in new_groups:
        old_id = match.get(new["id"])
        previous = old_groups[old_id]["size"] if old_id else 0
        if old_id is None:
            kind = "new"
        elif new["size"] > previous:
            kind = "grew"
        elif new["size"] < previous:
            kind = "shrank"
        else:
            continue
        changes.append(GroupChange(new["id"], old_id, new["size"], previous, kind))
    still_open = {item["post"] for item in new_map_json.get("open", [])}
    answered = tuple(
        item["post"] for item in old_map_json.get("open", []) if item["post"] not in still_open
    )
    return MapChanges(new_cruxes, tuple(changes), answered)


__all__ = ["GroupChange", "MapChanges", "summary_changes"]
