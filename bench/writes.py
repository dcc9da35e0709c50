"""Step 6: reply, vote and credence latency, and concurrent writers with a lost-write check."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable

from bench.config import (
    BUDGET_REPLY_P50_MS,
    BUDGET_WRITE_QUERIES,
    QUEUE,
    WRITERS,
    override_limits,
)
from bench.report import Queries, ms, p
from bench.setup import redis_client


class WritesStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def writes(self) -> None:
        from django.test import Client

        from threads.models import Post, ThreadAnalysis

        thread_id = self.threads[self.big]
        parents = list(
            Post.objects.filter(thread_id=thread_id, depth__lt=30).values_list("pk", flat=True)
        )
        # Votes go to posts none of the writers wrote (they replied through gunicorn in
        # the http part): a vote on your own post is refused.
        own = set(
            Post.objects.filter(thread_id=thread_id, author__in=self.writers).values_list(
                "pk", flat=True
            )
        )
        others = [pk for pk in parents[1:] if pk not in own]
        hot = self.rng.sample(others, 12)  # the concurrent writers all vote on these
        # (post, axis) pairs the writer has not voted on; a small thread's run out and
        # start again, when the same vote takes the first one back (also a write).
        targets = [pk for pk in self.rng.sample(others, min(len(others), 400)) if pk not in hot]
        self.votes_to_cast = itertools.cycle(
            [(pk, axis) for pk in targets for axis in ("agree", "quality")]
        )
        analysed = ThreadAnalysis.objects.filter(thread_id=thread_id).values_list("computed_at")
        before = list(analysed)
        writer = self.writers[0]
        client = Client()
        client.force_login(writer)
        has_reply = self.route("reply", parents[0]) is not None
        has_vote = self.route("vote", parents[0]) is not None
        self.report.notes.append(
            "Writes: the bench's users have their rate limits raised (the limit check still "
            "runs); replies go to random posts of the largest thread, a third with a quote."
        )
        with override_limits():
            plan = self.reply_plan(parents, 70)
            self.latency(
                "reply",
                "service `posting.reply`",
                lambda: self.reply_service(writer, *plan.pop()),
            )
            self.latency("vote", "service `voting.cast_vote`", lambda: self.vote(writer, None))
            if has_reply:
                plan = self.reply_plan(parents, 71)
                with Queries() as queries:
                    self.reply_http(client, *plan.pop())
                self.explain(queries, "reply_post")
                self.latency(
                    "reply",
                    f"POST `reply` ({len(queries)} queries)",
                    lambda: self.reply_http(client, *plan.pop()),
                    queries=len(queries),
                )
                plan = self.reply_plan(parents, 71)
                with Queries() as queries:
                    self.reply_http(client, *plan.pop(), htmx=True)
                self.latency(
                    "reply",
                    f"htmx POST `reply`, answered with the new post ({len(queries)} queries)",
                    lambda: self.reply_http(client, *plan.pop(), htmx=True),
                )
            else:
                self.report.add("writes", "reply POST (route `reply`)", "not available")
            if has_vote:
                with Queries() as queries:
                    self.vote(writer, client)
                self.explain(queries, "vote_post")
                self.latency(
                    "vote",
                    f"POST `vote` ({len(queries)} queries)",
                    lambda: self.vote(writer, client),
                    queries=len(queries),
                )
            else:
                self.report.add("writes", "vote POST (route `vote`)", "not available")
            if self.route("credence", parents[0]) is not None:
                self.credences_to_state = self.credence_plan(parents)
                with Queries() as queries:
                    self.credence(client)
                self.explain(queries, "credence_post")
                self.latency(
                    "credence",
                    f"POST `credence` ({len(queries)} queries)",
                    lambda: self.credence(client),
                    queries=len(queries),
                )
            inside = list(analysed) != before
            waiting = redis_client().llen(QUEUE)
            self.report.add(
                "writes",
                "analysis inside a request (REDIS_URL set)",
                ("YES: the stored map changed during the writes" if inside else "no")
                + f"; the stored map was untouched and {waiting} task(s) wait in Redis",
                "never",
                not inside,
            )
            self.concurrent(thread_id, parents, hot, use_http=has_reply and has_vote)

    def latency(self, kind: str, label: str, call: Callable, *, queries: int | None = None):
        """p50 / p99 of `call`; with the SQL `queries` of one such POST, the budget row of
        issue 16 (p50 ≤ 30 ms, ≤ 12 queries)."""
        for _ in range(3):
            call()
        times, cpu = self.sample(call, count=60, seconds=10)
        p50 = p(times, 0.5)
        budgeted = queries is not None
        self.report.add(
            "writes (in-process)",
            f"{kind} via {label}: p50 / p99, CPU",
            f"{ms(p50)} / {ms(p(times, 0.99))}, {ms(cpu)} CPU (n={len(times)})",
            f"p50 ≤ {BUDGET_REPLY_P50_MS} ms, ≤ {BUDGET_WRITE_QUERIES} queries" if budgeted else "",
            (p50 * 1000 <= BUDGET_REPLY_P50_MS and queries <= BUDGET_WRITE_QUERIES)
            if budgeted
            else None,
        )

    def reply_plan(self, parents: list[int], count: int) -> list[tuple[int, dict]]:
        """Replies ready to send: parent id and form fields (a realistic body, a quote of
        the parent a third of the time), prepared before any timing starts."""
        from threads.management.commands.bench_data import _body
        from threads.models import Post
        from threads.services.posting import quote_occurs_in

        chosen = [self.rng.choice(parents) for _ in range(count)]
        bodies = dict(Post.objects.filter(pk__in=chosen).values_list("pk", "body"))
        plan = []
        for parent in chosen:
            role = self.rng.choice(["rebuttal", "support", "question", "comment"])
            body, _ = _body(self.rng, role)
            quote = ""
            if self.rng.random() < 0.35:
                words = bodies[parent].split("\n\n")[-1].split()
                start = self.rng.randrange(max(1, len(words) - 8))
                quote = " ".join(words[start : start + 8])
                if any(mark in quote for mark in "*[`") or not quote_occurs_in(
                    quote, bodies[parent]
                ):
                    quote = ""
            token = f"bench-{secrets.token_hex(8)}"  # unique across runs (--keep-db)
            plan.append(
                (parent, {"body": body, "role": role, "quote": quote, "submission_token": token})
            )
        return plan

    def reply_service(self, writer, parent: int, fields: dict) -> None:
        from threads.models import Post
        from threads.services import posting

        posting.reply(author=writer, parent=Post(pk=parent), **fields)

    def reply_http(self, client, parent: int, fields: dict, *, htmx: bool = False) -> None:
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(self.route("reply", parent), fields, headers=headers)
        if response.status_code not in (200, 201, 302, 303):
            raise RuntimeError(f"reply POST answered {response.status_code}")

    def vote(self, writer, client) -> None:
        """A vote by `writer`, on a post it has not voted on while there are such posts."""
        from threads.models import Post
        from threads.services import voting

        post, axis = next(self.votes_to_cast)
        value = 1 if axis == "agree" else self.rng.choice([1, 1, 1, -1])
        if client is None:
            try:
                voting.cast_vote(user=writer, post=Post(pk=post), axis=axis, value=value)
            except Exception as exc:
                # Only "your own post" may refuse; the queue holds imported posts.
                raise RuntimeError(f"vote on post {post} refused: {exc}") from exc
            return
        response = client.post(self.route("vote", post), {"axis": axis, "value": value})
        if response.status_code not in (200, 201, 302, 303):
            raise RuntimeError(f"vote POST answered {response.status_code}")

    def credence_plan(self, parents: list[int]) -> itertools.cycle:
        """(post, credence) pairs on claims (questions take no credence): each post comes
        round again, and a move of 15 points or more is a belief update that tells the
        post's author, as on a real thread."""
        from threads.models import Post, Role

        claims = list(
            Post.objects.filter(pk__in=parents)
            .exclude(role=Role.QUESTION)
            .values_list("pk", flat=True)[:50]
        )
        return itertools.cycle([(pk, self.rng.randint(1, 99)) for pk in claims * 4])

    def credence(self, client) -> None:
        post, value = next(self.credences_to_state)
        response = client.post(self.route("credence", post), {"value": value})
        if response.status_code not in (200, 201, 302, 303):
            raise RuntimeError(f"credence POST answered {response.status_code}")

    def concurrent(self, thread_id: int, parents: list[int], hot: list[int], *, use_http: bool):
        """8 writers (threads, each with its own connection) reply, then vote, at once;
        afterwards every write must be in the database and every counter exact."""
        from django.db import connections
        from django.db.models import Count, F, Q
        from django.test import Client

        from threads.models import Post, Thread, Vote
        from threads.services import voting

        per_writer = 15
        plans = [self.reply_plan(parents, per_writer) for _ in self.writers]
        thread_before = Thread.objects.values_list("reply_count", flat=True).get(pk=thread_id)
        barrier = threading.Barrier(len(self.writers) + 1, timeout=300)
        failures: list[str] = []
        done = {"replies": 0, "votes": 0}
        lock = threading.Lock()

        def attempt(kind: str, call: Callable[[], None]) -> None:
            try:
                call()
            except Exception as exc:
                failures.append(f"{kind}: {type(exc).__name__}: {exc}")
                return
            with lock:
                done[kind] += 1

        def work(writer, plan) -> None:
            client = None
            if use_http:
                client = Client()
                client.force_login(writer)
            try:
                barrier.wait()
                for parent, fields in plan:
                    if client:
                        attempt(
                            "replies", lambda c=client, a=parent, f=fields: self.reply_http(c, a, f)
                        )
                    else:
                        attempt(
                            "replies", lambda a=parent, f=fields: self.reply_service(writer, a, f)
                        )
                barrier.wait()
                barrier.wait()
                for post in hot:
                    for axis in ("agree", "quality"):
                        if client:
                            attempt(
                                "votes",
                                lambda c=client, x=post, a=axis: self.checked_post(
                                    c, self.route("vote", x), {"axis": a, "value": 1}
                                ),
                            )
                        else:
                            attempt(
                                "votes",
                                lambda x=post, a=axis: voting.cast_vote(
                                    user=writer, post=Post(pk=x), axis=a, value=1
                                ),
                            )
                barrier.wait()
            finally:
                connections.close_all()

        workers = [
            threading.Thread(target=work, args=(writer, plan))
            for writer, plan in zip(self.writers, plans, strict=True)
        ]
        for worker in workers:
            worker.start()
        barrier.wait()
        started = time.perf_counter()
        barrier.wait()
        reply_seconds = time.perf_counter() - started
        barrier.wait()
        started = time.perf_counter()
        barrier.wait()
        vote_seconds = time.perf_counter() - started
        for worker in workers:
            worker.join(timeout=60)

        tokens = [fields["submission_token"] for plan in plans for _, fields in plan]
        stored = Post.objects.filter(submission_token__in=tokens).count()
        thread_after = Thread.objects.values_list("reply_count", flat=True).get(pk=thread_id)
        touched = {parent for plan in plans for parent, _ in plan}
        wrong_parents = (
            Post.objects.filter(pk__in=touched)
            .annotate(real=Count("children"))
            .exclude(reply_count=F("real"))
            .count()
        )
        votes = Vote.objects.filter(post__in=hot, user__in=self.writers).count()
        wrong_counters = (
            Post.objects.filter(pk__in=hot)
            .annotate(
                agree_rows=Count("votes", filter=Q(votes__axis="agree", votes__value=1)),
                up_rows=Count("votes", filter=Q(votes__axis="quality", votes__value=1)),
            )
            .exclude(agrees=F("agree_rows"), upvotes=F("up_rows"))
            .count()
        )
        lost = (done["replies"] - stored) + (done["votes"] - votes)
        how = "HTTP POSTs (test Client)" if use_http else "service calls"
        self.report.add(
            "writes (8 writers)",
            f"replies: {WRITERS} threads × {per_writer}, {how}",
            f"{done['replies'] / reply_seconds:.0f} replies/s ({done['replies']} in "
            f"{reply_seconds:.2f} s)",
        )
        self.report.add(
            "writes (8 writers)",
            f"votes: {WRITERS} threads × {2 * len(hot)} on the same {len(hot)} posts, {how}",
            f"{done['votes'] / vote_seconds:.0f} votes/s ({done['votes']} in {vote_seconds:.2f} s)",
        )
        self.report.add(
            "writes (8 writers)",
            "lost writes, wrong counters, errors",
            f"{lost} lost, {wrong_parents + wrong_counters} wrong counters "
            f"(thread +{thread_after - thread_before} replies for {stored} stored), "
            f"{len(failures)} errors" + (f" (first: {failures[0][:120]})" if failures else ""),
            "0 lost, exact counters",
            lost == 0
            and wrong_parents == 0
            and wrong_counters == 0
            and thread_after - thread_before == stored,
        )
        if failures:
            raise RuntimeError(f"{len(failures)} concurrent writes failed: {failures[0]}")

    def checked_post(self, client, url: str, data: dict) -> None:
        response = client.post(url, data)
        if response.status_code not in (200, 201, 302, 303):
            raise RuntimeError(f"POST {url} answered {response.status_code}")
