"""Comment listings: one person's comments on many different posts (a profile page).

A profile page copied from the browser looks like a comment section — paragraphs, no
names — but each comment sits under the title of the post it was left on, and nothing
in it answers the comment above it. Reading it as one thread of replies would invent
a conversation, so a listing is recognised by those title lines and imported flat:
every comment top level, each opening with the post it belongs to, one stand-in
author for all of them (it is one person's history).
"""

from __future__ import annotations

from collections import Counter

from .parsed import ImportReport, ParsedDebate, ParsedPost
from .repeats import Paragraph
from .textmatch import long_enough, normalise, quote_candidates

# A post title: one short line without sentence punctuation at its end.
_TITLE_MAX_WORDS = 15
_TITLE_MAX_CHARS = 150
# At least this many comments, each under a title, before a dump is called a listing.
_MIN_COMMENTS = 3
# Listed comments are short; a thread with a handful of link-title lines is not a listing.
_MAX_PARAGRAPHS_PER_COMMENT = 8
LISTING_OPENING = (
    "*Imported comment listing: one person's comments on several different posts, "
    "each shown on its own under the post it was left on.*"
)


def _is_post_title(text: str) -> bool:
    text = text.strip()
    return (
        "\n" not in text
        and 0 < len(text) <= _TITLE_MAX_CHARS
        and 2 <= len(text.split()) <= _TITLE_MAX_WORDS
        and text[-1] not in ".!?:;,\"'\u201d\u2019)]*"
        and text[0] not in "\"'\u201c\u2018>*-([0123456789"
    )


def _is_heading(text: str) -> bool:
    text = text.strip()
    return 0 < len(text.split()) <= 3 and text[-1] not in ".!?:;,"


def segments(
    paras: list[Paragraph], chrome: list[str] | None = None
) -> list[tuple[str, list[Paragraph]]] | None:
    """(post title, comment paragraphs) pairs if ``paras`` read as a listing, else None.

    A listing opens with a title, has at least three titled comments, never two titles
    in a row, and its comments do not quote each other (replies in a thread do).
    """
    # A page heading over the listing ("Comments", "Recent activity"): set aside.
    heading = []
    while len(paras) > 1 and _is_heading(paras[0].text) and _is_post_title(paras[1].text):
        heading.append(paras[0].text)
        paras = paras[1:]
    if not paras or not _is_post_title(paras[0].text):
        return None
    found: list[tuple[str, list[Paragraph]]] = []
    for para in paras:
        if _is_post_title(para.text):
            if found and not found[-1][1]:
                return None  # two titles in a row: a heading, not a listing
            found.append((para.text.strip(), []))
        else:
            found[-1][1].append(para)
    if len(found) < _MIN_COMMENTS or not found[-1][1]:
        return None
    if len(paras) > _MAX_PARAGRAPHS_PER_COMMENT * len(found):
        return None  # a few link titles in a long thread are not a listing
    if len(Counter(title for title, _ in found)) < 2:
        return None  # the same title over and over is page furniture
    if _comments_quote_each_other(found):
        return None
    if chrome is not None:
        chrome.extend(heading)
    return found


def _comments_quote_each_other(found: list[tuple[str, list[Paragraph]]]) -> bool:
    seen = ""
    for _, comment in found:
        for para in comment:
            for candidate in quote_candidates(para.text):
                if long_enough(candidate) and normalise(candidate) in seen:
                    return True
        seen += "\x00".join(normalise(p.text) for p in comment) + "\x00"
    return False


def parse_listing(
    found: list[tuple[str, list[Paragraph]]], kind: str, title: str | None, chrome: list[str]
) -> ParsedDebate:
    from .roles import infer_role

    posts = []
    for key, (post_title, comment) in enumerate(found, start=1):
        body = "\n\n".join(p.text for p in comment)
        posts.append(
            ParsedPost(
                key=key,
                parent_key=None,
                body=f"*On \u201c{post_title}\u201d:*\n\n{body}",
                role=_top_level_role(infer_role(body, None)),
                role_inferred=True,
                author="imported-1",  # one person's comment history
                note=f"a comment on \u201c{post_title}\u201d, from a comment listing",
            )
        )
    opening = ParsedPost(
        key=0,
        parent_key=None,
        body=LISTING_OPENING,
        role="claim",
        author="imported-0",
        note="placeholder: the dump is a comment listing",
        placeholder=True,
    )
    paragraphs_in = sum(len(comment) for _, comment in found)
    report = ImportReport(
        comments=len(posts),
        duplicates_dropped=0,
        attached_by_quote=0,
        top_level=len(posts),
        roles_inferred=dict(Counter(p.role for p in posts)),
        paragraphs_in=paragraphs_in,
        paragraphs_out=paragraphs_in,
        chrome=chrome,
        listing=True,
        notes=[
            f"this dump is a comment listing: one person's comments on {len(found)} posts; "
            "every comment is top level and none is attached to another by guesswork"
        ],
    )
    return ParsedDebate(
        title=(title or "").strip() or "Imported comment listing",
        link="",
        opening=opening,
        posts=posts,
        report=report,
        source_format=kind,
    )


def _top_level_role(role: str) -> str:
    # Under a placeholder opening, only what a comment does on its own can be read:
    # an answer or concession would be to a post the listing does not hold.
    return role if role in ("question", "comment") else "comment"


__all__ = ["LISTING_OPENING", "parse_listing", "segments"]
