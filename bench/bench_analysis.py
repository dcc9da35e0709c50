"""Benchmark of threads.analysis on synthetic threads of production size.

    python bench/bench_analysis.py

(a) analyze_thread on 5,000 participants × 2,000 posts × 250,000 agreement votes, plus
    ~46,000 quality votes (one per person and post) for the bridging score: best of 3
    wall time, and the peak RSS of a fresh process that builds the input and runs it
    once. Budget: 0.3 s, 400 MiB.
(b) summarize_thread on a 5,000-post thread of about 25,000 sentences: best of 3, and
    how far the summary raises the peak RSS of a fresh process above what building the
    input took. Budget: 2 s, 300 MiB.

The data are synthetic and seeded: opinion camps in a latent 2-D space decide the
votes; text is drawn from a Zipf-distributed vocabulary with English stop words mixed
in, and a third of the replies open by quoting their parent, as forum replies do.
`run()` returns the table rows so `make bench` can collect them.
"""

from __future__ import annotations

import os

# One BLAS/OpenMP thread, as in the workers: more threads made k-means timings jitter
# tenfold on two cores. Must be set before numpy is imported.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from threads.analysis.snapshot import PostInput, ThreadSnapshot  # noqa: E402
from threads.analysis.summaries import summarize_thread  # noqa: E402
from threads.analysis.thread_map import analyze_thread  # noqa: E402

ROLES = ("claim", "rebuttal", "support", "question", "answer", "concession", "comment")
ROLE_WEIGHTS = (0.10, 0.30, 0.20, 0.10, 0.08, 0.07, 0.15)

QUALITY_PER_VOTE = 0.4
MAP_BUDGET_SECONDS = 0.3
MAP_BUDGET_MIB = 400
SUMMARY_BUDGET_SECONDS = 2.0
SUMMARY_BUDGET_EXTRA_MIB = 300


def _tree(rng: np.random.Generator, n_posts: int) -> np.ndarray:
    """Parent index per post; replies favour recent posts, as threads grow at the end."""
    parents = np.full(n_posts, -1, dtype=np.int64)
    for i in range(1, n_posts):
        parents[i] = i - 1 - min(int(rng.exponential(i / 8)), i - 1)
    return parents


def _vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    syllables = ["ka", "to", "ri", "me", "su", "lo", "an", "der", "ex", "po", "li", "con", "ta"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables, size=int(rng.integers(2, 5)))))
    shuffled = sorted(words)
    rng.shuffle(shuffled)
    return shuffled


STOP = (  # noqa: SIM905 - a sentence of stop words reads better than 38 quoted items
    "the of and to in that is it for as with was on be by this are not but have they "
    "from at or which an we you if will would can there their what about all so"
).split()


def _texts(rng: np.random.Generator, n_posts: int, sentences_per_post: int) -> list[list[str]]:
    """Sentences per post. Content words follow Zipf's law offset by 10 ranks, which
    puts the commonest content word in about a tenth of the sentences, as "ai" and
    "model" are in the sample debates (after English stop words are removed)."""
    vocabulary = np.array(_vocabulary(rng, 20_000) + STOP)
    n_content = 20_000
    weights = 1.0 / (np.arange(1, n_content + 1) + 10)
    weights /= weights.sum()
    n_sentences = n_posts * sentences_per_post
    lengths = rng.integers(8, 20, size=n_sentences)
    content = rng.choice(n_content, size=int(lengths.sum()), p=weights)
    stop = n_content + rng.integers(0, len(STOP), size=len(content))
    with_stop = rng.random(len(content)) < 0.6
    ends = rng.choice(np.array([".", ".", ".", "?", "!"]), size=n_sentences)
    words = vocabulary[content]
    stops = vocabulary[stop]
    sentences = []
    position = 0
    for k, length in enumerate(lengths):
        tokens = []
        for j in range(position, position + length):
            tokens.append(words[j])
            if with_stop[j]:
                tokens.append(stops[j])
        position += length
        sentences.append(" ".join(tokens).capitalize() + ends[k])
    return [
        sentences[i * sentences_per_post : (i + 1) * sentences_per_post] for i in range(n_posts)
    ]


