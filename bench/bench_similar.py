"""Benchmark of the similar-arguments finder (issue 19), standalone.

    python bench/bench_similar.py                       # the pure finder and recall
    python bench/bench_similar.py --database-url postgres://postgres@127.0.0.1:5432/crux_bench_similar

(a) threads.analysis.similar on the words of a 5,000-post synthetic thread (the bodies
    `manage.py bench_data` writes): index build time, and the time of one query (p50 and
    p99 of 200 queries). Budget: a query ≤ 50 ms.
(b) recall@1 and recall@3 on the labelled paraphrase set tests/data/paraphrases.json:
    each paraphrase is the query, its original must come back, against all originals plus
    the demo debates' posts, and again with the 5,000 synthetic posts added. The same
    figures for plain TF-IDF word unigrams (no suffix stripping) as the baseline.
(c) with --database-url (a database this script may fill: it migrates it and adds one
    5,000-post thread through `manage.py bench_data`; or --thread, a 5,000-post thread
    already there): GET /api/threads/<id>/similar.json through Django's test client, the
    first request (which builds the index) and p50/p99 of 100 more. Budget: p99 ≤ 50 ms.

`run()` returns the table rows (name, figures, budget, ok); `make bench` collects them
(bench/similar_step.py) on its own 5,000-post thread.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUERY_BUDGET_MS = 50.0
POSTS = 5_000
ROLES = ("rebuttal", "support", "question", "answer", "concession", "comment")


def _setup_django(database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.test_settings")
    import django

    django.setup()


def synthetic_texts(count: int = POSTS, seed: int = 1) -> list[str]:
    """The plain text of `count` bodies as bench_data writes them (seeded)."""
    from threads import markdown
    from threads.management.commands.bench_data import _body

    rng = random.Random(seed)
    return [markdown.plain_text(_body(rng, rng.choice(ROLES))[0]) for _ in range(count)]


def demo_texts() -> list[str]:
    from threads import markdown
    from threads.importers.dumps import load_dump

    texts = []
    for dump in sorted((ROOT / "threads" / "demo").glob("*.txt")):
        debate = load_dump(dump)
        texts += [markdown.plain_text(p.body) for p in [debate.opening, *debate.posts]]
    return texts


def paraphrase_pairs() -> list[tuple[str, str]]:
    data = json.loads((ROOT / "tests" / "data" / "paraphrases.json").read_text())
    return [(pair["original"], pair["paraphrase"]) for pair in data["pairs"]]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_finder(texts: list[str]) -> dict:
    from threads.analysis.similar import Candidate, build_index, similar

    start = time.perf_counter()
    index = build_index(Candidate(i, t) for i, t in enumerate(texts))
    build = time.perf_counter() - start
    rng = random.Random(2)
    queries = [" ".join(rng.choice(texts).split()[:25]) for _ in range(200)]
    similar(index, queries[0])  # warm
    times = []
    for query in queries:
        start = time.perf_counter()
        similar(index, query)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "benchmark": f"similar: query a {len(texts):,}-post index",
        "build_seconds": round(build, 2),
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(_percentile(times, 0.99), 2),
        "index_mib": round(
            (index.matrix.data.nbytes + index.matrix.indices.nbytes + index.matrix.indptr.nbytes)
            / 2**20,
            1,
        ),
        "budget_ms": QUERY_BUDGET_MS,
        "ok": _percentile(times, 0.99) <= QUERY_BUDGET_MS,
    }


def _baseline_recall(pairs, distractors, k: int) -> float:
    """Plain TF-IDF word unigrams, as lexrank.tfidf_vectors makes them."""
    import numpy as np

    from threads.analysis.lexrank import tfidf_vectors

    texts = [original for original, _ in pairs] + list(distractors)
    matrix = tfidf_vectors(texts + [paraphrase for _, paraphrase in pairs])
    corpus, queries = matrix[: len(texts)], matrix[len(texts) :]
    scores = (queries @ corpus.T).toarray()
    hits = sum(i in np.argsort(-scores[i], kind="stable")[:k] for i in range(len(pairs)))
    return hits / len(pairs)


def bench_recall(synthetic: list[str]) -> list[dict]:
    from threads.analysis.similar import recall_at

    pairs, demo = paraphrase_pairs(), demo_texts()
    rows = []
    for name, distractors in (
        ("demo posts", demo),
        (f"demo + {len(synthetic):,} synthetic", demo + synthetic),
    ):
        rows.append(
            {
                "benchmark": f"similar: recall on {len(pairs)} labelled pairs vs {name}",
                "recall@1": round(recall_at(pairs, distractors, k=1), 2),
                "recall@3": round(recall_at(pairs, distractors, k=3), 2),
                "baseline_recall@3": round(_baseline_recall(pairs, distractors, 3), 2),
                "ok": True,
            }
        )
    return rows


def bench_endpoint(database_url: str, thread_id: int | None = None) -> dict:
    import io

    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed, e-mail stays in memory
    if thread_id is None:
        call_command("migrate", verbosity=0)
        out = io.StringIO()
        call_command("bench_data", posts=POSTS, seed=1, stdout=out, stderr=io.StringIO())
        thread_id = int(out.getvalue().strip().splitlines()[-1])
    client = Client()
    url = f"/api/threads/{thread_id}/similar.json"
    texts = synthetic_texts(101, seed=3)
    start = time.perf_counter()
    first = client.get(url, {"text": texts[0]})
    cold = (time.perf_counter() - start) * 1000
    assert first.status_code == 200, first.content[:200]
    times = []
    for text in texts[1:]:
        start = time.perf_counter()
        response = client.get(url, {"text": text})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return {
        "benchmark": f"GET similar.json on a {POSTS:,}-post thread",
        "first_ms": round(cold),
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(_percentile(times, 0.99), 1),
        "budget_ms": QUERY_BUDGET_MS,
        "ok": _percentile(times, 0.99) <= QUERY_BUDGET_MS,
    }


def run(database_url: str | None = None, thread_id: int | None = None) -> list[dict]:
    _setup_django(database_url)
    synthetic = synthetic_texts()
    rows = [bench_finder(synthetic), *bench_recall(synthetic)]
    if database_url or thread_id is not None:
        rows.append(bench_endpoint(database_url or os.environ["DATABASE_URL"], thread_id))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL database this script may fill")
    parser.add_argument("--thread", type=int, help="time similar.json on this thread")
    args = parser.parse_args()
    for row in run(args.database_url, args.thread):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
