"""What the map and summary panel shows, computed once per analysis run.

The worker turns the map and summary JSON into `panel_data` — cited sentences with
their authors, the lists, and the geometry of the two SVG pictures — and stores it
beside them, so a thread page renders the panel from one small JSON value with no
further queries. Pure functions; no Django.

- The argument map is a tidy tree of at most MAX_NODES posts grown from the opening
  post, preferring typed replies (attack/support) and the posts the lists point at
  (cruxes, common ground, open objections), so a 5,000-post thread stays legible. Each
  box is labelled with the first words of its post (the full text on hover and focus)
  and outlined by what the map says about it; a legend explains colours and lines.
- The scatter shows each participant's 2-D opinion position coloured by group,
  thinned evenly past MAX_POINTS so the page stays light, with its axes explained.
- Small threads get one plain sentence on what is missing ("3 people have taken a
  stance; groups need 4") instead of empty sections.
- The importer's placeholder opening post is never cited: its node says what it is.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Mapping
from textwrap import shorten
from typing import Any

MAX_NODES = 40
MAX_POINTS = 300
NODE_W, NODE_H, GAP_X, GAP_Y = 120, 26, 12, 44
LABEL_CHARS = 18  # the first words of a post that fit in a box at 11px
SCATTER_SIZE = 320
GROUP_COLOURS = ["#2d5bd3", "#d3562d", "#2f9e6e", "#9b4dca", "#c9a227"]
EDGE_COLOURS = {"attack": "#c0392b", "support": "#27ae60", "neutral": "#9aa0a6"}
STATUS_OUTLINE = {"crux": "#d35400", "common ground": "#1e7a4a", "open": "#a52a2a"}
PLACEHOLDER_LABEL = "Opening post (not in the import)"


def first_words(text: str, limit: int = LABEL_CHARS) -> str:
    """The first words of `text` that fit in `limit` characters, with … if cut."""
    words = text.split()
    label = ""
    for word in words:
        candidate = f"{label} {word}".strip()
        if len(candidate) > limit:
            break
        label = candidate
    if not label and words:
        label = words[0][: limit - 1]
    return label + (" …" if len(" ".join(words)) > len(label) else "")


def strength_fill(sigma: float | None) -> str:
    """Pale for weak claims, deep blue for strong ones (σ from DF-QuAD, 0..1)."""
    if sigma is None:
        return "#f1f3f4"
    sigma = min(1.0, max(0.0, sigma))
    light = (241, 243, 244)
    deep = (45, 91, 211)
    r, g, b = (round(a + (z - a) * sigma) for a, z in zip(light, deep, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _select_nodes(map_json: Mapping[str, Any], root: int) -> tuple[list[int], dict[int, int]]:
    """Up to MAX_NODES posts forming a subtree of the reply tree that contains the root."""
    children: dict[int, list[tuple[int, str]]] = {}
    for edge in map_json.get("edges", []):
        children.setdefault(edge["target"], []).append((edge["source"], edge["kind"]))
    marked = {c["post"] for c in map_json.get("cruxes", [])[:5]}
    marked |= {c["post"] for c in map_json.get("consensus", [])[:5]}
    marked |= {o["post"] for o in map_json.get("open", [])[:10]}
    strength = map_json.get("strength", {})

    def priority(post: int, kind: str) -> tuple:
        # Lower sorts first: marked posts, then typed replies, then strong posts.
        sigma = strength.get(str(post), 0.5)
        return (post not in marked, kind == "neutral", -abs(sigma - 0.5), post)

    chosen, parent_of = [root], {}
    frontier = [(priority(c, k), c, root) for c, k in children.get(root, [])]
    heapq.heapify(frontier)
    while frontier and len(chosen) < MAX_NODES:
        _, post, parent = heapq.heappop(frontier)
        chosen.append(post)
        parent_of[post] = parent
        for child, kind in children.get(post, []):
            heapq.heappush(frontier, (priority(child, kind), child, post))
    return chosen, parent_of


def _statuses(map_json: Mapping[str, Any]) -> dict[int, str]:
    """One status per post — the map never gives a post two that contradict."""
    status: dict[int, str] = {}
    for item in map_json.get("open", []):
        status[item["post"]] = "open"
    for item in map_json.get("consensus", []):
        status[item["post"]] = "common ground"
    for item in map_json.get("cruxes", []):
        status[item["post"]] = "crux"
    return status


def argument_map_layout(map_json: Mapping[str, Any], root: int) -> dict[str, Any]:
    chosen, parent_of = _select_nodes(map_json, root)
    kids: dict[int, list[int]] = {post: [] for post in chosen}
    for post, parent in parent_of.items():
        kids[parent].append(post)
    for siblings in kids.values():
        siblings.sort()
    x: dict[int, float] = {}
    depth: dict[int, int] = {root: 0}
    next_leaf = 0

    # Tidy tree: leaves side by side in reading order, parents centred over children.
    stack: list[tuple[int, bool]] = [(root, False)]
    while stack:
        post, done = stack.pop()
        if done:
            if kids[post]:
                x[post] = (x[kids[post][0]] + x[kids[post][-1]]) / 2
            else:
                x[post] = next_leaf * (NODE_W + GAP_X)
                next_leaf += 1
            continue
        stack.append((post, True))
        for child in reversed(kids[post]):
            depth[child] = depth[post] + 1
            stack.append((child, False))

    strength = map_json.get("strength", {})
    kinds = {(e["source"], e["target"]): e["kind"] for e in map_json.get("edges", [])}
    status = _statuses(map_json)
    nodes = [
        {
            "post": post,
            "x": round(x[post] + 4, 1),
            "y": depth[post] * (NODE_H + GAP_Y) + 4,
            "cx": round(x[post] + 4 + NODE_W / 2, 1),
            "fill": strength_fill(strength.get(str(post))),
            "strength": strength.get(str(post)),
            "status": status.get(post, ""),
            "outline": STATUS_OUTLINE.get(status.get(post, ""), "#5f6570"),
        }
        for post in chosen
    ]
    centre = {n["post"]: n for n in nodes}
    edges = [
        {
            "x1": centre[post]["cx"],
            "y1": centre[post]["y"],
            "x2": centre[parent]["cx"],
            "y2": centre[parent]["y"] + NODE_H,
            "kind": kinds.get((post, parent), "neutral"),
            "colour": EDGE_COLOURS[kinds.get((post, parent), "neutral")],
        }
        for post, parent in parent_of.items()
    ]
    width = max(next_leaf, 1) * (NODE_W + GAP_X) + 8
    height = (max(depth.values()) + 1) * (NODE_H + GAP_Y) + 8
    total = len({e["source"] for e in map_json.get("edges", [])}) + 1
    return {
        "nodes": nodes,
        "edges": edges,
        "width": width,
        "height": height,
        "node_w": NODE_W,
        "node_h": NODE_H,
        "shown": len(nodes),
        "total": total,
    }


def scatter_layout(map_json: Mapping[str, Any]) -> dict[str, Any]:
    points = map_json.get("points", [])
    step = max(1, -(-len(points) // MAX_POINTS))  # ceil division: even thinning
    shown = points[::step]
    if not shown:
        return {
            "points": [],
            "size": SCATTER_SIZE,
            "shown": 0,
            "total": 0,
            "legend": [],
            "ungrouped": 0,
        }
    xs = [p["x"] for p in shown]
    ys = [p["y"] for p in shown]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    pad = 12
    scale = (SCATTER_SIZE - 2 * pad) / span
    groups = [g["id"] for g in map_json.get("groups", [])]
    colour = {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(groups)}
    return {
        "points": [
            {
                "participant": p["participant"],
                "cx": round(pad + (p["x"] - min(xs)) * scale, 1),
                "cy": round(pad + (p["y"] - min(ys)) * scale, 1),
                "group": p["group"],
                "colour": colour.get(p["group"], "#9aa0a6"),
            }
            for p in shown
        ],
        "size": SCATTER_SIZE,
        # Axes through the centre of the cloud (the mean participant).
        "axis_x": round(pad + (sum(xs) / len(xs) - min(xs)) * scale, 1),
        "axis_y": round(pad + (sum(ys) / len(ys) - min(ys)) * scale, 1),
        "shown": len(shown),
        "total": len(points),
        "legend": [
            {
                "group": g["id"],
                "size": g["size"],
                "colour": colour[g["id"]],
                "stability": _percent(g.get("stability")),
            }
            for g in map_json.get("groups", [])
        ],
        "ungrouped": sum(1 for p in points if p["group"] is None),
    }


OPEN_LABELS = {
    "unanswered_question": "Unanswered question",
    "unanswered_rebuttal": "Unanswered objection",
    "unanswered_claim": "Claim nobody has replied to",
}
MARKERS = {
    "unanswered_question": "open question",
    "unanswered_rebuttal": "open objection",
    "unanswered_claim": "no reply yet",
}
MAX_LISTED = 5
MAX_OPEN = 10


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def _cited_posts(map_json: Mapping[str, Any], summary_json: Mapping[str, Any]) -> set[int]:
    cited = {c["post"] for c in map_json["cruxes"]} | {c["post"] for c in map_json["consensus"]}
    cited |= {o["post"] for o in map_json["open"][:MAX_OPEN]}
    cited |= {r["post"] for g in map_json["groups"] for r in g["representative"]}
    extracts = [*summary_json.get("brief", []), *summary_json.get("common_ground", [])]
    extracts += summary_json.get("open", [])
    extracts += [e for g in summary_json.get("groups", []) for e in g["sentences"]]
    for crux in summary_json.get("cruxes", []):
        extracts += [e for e in (crux["support"], crux["rebuttal"]) if e]
        cited.add(crux["post"])
    return cited | {e["post"] for e in extracts}


def _map_notes(map_json: Mapping[str, Any]) -> dict[str, str]:
    """Plain sentences for what the map cannot show yet, instead of empty sections."""
    params = map_json.get("algorithm", {}).get("params", {})
    need_people = params.get("min_group_participants", 4)
    need_support = params.get("min_supporters", 3)
    people = map_json["participants"]
    groups = len(map_json["groups"])
    notes: dict[str, str] = {}
    if people == 0:
        notes["groups"] = (
            "Nobody has taken a stance yet: agree or disagree with a post, or reply "
            "with a rebuttal or a support, and the map starts."
        )
    elif people < need_people:
        verb = "person has" if people == 1 else "people have"
        notes["groups"] = (
            f"{people} {verb} taken a stance; opinion groups need {need_people}, "
            "so there are no groups, cruxes or bridging scores yet."
        )
    elif groups < 2:
        notes["groups"] = "One opinion group: " + (
            map_json.get("single_group_reason") or "the votes show no division."
        )
    if groups < 2:
        notes["cruxes"] = "Cruxes are what divides opinion groups; with one group there are none."
    elif not map_json["cruxes"]:
        notes["cruxes"] = "No claim divides the groups yet."
    if not map_json["consensus"]:
        notes["consensus"] = (
            f"Common ground needs at least {need_support} people besides the author "
            "agreeing with a post"
            + (" and a majority in every group" if groups > 1 else "")
            + "; no post has that yet."
        )
    if not map_json["open"]:
        notes["open"] = "Every objection and question has a reply from someone else."
    return notes


def _post_meta(
    posts: Iterable[tuple], wanted: set[int]
) -> tuple[dict[int, dict[str, str]], set[int]]:
    """Author, excerpt and label of each wanted post, and the ids of the placeholders
    (`posts` yields (id, author, plain text, removed[, placeholder]))."""
    meta: dict[int, dict[str, str]] = {}
    placeholders: set[int] = set()
    for post_id, author, text, removed, *rest in posts:
        if rest and rest[0]:
            placeholders.add(post_id)
        if post_id not in wanted:
            continue
        if post_id in placeholders:
            meta[post_id] = {"author": "", "excerpt": "", "label": PLACEHOLDER_LABEL}
        elif removed:
            meta[post_id] = {"author": author, "excerpt": "[removed]", "label": "[removed]"}
        else:
            meta[post_id] = {
                "author": author,
                "excerpt": shorten(text, 160, placeholder=" …"),
                "label": first_words(text) or "(no text)",
            }
    return meta, placeholders


class _Citations:
    """Items of the map and summary that point at a post, with that post's author and
    excerpt added; a placeholder is never cited."""

    def __init__(self, meta: dict[int, dict[str, str]], placeholders: set[int]) -> None:
        self.meta = meta
        self.placeholders = placeholders

    def citable(self, item: Mapping[str, Any]) -> bool:
        return item["post"] not in self.placeholders

    def cite(self, item: Mapping[str, Any]) -> dict[str, Any]:
        cited = {**item, **self.meta.get(item["post"], {"author": "", "excerpt": ""})}
        if "kind" in item:
            cited["label"] = OPEN_LABELS.get(item["kind"], "Open")
        return cited

    def cite_all(self, items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [self.cite(item) for item in items if self.citable(item)]

    def cite_shares(
        self, items: Iterable[Mapping[str, Any]], shares: Iterable[float | None]
    ) -> list[dict[str, Any]]:
        """The citable items with their agreement shares as percentages."""
        return [
            {**self.cite(item), "agree": _percent(share)}
            for item, share in zip(items, shares, strict=False)
            if self.citable(item)
        ]


def _groups(
    map_json: Mapping[str, Any], summary_json: Mapping[str, Any], cites: _Citations
) -> list[dict[str, Any]]:
    """The opinion groups: size, share, colour, representative posts, summary lines."""
    participants = map_json["participants"]
    camps = {
        camp["group"]: cites.cite_shares(camp["sentences"], camp["agree_shares"])
        for camp in summary_json.get("groups", [])
    }
    return [
        {
            "id": group["id"],
            "size": group["size"],
            "share": _percent(group["size"] / max(1, participants)),
            "stability": _percent(group.get("stability")),
            "colour": GROUP_COLOURS[number % len(GROUP_COLOURS)],
            "representative": cites.cite_shares(
                group["representative"], [rep["agree_share"] for rep in group["representative"]]
            ),
            "sentences": camps.get(group["id"], []),
        }
        for number, group in enumerate(map_json["groups"])
    ]


def _cruxes(
    map_json: Mapping[str, Any],
    summary_json: Mapping[str, Any],
    cites: _Citations,
    colour: Mapping[int, str],
) -> list[dict[str, Any]]:
    """The first cruxes, each with the summary's words on it (its best support and
    rebuttal) and per-group agreement bars."""

    def cited_side(side: Mapping[str, Any] | None) -> Mapping[str, Any] | bool | None:
        return side and cites.citable(side) and cites.cite(side)

    told = {c["post"]: c for c in summary_json.get("cruxes", [])}
    cruxes = []
    for crux in [c for c in map_json["cruxes"] if cites.citable(c)][:MAX_LISTED]:
        summary = told.get(crux["post"], {})
        cited = cites.cite(crux)
        cruxes.append(
            {
                **cited,
                "text": summary.get("text") or cited["excerpt"],
                "support": cited_side(summary.get("support")),
                "rebuttal": cited_side(summary.get("rebuttal")),
                # Per-group agreement bars: the share of each group's members who took a
                # side on the post and agreed.
                "by_group": [
                    {"group": g, "agree": _percent(share), "colour": colour.get(g, "#9aa0a6")}
                    for g, share in crux["by_group"].items()
                ],
            }
        )
    return cruxes


def _markers(
    cruxes: list[dict], consensus: list[dict], open_items: list[dict], valued: list[dict]
) -> str:
    """The thread page's badges, as JSON: post id -> what the panel says of the post, in
    the panel's order (crux, common ground, the open item's kind, valued across groups)."""
    badged = [(item, "crux") for item in cruxes]
    badged += [(item, "common ground") for item in consensus]
    badged += [(item, MARKERS.get(item["kind"], "open")) for item in open_items]
    badged += [(item, "valued across groups") for item in valued]
    markers: dict[str, list[str]] = {}
    for item, badge in badged:
        markers.setdefault(str(item["post"]), []).append(badge)
    return json.dumps(markers, separators=(",", ":"))


def panel_data(
    map_json: Mapping[str, Any],
    summary_json: Mapping[str, Any],
    *,
    root: int,
    posts: Iterable[tuple],
) -> dict[str, Any]:
    """Everything the panel shows, as JSON-ready data. `posts` yields (id, author,
    plain text, removed[, placeholder]) for the thread's posts; only the cited ones
    are kept. A placeholder (the importer's stand-in opening post) is never cited.

    Steps: lay out the argument map → the cited posts' authors and excerpts → the
    groups → the cruxes → common ground, open items, posts valued across groups → the
    badges for the thread page."""
    argument_map = argument_map_layout(map_json, root)
    wanted = _cited_posts(map_json, summary_json) | {n["post"] for n in argument_map["nodes"]}
    meta, placeholders = _post_meta(posts, wanted)
    cites = _Citations(meta, placeholders)
    groups = _groups(map_json, summary_json, cites)
    cruxes = _cruxes(map_json, summary_json, cites, {g["id"]: g["colour"] for g in groups})
    consensus = [
        {**cites.cite(c), "supporters": len(c.get("supporters", ()))}
        for c in map_json["consensus"][:MAX_LISTED]
        if cites.citable(c)
    ]
    bridging = map_json.get("bridging", [])
    valued = [b for b in bridging if b["valued_across_groups"] and cites.citable(b)]
    # The opening post is what the debate is about, not an objection to anything.
    open_marked = [i for i in map_json["open"] if i["post"] != root and cites.citable(i)]
    evidence = map_json.get("evidence", {})
    return {
        "participants": map_json["participants"],
        "single_group_reason": map_json.get("single_group_reason"),
        "notes": _map_notes(map_json),
        "evidence": {
            "stated": evidence.get("stated_stances", 0),
            "implied": evidence.get("implied_stances", 0),
            "clustered": evidence.get("participants_clustered", 0),
        },
        "summary_status": summary_json.get("status"),
        "summary_reason": summary_json.get("reason"),
        "brief": cites.cite_all(summary_json.get("brief", [])),
        "groups": groups,
        "cruxes": cruxes,
        "common_ground": cites.cite_all(summary_json.get("common_ground", [])),
        "consensus": consensus,
        "open": cites.cite_all(summary_json.get("open", []))
        or cites.cite_all(map_json["open"][:MAX_OPEN]),
        "valued": [cites.cite(b) for b in valued[:MAX_LISTED]],
        # For the thread page's "Bridging" sort (only present with 2+ groups).
        "bridging_scores": {str(b["post"]): b["score"] for b in bridging if cites.citable(b)},
        "argument_map": {
            **argument_map,
            "nodes": [{**node, **meta.get(node["post"], {})} for node in argument_map["nodes"]],
        },
        "scatter": scatter_layout(map_json),
        "markers_json": _markers(cruxes, consensus, open_marked, valued[:MAX_LISTED]),
    }
