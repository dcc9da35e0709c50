"""Guessing a reply's role from plain cues in its first words.

Raw dumps do not say what a reply does to its parent, so the importer guesses from the
phrases people use anyway ("I dispute this", "Fair.", a short "…?"), marks the guess as
inferred, and leaves the correction to moderators. The cues are deliberately few and
literal: a wrong specific role is worse than an honest "comment".
"""

from __future__ import annotations

import re

from .textmatch import word_count

_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s|\n")

# The whole first sentence is an acknowledgement ("Agree.", "Well put.", "True.").
_CONCESSION_SENTENCE_RE = re.compile(
    r"^(?:agree[sd]?|i agree|(?:that's |that is )?fair(?: enough| point)?|good point"
    r"|(?:\w+ly )?true|granted|point taken|you'?re right|you are right"
    r"|i stand corrected|touch[ée]|(?:yes, )?(?:absolutely |exactly )?correct)"
    r"(?: and well put| and fair)?[.!]*$"
)
_CONCESSION_ANYWHERE_RE = re.compile(r"\bi (?:concede|stand corrected)\b")

_REBUTTAL_RES = [
    re.compile(p)
    for p in (
        r"\bi (?:strongly |respectfully |would )?(?:dispute|disagree|reject)d?\b",
        r"\b(?:this|that|it)(?: part| claim| argument)? (?:is|seems|sounds) (?:probably |just "
        r"|simply |clearly |completely |obviously )?(?:false|wrong|incorrect|mistaken|untrue"
        r"|not true)\b",
        r"\bi(?:'m| am) (?:skeptical|sceptical|not convinced|unconvinced)\b",
        r"\bi don't (?:buy (?:it|this|that)|think so)\b",
        r"^(?:no|nope|not really|not quite|wrong)[,.!]",
        r"^i (?:would not|wouldn't|do not|don't)[.!]",
        r"^(?:um+,? |uh+,? )?(?:he|she|they|you) (?:didn't|did not|never) say\b",
        r"\bthat's not (?:true|what (?:he|she|they|you|i) (?:said|meant|wrote))\b",
        # Debate language seen in real dumps (issue 14): a distinction drawn against the
        # quote, a failure to follow it, an argument "going off the rails".
        r"^\w+ing (?:is|was) not the same (?:thing )?as \w+ing\b",
        r"\bi (?:fail|failed) to (?:follow|see)\b",
        r"\b(?:go|goes|going|went) off the rails\b",
        r"\bi would argue\b.{0,120}\bis(?: just)? not (?:a thing|true|the case)\b",
        r"^being an? [\w ]{1,30} is not an excuse\b",
        r"\bi(?:'m| am) (?:kind of |somewhat |a bit )?(?:skeptical|sceptical)\b",
        r"\b(?:doesn't|does not|don't|do not) match (?:any|my) (?:experience|data)\b",
        r"\bis (?:just |simply )?not how\b",
        r"\bdon't (?:really )?buy (?:it|this|that)\b",
        # Granting and then turning: "I know. But …", "I mean, sure, … but …".
        r"^(?:i know|i mean, sure|sure)[,.!]? .{0,120}?\bbut\b",
    )
]
# A rebuttal cue only *opens* a new comment when it is a terse verdict at the very start
# of a paragraph ("I dispute this.", "No, that's wrong."). A longer sentence such as
# "I think this is false because …" is as often the author continuing their own point.
_OPENER_REACH = 24
_OPENER_MAX_WORDS = 8
# "Well put." from someone else agrees with the point: support, not a concession.
_SUPPORT_SENTENCE_RE = re.compile(
    r"^(?:exactly|this|\+1|seconded|indeed|so much this|well put|well said)[.!]*$"
)
_SUPPORT_START_RE = re.compile(
    r"^(?:to add to this|building on this|yes, and|i'm 100% on board|i am 100% on board"
    r"|thank you, this is|thanks, this is|indeed, and|great post|nice post|good post)\b"
)

_SHORT_QUESTION_WORDS = 60


def _plain(text: str) -> str:
    return text.strip().lower().replace("\u2019", "'").replace("\u2018", "'")


def first_sentence(text: str) -> str:
    plain = _plain(text)
    return _SENTENCE_END_RE.split(plain, maxsplit=1)[0].strip()


def is_concession_opener(paragraph: str) -> bool:
    return bool(_CONCESSION_SENTENCE_RE.match(first_sentence(paragraph)))


def is_rebuttal_opener(paragraph: str) -> bool:
    head = first_sentence(paragraph)
    if word_count(head) > _OPENER_MAX_WORDS:
        return False
    return any((m := r.search(head)) and m.start() <= _OPENER_REACH for r in _REBUTTAL_RES)


