"""Crux JSON round trip, AIF and Argdown exports, and the import command's contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import arguebuf
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.importers.parsed import DumpError
from threads.models import Post, PostTag, Tag, Thread, User, Vote
from threads.services import posting, voting
from threads.services.importing import import_text

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "threads" / "demo"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, moderator):
    """The lossless export is for moderators (it carries removed posts and votes)."""
    client.force_login(moderator)
    return client


@pytest.fixture
def debate():
    """A small thread using every feature an export must carry."""
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    thread = make_thread(alice, title="Is scaling enough?", body="Scaling **alone** gets us AGI.")
    root = opening_post(thread)
    rebuttal = make_reply(root, bob, body="No: data runs out first.", quote="Scaling alone")
    support = make_reply(root, carol, body="Compute curves say yes.", role="support")
    question = make_reply(rebuttal, alice, body="Which data?", role="question")
    make_reply(question, bob, body="Human-written text.", role="answer")
    posting.edit_post(post=support, editor=carol, body="Compute curves say yes, so far.")
    voting.cast_vote(user=alice, post=rebuttal, axis="agree", value=-1)
    voting.cast_vote(user=carol, post=rebuttal, axis="quality", value=1)
    voting.cast_vote(user=bob, post=support, axis="agree", value=1)
    tag = Tag.objects.get_or_create(slug="scaling", defaults={"name": "Scaling", "kind": "topic"})[
        0
    ]
    PostTag.objects.create(post=root, tag=tag, tagged_by=carol, note="core claim")
    Post.objects.filter(pk=question.pk).update(
        removed_at=timezone.now(), removed_by=carol, removed_reason="off topic"
    )
    return thread


def normalised(document: dict) -> dict:
    """An export with the ids the database assigns replaced by their position."""
    position = {post["id"]: index for index, post in enumerate(document["posts"])}
    posts = [
        {**post, "id": position[post["id"]], "parent": position.get(post["parent"])}
        for post in document["posts"]
    ]
    return {**document, "url": None, "posts": posts}


def test_export_import_export_gives_the_same_document(client, debate):
    first = client.get(f"/api/threads/{debate.pk}/export.json").json()
    assert first["format"] == "crux-thread/1"
    assert len(first["posts"]) == 5
    thread, report = import_text(json.dumps(first), fmt="json", map_existing=True)
    assert thread.pk != debate.pk and report["posts"] == 5 and report["votes"] == 3
    second = client.get(f"/api/threads/{thread.pk}/export.json").json()
    assert normalised(second) == normalised(first)


def test_export_carries_votes_revisions_tags_and_removal(client, debate):
    posts = client.get(f"/api/threads/{debate.pk}/export.json").json()["posts"]
    root, rebuttal, question, answer, support = posts  # depth-first order
    assert root["parent"] is None and root["tags"][0]["slug"] == "scaling"
    assert rebuttal["quote"] == "Scaling alone" and rebuttal["parent"] == root["id"]
    assert {"user": "alice", "axis": "agree", "value": -1} in rebuttal["votes"]
    assert question["removed"]["reason"] == "off topic" and question["removed"]["by"] == "carol"
    assert answer["role"] == "answer"
    assert support["revisions"][0]["body"] == "Compute curves say yes."
    assert support["body"] == "Compute curves say yes, so far."


def test_import_creates_placeholder_accounts_named_exactly_as_in_the_file(client, debate):
    document = client.get(f"/api/threads/{debate.pk}/export.json").json()
    document["posts"][1]["author"] = "zed-from-elsewhere"
    document["posts"][1]["votes"].append({"user": "newvoter", "axis": "agree", "value": 1})
    thread, _ = import_text(json.dumps(document), fmt="json", map_existing=True)
    zed = User.objects.get(username="zed-from-elsewhere")
    assert zed.imported and not zed.has_usable_password()
    assert Vote.objects.filter(user__username="newvoter", post__thread=thread).count() == 1
    # counters follow the imported votes
    post = thread.posts.get(author=zed)
    assert (post.agrees, post.disagrees) == (1, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other"), "crux-thread/1"),
        (lambda d: d["posts"][2].update(parent=999_999), "does not come before"),
        (lambda d: d["posts"][1].update(role="insult"), "unknown role"),
        (lambda d: d["posts"][1].update(quote="words nobody wrote"), "quote does not occur"),
        (
            lambda d: d["posts"][1]["votes"].append({"user": "x", "axis": "agree", "value": 5}),
            "vote",
        ),
        (lambda d: d["posts"][3].update(body="   "), "body is empty"),
        (lambda d: d["posts"][1].update(created="yesterday"), "ISO 8601"),
    ],
)
def test_bad_json_import_explains_and_imports_nothing(client, debate, change, message):
    document = client.get(f"/api/threads/{debate.pk}/export.json").json()
    change(document)
    before = (Thread.objects.count(), Post.objects.count(), User.objects.count())
    with pytest.raises(DumpError, match=message):
        import_text(json.dumps(document), fmt="json", map_existing=True)
    assert (Thread.objects.count(), Post.objects.count(), User.objects.count()) == before


def test_aif_export_loads_in_arguebuf_with_one_scheme_node_per_typed_reply(
    client, debate, tmp_path
):
    response = client.get(f"/api/threads/{debate.pk}/export.aif.json")
    assert response.status_code == 200
    path = tmp_path / "thread.json"
    path.write_bytes(response.content)
    graph = arguebuf.load.file(path)
    posts = list(Post.objects.filter(thread=debate))
    assert {str(p.pk) for p in posts} == set(graph.atom_nodes)
    attacks = [p for p in posts if p.role == "rebuttal"]
    supports = [p for p in posts if p.role in ("support", "concession")]
    schemes = graph.scheme_nodes.values()
    assert sum(isinstance(s.scheme, arguebuf.Attack) for s in schemes) == len(attacks)
    assert sum(isinstance(s.scheme, arguebuf.Support) for s in schemes) == len(supports)
    for post in attacks + supports:
        (scheme,) = graph.outgoing_nodes(graph.atom_nodes[str(post.pk)])
        (target,) = graph.outgoing_nodes(scheme)
        assert target.id == str(post.parent_id)
    # the removed question keeps its place but not its words
    removed = graph.atom_nodes[str(posts[2].pk if posts[2].removed_at else posts[3].pk)]
    assert removed.plain_text == "[removed]"
    assert len(response.json()["locutions"]) == len(posts)


ARGDOWN_STATEMENT = re.compile(r"^\[P(\d+)\]: \S.*$")
ARGDOWN_RELATION = re.compile(r"^  ([+-]) \[P(\d+)\]$")


def test_argdown_export_states_every_post_and_relates_every_typed_reply(client, debate):
    text = client.get(f"/api/threads/{debate.pk}/export.argdown").content.decode()
    statements = {int(m[1]) for line in text.splitlines() if (m := ARGDOWN_STATEMENT.match(line))}
    posts = Post.objects.filter(thread=debate)
    assert statements == {p.pk for p in posts}
    relations, parent = set(), None
    for line in text.splitlines():
        if re.fullmatch(r"\[P\d+\]", line):
            parent = int(line[2:-1])
        elif m := ARGDOWN_RELATION.match(line):
            relations.add((m[1], int(m[2]), parent))
    expected = {
        ("-" if p.role == "rebuttal" else "+", p.pk, p.parent_id)
        for p in posts
        if p.role in ("rebuttal", "support", "concession")
    }
    assert relations == expected


def test_exports_of_unknown_threads_are_json_404s(client, db):
    for suffix in ("export.json", "export.aif.json", "export.argdown"):
        response = client.get(f"/api/threads/987654/{suffix}")
        assert response.status_code == 404
        assert response.json() == {"error": "No thread with id 987654."}


def test_import_command_reports_in_a_last_json_line(client, debate, tmp_path, capsys):
    path = tmp_path / "export.json"
    path.write_bytes(client.get(f"/api/threads/{debate.pk}/export.json").content)
    call_command(
        "import_debate", str(path), "--format", "json", "--title", "Copied debate", "--map-existing"
    )
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    thread = Thread.objects.get(pk=last["thread"])
    assert thread.title == "Copied debate" and last["posts"] == 5
    assert {"duplicates_dropped", "attached_by_quote", "paragraphs_in", "paragraphs_out"} <= set(
        last
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        ("caf\u00e9 na\u00efve".encode("latin-1"), "UTF-8"),
    ],
)
def test_import_command_refuses_bad_files_and_imports_nothing(db, tmp_path, content, message):
    path = tmp_path / "dump.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_debate", str(path))
    assert Thread.objects.count() == 0


def test_import_command_refuses_a_file_over_the_size_limit(db, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * (5 * 1024 * 1024))  # 25 MB
    with pytest.raises(CommandError, match="MB"):
        call_command("import_debate", str(path))
    assert Thread.objects.count() == 0


def test_moderators_preview_then_import_through_the_upload_page(client, debate, moderator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = client.get(f"/api/threads/{debate.pk}/export.json").content
    client.force_login(moderator)
    upload = SimpleUploadedFile("thread.json", document, content_type="application/json")
    preview = client.post(
        "/moderation/import/", {"dump": upload, "format": "auto", "map_existing": "on"}
    )
    page = preview.content.decode()
    assert preview.status_code == 200 and "Preview" in page and "Nothing is written" in page
    assert Thread.objects.count() == 1  # the preview wrote nothing
    token = preview.context["confirm"]["token"].value()
    response = client.post(
        "/moderation/import/", {"token": token, "format": "json", "map_existing": "on"}
    )
    copy = Thread.objects.exclude(pk=debate.pk).get()
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert copy.posts.count() == 5
    again = client.post("/moderation/import/", {"token": token, "format": "json"})
    assert again.status_code == 422 and "expired" in again.content.decode()


def test_upload_preview_shows_the_tree_roles_and_stand_in_authors(client, moderator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(moderator)
    dump = (SAMPLES_DIR / "motte-ai-scientist.txt").read_bytes()
    preview = client.post(
        "/moderation/import/", {"dump": SimpleUploadedFile("m.txt", dump), "format": "auto"}
    )
    page = preview.content.decode()
    assert preview.status_code == 200 and "stand-in author" in page
    assert 'class="role role-rebuttal"' in page and "imported-1" in page
    assert 'data-depth="2"' in page and "comments:" in page
    assert Thread.objects.count() == 0


def test_upload_page_refuses_existing_names_unless_the_box_is_ticked(client, debate, moderator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = client.get(f"/api/threads/{debate.pk}/export.json").content
    client.force_login(moderator)
    response = client.post(
        "/moderation/import/", {"dump": SimpleUploadedFile("t.json", document), "format": "auto"}
    )
    assert response.status_code == 422 and "same people" in response.content.decode()


@pytest.mark.parametrize(
    "content",
    [b'{"format": "crux-thread/1", "posts": [', b'{"format": "crux-thread/1", "title": "\\u0000"}',
     b'{"format": "crux-thread/1", "title": "T", "link": "javascript:alert(1)", "posts": []}'],
)  # fmt: skip
def test_upload_page_shows_a_hostile_files_message_and_never_a_500(client, moderator, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(moderator)
    response = client.post(
        "/moderation/import/", {"dump": SimpleUploadedFile("x.json", content), "format": "auto"}
    )
    assert response.status_code == 422 and "Nothing was imported" in response.content.decode()
    assert Thread.objects.count() == 0


def test_upload_page_explains_a_bad_file_and_imports_nothing(client, moderator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(moderator)
    upload = SimpleUploadedFile("dump.txt", "caf\u00e9".encode("latin-1"))
    response = client.post("/moderation/import/", {"dump": upload, "format": "auto"})
    assert response.status_code == 422 and "not UTF-8" in response.content.decode()
    assert Thread.objects.count() == 0


def test_upload_page_is_for_moderators_only(client, user):
    client.logout()
    assert client.get("/moderation/import/").status_code == 302  # to the login page
    client.force_login(user)
    assert client.get("/moderation/import/").status_code == 403


def test_tags_whose_slugs_normalise_alike_import_as_one_tag(client, debate):
    document = client.get(f"/api/threads/{debate.pk}/export.json").json()
    spelled = [("power seeking", "Power seeking"), ("power-seeking", "Power-seeking")]
    for post, (slug, name) in zip(document["posts"][1:3], spelled, strict=True):
        post["tags"] = [{"slug": slug, "name": name, "kind": "topic"}]
    document["posts"][1]["tags"].append({"slug": "power-seeking", "name": "x", "kind": "topic"})
    thread, _ = import_text(json.dumps(document), fmt="json", map_existing=True)
    tag = Tag.objects.get(slug="power-seeking")
    assert PostTag.objects.filter(post__thread=thread, tag=tag).count() == 2
