"""Raw text dumps of a forum thread page (The Motte, LessWrong) -> a reply tree.

A browser's "copy all" of a thread keeps the words and loses the structure: no author
names, no comment boundaries, and on LessWrong every comment a second time. What
survives is the quoting habit — a reply begins with a verbatim copy of the part of an
earlier comment it answers — and that is what the tree is rebuilt from.

The pipeline, the same for both kinds once the text is cut into paragraphs:

1. Cut into paragraphs (Motte: blank-line separated blocks; LessWrong: lines) and set
   aside site chrome (UI lines) and header fields (title, link).
2. Drop rendering repeats: a run of paragraphs that copies earlier paragraphs in bulk
   (see :func:`drop_repeated_runs`). A *single* repeated paragraph followed by new text
   is not a repeat but a reply quoting a whole paragraph, and is kept.
3. Segment into comments and attach them (see :class:`_Segmenter`).
4. Infer roles, then account for every paragraph (see ``ImportReport``).
"""

from __future__ import annotations

import itertools
import re
import textwrap
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from .parsed import DumpError, ImportReport, ParsedDebate, ParsedPost
from .roles import infer_role, opener_cue
from .textmatch import (
    elided_head,
    find_span,
    inline_quote,
    norm_tokens,
    normalise,
    normalise_with_map,
    paragraph_key,
    quote_candidates,
)

# --- site chrome -------------------------------------------------------------------------

# Whole lines that are page furniture, not anything a participant wrote.
_CHROME_LINES = {
    "site banner",
    "jump in the discussion.",
    "no email address required.",
    "reply",
    "share",
    "report",
    "save",
    "copy link",
    "permalink",
    "context",
    "load more",
    "load more comments",
    "show more",
    "show more replies",
    "continue this thread",
    "sign up",
    "log in",
    "login",
    "collapse",
    "expand",
    "new comment",
    "submit",
    "moderation log",
    "sorted by",
    "[-]",
    "[+]",
}
_CHROME_RES = [
    re.compile(r"^\d{1,6}$"),  # a comment count or a vote score on its own line
    re.compile(r"^\d+ (?:comments?|points?|karma|votes?|repl(?:y|ies)|children)$"),
    re.compile(r"^(?:show|load|view) \d+ more(?: comments| replies)?$"),
]
# The Motte's submission header ends with these; comments start after them.
_HEADER_END_LINES = {"jump in the discussion.", "no email address required."}
_HEADER_SEARCH_LIMIT = 20

_LINK_RE = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?$", re.IGNORECASE)

# A run of at least this many repeated paragraphs, mostly back to back, is a second
# rendering of the page rather than replies quoting whole paragraphs (a quoting reply
# is a repeated paragraph *followed by new text*, so its repeats are never adjacent).
_MIN_REPEAT_RUN = 3
# New lines allowed inside a repeated run: the second rendering sometimes shows a
# comment the first one did not (a late reply, an expanded intro line).
_MAX_GAP_IN_RUN = 2
# Lines before the first re-rendered comment are the quoted post excerpt (LessWrong
# comment pages open with one) only if there are this few of them.
_MAX_EXCERPT_PARAGRAPHS = 3

# Inside a normalised token ("sycophancy/psych", "(eg,"): a word after punctuation.
_WORD_AFTER_PUNCT_RE = re.compile(r"(?<=[\W_])[^\W_]")

_TITLE_MAX_CHARS = 150
_TITLE_MAX_WORDS = 15
_DERIVED_TITLE_CHARS = 80

PLACEHOLDER_OPENING = (
    "*Imported comment section: the post these comments discuss was not part of the dump.*"
)

