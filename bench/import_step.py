"""Step 8: import time of the biggest thread's Crux JSON export."""

from __future__ import annotations

import json
import time


class ImportStep:
    """A part of bench.run.Bench: see this module's docstring."""

    def importing(self) -> None:
        from django.test import Client

        from threads.models import User
        from threads.services.importing import import_text

        thread_id = self.threads[self.big]
        exporter, _ = User.objects.get_or_create(username="bench-exporter", is_superuser=True)
        client = Client()  # the lossless export is for moderators
        client.force_login(exporter)
        started = time.perf_counter()
        response = client.get(self.route("export_json", thread_id))
        exported = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"export answered {response.status_code}")
        text = response.content.decode()
        document = json.loads(text)
        votes = sum(len(post["votes"]) for post in document["posts"])
        started = time.perf_counter()
        thread, _ = import_text(text, fmt="json", map_existing=True)
        imported = time.perf_counter() - started
        self.report.add(
            "import",
            f"{len(document['posts']):,}-post Crux JSON ({votes:,} votes, "
            f"{len(text) / 1024 / 1024:.1f} MiB): export GET, `import_text`",
            f"{exported:.2f} s export, {imported:.2f} s import (thread {thread.pk})",
        )
