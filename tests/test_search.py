"""Search: ranked full-text search on PostgreSQL, safe highlighting, hidden posts skipped."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_reply, make_thread, make_user, opening_post
from threads.models import Post
from threads.search import Markers, Segment, Term, highlight_plain, parse_terms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]


def search(client, query: str, **extra):
    return client.get(reverse("search"), {"q": query, **extra})


def hit_bodies(response) -> list[str]:
    return [post.body for post, _segments in response.context["page"].hits]


@pytest.mark.postgres
def test_the_post_matching_more_of_the_words_ranks_first(client, user):
    thread = make_thread(user, title="Alignment")
    root = opening_post(thread)
    make_reply(root, body="Interpretability is a research field.")
    make_reply(root, body="Interpretability could detect deception before deployment.")
    make_reply(root, body="Nothing relevant here at all.")

    bodies = hit_bodies(search(client, "interpretability deception deployment"))

    assert bodies == [
        "Interpretability could detect deception before deployment.",
        "Interpretability is a research field.",
    ]


@pytest.mark.postgres
def test_search_stems_words(client, user):
    thread = make_thread(user)
    make_reply(opening_post(thread), body="The models were deceiving their overseers.")
    assert hit_bodies(search(client, "deceive overseer")) == [
        "The models were deceiving their overseers."
    ]


def test_quoted_phrase_must_match_as_a_phrase(client, user):
    thread = make_thread(user)
    make_reply(opening_post(thread), body="Power seeking is the worry.")
    make_reply(opening_post(thread), body="Seeking more power is the worry.")
    assert hit_bodies(search(client, '"power seeking"')) == ["Power seeking is the worry."]


def test_matches_are_marked_and_user_markup_is_escaped(client, user):
    thread = make_thread(user)
    make_reply(
        opening_post(thread),
        body="<script>alert('pwned')</script> mesaoptimizers <b onmouseover=x>hide</b> "
        "if 1<2 && <img src=x onerror=alert(1)",
    )

    content = search(client, "mesaoptimizers").content.decode()

    assert "<mark>mesaoptimizers</mark>" in content
    assert "<script>alert" not in content
    assert "<b onmouseover" not in content
    assert "<img" not in content
    assert "1&lt;2 &amp;&amp; &lt;img src=x" in content


def test_thread_titles_match_and_are_highlighted(client, user):
    make_thread(user, title="Corrigibility & <shutdown> problems")
    make_thread(user, title="Unrelated")

    response = search(client, "corrigibility")

    hits = response.context["thread_hits"]
    assert [thread.title for thread, _ in hits] == ["Corrigibility & <shutdown> problems"]
    content = response.content.decode()
    assert "<mark>Corrigibility</mark> &amp; &lt;shutdown&gt; problems" in content


def test_removed_deleted_and_held_posts_are_not_found(client, user):
    thread = make_thread(user)
    root = opening_post(thread)
    removed = make_reply(root, body="Gradient hacking removed.")
    deleted = make_reply(root, body="Gradient hacking deleted.")
    held = make_reply(root, body="Gradient hacking held.")
    make_reply(root, body="Gradient hacking visible.")
    Post.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    Post.objects.filter(pk=deleted.pk).update(deleted_by_author=True)
    Post.objects.filter(pk=held.pk).update(held_for_approval=True)

    assert hit_bodies(search(client, "gradient hacking")) == ["Gradient hacking visible."]


def test_empty_or_wordless_queries_find_nothing_without_error(client, thread):
    empty = search(client, "")
    assert empty.status_code == 200
    assert empty.context["page"] is None
    wordless = search(client, "!!! ??? ()")
    assert wordless.status_code == 200
    assert list(wordless.context["page"].hits) == []
    assert b"No posts match" in wordless.content


def test_a_very_long_query_is_cut_with_a_note(client, thread):
    response = search(client, "agents " * 100)
    assert response.status_code == 200
    assert b"Only the first 200 characters" in response.content


def test_search_results_are_paginated(client, user):
    thread = make_thread(user)
    for number in range(25):
        make_reply(opening_post(thread), body=f"Takeoff speed note {number}.")

    first = search(client, "takeoff")
    second = search(client, "takeoff", page=2)

    assert len(first.context["page"].hits) == 20
    assert len(second.context["page"].hits) == 5


def test_htmx_search_returns_only_the_results(client, thread):
    response = client.get(reverse("search"), {"q": "agentic"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'id="search-results"' in content
    assert "<html" not in content


@pytest.mark.postgres
def test_full_text_queries_can_use_the_gin_indexes(user):
    from django.contrib.postgres.search import SearchQuery

    from threads.models import Thread
    from threads.search import CONFIG, search_posts, title_vector

    make_thread(user)
    posts, _ = search_posts("agents")
    titles = Thread.objects.annotate(search=title_vector()).filter(
        search=SearchQuery("agents", config=CONFIG)
    )

    def plan(queryset) -> str:
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    assert "post_body_search_idx" in plan(posts)
    assert "thread_title_search_idx" in plan(titles)


# --- Pieces ------------------------------------------------------------------------------


def test_parse_terms_keeps_words_and_phrases_and_drops_punctuation():
    assert parse_terms('AI "power seeking" -- risk? risk') == [
        Term("AI", False),
        Term("power seeking", True),
        Term("risk", False),
    ]


def test_markers_split_only_on_their_own_random_tokens():
    markers, other = Markers(), Markers()
    assert markers.start != other.start
    marked = f"a {other.start}b{other.stop} {markers.start}c{markers.stop} d"
    assert markers.split(marked) == [
        Segment(f"a {other.start}b{other.stop} ", False),
        Segment("c", True),
        Segment(" d", False),
    ]


def test_plain_highlight_marks_every_occurrence_ignoring_case():
    segments = highlight_plain("Agents and agents <i>", [Term("agents", False)])
    assert segments == [
        Segment("Agents", True),
        Segment(" and ", False),
        Segment("agents", True),
        Segment(" <i>", False),
    ]


def test_hits_link_to_their_post_and_author(client, user):
    thread = make_thread(user)
    reply = make_reply(opening_post(thread), make_user("bob"), body="Sandbagging is real.")
    content = search(client, "sandbagging").content.decode()
    assert f'href="{reply.get_absolute_url()}"' in content
    assert 'href="/u/bob/"' in content