# A paragraph ending in one of these words (or ":" / "...") is an unfinished sentence
# that runs on into the quotation below it, e.g. "I think he's gesturing at" + a quote.
_LEAD_IN_WORDS = {
    "a",
    "an",
    "the",
    "at",
    "of",
    "to",
    "is",
    "are",
    "was",
    "were",
    "that",
    "and",
    "or",
    "but",
    "like",
    "as",
    "with",
    "from",
    "by",
    "for",
    "in",
    "on",
    "about",
    "says",
    "said",
    "wrote",
    "writes",
    "means",
    "namely",
}


@dataclass
class _Para:
    text: str
    key: str
    position: int  # page order among content paragraphs


def _is_chrome(line: str) -> bool:
    plain = line.strip().lower()
    return plain in _CHROME_LINES or any(r.match(plain) for r in _CHROME_RES)


def _blocks(text: str, kind: str) -> list[str]:
    if kind == "lesswrong":
        return [line.rstrip() for line in text.split("\n") if line.strip()]
    blocks = re.split(r"\n[ \t]*\n", text)
    return [
        "\n".join(line.rstrip() for line in textwrap.dedent(b).strip("\n").split("\n"))
        for b in blocks
        if b.strip()
    ]


def _strip_chrome(blocks: list[str], chrome: list[str]) -> list[str]:
    kept = []
    for block in blocks:
        lines = block.split("\n")
        content = [line for line in lines if not _is_chrome(line)]
        chrome.extend(line.strip() for line in lines if _is_chrome(line))
        if any(line.strip() for line in content):
            kept.append("\n".join(content).strip("\n"))
    return kept


def _is_link(text: str) -> bool:
    return "\n" not in text and bool(_LINK_RE.match(text.strip()))


def _is_title_like(text: str) -> bool:
    text = text.strip()
    return (
        "\n" not in text
        and 0 < len(text) <= _TITLE_MAX_CHARS
        and len(text.split()) >= 2
        and text[-1] not in ".!?:;,\"'\u201d\u2019"
        and text[0] not in "\"'\u201c\u2018>"
    )


