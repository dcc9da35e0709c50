"""The rating queue of issue 13 (bench/bench_queue.py's public functions, each in a fresh
process with a bound on its time): the simulation of queue against random order, the
timing of next.json on a 5,000-post thread with 400 participants, and a demo debate's
map before and after a few simulated raters."""

from __future__ import annotations

import statistics

from bench.config import run_json

HEADING = "Rating queue (issue 13; bench/bench_queue.py)"
SEEDS = 6
BUDGET_ARI = 0.9
BUDGET_NEXT_MS = 20
BUDGET_NEXT_QUERIES = 4
# The queue's people are fresh accounts, as in the tests: the trust rule (verified
# email, account age, a post) would leave every one of them out of the map.
TRUST_EVERYONE = {
    "CRUX_EMAIL_VERIFICATION": "0",
    "CRUX_TRUSTED_MIN_ACCOUNT_DAYS": "0",
    "CRUX_TRUSTED_MIN_POSTS": "0",
}
CALL = """
import json, sys
from bench import bench_queue
print(json.dumps(bench_queue.{call}, default=str))
"""


class QueueStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def queue(self) -> None:
        self.report.describe(
            "Simulation (pure, no database): 3 planted camps, 150 people, 120 posts; each "
            "person rates 10 posts, one per round, the map and the queue recomputed between "
            "rounds, through the queue (threads.analysis.queue, next.json's code) or in "
            "random order; ARI of the map's groups against the camps, same seeds, same run. "
            "next.json: Django's test client (middleware, session, auth), bench settings "
            "(PostgreSQL, Redis cache), a participant who rated 40 posts. The demo: an "
            "imported demo debate, 16 simulated raters in two planted camps answering "
            "through next.json's code and the real services. The queue's processes count "
            "every account (trust rule off), as the tests do."
        )
        self.queue_simulation()
        self.queue_next_json()
        self.queue_demo()

    def queue_simulation(self) -> None:
        rows = run_json(
            self.static_root, CALL.format(call=f"simulation_table(range({SEEDS}))"), timeout=600
        )
        shapes: dict[str, list[dict]] = {}
        for row in rows:
            shapes.setdefault(str(row.get("shape", "")), []).append(row)
        for shape, chosen in shapes.items():
            named = f" ({shape})" if shape else ""
            for row in chosen:
                q, r = row["queue"], row["random"]
                self.report.add(
                    "queue simulation",
                    f"seed {row['seed']}{named}: ARI through the queue / in random order",
                    f"{q['ari']:.3f} ({_groups(q['groups'])}) / {r['ari']:.3f} "
                    f"({_groups(r['groups'])})",
                )
            queue = statistics.mean(row["queue"]["ari"] for row in chosen)
            random = statistics.mean(row["random"]["ari"] for row in chosen)
            above = sum(row["queue"]["ari"] >= BUDGET_ARI for row in chosen)
            self.report.add(
                "queue simulation",
                f"mean of {len(chosen)} seeds{named}: ARI through the queue",
                f"{queue:.3f} ({above} of {len(chosen)} seeds ≥ {BUDGET_ARI})",
                f"≥ {BUDGET_ARI}",
                queue >= BUDGET_ARI,
            )
            self.report.add(
                "queue simulation",
                f"mean of {len(chosen)} seeds{named}: ARI in random order, same budget",
                f"{random:.3f}",
                "about 0.2 (issue 13's baseline)",
            )

    def queue_next_json(self) -> None:
        result = run_json(
            self.static_root, CALL.format(call="bench_next_json()"), timeout=600,
            env=TRUST_EVERYONE,
        )  # fmt: skip
        self.report.add(
            "next.json",
            f"GET next.json, {result['posts']:,}-post thread, {result['people']} participants "
            f"({result['engine']}): median / p90 / worst; SQL queries",
            f"{result['median_ms']:.1f} / {result['p90_ms']:.1f} / {result['max_ms']:.1f} ms; "
            f"{result['queries']} queries",
            f"median ≤ {BUDGET_NEXT_MS} ms, ≤ {BUDGET_NEXT_QUERIES} queries",
            result["median_ms"] <= BUDGET_NEXT_MS and result["queries"] <= BUDGET_NEXT_QUERIES,
        )

    def queue_demo(self) -> None:
        result = run_json(
            self.static_root, CALL.format(call="demo_before_after()"), timeout=600,
            env=TRUST_EVERYONE,
        )  # fmt: skip
        for when in ("before", "after"):
            brief = result[when]
            groups = brief.get("groups") or []
            sizes = " and ".join(str(size) for _, size in groups) or "none"
            why = brief.get("single_group_reason") or ""
            why = why if len(why) <= 120 else why[:119] + "…"
            self.report.add(
                "queue demo",
                f"demo debate (motte-ai-scientist), {when} 16 simulated raters: map",
                f"{_groups(len(groups))} of {sizes}; {brief.get('clustered_participants')} of "
                f"{brief.get('participants')} participants clustered; "
                f"{len(brief.get('cruxes') or [])} cruxes; {brief.get('stated_stances')} stated "
                f"/ {brief.get('implied_stances')} implied stances" + (f" ({why})" if why else ""),
            )
        self.report.add(
            "queue demo",
            "the raters' groups after, against their planted camps (ARI)",
            f"{float(result['raters_ari']):.3f}",
        )


def _groups(count: int) -> str:
    return f"{count} group{'' if count == 1 else 's'}"
