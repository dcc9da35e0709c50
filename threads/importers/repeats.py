"""Second renderings: LessWrong pages show the comment tree and then the same comments
again, so a browser's "copy all" holds long runs of repeated lines. This module finds
those runs, drops them, and keeps what only the second copy showed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .textmatch import normalise, paragraph_key, quote_candidates

# A run of at least this many repeated paragraphs, mostly back to back, is a second
# rendering of the page rather than replies quoting whole paragraphs (a quoting reply
# is a repeated paragraph *followed by new text*, so its repeats are never adjacent).
_MIN_REPEAT_RUN = 3
# New lines allowed inside a repeated run: the second rendering sometimes shows a
# comment the first one did not (a late reply, an expanded intro line).
_MAX_GAP_IN_RUN = 2


@dataclass
class Paragraph:
    text: str
    key: str  # paragraph_key(text): identity for de-duplication and accounting
    position: int  # page order among content paragraphs


def paragraphs(texts: list[str], offset: int = 0) -> list[Paragraph]:
    return [
        Paragraph(text=t, key=paragraph_key(t), position=offset + i) for i, t in enumerate(texts)
    ]


@dataclass
class Repeats:
    kept: list[Paragraph]
    dropped: int
    rerendered: set[int] = field(default_factory=set)  # positions shown again later
    # Positions of paragraphs only the second rendering showed, placed in the first:
    # the first line of a comment the first rendering cut short (``new_starts``), or
    # the answer to a quotation left unanswered there (the rest of ``moved``).
    new_starts: set[int] = field(default_factory=set)
    shown_later_only: set[int] = field(default_factory=set)


def drop_repeated_runs(paras: list[Paragraph]) -> Repeats:
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

    before, after, moved, answers = _place_new_paragraphs(paras, original, runs, drop)
    kept: list[Paragraph] = []
    for i, para in enumerate(paras):
        kept.extend(paras[j] for j in before.get(i, []))
        if i not in drop and i not in moved:
            kept.append(para)
        kept.extend(paras[j] for j in after.get(i, []))
    rerendered = {paras[original[j]].position for j in drop}
    new_starts = {paras[j].position for j in moved - answers}
    return Repeats(
        kept=kept,
        dropped=len(drop),
        rerendered=rerendered,
        new_starts=new_starts,
        shown_later_only={paras[j].position for j in moved},
    )


def _place_new_paragraphs(
    paras: list[Paragraph],
    original: list[int | None],
    runs: list[tuple[int, set[int], int]],
    drop: set[int],
) -> tuple[dict[int, list[int]], dict[int, list[int]], set[int], set[int]]:
    """Where paragraphs shown only by a second rendering go in the first one.

    - Between two repeats: right after the original of the repeat before it.
    - After the last repeat: likewise, except when the first rendering goes on past
      that original and ends with a quotation nobody answered; the second rendering
      leaves quotations out, so the new paragraph is that quotation's answer.
    - Just before the first repeat, when the run re-renders (nearly) the whole first
      rendering: an intro the first rendering lacked, placed before the original.
    Returns (placed before index, placed after index, moved indices, the moved indices
    that answer an unanswered quotation).
    """
    shown_again = {original[j] for j in drop}
    before: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    moved: set[int] = set()
    answers: set[int] = set()
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
            following = next((k for k in range(j + 1, end + 1) if k in repeats), None)
            if following is not None and original[following] != source + 1:
                # Between two repeats whose originals are not neighbours: the first
                # rendering has a quotation there, which begins the next reply, so
                # this line ends the comment before it rather than starting one.
                answers.add(j)
            if following is None:
                rest = range(source + 1, region_end)
                unanswered = (
                    rest
                    and not any(k in shown_again for k in rest)
                    and _copies_earlier(paras, region_end - 1)
                )
                if unanswered:
                    anchor = region_end - 1
                    answers.add(j)
            after.setdefault(anchor, []).append(j)
            moved.add(j)
    return before, after, moved, answers


def _share_shown_again(
    paras: list[Paragraph], shown_again: set[int], start: int, end: int
) -> float:
    """Share of the text of ``paras[start:end]`` (by characters) shown again later."""
    total = sum(len(paras[k].text) for k in range(start, end)) or 1
    return sum(len(paras[k].text) for k in range(start, end) if k in shown_again) / total


def _lead_in(
    paras: list[Paragraph], original: list[int | None], shown_again: set[int], start: int
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


def _copies_earlier(paras: list[Paragraph], j: int) -> bool:
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
