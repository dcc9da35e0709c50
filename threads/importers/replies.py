"""Rebuilding the reply tree of a raw dump from its quotations.

Raw dumps keep no comment boundaries and no parent links; what survives is the quoting
habit: a reply begins with a verbatim copy of the part of an earlier post it answers.
:class:`ReplyTree` cuts the paragraphs into replies at those copies (and at a few
reply-opening cues) and attaches each reply to the post it copied from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from .repeats import Paragraph
from .roles import addresses_the_post, opener_cue
from .textmatch import (
    elided_head,
    find_span,
    inline_quote,
    norm_tokens,
    normalise,
    normalise_with_map,
    paragraph_key,
    quote_candidates,
    word_count,
)

# Inside a normalised token ("sycophancy/psych", "(eg,"): a word after punctuation.
_WORD_AFTER_PUNCT_RE = re.compile(r"(?<=[\W_])[^\W_]")
# A paragraph ending in one of these words (or ":" / "...") is an unfinished sentence
# that runs on into the quotation below it, e.g. "I think he's gesturing at" + a quote.
_LEAD_IN_END_RE = re.compile(
    r"\b(?:a|an|the|at|of|to|is|are|was|were|that|and|or|but|like|as|with|from|by|for|in"
    r"|on|about|says|said|wrote|writes|means|namely)$",
    re.IGNORECASE,
)


# Paragraph breaks of the parent allowed between two passages one reply answers in turn.
_MAX_BREAKS = 2
_MAX_BREAKS_POINT_BY_POINT = 5
# A reply this short ("Well put.", "Agree.") is answered by nobody.
_LEAF_WORDS = 3


@dataclass
class Draft:
    parent: Draft | None  # None: the opening post (for the opening itself: no parent)
    body: list[str] = field(default_factory=list)
    norm: str = ""
    quote: str = ""
    quote_parts: list[str] = field(default_factory=list)
    quote_paras: list[Paragraph] = field(default_factory=list)
    attached: str = "top"  # "quote" | "position" | "top"
    notes: list[str] = field(default_factory=list)
    role: str = "comment"
    key: int = 0
    quote_end: int = 0  # where the latest passage this reply quotes ends in its parent
    passages: int = 1  # how many passages of its parent this reply answers
    answer_due: bool = False  # the body ends with a quoted passage not yet answered
    index: PostIndex | None = None
    _mapped: tuple[str, list[int]] | None = None

    def add(self, text: str) -> None:
        self.answer_due = False
        self.body.append(text)
        start = len(self.norm)
        self.norm += normalise(text)
        self._mapped = None
        if self.index is not None:
            self.index.note(self, start)

    @property
    def text(self) -> str:
        return "\n\n".join(self.body)

    def span(self, needle: str) -> str | None:
        """The exact text of this post's body that ``needle`` copies, if any."""
        text = self.text
        if self._mapped is None:
            self._mapped = normalise_with_map(text)
        return find_span(needle, text, self._mapped)


