"""Step 2: synthetic threads of each size, built by `manage.py bench_data`, and
the people who read and write them."""

from __future__ import annotations

import io
import time
from datetime import timedelta

from bench.config import PARTICIPANT, PARTICIPANTS, SEED, WRITERS


class DataStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def build_data(self) -> None:
        from django.core.management import call_command
        from django.db.models import Max

        from threads.models import Post, Vote

        for size in self.args.sizes:
            out, err = io.StringIO(), io.StringIO()
            started = time.perf_counter()
            call_command(
                "bench_data",
                posts=size,
                participants=PARTICIPANTS.get(size, 300),
                seed=SEED,
                stdout=out,
                stderr=err,
            )
            seconds = time.perf_counter() - started
            thread_id = int(out.getvalue().strip().splitlines()[-1])
            self.threads[size] = thread_id
            posts = Post.objects.filter(thread_id=thread_id)
            votes = Vote.objects.filter(post__thread_id=thread_id).count()
            authors = posts.values("author").distinct().count()
            depth = posts.aggregate(top=Max("depth"))["top"]
            quotes = posts.exclude(quote="").count()
            self.report.add(
                "data",
                f"{size:,}-post thread (`manage.py bench_data --posts {size} --seed {SEED}`)",
                f"{seconds:.1f} s: {posts.count():,} posts, {votes:,} votes, {authors} authors, "
                f"{quotes:,} quotes, depth {depth}",
            )
        # What autovacuum does within a minute of a bulk import: fresh planner statistics
        # and visibility map, so the plans measured are the ones a running site gets.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    def make_people(self) -> None:
        """A reader and 8 writers: real accounts with passwords, two months old."""
        from django.utils import timezone

        from threads.models import User

        def person(username: str) -> User:
            user = User.objects.filter(username=username).first()
            return user or User.objects.create_user(username, password="correct horse battery")

        self.reader = person("bench_reader")
        self.writers = [person(f"bench_writer_{i}") for i in range(WRITERS)]
        # The most active author of every bench thread, who also votes in it: a regular
        # whose page cannot be shared with others (their own votes show on it).
        self.participant = User.objects.get(username=PARTICIPANT)
        people = [self.reader, *self.writers]
        long_ago = timezone.now() - timedelta(days=60)
        User.objects.filter(pk__in=[u.pk for u in people]).update(date_joined=long_ago)
        for user in people:
            user.refresh_from_db()

    def route(self, name: str, *args) -> str | None:
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return None

    def thread_url(self, size: int) -> str | None:
        from threads.models import Thread

        thread = Thread.objects.get(pk=self.threads[size])
        return self.route("thread", thread.pk, thread.slug)