def derive_title(text: str) -> str:
    """First sentence of ``text``, cut at a word boundary to about 80 characters."""
    flat = " ".join(text.split())
    sentence = re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0]
    if len(sentence) <= _DERIVED_TITLE_CHARS:
        return sentence
    cut = sentence[:_DERIVED_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:-\u2014")
    return cut + "\u2026"


# --- rendering repeats -------------------------------------------------------------------


@dataclass
class _Dedupe:
    kept: list[_Para]
    dropped: int
    rerendered: set[int] = field(default_factory=set)  # positions shown again later


def drop_repeated_runs(paras: list[_Para]) -> _Dedupe:
    """Remove second renderings of the page, keeping the first copy of each paragraph.

    A repeat run starts and ends with a paragraph identical (by :func:`paragraph_key`)
    to one *before the run*, has at least ``_MIN_REPEAT_RUN`` such paragraphs, most of
    them adjacent, and at most ``_MAX_GAP_IN_RUN`` new paragraphs between two repeats.
    When the two copies differ only in spacing, the better-spaced one is kept
    ("emergentagency" loses to "emergent agency").

    New paragraphs shown only by the second rendering are moved to the same place in
    the first one (see :func:`_place_new_paragraphs`), so they keep their context.
    """
    first_seen: dict[str, int] = {}
    original: list[int | None] = []
    for i, para in enumerate(paras):
        original.append(first_seen.get(para.key))
        first_seen.setdefault(para.key, i)

    runs: list[tuple[int, set[int], int]] = []
    i = 0
    while i < len(paras):
        run = _repeat_run(original, i) if original[i] is not None else None
        if run is None:
            i += 1
            continue
        runs.append((i, *run))
        i = run[1] + 1
    drop = {j for _, repeats, _ in runs for j in repeats}
    for j in drop:
        source = paras[original[j]]
        if len(paras[j].text.split()) > len(source.text.split()):
            source.text = paras[j].text

    before, after, moved = _place_new_paragraphs(paras, original, runs, drop)
    kept: list[_Para] = []
    for i, para in enumerate(paras):
        kept.extend(paras[j] for j in before.get(i, []))
        if i not in drop and i not in moved:
            kept.append(para)
        kept.extend(paras[j] for j in after.get(i, []))
    rerendered = {paras[original[j]].position for j in drop}
    return _Dedupe(kept=kept, dropped=len(drop), rerendered=rerendered)


def _place_new_paragraphs(
    paras: list[_Para],
    original: list[int | None],
    runs: list[tuple[int, set[int], int]],
    drop: set[int],
) -> tuple[dict[int, list[int]], dict[int, list[int]], set[int]]:
    """Where paragraphs shown only by a second rendering go in the first one.

    - Between two repeats: right after the original of the repeat before it.
    - After the last repeat: likewise, except when the first rendering goes on past
      that original and ends with a quotation nobody answered; the second rendering
      leaves quotations out, so the new paragraph is that quotation's answer.
    - Just before the first repeat, when the run re-renders (nearly) the whole first
      rendering: an intro the first rendering lacked, placed before the original.
    Returns (placed before index, placed after index, moved indices).
    """
    shown_again = {original[j] for j in drop}
    before: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    moved: set[int] = set()
    for start, repeats, end in runs:
        first_source = original[start]
        lead_in = _lead_in(paras, original, shown_again, start)
        if lead_in and _share_shown_again(paras, shown_again, first_source, lead_in[0]) < 0.6:
            lead_in = []
        before.setdefault(first_source, []).extend(lead_in)
        moved.update(lead_in)
        region_end = lead_in[0] if lead_in else start  # where the first rendering ends
        source = first_source
        for j in range(start, end + 1):
            if j in repeats:
                source = original[j]
                continue
            anchor = source
            if not any(k in repeats for k in range(j + 1, end + 1)):
                rest = range(source + 1, region_end)
                unanswered = (
                    rest
                    and not any(k in shown_again for k in rest)
                    and _copies_earlier(paras, region_end - 1)
                )
                if unanswered:
                    anchor = region_end - 1
            after.setdefault(anchor, []).append(j)
            moved.add(j)
    return before, after, moved


def _share_shown_again(paras: list[_Para], shown_again: set[int], start: int, end: int) -> float:
    """Share of the text of ``paras[start:end]`` (by characters) shown again later."""
    total = sum(len(paras[k].text) for k in range(start, end)) or 1
    return sum(len(paras[k].text) for k in range(start, end) if k in shown_again) / total


def _lead_in(
    paras: list[_Para], original: list[int | None], shown_again: set[int], start: int
) -> list[int]:
    """New paragraphs just before a repeat run that may belong to the second rendering:
    neither shown again later nor copies of earlier text (quotations)."""
    lead_in: list[int] = []
    j = start - 1
    while j >= 0 and len(lead_in) < _MAX_GAP_IN_RUN:
        if j in shown_again or original[j] is not None or _copies_earlier(paras, j):
            break
        lead_in.insert(0, j)
        j -= 1
    return lead_in


def _copies_earlier(paras: list[_Para], j: int) -> bool:
    earlier = normalise("".join(p.text for p in paras[:j]))
    candidates = quote_candidates(paras[j].text) or [paras[j].text]
    return any(normalise(c) in earlier for c in candidates)


def _repeat_run(original: list[int | None], start: int) -> tuple[set[int], int] | None:
    repeats = [start]
    gap = 0
    j = start + 1
    while j < len(original) and gap <= _MAX_GAP_IN_RUN:
        source = original[j]
        if source is not None and source < start:
            repeats.append(j)
            gap = 0
        else:
            gap += 1
        j += 1
    last = repeats[-1]
    new_inside = last - start + 1 - len(repeats)
    adjacent = sum(1 for a, b in zip(repeats, repeats[1:], strict=False) if b == a + 1)
    if len(repeats) < _MIN_REPEAT_RUN or 2 * adjacent < len(repeats) - 1:
        return None
    if new_inside * 2 > len(repeats):
        return None
    # New paragraphs between the run and the end of the page belong to the second
    # rendering too.
    if len(original) - 1 - last <= _MAX_GAP_IN_RUN:
        last = len(original) - 1
    return set(repeats), last


# --- segmentation ------------------------------------------------------------------------


@dataclass
class _Draft:
    parent: _Draft | None  # None: the opening post (for the opening itself: no parent)
    body: list[str] = field(default_factory=list)
    norm: str = ""
    quote: str = ""
    quote_parts: list[str] = field(default_factory=list)
    quote_paras: list[_Para] = field(default_factory=list)
    attached: str = "top"  # "quote" | "position" | "top"
    notes: list[str] = field(default_factory=list)
    role: str = "comment"
    key: int = 0
    index: _Posts | None = None
    _mapped: tuple[str, list[int]] | None = None

    def add(self, text: str) -> None:
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


class _Posts:
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

    def __init__(self, opening: _Draft, size_hint: int) -> None:
        self.drafts: list[_Draft] = []
        self._loose: list[_Draft] = [opening]  # finished, not yet packed into a chunk
        self._chunks: list[tuple[str, list[int], list[_Draft]]] = []
        # ~8 bits per indexed prefix keeps false positives at a few percent.
        self._bits = 1 << max(16, min(28, (16 * max(size_hint, 1)).bit_length()))
        self._bloom = bytearray(self._bits // 8)
        self._unfinished: dict[int, list[int]] = {}  # id(draft) -> starts near its end
        self._adopt(opening)

    def append(self, draft: _Draft) -> None:
        if self.drafts:
            self._loose.append(self.drafts[-1])
            if len(self._loose) >= self._CHUNK:
                self._pack()
        self.drafts.append(draft)
        self._adopt(draft)

    def _adopt(self, draft: _Draft) -> None:
        draft.index = self
        self.note(draft, 0)

    def note(self, draft: _Draft, start: int) -> None:
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

    def latest_containing(self, needle: str) -> tuple[_Draft, str] | None:
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
    parent: _Draft
    span: str
    kind: str  # "whole" | "inline" | "elided"
    needle: str


def _leads_into_quote(paragraph: str) -> bool:
    text = paragraph.rstrip()
    if text.endswith((":", "...", "\u2026")):
        return True
    last_word = re.findall(r"[A-Za-z']+$", text)
    return bool(last_word) and last_word[0].lower() in _LEAD_IN_WORDS


class _Segmenter:
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

    def __init__(self, opening: _Draft, size_hint: int) -> None:
        self.opening = opening
        self.posts = _Posts(opening, size_hint)
        self.drafts = self.posts.drafts
        self.duplicates = 0

    def run(self, paras: list[_Para]) -> list[_Draft]:
        for para in paras:
            self._take(para)
        return self._finish()

    def _take(self, para: _Para) -> None:
        current = self.drafts[-1] if self.drafts else None
        if current is not None and current.quote and not current.body:
            self._continue_quote(current, para)
            return
        match = self._find_quote(para.text)
        if match and not (current and current.body and _leads_into_quote(current.body[-1])):
            self._start_quoted(match, para)
            return
        cue = opener_cue(para.text)
        if cue and current is not None and current.body:
            draft = _Draft(parent=current, attached="position")
            draft.notes.append(f"parent guessed from position: opens with a {cue} cue")
            draft.add(para.text)
            self.posts.append(draft)
            return
        if current is None:
            current = _Draft(parent=None, attached="top")
            self.posts.append(current)
        current.add(para.text)

    def _start_quoted(self, match: _QuoteMatch, para: _Para) -> None:
        parent = None if match.parent is self.opening else match.parent
        draft = _Draft(parent=parent, quote=match.span, attached="quote")
        if match.kind == "whole":
            draft.quote_parts = [match.needle]
            draft.quote_paras = [para]
        elif match.kind == "inline":
            draft.add(para.text)
        else:
            draft.add(_blockquote(para.text))
            draft.notes.append("the quote was shortened with an ellipsis; matched its first part")
        self.posts.append(draft)

    def _continue_quote(self, draft: _Draft, para: _Para) -> None:
        """A reply that so far is only a quote: extend the quote, or begin the answer."""
        parent = draft.parent or self.opening
        for candidate in quote_candidates(para.text, require_length=False):
            span = parent.span(" ".join([*draft.quote_parts, candidate]))
            if span:
                draft.quote = span
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

    def _finish(self) -> list[_Draft]:
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


def _blockquote(text: str) -> str:
    return "> " + text


# --- the two kinds ------------------------------------------------------------------------


@dataclass
class _Page:
    title: str = ""
    link: str = ""
    opening: list[str] = field(default_factory=list)
    comments: list[_Para] = field(default_factory=list)
    duplicates: int = 0
    chrome: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    content: list[_Para] = field(default_factory=list)  # every content paragraph, for accounting


def _paras(texts: list[str], offset: int = 0) -> list[_Para]:
    return [_Para(text=t, key=paragraph_key(t), position=offset + i) for i, t in enumerate(texts)]


def _read_motte(text: str) -> _Page:
    page = _Page()
    blocks = _blocks(text, "motte")
    header_end = -1
    for i, block in enumerate(blocks[:_HEADER_SEARCH_LIMIT]):
        if any(line.strip().lower() in _HEADER_END_LINES for line in block.split("\n")):
            header_end = i
    header = _strip_chrome(blocks[: header_end + 1], page.chrome)
    rest = _strip_chrome(blocks[header_end + 1 :], page.chrome)
    if header_end >= 0:
        # The submission header always starts with the title, whatever its punctuation.
        if header:
            page.title = header.pop(0)
    else:
        # No submission header: read title / link / opening text off the top.
        header, rest = _take_header(rest, max_opening=1)
        if header and _is_title_like(header[0]):
            page.title = header.pop(0)
    if header and _is_link(header[0]):
        page.link = header.pop(0)
    page.opening = header
    opening = _paras(page.opening)
    dedupe = drop_repeated_runs(_paras(rest, offset=len(opening)))
    page.content = opening + _paras(rest, offset=len(opening))
    page.comments = dedupe.kept
    page.duplicates = dedupe.dropped
    return page


def _take_header(blocks: list[str], max_opening: int) -> tuple[list[str], list[str]]:
    taken = 0
    if blocks and _is_title_like(blocks[0]):
        taken += 1
    if len(blocks) > taken and _is_link(blocks[taken]):
        taken += 1
    taken = min(len(blocks), taken + max_opening)
    return blocks[:taken], blocks[taken:]


def _read_lesswrong(text: str) -> _Page:
    page = _Page()
    paras = _paras(_strip_chrome(_blocks(text, "lesswrong"), page.chrome))
    dedupe = drop_repeated_runs(paras)
    kept = dedupe.kept
    first = kept[0] if kept else None
    # A title line is short and unpunctuated, and unlike a comment it is not shown twice.
    if (
        first is not None
        and first.position == 0
        and first.position not in dedupe.rerendered
        and _is_title_like(first.text)
        and len(first.text.split()) <= _TITLE_MAX_WORDS
        and len(kept) > 1
    ):
        page.title = kept.pop(0).text
    page.content = [p for p in paras if not (page.title and p.position == 0)]
    page.duplicates = dedupe.dropped
    if dedupe.rerendered:
        # The comments are shown twice but a post excerpt at the top only once: what
        # precedes the first re-rendered paragraph is the excerpt being discussed.
        first_shown_again = min(dedupe.rerendered)
        excerpt = list(itertools.takewhile(lambda p: p.position < first_shown_again, kept))
        if 0 < len(excerpt) <= _MAX_EXCERPT_PARAGRAPHS and len(excerpt) < len(kept):
            page.opening = [p.text for p in excerpt]
            kept = kept[len(excerpt) :]
            page.notes.append("the lines before the first repeated comment are the post excerpt")
    page.comments = kept
    return page


# --- assembling ---------------------------------------------------------------------------


def parse_raw(text: str, kind: str, title: str | None = None) -> ParsedDebate:
    """Parse a raw thread dump of ``kind`` "motte" or "lesswrong"."""
    page = _read_motte(text) if kind == "motte" else _read_lesswrong(text)
    if not page.opening and not page.comments and not page.link:
        raise DumpError("The dump has no text besides site chrome: nothing to import.")

    opening = _Draft(parent=None, role="claim")
    for paragraph in page.opening:
        opening.add(paragraph)
    notes = list(page.notes)
    if not page.opening and page.link:
        # A link submission without a statement: the link is what is being discussed.
        opening.add(page.link)
        notes.append("the submission has no text; the opening post is its link")
    elif not page.opening:
        notes.append("the dump has no post text; the opening post is a placeholder")

    segmenter = _Segmenter(opening, size_hint=len(text))
    drafts = segmenter.run(page.comments)
    for number, draft in enumerate(drafts, start=1):
        draft.key = number
    for draft in drafts:
        parent_role = draft.parent.role if draft.parent else opening.role
        draft.role = infer_role(draft.text, parent_role)

    if title:
        final_title = title.strip()
    elif page.title:
        final_title = page.title
    else:
        source = opening.text or (drafts[0].text if drafts else "")
        final_title = derive_title(source) or "Imported debate"
        notes.append("the dump has no title line; the title is the first sentence (use --title)")

    opening_post = ParsedPost(
        key=0,
        parent_key=None,
        body=opening.text or PLACEHOLDER_OPENING,
        role="claim",
        author="imported-0",
        note="" if opening.body else "placeholder: the dump holds only the comment section",
    )
    posts = [
        ParsedPost(
            key=d.key,
            parent_key=d.parent.key if d.parent else None,
            body=d.text,
            quote=d.quote,
            role=d.role,
            role_inferred=True,
            author=f"imported-{d.key}",
            note="; ".join(d.notes),
        )
        for d in drafts
    ]
    report = _report(page, opening_post, posts, drafts, segmenter.duplicates, notes)
    return ParsedDebate(
        title=final_title,
        link=page.link,
        opening=opening_post,
        posts=posts,
        report=report,
        source_format=kind,
    )


def _report(
    page: _Page,
    opening: ParsedPost,
    posts: list[ParsedPost],
    drafts: list[_Draft],
    extra_duplicates: int,
    notes: list[str],
) -> ImportReport:
    wanted: dict[str, str] = {}
    for para in page.content:
        wanted.setdefault(para.key, para.text)
    found: set[str] = set()
    for post in [opening, *posts]:
        found.update(paragraph_key(p) for p in split_paragraphs(post.body))
        if post.quote:
            found.update(paragraph_key(p) for p in split_paragraphs(post.quote))
            found.add(paragraph_key(post.quote))
    missing = [text for key, text in wanted.items() if key not in found]
    return ImportReport(
        comments=len(posts),
        duplicates_dropped=page.duplicates + extra_duplicates,
        attached_by_quote=sum(1 for d in drafts if d.attached == "quote"),
        attached_by_position=sum(1 for d in drafts if d.attached == "position"),
        top_level=sum(1 for p in posts if p.parent_key is None),
        roles_inferred=dict(Counter(p.role for p in posts)),
        paragraphs_in=len(wanted),
        paragraphs_out=len(wanted) - len(missing),
        dropped=[_excerpt(text) for text in missing],
        chrome=page.chrome,
        notes=notes,
    )


def split_paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def _excerpt(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"
