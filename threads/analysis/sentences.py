"""Sentence splitting that returns spans, so every extract is a verbatim slice of its post.

A regex sentence splitter rather than NLTK's Punkt: Punkt needs a model download at
run time, which the workers cannot rely on. The rules cover what forum posts contain:
abbreviations (e.g., i.e., Mr., U.S.), initials, decimals (3.5), closing quotes and
brackets after the full stop, footnote markers ([[1]], [2]) after it, list items, and
paragraphs separated by blank lines. A full stop only ends a sentence when what
follows starts like a sentence (capital, digit, quote or bracket, or the end).
"""

from __future__ import annotations

import re

# Lower-cased, without the final dot. "no" is left out on purpose: "the answer is no."
# ends sentences far more often than "No. 5" appears in a debate.
ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "cf",
        "vs",
        "viz",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "fig",
        "approx",
        "al",
        "ca",
        "resp",
        "ibid",
        "op",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "sgt",
        "capt",
        "mt",
        "ft",
        "vol",
        "pp",
        "ch",
        "sec",
        "eq",
        "ref",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)

_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)+")
# A line that starts a list item: "- x", "* x", "• x", "1. x", "2) x".
_LIST_ITEM = re.compile(r"(?m)^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+")
_FOOTNOTE = re.compile(r"\[\[?\d+\]\]?")
_TRAILING_FOOTNOTE = re.compile(r"\[\[?\d+\]\]?$")
# Terminal punctuation, then closing quotes/brackets, then footnote markers.
_END = re.compile(r"([.!?…]+)[\"'”’)\]]*(?:\s?\[\[?\d+\]\]?)*(?=\s|$)")
# What may stand between a full stop and the next sentence's first letter.
_NEXT_START = re.compile(r"\s*[\"'“‘(\[*_]*(\S?)")
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}$")
_WORD = re.compile(r"[^\W_]")


def _units(text: str) -> list[tuple[int, int]]:
    """Paragraphs, with each list item (its marker left out) a unit of its own line."""
    cuts = {0, len(text)}
    for match in _PARAGRAPH_BREAK.finditer(text):
        cuts.update((match.start(), match.end()))
    markers = {}
    for match in _LIST_ITEM.finditer(text):
        cuts.add(match.start())
        markers[match.start()] = match.end()
        line_end = text.find("\n", match.end())
        if line_end >= 0:
            cuts.add(line_end)
    points = sorted(cuts)
    return [
        (markers.get(a, a), b)
        for a, b in zip(points, points[1:], strict=False)
        if b > markers.get(a, a)
    ]


def _is_boundary(text: str, match: re.Match[str], unit_end: int) -> bool:
    following = _NEXT_START.match(text, match.end(), unit_end)
    first = following.group(1) if following else ""
    if not first:
        return True  # end of the paragraph
    if first.islower() or not (first.isalnum() or first in "$£€"):
        return False
    if match.group(1) != ".":
        return True  # "!", "?", "..." followed by a capital
    word_start = text.rfind(" ", 0, match.start()) + 1
    word_start = max(word_start, text.rfind("\n", 0, match.start()) + 1)
    word = text[word_start : match.start() + 1].lstrip("\"'“‘([")
    if _DOTTED_ACRONYM.match(word):
        return False  # U.S., e.g., a.k.a.
    bare = word[:-1].lower()
    if bare in ABBREVIATIONS:
        return False
    return not (len(bare) == 1 and word[0].isupper())  # an initial: "J. Smith"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    # Footnote markers belong to the footnote, not to the sentence they follow.
    while end > start and text[end - 1] == "]":
        marker = _TRAILING_FOOTNOTE.search(text, start, end)
        if marker is None:
            break
        end = marker.start()
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence in `text`, fragments included."""
    spans = []
    for unit_start, unit_end in _units(text):
        start = unit_start
        for match in _END.finditer(text, unit_start, unit_end):
            if _is_boundary(text, match, unit_end):
                spans.append(_trim(text, start, match.end()))
                start = match.end()
        if start < unit_end:
            spans.append(_trim(text, start, unit_end))
    return [(a, b) for a, b in spans if b > a]


def word_count(sentence: str) -> int:
    return sum(1 for token in sentence.split() if _WORD.search(token))


def has_words(sentence: str, minimum: int) -> bool:
    """word_count(sentence) >= minimum, stopping as soon as it is known."""
    found = 0
    for token in sentence.split():
        if _WORD.search(token):
            found += 1
            if found >= minimum:
                return True
    return minimum <= 0


def split_sentences(text: str, min_words: int = 4) -> list[str]:
    """Sentences of `text` with at least `min_words` words, as verbatim substrings."""
    return [text[a:b] for a, b in sentence_spans(text) if has_words(text[a:b], min_words)]


def strip_footnotes(sentence: str) -> str:
    return _FOOTNOTE.sub(" ", sentence)
