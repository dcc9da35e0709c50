"""Hostile files through `manage.py import_debate`: refused with one line and exit code 2,
or imported without breaking any page — never a traceback."""

from __future__ import annotations

import traceback
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from tests.importers.hostile import all_cases, must_be_refused
from threads.models import Post, Thread, User, Vote

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Thread.objects.count(),
        Post.objects.count(),
        User.objects.count(),
        Vote.objects.count(),
    )


def _run(path) -> tuple[str, str]:
    """("imported" | "refused" | "crash", detail)."""
    before = _counts()
    try:
        call_command("import_debate", str(path), stdout=_Sink(), stderr=_Sink())
    except CommandError as error:
        message = str(error)
        if getattr(error, "returncode", 1) != 2:
            return "crash", f"exit code {error.returncode}: {message}"
        if "\n" in message:
            return "crash", f"message is not one line: {message[:200]!r}"
        if _counts() != before:
            return "crash", "a refused file wrote rows"
        return "refused", message
    except Exception:
        return "crash", "traceback: " + traceback.format_exc(limit=3)
    return "imported", ""


class _Sink:
    def write(self, *_args, **_kwargs):
        pass

    def flush(self):
        pass


def test_hostile_files_never_crash_the_import_command(tmp_path, client):
    crashes, imported, tally = [], 0, Counter()
    cases = all_cases(settings.CRUX_MAX_DEPTH)
    for number, (name, content) in enumerate(cases):
        path = tmp_path / f"case-{number}.json"
        # Fresh names per file: a name imported by an earlier case is an existing account.
        path.write_bytes(content.replace(b"fuzz-", f"fz{number}-".encode()))
        outcome, detail = _run(path)
        if outcome == "imported" and must_be_refused(name):
            outcome, detail = "crash", "imported a file that must be refused"
        tally[outcome if outcome != "crash" else detail.split(":")[0][:40]] += 1
        if outcome == "crash":
            crashes.append(f"{name}: {detail.strip().splitlines()[-1][:300]}")
            connection.needs_rollback = False
        imported += outcome == "imported"
    print(f"\nhostile files: {len(cases)}, imported {imported}, crashes {len(crashes)}")
    print(dict(tally))
    assert crashes == [], "\n".join(crashes)

    # Whatever was imported, every page that lists threads, posts or people still works.
    for url in ("/", "/api/threads.json", "/feeds/threads/"):
        assert client.get(url).status_code == 200, url
    for thread in Thread.objects.all():
        assert client.get(thread.get_absolute_url()).status_code == 200, thread.title
        assert client.get(f"/api/threads/{thread.pk}.json").status_code == 200
        assert client.get(f"/t/{thread.pk}/feed/").status_code == 200
    for person in User.objects.filter(imported=True)[:50]:
        assert client.get(person.get_absolute_url()).status_code == 200, person.username