# Words people open a reply with and almost never use to go on with their own comment
# (issue 14's list: "Regarding …", "Thank you", "Is there any chance …", "Great post",
# "I think you missed …", and the like seen in the dumps).
_REPLY_OPENER_RE = re.compile(
    r"^(?:thank you|thanks(?: for)?|regarding|re:|great post|nice post|good post"
    r"|i think you missed|is there any chance|out of curiosity|in fairness to"
    r"|i'm 100% on board|i am 100% on board|i mean, sure|i wasn't,? but"
    r"|yes, i (?:totally |completely |fully |absolutely |really )?(?:can|do|see|agree)"
    r"|(?:fwiw|for what it's worth),? i(?:'m| am) (?:skeptical|sceptical|not sure)"
    # An apology is addressed to someone: "Sorry, I wrote sloppily."
    r"|(?:sorry|apologies),? (?:i|we|looks like|i'm|for))\b"
)


# Openers that address the post itself rather than the comment above them.
_TO_THE_POST_RE = re.compile(
    r"^(?:great|nice|good|excellent|interesting) (?:post|write-?up|article|piece)\b"
    r"|^thanks? (?:you )?for (?:writing|posting|sharing) this\b"
)


def addresses_the_post(paragraph: str) -> bool:
    return bool(_TO_THE_POST_RE.match(_plain(paragraph)))


def is_reply_opener(paragraph: str) -> bool:
    return bool(_REPLY_OPENER_RE.match(_plain(paragraph)))


def opener_cue(paragraph: str) -> str | None:
    """Whether the paragraph opens like a new reply: a concession, a rebuttal, agreement
    ("Well put.") or a reply opener ("Thank you", "Regarding …"); else None.

    Used to split comments: a paragraph beginning "Fair." or "I dispute this." starts a
    new reply to the comment it follows rather than continuing that comment.
    """
    if is_concession_opener(paragraph):
        return "concession"
    if is_rebuttal_opener(paragraph):
        return "rebuttal"
    if _SUPPORT_SENTENCE_RE.match(first_sentence(paragraph)):
        return "support"
    if is_reply_opener(paragraph):
        return "reply"
    return None


def infer_role(
    body: str, parent_role: str | None, quote: str = "", *, parent_asks: bool = False
) -> str:
    """Role of a reply toward its parent (see :func:`_role`). ``parent_asks``: the parent
    ends with a question, so a reply that grants or comments is answering it."""
    role = _role(body, parent_role, quote)
    if parent_asks and role in ("concession", "comment"):
        return "answer"
    return role


def _role(body: str, parent_role: str | None, quote: str = "") -> str:
    """Role of a reply toward its parent, from its body; ``parent_role`` None = opening post.

    Order matters: an acknowledging first sentence wins ("Fair. But …" concedes the
    point it quotes), then rebuttal phrases, then a reply to a question is an answer,
    then a short comment ending in "?" is a question.
    """
    # The reply's own words: quoted passages (Markdown "> ") are the parent's.
    paragraphs = [
        p for p in re.split(r"\n\s*\n", body.strip()) if p.strip() and not p.startswith(">")
    ]
    if not paragraphs:
        return "comment"
    if _rebuts_a_later_passage(body):
        return "rebuttal"
    head = first_sentence(paragraphs[0])
    if _CONCESSION_SENTENCE_RE.match(head) or _CONCESSION_ANYWHERE_RE.search(head):
        return "concession"
    opening_text = _plain(paragraphs[0])[:300]
    if any(r.search(opening_text) for r in _REBUTTAL_RES):
        return "rebuttal"
    if parent_role == "question" or _asks(quote):
        return "answer"
    if _SUPPORT_SENTENCE_RE.match(head) or _SUPPORT_START_RE.match(head):
        return "support"
    if _is_question(paragraphs):
        return "question"
    return "comment"


def _rebuts_a_later_passage(body: str) -> bool:
    """A point-by-point reply that rebuts any of the passages it quotes is a rebuttal,
    even if it granted the first one ("Yes, absolutely correct. > … off the rails")."""
    chunks = re.split(r"\n\s*\n", body.strip())
    answers = [
        chunk for before, chunk in zip(chunks, chunks[1:], strict=False)
        if before.startswith(">") and not chunk.startswith(">")
    ]  # fmt: skip
    return any(any(r.search(_plain(a)[:300]) for r in _REBUTTAL_RES) for a in answers)


def _asks(quote: str) -> bool:
    """A quoted question: what follows it answers it (issue 14: "a reply to a quoted
    question is an answer")."""
    # The first sentence: a question at the end of a passage is often rhetorical
    # ("…because if he doesn't believe this, why worry?").
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", quote.strip()) if s.strip()]
    return bool(sentences) and sentences[0].endswith("?")


def _is_question(paragraphs: list[str]) -> bool:
    if not paragraphs[-1].rstrip().endswith("?"):
        return False
    if sum(word_count(p) for p in paragraphs) <= _SHORT_QUESTION_WORDS:
        return True
    # Longer, but framed as a question from its first line to its last.
    return len(paragraphs) > 1 and paragraphs[0].rstrip().endswith("?")
