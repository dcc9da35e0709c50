"""Who wrote it and when: stand-in authors per thread, unknown dates, existing accounts."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_user
from threads.models import Post, Thread, User
from threads.services.importing import import_text

DEMO = Path(__file__).resolve().parents[2] / "threads" / "demo"
pytestmark = pytest.mark.django_db


def _motte() -> str:
    return (DEMO / "motte-ai-scientist.txt").read_text()


def test_stand_in_authors_are_never_shared_between_threads():
    first, _ = import_text(_motte())
    second, _ = import_text(_motte())
    authors = [
        set(Post.objects.filter(thread=t).values_list("author__username", flat=True))
        for t in (first, second)
    ]
    assert authors[0].isdisjoint(authors[1])
    assert all(name.startswith(f"imported-{first.pk}-") for name in authors[0])
    assert User.objects.filter(username__in=authors[0] | authors[1], imported=True).count() == len(
        authors[0] | authors[1]
    )


def test_pages_say_the_author_and_date_of_a_raw_import_are_unknown(client):
    thread, _ = import_text(_motte())
    assert Post.objects.filter(thread=thread, created_unknown=False).count() == 0
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "date unknown" in page and "author unknown" in page and "on an unknown date" in page
    assert " ago</time>" not in page
    reply = Post.objects.filter(thread=thread, parent__isnull=False).first()
    profile = client.get(reply.author.get_absolute_url()).content.decode()
    assert "date unknown" in profile and "stand-in" in profile


def test_json_dates_are_kept_and_shown(client):
    document = {
        "format": "crux-thread/1",
        "title": "Dated",
        "posts": [
            {"id": 1, "parent": None, "author": "dated-author", "body": "Claim.",
             "created": "2021-03-04T05:06:07+00:00"},
        ],
    }  # fmt: skip
    thread, _ = import_text(json.dumps(document))
    post = thread.posts.get()
    assert not post.created_unknown and post.created.year == 2021


def _export_naming(name: str) -> str:
    return json.dumps(
        {
            "format": "crux-thread/1",
            "title": "Named",
            "posts": [{"id": 1, "parent": None, "author": name, "body": "Claim."}],
        }
    )


def test_a_file_naming_an_existing_account_needs_map_existing(tmp_path):
    alice = make_user("alice")
    path = tmp_path / "export.json"
    path.write_text(_export_naming("alice"))
    with pytest.raises(CommandError, match="map-existing") as refused:
        call_command("import_debate", str(path))
    assert refused.value.returncode == 2 and Thread.objects.count() == 0
    call_command("import_debate", str(path), "--map-existing")
    assert Thread.objects.get().author == alice


def test_dry_run_prints_the_report_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "motte.txt"
    path.write_text(_motte())
    users = User.objects.count()
    call_command("import_debate", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "nothing was written" in out
    last = json.loads(out.strip().splitlines()[-1])
    assert last["thread"] is None and last["comments"] > 10
    assert Thread.objects.count() == 0 and User.objects.count() == users


def test_more_new_accounts_than_the_limit_are_refused():
    posts = [{"id": 1, "parent": None, "author": "crowd-0", "body": "Claim.",
              "votes": [{"user": f"crowd-{n}", "axis": "agree", "value": 1}
                        for n in range(1, 2_002)]}]  # fmt: skip
    with pytest.raises(Exception, match="at most 2,000"):
        import_text(json.dumps({"format": "crux-thread/1", "title": "Crowd", "posts": posts}))
    assert User.objects.filter(username__startswith="crowd-").count() == 0


def test_two_kialo_outlines_get_different_stand_ins():
    outline = (Path(__file__).parent / "data" / "kialo-frontier-pause.txt").read_text()
    first, _ = import_text(outline)
    second, _ = import_text(outline)
    assert first.author != second.author and first.author.imported
    assert first.author.username == f"imported-{first.pk}-kialo"
