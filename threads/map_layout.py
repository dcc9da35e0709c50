"""Geometry for the map panel's two SVG pictures, computed once per analysis run.

The worker stores the result beside the map, so rendering the panel is a loop over
ready coordinates. Pure functions over the map's JSON; no Django.

- The argument map is a tidy tree of at most MAX_NODES posts grown from the opening
  post, preferring typed replies (attack/support) and the posts the lists point at
  (cruxes, common ground, open objections), so a 5,000-post thread stays legible.
- The scatter shows each participant's 2-D opinion position coloured by group,
  thinned evenly past MAX_POINTS so the page stays light.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import Any

MAX_NODES = 40
MAX_POINTS = 600
NODE_W, NODE_H, GAP_X, GAP_Y = 34, 24, 16, 56
SCATTER_SIZE = 320
GROUP_COLOURS = ["#2d5bd3", "#d3562d", "#2f9e6e", "#9b4dca", "#c9a227"]
EDGE_COLOURS = {"attack": "#c0392b", "support": "#27ae60", "neutral": "#9aa0a6"}


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
    nodes = [
        {
            "post": post,
            "x": round(x[post] + 4, 1),
            "y": depth[post] * (NODE_H + GAP_Y) + 4,
            "cx": round(x[post] + 4 + NODE_W / 2, 1),
            "fill": strength_fill(strength.get(str(post))),
            "strength": strength.get(str(post)),
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
        return {"points": [], "size": SCATTER_SIZE, "shown": 0, "total": 0, "legend": []}
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
        "shown": len(shown),
        "total": len(points),
        "legend": [
            {"group": g["id"], "size": g["size"], "colour": colour[g["id"]]}
            for g in map_json.get("groups", [])
        ],
    }
