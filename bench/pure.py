"""Step 9: the pure analysis benchmarks of bench/bench_analysis.py, in a fresh process."""

from __future__ import annotations

import json

from bench.config import run_python

PURE_ANALYSIS_ROWS = """
import json
from bench import bench_analysis
print(json.dumps(bench_analysis.run()))
"""


class PureStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def pure(self) -> None:
        """bench/bench_analysis.py's rows, from a fresh small process (its children's
        memory figures include their parent's high-water mark; see analysis_process_rss)."""
        done = run_python(self.static_root, PURE_ANALYSIS_ROWS)
        if done.returncode != 0:
            raise RuntimeError(f"bench_analysis.run() failed:\n{done.stderr[-2000:]}")
        for row in json.loads(done.stdout.strip().splitlines()[-1]):
            self.report.add(
                "analysis (pure, bench_analysis.py)",
                row["benchmark"],
                f"{row['seconds']:.3f} s (best of 3), {row['mib']:.0f} MiB {row['memory']}",
                f"≤ {row['budget_seconds']} s, ≤ {row['budget_mib']} MiB",
                bool(row["ok"]),
            )
