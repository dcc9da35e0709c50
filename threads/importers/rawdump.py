"""Raw text dumps of a forum thread page (The Motte, LessWrong) -> a reply tree.

A browser's "copy all" of a thread keeps the words and loses the structure: no author
names, no comment boundaries, and on LessWrong every comment a second time. What
survives is the quoting habit — a reply begins with a verbatim copy of the part of an
earlier comment it answers — and that is what the tree is rebuilt from.

The pipeline, the same for both kinds once the text is cut into paragraphs:

1. Cut into paragraphs (Motte: blank-line separated blocks; LessWrong: lines) and set
   aside site chrome (UI lines) and header fields (title, link).
2. Drop rendering repeats: a run of paragraphs that copies earlier paragraphs in bulk
   (``repeats.py``). A *single* repeated paragraph followed by new text is not a
   repeat but a reply quoting a whole paragraph, and is kept.
3. Segment into replies and attach them by their quotations (``replies.py``).
4. Infer roles, then account for every paragraph (see ``ImportReport``).
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field

from . import listing
from .parsed import DumpError, ImportReport, ParsedDebate, ParsedPost
from .repeats import Paragraph, drop_repeated_runs, paragraphs
from .replies import Draft, ReplyTree
from .replies import blockquote as _blockquote
from .roles import infer_role
from .textmatch import paragraph_key

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

# Lines before the first re-rendered comment are the quoted post excerpt (LessWrong
# comment pages open with one) only if there are this few of them.
_MAX_EXCERPT_PARAGRAPHS = 3

# A second rendering that shows at least this share of the first one's paragraphs again
# is taken to cover it, so what it leaves out is quoted text.
_MIN_RERENDERED_SHARE = 0.5
_TRAILING = ("...", "\u2026")

_TITLE_MAX_CHARS = 150
_TITLE_MAX_WORDS = 15
_DERIVED_TITLE_CHARS = 80
PLACEHOLDER_OPENING = (
    "*Imported comment section: the post these comments discuss was not part of the dump.*"
)


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


def _as_url(link: str) -> str:
    """Pages show a submission's link as its bare domain; store a working address."""
    link = link.strip()
    return link if re.match(r"^https?://", link, re.IGNORECASE) else f"https://{link}"


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


# --- the two kinds ------------------------------------------------------------------------


@dataclass
class _Page:
    title: str = ""
    link: str = ""
    opening: list[str] = field(default_factory=list)
    comments: list[Paragraph] = field(default_factory=list)
    duplicates: int = 0
    chrome: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    content: list[Paragraph] = field(
        default_factory=list
    )  # every content paragraph, for accounting
    quoted: set[int] = field(default_factory=set)  # positions quoting text not in the dump
    starts: set[int] = field(default_factory=set)  # positions known to begin a comment


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
        # The submission header is [site lines…] title [link] [statement…]. The link
        # line, when there is one, fixes the title as the paragraph just before it, so
        # unknown banner lines above the title are set aside as chrome; otherwise the
        # header starts with the title, whatever its punctuation.
        link_at = next((i for i, block in enumerate(header) if _is_link(block)), None)
        title_at = link_at - 1 if link_at else 0
        page.chrome.extend(header[:title_at])
        del header[:title_at]
        if header:
            page.title = header.pop(0)
    else:
        # No submission header: read title / link / opening text off the top.
        header, rest = _take_header(rest, max_opening=1)
        if header and _is_title_like(header[0]):
            page.title = header.pop(0)
    if header and _is_link(header[0]):
        page.link = _as_url(header.pop(0))
    page.opening = header
    opening = paragraphs(page.opening)
    dedupe = drop_repeated_runs(paragraphs(rest, offset=len(opening)))
    page.content = opening + paragraphs(rest, offset=len(opening))
    page.comments = dedupe.kept
    page.duplicates = dedupe.dropped
    page.quoted = _framed_quotations(page.comments)
    return page


def _framed_quotations(paras: list[Paragraph]) -> set[int]:
    """Paragraphs a commenter quotes from outside the dump (the article): framed by a
    lead-in that trails off or announces it ("this bit here...", "stated plainly:") and
    an answer that picks up ("...surely you can see"). Quotes of earlier comments are
    found by matching instead."""
    found = set()
    for before, para, after in zip(paras, paras[1:], paras[2:], strict=False):
        lead_in = before.text.rstrip().endswith((*_TRAILING, ":"))
        if lead_in and after.text.lstrip().startswith(_TRAILING):
            found.add(para.position)
    return found


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
    paras = paragraphs(_strip_chrome(_blocks(text, "lesswrong"), page.chrome))
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
    page.starts = dedupe.new_starts
    page.quoted = _left_out_by_second_rendering(kept, dedupe.rerendered, dedupe.shown_later_only)
    return page


def _left_out_by_second_rendering(
    kept: list[Paragraph], rerendered: set[int], new: set[int]
) -> set[int]:
    """LessWrong's second rendering shows every comment without its block quotes, so
    where it covers the first one, a paragraph it leaves out is a quotation. Quotes of
    earlier comments are matched first; this catches quotes of the article."""
    if not rerendered:
        return set()
    region = [p for p in kept if p.position >= min(rerendered) and p.position not in new]
    if sum(p.position in rerendered for p in region) < _MIN_RERENDERED_SHARE * len(region):
        return set()
    return {p.position for p in region if p.position not in rerendered}


# --- assembling ---------------------------------------------------------------------------


def parse_raw(text: str, kind: str, title: str | None = None) -> ParsedDebate:
    """Parse a raw thread dump of ``kind`` "motte" or "lesswrong"."""
    chrome: list[str] = []
    found = listing.segments(paragraphs(_strip_chrome(_blocks(text, kind), chrome)), chrome)
    if found:
        return listing.parse_listing(found, kind, title, chrome)
    page = _read_motte(text) if kind == "motte" else _read_lesswrong(text)
    if not page.opening and not page.comments and not page.link:
        raise DumpError("The dump has no text besides site chrome: nothing to import.")

    opening = Draft(parent=None, role="claim")
    framed = _framed_quotations(paragraphs(page.opening))
    for position, paragraph in enumerate(page.opening):
        opening.add(_blockquote(paragraph) if position in framed else paragraph)
    notes = list(page.notes)
    if not page.opening and page.link:
        # A link submission without a statement: the link is what is being discussed.
        opening.add(page.link)
        notes.append("the submission has no text; the opening post is its link")
    elif not page.opening:
        notes.append("the dump has no post text; the opening post is a placeholder")

    segmenter = ReplyTree(
        opening,
        size_hint=len(text),
        quoted=frozenset(page.quoted),
        starts=frozenset(page.starts),
    )
    drafts = segmenter.run(page.comments)
    for number, draft in enumerate(drafts, start=1):
        draft.key = number
    for draft in drafts:
        parent_role = draft.parent.role if draft.parent else opening.role
        asks = draft.attached == "position" and _ends_with_question(draft.parent)
        draft.role = infer_role(draft.text, parent_role, draft.quote, parent_asks=asks)

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
        placeholder=not opening.text,
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
    drafts: list[Draft],
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


def _ends_with_question(draft: Draft | None) -> bool:
    own = [p for p in (draft.body if draft else []) if not p.startswith(">")]
    return bool(own) and own[-1].rstrip().endswith("?")


def split_paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def _excerpt(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"
