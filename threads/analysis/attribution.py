"""Who said each sentence, and which sentences the repliers quoted to answer them.

A summary may only cite a post for words that post wrote. Forum replies repeat the
words of others all the time: in `Post.quote` (the span of the parent they answer),
in Markdown block quotes (`PostInput.quoted`), and — in pages copied from other sites,
where the quote markup is lost — as plain text inside their own body. So a sentence
belongs to a post only when

- it is not inside the post's own quote or block quotes,
- no ancestor (up to `MAX_ANCESTORS` levels up) contains it: a reply that pastes a
  line of its grandparent is quoting, whatever its markup says,
- and no earlier post (by creation time, not page order: a reply in an early branch
  can be written after a post it repeats) has the same sentence.

The same matching, run the other way, counts how often each sentence was quoted by
someone answering it — the strongest sign of what a debate is about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .sentences import has_words, is_banter, sentence_spans
from .snapshot import PostInput

# How far up the reply chain a repeated sentence is looked for. Pasted quotes come from
# the parent or grandparent; eight levels cover every case in the demo dumps with room
# to spare, and bound the cost on very deep threads.
MAX_ANCESTORS = 8
# Quoted text shorter than this does not mark a sentence as quoted ("Yes" would match
# half the thread).
MIN_QUOTE_CHARS = 15
_PLAIN = re.compile(r"[^\s]+(?: [^\s]+)*")  # already normalised: single spaces only


def normalise(text: str) -> str:
    return " ".join(text.split())


def thread_order(posts: Sequence[PostInput]) -> list[PostInput]:
    """Depth-first from the opening post, replies oldest first (the thread page order).

    Posts whose parent is missing follow, with their own replies, oldest first.
    """
    by_id = {post.id: post for post in posts}
    children: dict[int | None, list[PostInput]] = {}
    for post in posts:
        parent = post.parent if post.parent in by_id else None
        children.setdefault(parent, []).append(post)
    for replies in children.values():
        replies.sort(key=lambda p: (p.created, p.id))
    ordered: list[PostInput] = []
    seen: set[int] = set()
    stack = list(reversed(children.get(None, [])))
    while stack:
        post = stack.pop()
        if post.id in seen:
            continue
        seen.add(post.id)
        ordered.append(post)
        stack.extend(reversed(children.get(post.id, [])))
    ordered.extend(
        post for post in sorted(posts, key=lambda p: (p.created, p.id)) if post.id not in seen
    )
    return ordered


def citable(post: PostInput) -> bool:
    """A post whose words may be quoted in a summary: live, with text, not a stand-in."""
    return not post.removed and not post.placeholder and bool(post.text)


@dataclass(frozen=True, eq=False)
class OwnSentences:
    """Every citable sentence of the thread, in thread order.

    `texts[i]` is a verbatim slice of the text of post `posts[i]`; `quoted[i]` counts
    the replies by other people that quoted it. Banter and sentences under `min_words`
    words are left out of `texts`; the short ones are kept per post in
    `short_by_post` (an open question may be just "Source?").
    """

    texts: list[str]
    posts: np.ndarray
    by_post: dict[int, list[int]]
    short_by_post: dict[int, list[str]]
    quoted: np.ndarray
    # (concession post, index of the sentence of its parent it quoted to concede)
    conceded: dict[int, list[int]]


def _ancestors(post: PostInput, by_id: dict[int, PostInput]) -> list[PostInput]:
    found: list[PostInput] = []
    current = by_id.get(post.parent) if post.parent is not None else None
    while current is not None and len(found) < MAX_ANCESTORS:
        found.append(current)
        current = by_id.get(current.parent) if current.parent is not None else None
    return found


def own_sentences(posts: Sequence[PostInput], min_words: int) -> OwnSentences:
    """Each citable post's own sentences (see the module docstring), in thread order."""
    by_id = {post.id: post for post in posts}
    flat: dict[int, str] = {}

    def flat_text(post: PostInput) -> str:
        if post.id not in flat:
            flat[post.id] = normalise(post.text)
        return flat[post.id]

    # Who wrote a sentence first is decided in creation order.
    owned: dict[int, list[tuple[str, bool]]] = {}
    seen: set[str] = set()
    for post in sorted(posts, key=lambda p: (p.created, p.id)):
        if not citable(post):
            continue
        repeated = [normalise(post.quote), normalise(post.quoted)]
        repeated += [flat_text(a) for a in _ancestors(post, by_id)]
        # One string, so each sentence is looked for in one scan ("\x00" never occurs
        # in a sentence, so no match spans two texts).
        repeated_text = "\x00".join(text for text in repeated if text)
        mine: list[tuple[str, bool]] = []
        for start, end in sentence_spans(post.text):
            sentence = post.text[start:end]
            key = sentence if _PLAIN.fullmatch(sentence) else normalise(sentence)
            if key in seen or key in repeated_text:
                continue
            seen.add(key)
            if is_banter(sentence):
                continue
            mine.append((sentence, has_words(sentence, min_words)))
        owned[post.id] = mine

    texts: list[str] = []
    owners: list[int] = []
    by_post: dict[int, list[int]] = {}
    short_by_post: dict[int, list[str]] = {}
    for post in thread_order(posts):
        for sentence, full in owned.get(post.id, ()):
            if not full:
                short_by_post.setdefault(post.id, []).append(sentence)
                continue
            by_post.setdefault(post.id, []).append(len(texts))
            texts.append(sentence)
            owners.append(post.id)
    quoted, conceded = _quoted_by_repliers(posts, by_id, texts, by_post)
    return OwnSentences(
        texts, np.array(owners, dtype=np.int64), by_post, short_by_post, quoted, conceded
    )


def _quoted_by_repliers(
    posts: Sequence[PostInput],
    by_id: dict[int, PostInput],
    texts: list[str],
    by_post: dict[int, list[int]],
) -> tuple[np.ndarray, dict[int, list[int]]]:
    """How many replies by someone else quote each sentence of the post they answer
    (or its parent); and which parent sentences each concession quoted."""
    quoted = np.zeros(len(texts), dtype=np.int64)
    conceded: dict[int, list[int]] = {}
    flat: dict[int, str] = {}
    for reply in posts:
        if reply.removed or reply.parent is None or not (reply.quote or reply.quoted):
            continue
        spans = [normalise(reply.quote)] + [
            normalise(part) for part in reply.quoted.split("\n\n") if part.strip()
        ]
        spans = [span for span in spans if len(span) >= MIN_QUOTE_CHARS]
        if not spans:
            continue
        parent = by_id.get(reply.parent)
        targets = [parent] if parent is not None else []
        if parent is not None and parent.parent is not None and parent.parent in by_id:
            targets.append(by_id[parent.parent])
        for depth, target in enumerate(targets):
            if target.author == reply.author:
                continue
            for i in by_post.get(target.id, ()):
                if i not in flat:
                    flat[i] = normalise(texts[i])
                sentence = flat[i]
                if any(sentence in span or span in sentence for span in spans):
                    quoted[i] += 1
                    if depth == 0 and reply.role == "concession":
                        conceded.setdefault(reply.id, []).append(i)
    return quoted, conceded


__all__ = ["OwnSentences", "citable", "normalise", "own_sentences", "thread_order"]
