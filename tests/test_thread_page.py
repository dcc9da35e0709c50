"""The thread page and a post's permalink: what a reader sees, which posts a big thread
shows first, "load more", and a query count that does not grow with the thread."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from tests.factories import make_big_thread, make_reply, make_thread, make_user, opening_post
from threads.models import Post, Role, Tag
from threads.queries import MAX_DEPTH, Node, select_tree
from threads.services import moderation, posting, stances, voting

HTMX = {"HTTP_HX_REQUEST": "true"}


def post_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="[^"]*" id="post-(\d+)"', html)]


# --- Choosing the posts to show (pure) -------------------------------------------------------


def star(root: int, scores: dict[int, tuple[int, int]]) -> list[Node]:
    return [Node(root, None, 0, 0)] + [
        Node(pk, root, up, down) for pk, (up, down) in scores.items()
    ]


def test_top_sort_puts_the_surest_good_reply_first():
    # Wilson lower bound: 40 of 44 beats 3 of 3 (more evidence), which beats 1 of 1; a
    # post voted down sinks below one nobody voted on.
    nodes = star(1, {2: (1, 0), 3: (40, 4), 4: (3, 0), 5: (0, 6), 6: (0, 0)})
    assert select_tree(nodes, 1, sort="top").replies[1] == [3, 4, 2, 6, 5]


def test_controversial_sort_favours_many_evenly_split_votes():
    nodes = star(1, {2: (30, 0), 3: (10, 9), 4: (50, 40), 5: (1, 1)})
    assert select_tree(nodes, 1, sort="controversial").replies[1][:3] == [4, 3, 5]


def test_new_and_old_sorts_use_the_post_dates():
    nodes = [Node(1, None, 0, 0, 0.0), Node(2, 1, 9, 0, 30.0), Node(3, 1, 0, 0, 50.0)]
    nodes.append(Node(4, 1, 0, 5, 10.0))
    assert select_tree(nodes, 1, sort="new").replies[1] == [3, 2, 4]
    assert select_tree(nodes, 1, sort="old").replies[1] == [4, 2, 3]


def test_unvoted_threads_are_shown_breadth_first_within_the_budget():
    nodes = [Node(1, None, 0, 0)]
    nodes += [Node(pk, 1, 0, 0) for pk in range(2, 7)]  # five top-level replies
    nodes += [Node(pk, 2, 0, 0) for pk in range(7, 12)]  # five replies to the first
    selection = select_tree(nodes, 1, budget=7)
    assert selection.replies[1] == [2, 3, 4, 5, 6]
    assert selection.replies[2] == [7, 8]
    assert selection.more == {2: 3}
    assert selection.offset == {2: 2}


def test_shown_replies_are_a_prefix_so_load_more_continues_where_the_page_stopped():
    scores = {pk: (pk % 7, pk % 3) for pk in range(2, 40)}
    nodes = star(1, scores)
    everything = select_tree(nodes, 1, budget=1000).replies[1]
    first = select_tree(nodes, 1, budget=10)
    assert first.replies[1] == everything[:10] and first.more[1] == 28
    rest = select_tree(nodes, 1, budget=10, offset=first.offset[1])
    assert rest.replies[1] == everything[10:20]
    assert rest.offset[1] == 20 and rest.more[1] == 18


def test_a_branch_deeper_than_the_limit_ends_in_continue_this_thread():
    chain = [Node(1, None, 0, 0)] + [Node(pk, pk - 1, 0, 0) for pk in range(2, 20)]
    selection = select_tree(chain, 1, max_depth=MAX_DEPTH)
    assert len(selection.shown()) == MAX_DEPTH + 1  # the root and eight levels
    last = selection.shown()[-1]
    assert selection.continued == {last: 18 - MAX_DEPTH}
    assert last not in selection.more


def test_the_budget_bounds_the_page_however_big_the_thread():
    nodes = [Node(1, None, 0, 0)] + [
        Node(pk, 1 + (pk * 7) % (pk - 1), 1, 0) for pk in range(2, 5001)
    ]
    selection = select_tree(nodes, 1, budget=100)
    assert len(selection.shown()) == 101


def test_focus_shows_the_tagged_posts_with_the_chain_leading_to_them():
    nodes = [Node(1, None, 0, 0), Node(2, 1, 0, 0), Node(3, 2, 0, 0), Node(4, 3, 0, 0)]
    nodes += [Node(5, 1, 9, 0), Node(6, 5, 0, 0)]
    selection = select_tree(nodes, 1, focus={4})
    assert selection.shown() == [1, 2, 3, 4]
    assert selection.focus == {4}
    assert selection.more == {1: 1}  # post 5 is left out; a link leads to it


# --- The page a reader sees --------------------------------------------------------------------


@pytest.fixture
def debate(db):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    thread = make_thread(alice, title="Will <AI> be agentic?")
    root = opening_post(thread)
    rebuttal = make_reply(
        root, bob, body="Planning *emerges* from prediction.", quote="will not become agents"
    )
    support = make_reply(rebuttal, carol, body="Yes, see chess engines.", role=Role.SUPPORT)
    question = make_reply(root, carol, body="What is an agent?", role=Role.QUESTION)
    answer = make_reply(question, alice, body="Something that pursues goals.", role=Role.ANSWER)
    return {
        "thread": thread,
        "root": root,
        "rebuttal": rebuttal,
        "support": support,
        "question": question,
        "answer": answer,
        "users": (alice, bob, carol),
    }


def test_thread_page_shows_the_tree_with_roles_quotes_and_counts(client, debate):
    voting.cast_vote(user=debate["users"][2], post=debate["rebuttal"], axis="agree", value=1)
    html = client.get(debate["thread"].get_absolute_url()).content.decode()
    assert "<h1>Will &lt;AI&gt; be agentic?</h1>" in html
    for verb in ("rebuts", "supports", "asks", "answers"):
        assert f">{verb}</span>" in html
    rebuttal, root = debate["rebuttal"], debate["root"]
    assert f'href="#post-{root.pk}" data-parent-id="{root.pk}"' in html
    assert ">will not become agents</a></blockquote>" in html
    assert "<em>emerges</em>" in html
    assert "1 agree · 0 disagree" in html
    # Nested: the support sits inside the rebuttal's replies.
    replies = html[html.index(f'id="replies-{rebuttal.pk}"') :]
    assert replies.index(f'id="post-{debate["support"].pk}"') < replies.index("</article>")
    assert f'data-post-id="{rebuttal.pk}"' in html
    assert 'id="analysis-panel"' in html


def test_wrong_or_missing_slug_redirects_to_the_canonical_address(client, debate):
    thread = debate["thread"]
    response = client.get(f"/t/{thread.pk}/old-title/?sort=new")
    assert response.status_code == 301
    assert response["Location"] == f"{thread.get_absolute_url()}?sort=new"
    response = client.get(f"/t/{thread.pk}/")
    assert response.status_code == 301 and response["Location"] == thread.get_absolute_url()
    assert client.get(f"/t/{thread.pk + 999}/x/").status_code == 404


def test_sort_new_shows_the_latest_reply_first(client, debate):
    thread, root = debate["thread"], debate["root"]
    late = make_reply(root, body="A late reply.")
    voting.cast_vote(user=make_user(), post=debate["rebuttal"], axis="quality", value=1)
    top = post_ids(client.get(thread.get_absolute_url()).content.decode())
    new = post_ids(client.get(f"{thread.get_absolute_url()}?sort=new").content.decode())
    assert top[1] == debate["rebuttal"].pk
    assert new[1] == late.pk


def test_removed_post_shows_the_reason_and_keeps_its_replies(client, debate, moderator):
    rebuttal = debate["rebuttal"]
    moderation.remove_post(moderator=moderator, post=rebuttal, reason="Personal attack")
    html = client.get(debate["thread"].get_absolute_url()).content.decode()
    assert "[removed by moderators: Personal attack]" in html
    assert "Planning" not in html and "will not become agents</a>" not in html
    assert "Yes, see chess engines." in html
    client.force_login(moderator)
    html = client.get(debate["thread"].get_absolute_url()).content.decode()
    assert 'class="moderator-copy"' in html and "<em>emerges</em>" in html


@override_settings(CRUX_HOLD_FIRST_POSTS=True)
def test_held_post_is_seen_only_by_its_author_and_moderators(client, debate, moderator):
    newcomer = make_user("newcomer")
    held = make_reply(debate["root"], newcomer, body="My very first post.")
    assert held.held_for_approval
    url = debate["thread"].get_absolute_url()
    assert "My very first post." not in client.get(url).content.decode()
    client.force_login(debate["users"][1])
    assert "My very first post." not in client.get(url).content.decode()
    assert client.get(held.get_absolute_url()).status_code == 404
    for viewer in (newcomer, moderator):
        client.force_login(viewer)
        html = client.get(url).content.decode()
        assert "My very first post." in html and "waiting for approval" in html


@override_settings(CRUX_HOLD_FIRST_POSTS=True)
def test_a_reply_to_a_held_post_is_hidden_from_others_until_it_is_approved(
    client, debate, moderator
):
    held = make_reply(debate["root"], make_user("newcomer"), body="Awaiting approval.")
    answer = make_reply(held, moderator, body="A moderator's note on it.")
    assert client.get(answer.get_absolute_url()).status_code == 404
    html = client.get(debate["thread"].get_absolute_url()).content.decode()
    assert "note on it." not in html and "Awaiting approval." not in html
    client.force_login(moderator)
    html = client.get(answer.get_absolute_url()).content.decode()
    assert "note on it." in html and "Awaiting approval." in html


def test_permalink_shows_the_chain_of_parents_and_the_subtree(client, debate):
    rebuttal = debate["rebuttal"]
    response = client.get(rebuttal.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="The posts this one answers"' in html
    assert html.index(f'id="post-{debate["root"].pk}"') < html.index(f'id="post-{rebuttal.pk}"')
    assert 'class="post permalink-target"' in html
    assert "Yes, see chess engines." in html  # its subtree
    assert "What is an agent?" not in html  # not the rest of the thread
    assert client.get(f"/t/{rebuttal.thread_id + 1}/p/{rebuttal.pk}/").status_code in (301, 404)


def test_tags_are_shown_and_the_tag_filter_highlights_tagged_posts(client, debate, moderator):
    tag = Tag.objects.create(kind=Tag.Kind.SCHEME, name="Analogy to chess", slug="analogy-to-chess")
    moderation.tag_post(moderator=moderator, post=debate["support"], tag=tag)
    url = debate["thread"].get_absolute_url()
    html = client.get(url).content.decode()
    assert ">Analogy to chess</a>" in html
    html = client.get(f"{url}?tag=analogy-to-chess").content.decode()
    assert "tagged <strong>Analogy to chess</strong>" in html
    assert post_ids(html) == [
        debate["root"].pk,
        debate["rebuttal"].pk,
        debate["support"].pk,
    ]
    assert 'class="post tag-match"' in html


def test_logged_in_members_get_reply_and_moderation_controls(client, debate):
    client.force_login(debate["users"][1])
    html = client.get(debate["thread"].get_absolute_url()).content.decode()
    assert f'hx-get="/p/{debate["root"].pk}/reply/"' in html
    assert f'id="mod-controls-{debate["root"].pk}"' in html
    assert f'href="/p/{debate["rebuttal"].pk}/edit/"' in html  # bob's own post
    assert f'href="/p/{debate["support"].pk}/edit/"' not in html  # carol's


def test_locked_thread_offers_no_reply(client, debate, moderator):
    moderation.lock_thread(moderator=moderator, thread=debate["thread"], reason="Done")
    client.force_login(debate["users"][1])
    html = client.get(debate["thread"].get_absolute_url()).content.decode()
    assert "Locked: no new replies or votes" in html
    assert "/reply/" not in html


def test_cached_posts_change_when_the_post_does(client, debate):
    url = debate["thread"].get_absolute_url()
    rebuttal = debate["rebuttal"]
    client.get(url)  # fills the cache
    posting.edit_post(post=rebuttal, editor=rebuttal.author, body="A better argument.")
    voting.cast_vote(user=make_user(), post=rebuttal, axis="quality", value=1)
    html = client.get(url).content.decode()
    assert "A better argument." in html and "Planning" not in html
    assert ">edited</a>" in html
    assert "1 point" in html


def test_logged_out_readers_share_a_cached_page_that_follows_every_change(client, debate):
    url = debate["thread"].get_absolute_url()
    member = Client()
    member.force_login(debate["users"][1])
    member.get(url)  # a member's controls are cached too, but never shown to readers
    first = client.get(url).content.decode()
    assert "/reply/" not in first and "Log in to reply and vote" in first
    rebuttal = debate["rebuttal"]
    posting.edit_post(
        post=rebuttal, editor=rebuttal.author, body="Planning emerges.", quote="not become"
    )
    late = make_reply(debate["root"], body="A late thought.")
    html = client.get(url).content.decode()
    assert ">not become</a></blockquote>" in html
    assert f'id="post-{late.pk}"' in html and "A late thought." in html
    assert "/reply/" in member.get(url).content.decode()


def test_members_share_the_cached_page_until_they_take_part(client, debate):
    url = debate["thread"].get_absolute_url()
    dan, eve = make_user("dan"), make_user("eve")
    client.force_login(dan)
    assert "/edit/" not in client.get(url).content.decode()
    reply = make_reply(debate["root"], dan, body="Dan's first words here.")
    html = client.get(url).content.decode()
    assert f'href="/p/{reply.pk}/edit/"' in html
    client.force_login(eve)
    html = client.get(url).content.decode()
    assert "first words here." in html and f'href="/p/{reply.pk}/edit/"' not in html


def test_each_viewer_gets_their_own_working_csrf_token_in_cached_posts(debate):
    url = debate["thread"].get_absolute_url()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(make_user("first"))
    second.force_login(make_user("second"))
    first.get(url)
    html = second.get(url).content.decode()
    assert "data-crux-csrf-field" not in html
    form = html[html.index(f'action="/p/{debate["support"].pk}/vote/"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = second.post(
        f"/p/{debate['support'].pk}/vote/",
        {"axis": "quality", "value": "1", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


# --- Big threads -------------------------------------------------------------------------------


@pytest.fixture
def big_thread(db):
    return make_big_thread(1000)


def test_a_big_thread_opens_with_about_a_hundred_posts_and_load_more_links(client, big_thread):
    html = client.get(big_thread.get_absolute_url()).content.decode()
    shown = post_ids(html)
    assert 90 <= len(shown) <= 101
    assert "Showing 101 of 1000 posts" in html
    links = re.findall(r'class="(?:load-more|continue-thread)" href="[^"]+" hx-get="([^"]+)"', html)
    assert links
    more = client.get(links[0].replace("&amp;", "&"), **HTMX)
    added = post_ids(more.content.decode())
    assert more.status_code == 200 and added
    assert not set(added) & set(shown)
    assert "<html" not in more.content.decode()


def test_a_long_chain_continues_in_place(client, debate):
    post = debate["answer"]
    chain = []
    for i in range(MAX_DEPTH + 3):
        post = make_reply(post, body=f"Link number {i} of the chain.")
        chain.append(post)
    html = client.get(debate["thread"].get_absolute_url()).content.decode()
    last_shown = chain[MAX_DEPTH - 3]  # the answer sits at depth 2
    assert f'id="post-{last_shown.pk}"' in html
    assert f'id="post-{chain[MAX_DEPTH - 2].pk}"' not in html
    link = re.search(r'class="continue-thread" href="([^"]+)" hx-get="([^"]+)"', html)
    assert link.group(1) == last_shown.get_absolute_url()
    assert f"Continue this thread ({len(chain) - (MAX_DEPTH - 2)} more replies)" in html
    more = client.get(link.group(2).replace("&amp;", "&"), **HTMX).content.decode()
    assert post_ids(more) == [p.pk for p in chain[MAX_DEPTH - 2 :]]


def test_load_more_without_javascript_goes_to_the_permalink(client, big_thread):
    root = opening_post(big_thread)
    response = client.get(f"/p/{root.pk}/replies/?offset=50")
    assert response.status_code == 302 and response["Location"] == root.get_absolute_url()


@pytest.mark.parametrize("sort", ["top", "new", "controversial"])
def test_thread_page_query_count_does_not_grow_with_the_thread(
    client, big_thread, django_assert_max_num_queries, sort
):
    url = f"{big_thread.get_absolute_url()}?sort={sort}"
    # The budget leaves two queries for the map and summary panel (thread page: ≤ 8
    # logged out, ≤ 10 logged in, session and permissions included).
    cache.clear()
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    client.force_login(make_user("reader"))
    cache.clear()
    # Logged in: the session, the user (who loads with their standing: moderator or not,
    # any active ban) and the reader's visit statement (issue 15: what is new, the watch
    # level and read notices in one statement) on top.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"{url}&tag=analogy").status_code == 200


def test_permalink_and_load_more_query_counts_are_fixed(
    client, big_thread, django_assert_max_num_queries
):
    deep = Post.objects.filter(thread=big_thread, depth__gte=3).order_by("pk").first()
    client.force_login(make_user("reader"))
    client.get("/")  # session and user are loaded; what follows is the page's own work
    with django_assert_max_num_queries(10):
        assert client.get(deep.get_absolute_url()).status_code == 200
    root = opening_post(big_thread)
    with django_assert_max_num_queries(10):
        assert client.get(f"/p/{root.pk}/replies/?offset=40", **HTMX).status_code == 200


# --- A participant's page: the shared tree with their own posts spliced in -------------------

CSRF_VALUE = re.compile(r"\b[A-Za-z0-9]{64}\b")  # a masked CSRF token, new in every response
READ_AT = re.compile(r'data-read-at="[^"]*"|since=[^"]*"')  # the visit and render times


@pytest.fixture
def participant(big_thread):
    """A member who wrote a reply and voted on two posts of the big thread."""
    user = make_user("participant")
    root = opening_post(big_thread)
    on_page = post_ids(Client().get(big_thread.get_absolute_url()).content.decode())
    shown = [Post.objects.get(pk=pk) for pk in on_page[1:4]]
    voting.cast_vote(user=user, post=shown[0], axis="quality", value=1)
    voting.cast_vote(user=user, post=shown[1], axis="agree", value=-1)
    stances.state_credence(user=user, post=shown[2], value=70)
    mine = make_reply(root, author=user, body="My own reply, with controls only I see.")
    for _ in range(6):  # well liked, so it is among the posts shown first
        voting.cast_vote(user=make_user(), post=mine, axis="quality", value=1)
    return {
        "user": user,
        "mine": mine,
        "up": shown[0],
        "disagreed": shown[1],
        "believed": shown[2],
    }


def _built_alone(monkeypatch):
    """Make the thread page build the participant's tree for them alone (the path a
    viewer with a held post of their own takes), as the reference to compare with."""
    from threads import queries

    real = queries.thread_for_page

    def alone(pk, viewer=None):
        thread = real(pk, viewer)
        if thread is not None:
            thread.viewer_has_held = True
        return thread

    monkeypatch.setattr(queries, "thread_for_page", alone)


def test_a_participants_page_from_the_shared_tree_equals_one_built_for_them(
    client, big_thread, participant, monkeypatch
):
    client.force_login(participant["user"])
    url = big_thread.get_absolute_url()
    cache.clear()
    missed = client.get(url).content.decode()
    hit = client.get(url).content.decode()
    with monkeypatch.context() as patch:
        _built_alone(patch)
        alone = client.get(url).content.decode()

    # The first look records the visit, so later pages carry its time (issue 15).
    def same(page: str) -> str:
        return READ_AT.sub("", CSRF_VALUE.sub("", page))

    assert same(hit) == same(alone) == same(missed)
    mine, up, disagreed = participant["mine"].pk, participant["up"].pk, participant["disagreed"].pk
    main = re.search(rf'id="post-main-{mine}".*?id="form-slot-{mine}"', hit, re.S).group(0)
    assert "edit-link" in main and "delete-form" in main
    assert "You cannot agree or disagree with your own post" in main
    bar = re.search(rf'id="votes-{up}".*?</div>', hit, re.S).group(0)
    assert 'class="vote up" aria-pressed="true"' in bar
    bar = re.search(rf'id="votes-{disagreed}".*?</div>', hit, re.S).group(0)
    assert 'class="vote disagree" aria-pressed="true"' in bar
    believed = participant["believed"].pk
    main = re.search(rf'id="post-main-{believed}".*?id="form-slot-{believed}"', hit, re.S)
    assert "Your credence: 70%" in main.group(0)
    # Other members still share the tree without those marks.
    client.force_login(make_user("bystander"))
    other = client.get(url).content.decode()
    assert "edit-link" not in other and 'aria-pressed="true"' not in other


def test_a_participants_plain_vote_form_still_works_without_javascript(
    client, big_thread, participant
):
    client.force_login(participant["user"])
    post = participant["up"]
    from django.urls import reverse

    html = client.get(big_thread.get_absolute_url()).content.decode()
    bar = re.search(rf'id="votes-{post.pk}".*?</div>', html, re.S).group(0)
    # The pressed button of the plain form sends what takes the vote back.
    value = re.search(r'value="(-?\d)" class="vote up" aria-pressed="true"', bar).group(1)
    vote = client.post(reverse("vote", args=[post.pk]), {"axis": "quality", "value": value})
    assert vote.status_code == 302
    html = client.get(big_thread.get_absolute_url()).content.decode()
    bar = re.search(rf'id="votes-{post.pk}".*?</div>', html, re.S).group(0)
    assert 'class="vote up" aria-pressed="false"' in bar


def test_a_participants_page_takes_at_most_six_queries(
    client, big_thread, participant, django_assert_max_num_queries
):
    client.force_login(participant["user"])
    url = big_thread.get_absolute_url()
    client.get(url)  # the shared tree is cached (any member's visit does that)
    # Session, user with their standing (moderator, ban: threads/queries/accounts.py),
    # thread, the visit statement (issue 15), the viewer's marks on the shown posts; their
    # own posts' rendering comes from the cache while neither post nor marks change.
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200


def test_a_participants_own_posts_follow_their_edits_and_credences(client, big_thread, participant):
    client.force_login(participant["user"])
    url = big_thread.get_absolute_url()
    client.get(url)
    mine, believed = participant["mine"], participant["believed"]
    posting.edit_post(editor=participant["user"], post=mine, body="Second thoughts, edited.")
    stances.state_credence(user=participant["user"], post=believed, value=35)
    html = client.get(url).content.decode()
    assert "Second thoughts, edited." in html and "My own reply, with controls" not in html
    assert "Your credence: 35%" in html and "Your credence: 70%" not in html


def test_a_vote_takes_at_most_nine_queries_and_a_reply_ten(
    client, big_thread, django_assert_max_num_queries
):
    from django.urls import reverse

    root = opening_post(big_thread)
    client.force_login(make_user("writer"))
    client.get("/")
    # Issue 16 asks for <= 12 per write. A vote: the user with their standing (the session
    # is in Redis), the post, the locked post inside the transaction's savepoint pair,
    # the vote read and written, the post's counters, the thread's score with its data
    # version (threads/services/voting.py).
    with django_assert_max_num_queries(9):
        vote = client.post(reverse("vote", args=[root.pk]), {"axis": "quality", "value": "1"})
    assert vote.status_code == 302
    # A reply also tracks the thread for its author, drops their draft and marks what the
    # thread held for them read (one statement), and tells the parent's author after
    # commit (issue 15): the locked parent, the post, its path with the parent's counter,
    # the thread's counters and that statement: 9.
    with django_assert_max_num_queries(9):
        reply = client.post(
            reverse("reply", args=[root.pk]), {"role": Role.SUPPORT, "body": "Quite so, and more."}
        )
    assert reply.status_code == 302
    assert Post.objects.filter(thread=big_thread, body="Quite so, and more.").exists()


def test_the_shared_tree_a_participant_builds_keeps_report_on_their_posts_for_others(client, db):
    thread = make_thread(make_user("opener"))
    author = make_user("author")
    reply = make_reply(opening_post(thread), author=author, body="Mine, reportable by others.")
    cache.clear()
    client.force_login(author)  # the first to look: the shared tree is built for them
    own = client.get(thread.get_absolute_url()).content.decode()
    assert f'hx-get="/posts/{reply.pk}/report/"' not in own
    client.force_login(make_user("other"))
    other = client.get(thread.get_absolute_url()).content.decode()
    assert f'hx-get="/posts/{reply.pk}/report/"' in other
