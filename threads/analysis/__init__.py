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

from .changes import GroupChange, MapChanges, summary_changes
from .scores import controversy, wilson_lower_bound
from .snapshot import DEFAULT_PARAMS, AnalysisParams, PostInput, ThreadSnapshot
from .summaries import (
    DEFAULT_SUMMARY_PARAMS,
    CampSummary,
    CruxSummary,
    Extract,
    OpenSummary,
    SummaryParams,
    ThreadSummary,
    summarize_thread,
)
from .thread_map import (
    ALGORITHM_VERSION,
    ConsensusPost,
    Crux,
    Edge,
    Group,
    OpenItem,
    ParticipantPoint,
    RepresentativePost,
    ThreadMap,
    analyze_thread,
)

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
