"""Kialo's plain-text export: a numbered outline of claims.

    Discussion Title: Should frontier AI training be paused?

    1. Frontier labs should pause training runs beyond GPT-4 scale.
    1.1. Pro: Nobody can yet verify what a larger model has learned.
    1.1.1. Con: Interpretability is advancing quickly.
    1.2. Con: -> See 1.1.1.

``1.`` is the thesis (the opening post); ``1.2.3.`` replies to ``1.2.``. Pro becomes
``support`` and Con ``rebuttal`` — stated by the author, so not marked as inferred.
A ``-> See 1.1.1.`` entry re-uses an existing claim under a second parent; Crux posts
have one parent, so the link becomes a note on the post it was listed under. Lines
that do not start a numbered entry continue the previous one (long claims wrap).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .parsed import DumpError, ImportReport, ParsedDebate, ParsedPost

# Kialo outlines name no one: one stand-in for the whole outline, renamed per thread
# when written ("imported-<thread>-kialo"), so two imported outlines never share it.
AUTHOR = "imported-kialo"

_TITLE_RE = re.compile(r"^\s*Discussion Title:\s*(.*)$")
# Same shape arguebuf accepts: every number starts at the thesis "1.".
_ENTRY_RE = re.compile(r"^(1\.(?:\d+\.)*)\s+(?:(Pro|Con):\s*)?(.*)$")
_LINK_RE = re.compile(r"^->\s*See\s+((?:\d+\.)+)\s*$")
_ROLE_OF_STANCE = {"Pro": "support", "Con": "rebuttal", None: "comment"}
_DERIVED_TITLE_CHARS = 80


@dataclass
class _Entry:
    number: str
    stance: str | None
    lines: list[str]
    line_no: int
    key: int = -1
    notes: list[str] = field(default_factory=list)
    parent: str = ""  # number of the claim this one answers, after following links

    @property
    def text(self) -> str:
        return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in self.lines)).strip()

    @property
    def parent_number(self) -> str:
        return self.number[: self.number[:-1].rfind(".") + 1]


def is_kialo(text: str) -> bool:
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return False
    if _TITLE_RE.match(lines[0]):
        return True
    numbered = [line for line in lines[:50] if _ENTRY_RE.match(line.strip())]
    staged = [line for line in numbered if re.match(r"^1\.(?:\d+\.)+\s+(?:Pro|Con):", line)]
    return bool(_ENTRY_RE.match(lines[0].strip())) and len(staged) >= 1


def parse_kialo(text: str, title: str | None = None) -> ParsedDebate:
    discussion_title, entries = _read_entries(text)
    thesis, claims, links = _link_up(entries)

    by_number = {e.number: e for e in [thesis, *claims]}
    for link in links:
        target = by_number[link.parent_number]
        referenced = by_number.get(link.ref)
        what = {"Pro": "supports", "Con": "argues against"}.get(link.stance, "relates to")
        where = f"post {referenced.key}" if referenced else "a claim not in this export"
        target.notes.append(f"Kialo link: claim {link.ref} ({where}) also {what} this")
    posts = [
        ParsedPost(
            key=entry.key,
            parent_key=None if entry.parent == "1." else by_number[entry.parent].key,
            body=entry.text,
            role=_ROLE_OF_STANCE[entry.stance],
            role_inferred=False,
            author=AUTHOR,
            note="; ".join([f"Kialo {entry.number}", *entry.notes]),
        )
        for entry in claims
    ]
    opening = ParsedPost(
        key=0,
        parent_key=None,
        body=thesis.text,
        role="claim",
        author=AUTHOR,
        note="; ".join(thesis.notes),
    )
    roles = ", ".join(f"{r} {n}" for r, n in sorted(Counter(p.role for p in posts).items()))
    notes = [f"roles come from Pro/Con, not inferred: {roles or 'none'}"]
    if title:
        final_title = title.strip()
    elif discussion_title:
        final_title = discussion_title
    else:
        final_title = _derive_title(thesis.text)
        notes.append("no 'Discussion Title:' line; the title is the thesis (use --title)")
    report = ImportReport(
        comments=len(posts),
        duplicates_dropped=0,
        attached_by_quote=0,
        roles_inferred={},
        paragraphs_in=1 + len(claims),
        paragraphs_out=1 + len(posts),
        top_level=sum(1 for p in posts if p.parent_key is None),
        links=len(links),
        notes=notes,
    )
    return ParsedDebate(
        title=final_title,
        link="",
        opening=opening,
        posts=posts,
        report=report,
        source_format="kialo",
    )


@dataclass
class _Link:
    number: str
    stance: str | None
    ref: str
    parent_number: str


def _read_entries(text: str) -> tuple[str, list[_Entry]]:
    discussion_title = ""
    entries: list[_Entry] = []
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not entries and not discussion_title and (m := _TITLE_RE.match(line)):
            discussion_title = m.group(1).strip()
            continue
        if m := _ENTRY_RE.match(line.strip()):
            entries.append(_Entry(m.group(1), m.group(2), [m.group(3)], line_no))
        elif entries:
            entries[-1].lines.append(line.strip())
        elif line.strip():
            raise DumpError(
                f"Kialo outline, line {line_no}: expected 'Discussion Title: …' or the "
                f"thesis '1. …', found {line.strip()[:60]!r}."
            )
    if not entries:
        raise DumpError("Kialo outline: no numbered claims ('1. …') found.")
    return discussion_title, entries


def _link_up(entries: list[_Entry]) -> tuple[_Entry, list[_Entry], list[_Link]]:
    thesis, *rest = entries
    if thesis.number != "1.":
        raise DumpError(
            f"Kialo outline, line {thesis.line_no}: the first claim must be the thesis '1.', "
            f"not {thesis.number}."
        )
    if not thesis.text:
        raise DumpError(f"Kialo outline, line {thesis.line_no}: the thesis is empty.")
    seen = {"1."}
    claims: list[_Entry] = []
    links: list[_Link] = []
    link_target: dict[str, str] = {}
    claim_numbers = {"1."}
    for entry in rest:
        if entry.number in seen:
            raise DumpError(
                f"Kialo outline, line {entry.line_no}: claim {entry.number} appears twice."
            )
        if entry.parent_number not in seen:
            raise DumpError(
                f"Kialo outline, line {entry.line_no}: claim {entry.number} comes before its "
                f"parent {entry.parent_number} (or the parent is missing)."
            )
        if not entry.text:
            raise DumpError(f"Kialo outline, line {entry.line_no}: claim {entry.number} is empty.")
        seen.add(entry.number)
        # A claim listed under a link answers the claim the link points to (or, if that
        # is not an earlier claim, the claim the link itself sits under).
        entry.parent = link_target.get(entry.parent_number, entry.parent_number)
        if link := _LINK_RE.match(entry.text):
            ref = link.group(1)
            links.append(_Link(entry.number, entry.stance, ref, entry.parent))
            link_target[entry.number] = ref if ref in claim_numbers else entry.parent
            continue
        entry.key = len(claims) + 1
        claims.append(entry)
        claim_numbers.add(entry.number)
    return thesis, claims, links


def _derive_title(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= _DERIVED_TITLE_CHARS:
        return flat
    return flat[:_DERIVED_TITLE_CHARS].rsplit(" ", 1)[0] + "\u2026"
