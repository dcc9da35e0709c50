"""Matching copied text: is this paragraph a copy of part of an earlier post, and where?

Browsers and forum renderers change the look of copied text without changing what it
says: smart vs straight quotes, an ellipsis character vs three dots, a space lost at a
link boundary ("emergentagency"), a space gained before a footnote ("it. [[1]]"). So
matching compares a *normalised* form — whitespace removed, quote/dash characters
unified, case folded — but a match is always mapped back to the exact characters of
the text it was found in, so a stored quote occurs verbatim in its parent.
"""

from __future__ import annotations

import re

_CHAR_MAP: dict[int, str | None] = {
    **{ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032`\u00b4"},
    **{ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"},
    **{ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
    ord("\u2026"): "...",
    **{ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"},
}
_NON_SPACE_RE = re.compile(r"\S")

# Characters ignored at the edges of a paragraph when deciding whether two paragraphs
# are the same: a quoter often adds or drops the closing full stop, wraps the text in
# quotation marks, prefixes "> " or "...".
_EDGE_CHARS = "\"'>.,;:!?*()-"

# A copied span must be at least this long to count as a quote: shorter snippets
# ("I agree", "Fair.") recur by coincidence.
MIN_QUOTE_WORDS = 4
MIN_QUOTE_CHARS = 12

_QUOTE_MARKER_RE = re.compile(r"(?m)^[ \t]*>[ \t]?")
_LEADING_ELLIPSIS_RE = re.compile(r"^(?:\.\.\.|\u2026)\s*")
_TRAILING_ELLIPSIS_RE = re.compile(r"\s*(?:\.\.\.|\u2026)$")
_ELISION_RE = re.compile(r"\s*(?:\[\s*(?:\.\.\.|\u2026)\s*\]|\.\.\.|\u2026)\s*")
_OPEN_QUOTES = "\"\u201c\u201e'\u2018"
_CLOSE_QUOTES = "\"\u201d\u201f'\u2019"


def normalise(text: str) -> str:
    """The matching form of ``text`` (see the module docstring)."""
    return "".join(text.translate(_CHAR_MAP).casefold().split())


def norm_tokens(text: str) -> list[str]:
    """The whitespace-separated pieces of ``normalise(text)``, in order (they join to it)."""
    return text.translate(_CHAR_MAP).casefold().split()


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` plus, for each of its characters, the index in ``text``."""
    folded = text.translate(_CHAR_MAP).casefold()
    if len(folded) == len(text):
        # Usual case: every character maps to exactly one, so only whitespace moves.
        index = [m.start() for m in _NON_SPACE_RE.finditer(folded)]
        return "".join(folded.split()), index
    chars: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        if char.isspace():
            continue
        for folded in char.translate(_CHAR_MAP).casefold():
            chars.append(folded)
            index.append(i)
    return "".join(chars), index


def paragraph_key(text: str) -> str:
    """Identity of a paragraph for de-duplication and for the paragraph accounting."""
    return normalise(text).strip(_EDGE_CHARS)


def word_count(text: str) -> int:
    return len(text.split())


def long_enough(text: str) -> bool:
    return word_count(text) >= MIN_QUOTE_WORDS and len(normalise(text)) >= MIN_QUOTE_CHARS


def quote_candidates(paragraph: str, *, require_length: bool = True) -> list[str]:
    """Texts to look for in earlier posts if ``paragraph`` is itself a copied quote.

    Markdown ``>`` markers, wrapping quotation marks and leading/trailing ellipses are
    the quoter's, not the quoted text's. The second candidate also drops trailing
    punctuation, for quoters who end a fragment with their own full stop. Candidates
    shorter than a meaningful quote are left out unless ``require_length`` is False
    (when continuing a quote already found, any continuation counts).
    """
    text = _QUOTE_MARKER_RE.sub("", paragraph).strip()
    text = _strip_wrapping_quotes(text)
    text = _LEADING_ELLIPSIS_RE.sub("", text)
    text = _TRAILING_ELLIPSIS_RE.sub("", text).strip()
    candidates = [text]
    trimmed = text.rstrip(".,;:!?").rstrip()
    if trimmed and trimmed != text:
        candidates.append(trimmed)
    return [c for c in candidates if c and (long_enough(c) or not require_length)]


def elided_head(paragraph: str) -> str | None:
    """The part before the first elision ("...", "[…]") of a quote the quoter shortened."""
    text = _QUOTE_MARKER_RE.sub("", paragraph).strip()
    text = _strip_wrapping_quotes(text)
    text = _LEADING_ELLIPSIS_RE.sub("", text)
    pieces = [p for p in _ELISION_RE.split(text) if p.strip()]
    if len(pieces) < 2 or not long_enough(pieces[0]):
        return None
    return pieces[0].strip()


# `I think you missed: "…"` — a short lead-in, then the copied text in quotation marks.
_INLINE_QUOTE_RE = re.compile(r"[\"\u201c\u201e]([^\"\u201c\u201d\u201e]{12,})[\"\u201d]")
_MAX_LEAD_IN_WORDS = 15


def inline_quote(paragraph: str) -> str | None:
    """The quoted text of a paragraph shaped like ``Lead-in: "copied text" …``.

    Only the first quoted segment counts, and only when the lead-in is short and either
    ends with a colon or the segment is most of the paragraph — otherwise quotation
    marks are far more often scare quotes or the author's own examples.
    """
    match = _INLINE_QUOTE_RE.search(paragraph)
    if not match:
        return None
    lead_in = paragraph[: match.start()].strip()
    if word_count(lead_in) > _MAX_LEAD_IN_WORDS:
        return None
    segment = match.group(1).strip()
    if not (lead_in.endswith(":") or len(segment) >= 0.5 * len(paragraph.strip())):
        return None
    return segment if long_enough(segment) else None


def find_span(
    needle: str,
    haystack: str,
    haystack_mapped: tuple[str, list[int]] | None = None,
) -> str | None:
    """The exact text of ``haystack`` that ``needle`` copies, or None.

    ``haystack_mapped`` is ``normalise_with_map(haystack)`` if the caller has it cached.
    The match must start and end on word boundaries of the haystack, so a fragment
    never claims half a word.
    """
    wanted = normalise(needle)
    if not wanted:
        return None
    norm, index = haystack_mapped or normalise_with_map(haystack)
    pos = norm.find(wanted)
    while pos != -1:
        start, end = index[pos], index[pos + len(wanted) - 1] + 1
        if _on_boundaries(haystack, start, end):
            return haystack[start:end]
        pos = norm.find(wanted, pos + 1)
    return None


def _on_boundaries(text: str, start: int, end: int) -> bool:
    if text[start].isalnum() and start > 0 and text[start - 1].isalnum():
        return False
    return not (text[end - 1].isalnum() and end < len(text) and text[end].isalnum())


def _strip_wrapping_quotes(text: str) -> str:
    core = text.rstrip(".,;:!? ")
    if len(core) > 2 and core[0] in _OPEN_QUOTES and core[-1] in _CLOSE_QUOTES:
        inner = core[1:-1]
        # Only if the marks wrap the whole text, not two separate quotations.
        if not any(q in inner for q in '"\u201c\u201d'):
            return inner.strip() + text[len(core) :].strip()
    return text