def build_snapshot(
    n_participants: int = 5_000,
    n_posts: int = 2_000,
    n_votes: int = 250_000,
    sentences_per_post: int = 0,
    seed: int = 1,
) -> ThreadSnapshot:
    rng = np.random.default_rng(seed)
    parents = _tree(rng, n_posts)
    roles = rng.choice(len(ROLES), size=n_posts, p=ROLE_WEIGHTS)
    authors = rng.integers(0, max(n_participants // 10, 1), size=n_posts)
    names = tuple(f"user{i}" for i in range(n_participants))

    texts = [""] * n_posts
    if sentences_per_post:
        quoting = rng.random(n_posts) < 0.33
        for i, own in enumerate(_texts(rng, n_posts, sentences_per_post)):
            if parents[i] >= 0 and quoting[i]:
                # Forum habit: open with the parent's words being answered.
                own = [texts[parents[i]].split("\n\n")[-1], *own]
            texts[i] = "\n\n".join(" ".join(own[k : k + 2]) for k in range(0, len(own), 2))

    posts = tuple(
        PostInput(
            id=i + 1,
            parent=int(parents[i]) + 1 if parents[i] >= 0 else None,
            author=names[authors[i]],
            role="claim" if i == 0 else ROLES[roles[i]],
            text=texts[i],
            created=float(i),
            quality_up=int(rng.poisson(3)),
            quality_down=int(rng.poisson(1)),
        )
        for i in range(n_posts)
    )

    # Opinions: three camps in a latent plane; a vote is the sign of the agreement
    # between a person's and a post's position, with noise, or a pass when it is weak.
    camps = np.array([[1.0, 0.2], [-0.8, 0.6], [0.0, -1.0]])
    person = camps[rng.integers(0, 3, n_participants)] + rng.normal(0, 0.4, (n_participants, 2))
    stance = rng.normal(0, 1, (n_posts, 2))
    activity = rng.pareto(1.2, n_participants) + 1
    popularity = rng.pareto(1.5, n_posts) + 1
    who = rng.choice(n_participants, size=n_votes, p=activity / activity.sum())
    what = rng.choice(n_posts, size=n_votes, p=popularity / popularity.sum())
    leaning = (person[who] * stance[what]).sum(1) + rng.normal(0, 0.5, n_votes)
    value = np.where(leaning > 0.25, 1, np.where(leaning < -0.25, -1, 0)).astype(np.int8)
    # Quality votes (the bridging score's input): 0.4 per agreement vote, up-votes
    # leaning the voter's way, as on a forum where people also like what they agree with.
    n_quality = int(n_votes * QUALITY_PER_VOTE)
    q_who = rng.choice(n_participants, size=n_quality, p=activity / activity.sum())
    q_what = rng.choice(n_posts, size=n_quality, p=popularity / popularity.sum())
    q_leaning = (person[q_who] * stance[q_what]).sum(1) + rng.normal(0, 1.0, n_quality)
    q_keys = np.unique(q_who.astype(np.int64) * n_posts + q_what, return_index=True)[1]
    return ThreadSnapshot(
        thread_id=1,
        root=1,
        posts=posts,
        participants=names,
        vote_participant=who.astype(np.int32),
        vote_post=(what + 1).astype(np.int64),
        vote_value=value,
        quality_participant=q_who[q_keys].astype(np.int32),
        quality_post=(q_what[q_keys] + 1).astype(np.int64),
        quality_value=np.where(q_leaning[q_keys] > -0.3, 1, -1).astype(np.int8),
    )


def _best_of(repeats: int, function) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def _peak_mib() -> float:
    # This process's own peak (VmHWM). ru_maxrss of a forked child starts from its
    # parent's peak on Linux, so it overstates a child started from a large parent.
    own = _status_mib("VmHWM")
    return own if own is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mib(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0), so VmHWM measures from here."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _summary_input() -> tuple[ThreadSnapshot, object]:
    snapshot = build_snapshot(2_000, 5_000, 100_000, sentences_per_post=5, seed=2)
    return snapshot, analyze_thread(snapshot)


def _child(kind: str) -> None:
    """Run one workload in this fresh process and print its peak RSS figures as JSON."""
    if kind == "map":
        snapshot = build_snapshot()
        analyze_thread(snapshot)
        print(json.dumps({"peak_mib": _peak_mib()}))
    else:
        # Extra memory of the summary alone: the peak while it runs above the resident
        # size just before it. Building the input peaks higher than the summary, so the
        # peak mark is reset first; without /proc the whole-process peak is used, which
        # can only overstate the figure.
        snapshot, thread_map = _summary_input()
        before = _status_mib("VmRSS") or 0.0
        reset = _reset_peak()
        summarize_thread(snapshot, thread_map)
        peak = (_status_mib("VmHWM") if reset else None) or _peak_mib()
        print(json.dumps({"peak_mib": peak, "extra_mib": peak - before}))


def _measure_in_child(kind: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run() -> list[dict]:
    """Rows of the benchmark table: name, measured values and budgets."""
    rows = []
    snapshot = build_snapshot()
    analyze_thread(snapshot)  # warm imports and caches
    seconds, thread_map = _best_of(3, lambda: analyze_thread(snapshot))
    memory = _measure_in_child("map")
    rows.append(
        {
            "benchmark": "analyze_thread 5k people × 2k posts × 250k votes",
            "seconds": round(seconds, 3),
            "budget_seconds": MAP_BUDGET_SECONDS,
            "mib": round(memory["peak_mib"], 1),
            "budget_mib": MAP_BUDGET_MIB,
            "memory": "peak RSS",
            "groups": len(thread_map.groups),
            "ok": seconds <= MAP_BUDGET_SECONDS and memory["peak_mib"] <= MAP_BUDGET_MIB,
        }
    )
    del snapshot, thread_map

    snapshot, thread_map = _summary_input()
    seconds, summary = _best_of(3, lambda: summarize_thread(snapshot, thread_map))
    memory = _measure_in_child("summary")
    sentences = sum(1 for _ in summary.brief)  # touch the result so it is not optimised away
    rows.append(
        {
            "benchmark": "summarize_thread 5k posts, ~25k sentences",
            "seconds": round(seconds, 3),
            "budget_seconds": SUMMARY_BUDGET_SECONDS,
            "mib": round(memory["extra_mib"], 1),
            "budget_mib": SUMMARY_BUDGET_EXTRA_MIB,
            "memory": "extra peak RSS",
            "groups": len(summary.groups),
            "ok": seconds <= SUMMARY_BUDGET_SECONDS
            and memory["extra_mib"] <= SUMMARY_BUDGET_EXTRA_MIB
            and sentences > 0,
        }
    )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| benchmark | seconds (best of 3) | budget | MiB | budget | memory | ok |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['benchmark']} | {row['seconds']:.3f} | {row['budget_seconds']} "
            f"| {row['mib']:.0f} | {row['budget_mib']} | {row['memory']} "
            f"| {'yes' if row['ok'] else 'NO'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(sys.argv[2])
    else:
        print(table(run()))
