"""The stored shape of a map: what the Django side and the templates rely on."""

import json

import numpy as np

from threads.analysis.snapshot import PostInput, ThreadSnapshot
from threads.analysis.thread_map import ALGORITHM_VERSION, analyze_thread


def small_debate():
    posts = (
        PostInput(1, None, "op", "claim", "Models will pursue goals.", created=1.0),
        PostInput(2, 1, "critic", "rebuttal", "They only predict text.", created=2.0),
        PostInput(3, 1, "fan", "support", "Agents are being built.", created=3.0),
        PostInput(4, 1, "asker", "question", "Which models?", created=4.0),
    )
    people = [f"p{i}" for i in range(10)]
    votes = [(i, 1, 1 if i < 5 else -1) for i in range(10)]
    votes += [(i, 2, -1 if i < 5 else 1) for i in range(10)]
    votes += [(i, 3, 1) for i in range(10)]
    return ThreadSnapshot(
        thread_id=9,
        root=1,
        posts=posts,
        participants=tuple(people),
        vote_participant=np.array([w for w, _, _ in votes]),
        vote_post=np.array([p for _, p, _ in votes]),
        vote_value=np.array([v for _, _, v in votes]),
    )


def test_map_json_has_exactly_the_documented_keys():
    data = analyze_thread(small_debate()).to_json()
    assert set(data) == {
        "participants",
        "groups",
        "points",
        "cruxes",
        "consensus",
        "strength",
        "open",
        "timings",
        "algorithm",
        "counts",
        "single_group_reason",
        "edges",
        "bridging",
        "evidence",
    }
    assert data["groups"] and set(data["groups"][0]) == {
        "id",
        "size",
        "stability",
        "members",
        "representative",
    }
    assert set(data["groups"][0]["representative"][0]) == {"post", "direction", "agree_share"}
    assert set(data["points"][0]) == {"participant", "x", "y", "group"}
    assert data["cruxes"] and set(data["cruxes"][0]) == {"post", "score", "double", "by_group"}
    assert data["consensus"] and set(data["consensus"][0]) == {"post", "score", "supporters"}
    assert set(data["open"][0]) == {"post", "kind"}
    assert set(data["edges"][0]) == {"source", "target", "kind"}
    assert set(data["algorithm"]) == {"version", "params"}
    assert data["algorithm"]["version"] == ALGORITHM_VERSION
    assert data["algorithm"]["params"]["min_stances"] == 7
    assert {"participants", "posts", "votes"} <= set(data["counts"])


def test_map_json_types_ids_and_rounding():
    data = analyze_thread(small_debate()).to_json()
    assert json.loads(json.dumps(data)) == data  # plain JSON, nothing numpy left
    assert [g["id"] for g in data["groups"]] == ["A", "B"][: len(data["groups"])]
    assert set(data["strength"]) == {"1", "2", "3", "4"}
    assert data["participants"] == 14
    assert data["counts"]["votes"] == 30 and isinstance(data["counts"]["votes"], int)
    assert data["edges"] == [
        {"source": 2, "target": 1, "kind": "attack"},
        {"source": 3, "target": 1, "kind": "support"},
        {"source": 4, "target": 1, "kind": "neutral"},
    ]
    floats = [p["x"] for p in data["points"]] + [c["score"] for c in data["cruxes"]]
    floats += list(data["strength"].values()) + list(data["timings"].values())
    assert all(isinstance(x, float) and round(x, 4) == x for x in floats)
    for crux in data["cruxes"]:
        assert set(crux["by_group"]) <= {g["id"] for g in data["groups"]}
    assert data["open"] == [
        {"post": 2, "kind": "unanswered_rebuttal"},
        {"post": 4, "kind": "unanswered_question"},
    ]
    assert set(data["timings"]) >= {"stances", "groups", "cruxes", "strength", "total"}
