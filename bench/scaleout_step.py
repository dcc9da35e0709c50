"""Scale-out (issue 16 item 4; bench/bench_scaleout.py's measure(), in a fresh process):
two gunicorn instances behind HAProxy, two Celery workers, one beat, one PostgreSQL and
one Redis (the bench's), under a mixed load on the bench's 5,000-post thread."""

from __future__ import annotations

from bench.config import SCALEOUT_CLIENTS, SCALEOUT_SECONDS, run_json
from bench.report import log

HEADING = "Scale-out (issue 16 item 4; bench/bench_scaleout.py)"
MEASURE = """
import json, sys
from bench import bench_scaleout
print(json.dumps(bench_scaleout.measure(
    thread_id=int(sys.argv[1]), seconds=float(sys.argv[2]), clients=int(sys.argv[3]),
    log=lambda message: print(message, file=sys.stderr),
)))
"""


class ScaleoutStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def scaleout(self) -> None:
        seconds, clients = min(SCALEOUT_SECONDS, self.args.scale_seconds), SCALEOUT_CLIENTS
        self.report.describe(
            f"{clients} logged-in clients, each 75 % reads of the participant's page of the "
            f"5,000-post thread, 15 % replies, 10 % votes (CSRF token from the page), "
            f"{seconds:.0f} s against one instance (gunicorn, 2 sync workers) directly, then "
            f"{seconds:.0f} s against HAProxy (Debian package, round robin) in front of two; "
            "two Celery workers (`--concurrency=1`) and one beat (sweep every 5 s) on the "
            "bench's Redis DB, all on this machine's 2 cores, shared with other agents. The "
            "load generator runs on the same cores."
        )
        args = (str(self.threads[self.big]), str(seconds), str(clients))
        result = run_json(self.static_root, MEASURE, *args, timeout=int(2 * seconds) + 420)
        area = "scale-out"
        for label, name in (("one", "one instance"), ("two", "two instances behind HAProxy")):
            run = result[label]
            spread = ""
            if "instance_cpu_s" in run:  # both instances served (round robin)
                cpu = " / ".join(f"{s:.0f}" for s in run["instance_cpu_s"])
                spread = f"; worker CPU per instance {cpu} s"
            self.report.add(
                area,
                f"mixed load, {name}: operations/s (reads, replies, votes, errors)",
                f"{run['ops_per_s']:.1f} ops/s ({run['reads']} reads, {run['replies']} "
                f"replies, {run['votes']} votes, {run['errors']} errors in {run['seconds']:.0f} s)"
                + spread,
                "0 errors",
                run["errors"] == 0,
            )
        self.report.add(
            area,
            "throughput, two instances / one",
            f"{result['ratio']:.2f}× (load average {result['load_during']:.1f} on "
            f"{result['cpus']} cores at the end)",
            "≈ 2× where the cores allow",
            result["ratio"] >= 1.8,
        )
        replies = result["one"]["replies"] + result["two"]["replies"]
        self.report.add(
            area,
            "lost writes, vote counters against their rows",
            "; ".join(result["problems"])
            or f"0 lost of {replies} replies answered 302; every upvote counter equals its rows",
            "0 lost, exact counters",
            not result["problems"],
        )
        sessions = result["sessions"]
        self.report.add(
            area,
            "one session, asked of each instance directly",
            ", ".join(
                f"{'valid' if ok else 'NOT valid'} on :{port}" for port, ok in sessions.items()
            ),
            "valid on both",
            len(sessions) == 2 and all(sessions.values()),
        )
        runs = result["analysis"]
        repeated = runs["repeated_versions"]
        fresh = result["fresh_after_s"]
        self.report.add(
            area,
            "analysis of the thread with two workers: runs per data version",
            f"{runs['runs']} runs for {runs['data_versions']} data versions (writes); "
            f"{len(repeated)} versions analysed twice"
            + (f" ({repeated[:5]})" if repeated else "")
            + (f"; current {fresh:.1f} s after the load" if fresh is not None else "; NOT current"),
            "once per data version",
            not repeated and runs["runs"] > 0,
        )
        beat = result["beat"]
        expected = beat["seconds"] / beat["period"]
        self.report.add(
            area,
            f"beat: sweeps sent / received by the workers in {beat['seconds']:.0f} s "
            f"(one beat sends one per {beat['period']} s)",
            f"{beat['sent']} / {beat['received']} (one beat: ≈ {expected:.0f})",
            "exactly one beat",
            beat["running"]
            and beat["sent"] == beat["received"]
            and 0.5 * expected <= beat["sent"] <= expected + 1.5,
        )
        self.report.add(
            area, "Celery workers answering `inspect ping`", str(result["workers"]), "2",
            result["workers"] == 2,
        )  # fmt: skip
        log(f"  scale-out logs (gunicorn, HAProxy, workers, beat): {result['logs']}")
