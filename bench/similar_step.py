"""Similar arguments (issue 19; bench/bench_similar.py's run(), in a fresh process): the
finder on a 5,000-post index, recall on the labelled paraphrase set, and similar.json on
the bench's own 5,000-post thread."""

from __future__ import annotations

from bench.config import run_json

HEADING = "Similar arguments (issue 19; bench/bench_similar.py)"
RUN = """
import json, sys
from bench import bench_similar
print(json.dumps(bench_similar.run(thread_id=int(sys.argv[1]))))
"""


class SimilarStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def similar(self) -> None:
        self.report.describe(
            "The finder (threads.analysis.similar) on the words of a 5,000-post synthetic "
            "thread; recall on tests/data/paraphrases.json against the demo debates' posts "
            "(and the 5,000 synthetic ones), beside plain TF-IDF unigrams; similar.json "
            "through Django's test client on the bench's 5,000-post thread."
        )
        rows = run_json(self.static_root, RUN, str(self.threads[self.big]), timeout=420)
        for row in rows:
            name = row["benchmark"]
            if "recall@1" in row:
                self.report.add(
                    "similar",
                    name + ": recall@1 / recall@3 (plain TF-IDF recall@3)",
                    f"{row['recall@1']:.2f} / {row['recall@3']:.2f} "
                    f"({row['baseline_recall@3']:.2f})",
                )
            elif "build_seconds" in row:
                self.report.add(
                    "similar",
                    name + ": p50 / p99 of 200 queries; index build, size",
                    f"{row['p50_ms']:.2f} / {row['p99_ms']:.2f} ms; {row['build_seconds']:.2f} "
                    f"s, {row['index_mib']:.1f} MiB",
                    f"p99 ≤ {row['budget_ms']:.0f} ms",
                    bool(row["ok"]),
                )
            else:
                self.report.add(
                    "similar",
                    name + ": first (builds the index) / p50 / p99 of 100",
                    f"{row['first_ms']} / {row['p50_ms']} / {row['p99_ms']} ms",
                    f"p99 ≤ {row['budget_ms']:.0f} ms",
                    bool(row["ok"]),
                )