class PostIndex:
    """Posts in page order, searchable for copied text from the latest backwards.

    Two things keep long threads from going quadratic in Python: finished posts are
    packed into chunks of normalised text searched with one ``rfind`` each, and a Bloom
    filter of the 16 characters after every word start answers "copied from nowhere" —
    the usual case — without scanning. ``find_span`` only accepts a span that starts at
    a word start of its source (or at punctuation that opens a token), and all of those
    are indexed, so a real quote is never filtered out.
    """

    _CHUNK = 64
    _SEP = "\x00"
    _GRAM = 16  # length of the indexed prefixes; shorter needles skip the filter

    def __init__(self, opening: Draft, size_hint: int) -> None:
        self.drafts: list[Draft] = []
        self._loose: list[Draft] = [opening]  # finished, not yet packed into a chunk
        self._chunks: list[tuple[str, list[int], list[Draft]]] = []
        # ~8 bits per indexed prefix keeps false positives at a few percent.
        self._bits = 1 << max(16, min(28, (16 * max(size_hint, 1)).bit_length()))
        self._bloom = bytearray(self._bits // 8)
        self._unfinished: dict[int, list[int]] = {}  # id(draft) -> starts near its end
        self._adopt(opening)

    def append(self, draft: Draft) -> None:
        if self.drafts:
            self._loose.append(self.drafts[-1])
            if len(self._loose) >= self._CHUNK:
                self._pack()
        self.drafts.append(draft)
        self._adopt(draft)

    def _adopt(self, draft: Draft) -> None:
        draft.index = self
        self.note(draft, 0)

    def note(self, draft: Draft, start: int) -> None:
        """Index the word starts of ``draft.norm[start:]`` (text just added)."""
        norm = draft.norm
        starts = self._unfinished.pop(id(draft), [])
        offset = start
        texts = draft.body[-1:] if start else draft.body
        for token in (token for text in texts for token in norm_tokens(text)):
            starts.append(offset)  # a token start, even if it begins with punctuation
            starts.extend(offset + m.start() for m in _WORD_AFTER_PUNCT_RE.finditer(token))
            offset += len(token)
        size = self._GRAM
        for pos in starts:
            if pos + size <= len(norm):
                self._set(norm[pos : pos + size])
        # Prefixes cut short by the end of the post may continue in its next paragraph.
        unfinished = [pos for pos in starts if pos + size > len(norm)]
        if unfinished:
            self._unfinished[id(draft)] = unfinished

    def _hashes(self, gram: str) -> tuple[int, int]:
        h = hash(gram) & 0xFFFFFFFFFFFFFFFF
        return h % self._bits, (h >> 32) % self._bits

    def _set(self, gram: str) -> None:
        for bit in self._hashes(gram):
            self._bloom[bit >> 3] |= 1 << (bit & 7)

    def _maybe(self, wanted: str) -> bool:
        if len(wanted) < self._GRAM:
            return True
        gram = wanted[: self._GRAM]
        return all(self._bloom[bit >> 3] & (1 << (bit & 7)) for bit in self._hashes(gram))

    def _pack(self) -> None:
        starts, offset = [], 0
        for draft in self._loose:
            starts.append(offset)
            offset += len(draft.norm) + 1
        text = self._SEP.join(d.norm for d in self._loose)
        self._chunks.append((text, starts, self._loose))
        self._loose = []

    def latest_containing(self, needle: str) -> tuple[Draft, str] | None:
        """The latest post whose body contains ``needle`` (as copied), with the span."""
        wanted = normalise(needle)
        if not wanted or not self._maybe(wanted):
            return None
        loose = [*self._loose, self.drafts[-1]] if self.drafts else self._loose
        for draft in reversed(loose):
            if wanted in draft.norm and (span := draft.span(needle)):
                return draft, span
        for text, starts, drafts in reversed(self._chunks):
            end = len(text)
            while (pos := text.rfind(wanted, 0, end)) != -1:
                i = bisect_right(starts, pos) - 1
                if span := drafts[i].span(needle):
                    return drafts[i], span
                end = starts[i]
        return None


@dataclass
class _QuoteMatch:
    parent: Draft
    span: str
    kind: str  # "whole" | "inline" | "elided"
    needle: str


def _leads_into_quote(paragraph: str) -> bool:
    text = paragraph.rstrip()
    if text.endswith((":", "...", "\u2026")):
        return True
    return bool(_LEAD_IN_END_RE.search(text))


class ReplyTree:
    """Cut the comment paragraphs into replies and find each reply's parent.

    A new reply starts at a paragraph that copies text of an earlier post — as the whole
    paragraph, as a quotation after a short lead-in, or as the part before an ellipsis —
    unless the paragraph before it leads into it ("…he's gesturing at" + quote), in
    which case the quotation is part of the running comment. The copied text becomes
    the reply's ``quote``; following paragraphs that continue the same passage of the
    parent extend it. A paragraph opening with a concession or rebuttal cue ("Fair.",
    "I dispute this.") starts a new reply to the comment it follows. Everything else
    continues the current comment; the first comment has no parent (top level).

    Parent choice: the *latest* post whose text contains the copied span. Pages list
    replies depth-first, so the closest earlier copy is in the subthread being answered;
    an older copy of the same words is usually the grandparent's, already answered.
    Quotes themselves are not searched, only bodies: quoting a quote answers its author.
    """

    def __init__(
        self,
        opening: Draft,
        size_hint: int,
        *,
        quoted: frozenset[int] = frozenset(),
        starts: frozenset[int] = frozenset(),
    ) -> None:
        self.opening = opening
        self.posts = PostIndex(opening, size_hint)
        self.drafts = self.posts.drafts
        self.duplicates = 0
        # Paragraph positions known to quote text the dump does not hold (the article),
        # and positions known to begin a comment (see rawdump).
        self.quoted = quoted
        self.starts = starts

    def run(self, paras: list[Paragraph]) -> list[Draft]:
        for para in paras:
            self._take(para)
        return self._finish()

    def _take(self, para: Paragraph) -> None:
        current = self.drafts[-1] if self.drafts else None
        if current is not None and current.quote and not current.body:
            self._continue_quote(current, para)
            return
        if para.position in self.starts:
            # Shown only by the page's second rendering: the first line of a comment
            # the first rendering cut short. Where it belongs in the tree is unknown.
            self._start_top(para)
            return
        if current is not None and current.body and _continues_list(current.body[-1], para.text):
            current.add(para.text)
            return
        match = self._find_quote(para.text)
        if match and not (current and current.body and _leads_into_quote(current.body[-1])):
            if current is not None and self._same_reply(current, match):
                # One reply answering several passages of the same parent, in order.
                current.add(_blockquote(para.text) if match.kind == "whole" else para.text)
                current.quote_end = _end_in(match.parent, match.span)
                current.passages += 1
                current.answer_due = match.kind == "whole"
                return
            self._start_quoted(match, para)
            return
        if para.position in self.quoted:
            (current or self._start_top(None)).add(_blockquote(para.text))
            return
        cue = opener_cue(para.text)
        if cue and current is not None and current.body and addresses_the_post(para.text):
            self._start_top(para).notes.append("a top-level comment: it addresses the post")
            return
        if cue and current is not None and current.body and not current.answer_due:
            # A bare "Well put." is a leaf: the next reply goes on answering what it
            # answered, not the two words themselves.
            leaf = current.attached == "position" and word_count(current.text) <= _LEAF_WORDS
            draft = Draft(parent=current.parent if leaf else current, attached="position")
            draft.notes.append(f"parent guessed from position: opens with a {cue} cue")
            draft.add(para.text)
            self.posts.append(draft)
            return
        (current or self._start_top(None)).add(para.text)

    def _start_top(self, para: Paragraph | None) -> Draft:
        draft = Draft(parent=None, attached="top")
        self.posts.append(draft)
        if para is not None:
            draft.add(para.text)
        return draft

    def _same_reply(self, current: Draft, match: _QuoteMatch) -> bool:
        """Whether a quotation continues the current reply rather than starting one: it
        copies the parent the reply answers, from further on in that parent."""
        if current.attached != "quote" or not current.body:
            return False
        parent = current.parent or self.opening
        if match.parent is not parent or parent is self.opening:
            return False
        start = _start_in(parent, match.span)
        if start < current.quote_end:
            return False
        # Point-by-point answers take the passages nearly in turn; a quotation from much
        # further on is more often a sibling reply by someone else.
        # Once a reply has answered two passages in turn it is plainly point by point,
        # and may pass over more of the parent.
        breaks = parent.text.count("\n\n", current.quote_end, start)
        limit = _MAX_BREAKS if current.passages < 2 else _MAX_BREAKS_POINT_BY_POINT
        return breaks <= limit

    def _start_quoted(self, match: _QuoteMatch, para: Paragraph) -> None:
        parent = None if match.parent is self.opening else match.parent
        draft = Draft(parent=parent, quote=match.span, attached="quote")
        draft.quote_end = _end_in(match.parent, match.span)
        if match.kind == "whole":
            draft.quote_parts = [match.needle]
            draft.quote_paras = [para]
        elif match.kind == "inline":
            draft.add(para.text)
        else:
            draft.add(_blockquote(para.text))
            draft.notes.append("the quote was shortened with an ellipsis; matched its first part")
        self.posts.append(draft)

    def _continue_quote(self, draft: Draft, para: Paragraph) -> None:
        """A reply that so far is only a quote: extend the quote, or begin the answer."""
        parent = draft.parent or self.opening
        for candidate in quote_candidates(para.text, require_length=False):
            span = parent.span(" ".join([*draft.quote_parts, candidate]))
            if span:
                draft.quote = span
                draft.quote_end = _end_in(parent, span)
                draft.quote_parts.append(candidate)
                draft.quote_paras.append(para)
                return
        if self._find_quote(para.text):
            # A second, separate quotation before any answer: keep it in the body.
            draft.add(_blockquote(para.text))
            return
        draft.add(para.text)

    def _find_quote(self, paragraph: str) -> _QuoteMatch | None:
        attempts = [("whole", c) for c in quote_candidates(paragraph)]
        if inline := inline_quote(paragraph):
            attempts.append(("inline", inline))
        if head := elided_head(paragraph):
            attempts.append(("elided", head))
        for kind, needle in attempts:
            if found := self.posts.latest_containing(needle):
                return _QuoteMatch(parent=found[0], span=found[1], kind=kind, needle=needle)
        return None

    def _finish(self) -> list[Draft]:
        body_keys = {paragraph_key(p) for d in [self.opening, *self.drafts] for p in d.body}
        finished = []
        for draft in self.drafts:
            if not draft.body:
                if all(p.key in body_keys for p in draft.quote_paras):
                    # A whole paragraph shown again with nothing after it: a repeat.
                    self.duplicates += len(draft.quote_paras)
                    continue
                for para in draft.quote_paras:
                    draft.add(_blockquote(para.text))
                draft.notes.append("nothing followed this quote; it is kept as the body")
            finished.append(draft)
        return finished


def blockquote(text: str) -> str:
    """``text`` as a Markdown block quote: the words are someone else's."""
    return "\n".join("> " + line if line.strip() else ">" for line in text.split("\n"))


_blockquote = blockquote


def _start_in(draft: Draft, span: str) -> int:
    return max(draft.text.find(span), 0)


def _end_in(draft: Draft, span: str) -> int:
    at = draft.text.find(span)
    return 0 if at < 0 else at + len(span)


_ENUMERATOR_RE = re.compile(r"^\s*(?:\(?([a-z]|\d{1,2})[.)]|([ivx]{1,4})\))\s", re.IGNORECASE)


def _enumerator(text: str) -> str | None:
    match = _ENUMERATOR_RE.match(text)
    return (match.group(1) or match.group(2)).lower() if match else None


def _continues_list(previous: str, text: str) -> bool:
    """``text`` is the next item of a list the previous paragraph is in (1. then 2., a)
    then b)): a list never straddles two comments."""
    lines = previous.rstrip().split("\n")
    before = next((_enumerator(line) for line in reversed(lines) if _enumerator(line)), None)
    after = _enumerator(text)
    if before is None or after is None:
        return False
    if before.isdigit() and after.isdigit():
        return int(after) == int(before) + 1
    return len(before) == len(after) == 1 and ord(after) == ord(before) + 1
