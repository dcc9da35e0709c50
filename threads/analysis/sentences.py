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


_BLOCKQUOTE_LINE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+(.*)$")


def block_quotes(markdown: str) -> str:
    """The words inside a Markdown body's block quotes ("> …"), one paragraph per run
    of quoted lines. A line scan, not a parse: it only has to find what a reply repeats
    of someone else, and it runs over every post of a thread at analysis time."""
    if ">" not in markdown:
        return ""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in markdown.splitlines():
        match = _BLOCKQUOTE_LINE.match(line)
        if match and match.group(1).strip():
            current.append(match.group(1).strip())
            continue
        if current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


# Banter, thanks and meta: sentences that carry no claim about the subject. `_PHATIC`
# must match the whole sentence (lower-cased, final punctuation removed), so
# "Great post, thanks!" is banter and "Great post, but the second claim fails for
# models trained on text" is not; `_META` matches how a sentence about the
# conversation itself begins ("Sorry, I wasn't clear", "I'm not trying to ...").
_PHATIC = re.compile(
    r"^(?:(?:yes|yeah|yep|no|nope|ok|okay|sure|right|true|fair|agreed?|exactly|indeed|"
    r"this|same|correct|absolutely|definitely|totally|quite|precisely|lol|lmao|haha+|"
    r"ha|heh|hah|wow|oh|ah|hm+|huh|ugh|well|so|but|and|um+|uh|thanks?|thank you|thx|ty|"
    r"cheers|nice|great|good|cool|neat|interesting|fascinating|brilliant|excellent|"
    r"amazing|awesome|seconded|this\s+so\s+much|\+1|me too|ditto|nailed it|"
    r"well said|well put|(?:good|fair|great|excellent) points?(?: all (?:a)?round)?|good question|"
    r"great question|nice catch|good catch|point taken|noted|my bad|oops|sorry|"
    r"fair enough|you'?re right|you are right|i agree|i concur|i disagree|"
    r"i stand corrected|that'?s fair|that is fair|that'?s true|that is true|"
    r"that'?s right|who knows|i checked|i know|"
    r"(?:great|good|nice|excellent|interesting|thoughtful|fantastic|wonderful)\s+"
    r"(?:post|comment|reply|answer|write-?up|piece|thread|summary|read|take)|"
    r"thanks? (?:for|so much|a lot)|thank you (?:for|so much)|much appreciated|"
    r"very|really|so|completely|entirely|fully|100%|"
    r"(?:,|;|:|-|—|–|!|\.|\s)+)+)$"
)
# Sentences about the conversation itself rather than the subject.
_META = re.compile(
    r"^(?:(?:um+|uh|ah|oh|well|ok(?:ay)?|also|anyway|edit(?: \d+)?|update|p\.?s\.?)"
    r"[,:!.]?\s+)?(?:"
    r"sorry\b|apologies\b|thanks\b(?! to\b)|thank you\b|"
    r"(?:here are|here'?s) (?:some|a few|my)\b.*\b(?:thoughts|things|points|notes|ideas)\b|"
    r"(?:i'?m|i am) not trying to\b|i'?m trying to (?:ascertain|understand|figure out) if\b|"
    r"(?:i'?m|i am) not going to (?:really )?(?:justify|argue|defend|get into)\b|"
    r"(?:for the record|to be clear|to clarify|for what it'?s worth)\b.*\b(?:my|i)\b|"
    r"(?:this|that) (?:presentation|post|comment|paper|essay) of mine\b|"
    r"maybe i should write\b|i might write\b|i'?ll write\b|"
    r"(?:i )?(?:figured|thought) (?:this|that|it|i'?d) (?:might|would|could|should)\b|"
    r"(?:posting|sharing|linking) this\b|"
    r"(?:this|that|your|the) (?:thread|post|comment|reply|answer|write-?up|piece|discussion) "
    r"(?:is|was) (?:(?:so|really|very|pure|just) )?(?:gold|great|amazing|excellent|brilliant|"
    r"fantastic|wonderful|good|fire|underrated|a gem|a treat|a delight)\b|"
    r"(?:i )?love (?:this|it|that)\b|"
    r"others may have different views\b|your mileage may vary\b|ymmv\b|"
    r"looks like i wasn'?t (?:very )?clear\b|i wasn'?t (?:very )?clear\b|"
    r"(?:let me|i'?ll) (?:try to )?(?:explain|rephrase|clarify)\b|"
    r"(?:lol|lmao|haha|rofl)\b"
    r")"
)
# Asides about one's own wording, wherever they stand in the sentence.
_META_ANYWHERE = re.compile(
    r"\b(?:that'?s|this is|that is) (?:just |only )?my (?:own )?"
    r"(?:summary|paraphrase|reading|interpretation)\b|\bmight not endorse\b"
)
_LEADING_MARKUP = re.compile(r"^[\s\"'“‘(\[*_]+")
_TRAILING = " \t\n.!?…\"'”’)]*_"
_LEADING = " \t\n\"'“‘([*_"
# The longest phatic sentence worth matching ("Thank you so much, great write-up!").
_PHATIC_CHARS = 80
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


# Banter is short: past this many characters only the meta openers are looked for
# (a long sentence of thanks still opens with "Thanks"), which keeps the check cheap
# on threads of tens of thousands of sentences.
_SHORT = 160


def is_banter(sentence: str) -> bool:
    """True for thanks, praise, bare agreement, laughter and talk about the conversation
    itself ("Well put.", "Great post, thanks!", "Sorry, I wasn't clear.", "lol"): a
    sentence that carries no claim about what the thread debates."""
    lower = sentence.lower()
    if len(lower) > _SHORT:
        head = _LEADING_MARKUP.sub("", lower[:_SHORT]).replace("’", "'")
        if _META.match(head):
            return True
        if "my " in lower or "endorse" in lower:
            return bool(_META_ANYWHERE.search(lower.replace("’", "'")))
        return False
    text = " ".join(lower.rstrip(_TRAILING).lstrip(_LEADING).replace("’", "'").split())
    if not text.isascii():
        text = _EMOJI.sub("", text).strip()
    if not text or not _WORD.search(text):
        return True  # punctuation or emoji only
    if len(text) <= _PHATIC_CHARS and _PHATIC.fullmatch(text):
        return True
    return bool(
        _META.match(text) or ("my " in text or "endorse" in text) and _META_ANYWHERE.search(text)
    )
