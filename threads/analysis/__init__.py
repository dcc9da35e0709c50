"""Pure analysis of a debate thread: disagreement map and cited summaries.

Nothing here imports Django: the worker builds a `ThreadSnapshot`, calls
`analyze_thread` and `summarize_thread`, and stores their `.to_json()`.
"""

from .scores import controversy, wilson_lower_bound
from .snapshot import DEFAULT_PARAMS, AnalysisParams, PostInput, ThreadSnapshot
from .summaries import (
    DEFAULT_SUMMARY_PARAMS,
    CampSummary,
    CruxSummary,
    Extract,
    GroupChange,
    MapChanges,
    OpenSummary,
    SummaryParams,
    ThreadSummary,
    summarize_thread,
    summary_changes,
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
