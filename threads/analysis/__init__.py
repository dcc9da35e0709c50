"""Pure analysis of a debate thread: the disagreement map and its cited summaries.

Nothing here imports Django. A worker builds a `ThreadSnapshot` (posts plus agreement
votes as numpy arrays), then:

    thread_map = analyze_thread(snapshot)           # groups, cruxes, consensus, strength…
    summary = summarize_thread(snapshot, thread_map)
    store(thread_map.to_json(), summary.to_json())  # plain JSON-ready dicts

`summarize_thread` takes the `ThreadMap` dataclass rather than its JSON, because camp
summaries use each group's most-agreed posts, which the map keeps in memory but does
not serialise; run both in the same task. `summary_changes(old_json, new_json)` works
on stored map JSON, for "what changed since your last visit".

Same input, same output: every random choice is seeded (`AnalysisParams.seed`), and
the JSON differs between runs only in `timings`.
"""

from importlib import import_module

# Names are imported on first use (PEP 562): a web process that only needs a score
# function or the map-change comparison does not load scikit-learn and SciPy.
_HOMES = {
    "controversy": "scores",
    "wilson_lower_bound": "scores",
    "DEFAULT_PARAMS": "snapshot",
    "AnalysisParams": "snapshot",
    "PostInput": "snapshot",
    "ThreadSnapshot": "snapshot",
    "DEFAULT_SUMMARY_PARAMS": "summaries",
    "CampSummary": "summaries",
    "CruxSummary": "summaries",
    "Extract": "summaries",
    "OpenSummary": "summaries",
    "SummaryParams": "summaries",
    "ThreadSummary": "summaries",
    "summarize_thread": "summaries",
    "GroupChange": "changes",
    "MapChanges": "changes",
    "summary_changes": "changes",
    "ALGORITHM_VERSION": "thread_map",
    "ConsensusPost": "thread_map",
    "Crux": "thread_map",
    "Edge": "thread_map",
    "Group": "thread_map",
    "OpenItem": "thread_map",
    "ParticipantPoint": "thread_map",
    "RepresentativePost": "thread_map",
    "ThreadMap": "thread_map",
    "analyze_thread": "thread_map",
}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "ALGORITHM_VERSION",
    "DEFAULT_PARAMS",
    "DEFAULT_SUMMARY_PARAMS",
    "AnalysisParams",
    "CampSummary",
    "ConsensusPost",
    "Crux",
    "CruxSummary",
    "Edge",
    "Extract",
    "Group",
    "GroupChange",
    "MapChanges",
    "OpenItem",
    "OpenSummary",
    "ParticipantPoint",
    "PostInput",
    "RepresentativePost",
    "SummaryParams",
    "ThreadMap",
    "ThreadSnapshot",
    "ThreadSummary",
    "analyze_thread",
    "controversy",
    "summarize_thread",
    "summary_changes",
    "wilson_lower_bound",
]
