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

The package itself re-exports nothing: web processes import its light modules
(`snapshot`, `scores`, `changes`) and must not load scikit-learn, which `thread_map`
and `summaries` do; import each name from its module.

Same input, same output: every random choice is seeded (`AnalysisParams.seed`), and
the JSON differs between runs only in `timings`.
"""
