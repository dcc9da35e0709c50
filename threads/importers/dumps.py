"""Which kind of dump is this, and the one entry point that parses any of them."""

from __future__ import annotations

import json
import os
import re

from .kialo import is_kialo, parse_kialo
from .parsed import DumpError, ParsedDebate
from .rawdump import parse_raw
from .reading import MAX_DUMP_BYTES, read_dump_file

FORMATS = ("auto", "motte", "lesswrong", "json", "kialo")

# The Motte's submission header; LessWrong pages never show it.
_MOTTE_MARKERS = ("No email address required.", "Jump in the discussion.")
# Blank-line-separated paragraphs (Motte) vs one paragraph per line (LessWrong): share of
# blank lines among all lines above which a dump is read as the former.
_BLANK_LINE_SHARE = 0.2


_JSON_START_RE = re.compile(r"^\s*(?:\{|\[\s*[\[{\]\"\d-])")


def looks_like_json(text: str) -> bool:
    """JSON by structure: a document opening with an object (or an array of values). A
    truncated or broken export is still JSON and is refused as such, never re-read as
    a text dump."""
    if _JSON_START_RE.match(text):
        return True
    stripped = text.strip()
    if len(stripped) < 2 or stripped[0] != '"' or stripped[-1] != '"' or "\n" in stripped:
        return False
    try:  # a lone JSON string is a JSON document too (and no export)
        json.loads(stripped)
    except ValueError:
        return False
    return True


def detect_format(text: str) -> str:
    """Name the kind of dump — json, kialo, motte or lesswrong — by shape, not file name."""
    if looks_like_json(text):
        return "json"
    if is_kialo(text):
        return "kialo"
    head = text[:5000]
    if any(marker in head for marker in _MOTTE_MARKERS):
        return "motte"
    lines = text.strip().split("\n")
    blank = sum(1 for line in lines if not line.strip())
    if blank >= _BLANK_LINE_SHARE * len(lines) and re.search(r"\n[ \t]*\n", text.strip()):
        return "motte"
    return "lesswrong"


def parse_dump(text: str, fmt: str = "auto", title: str | None = None) -> ParsedDebate:
    """Parse a raw dump or a Kialo outline. ``fmt`` is one of :data:`FORMATS`; ``title``
    overrides any title found in (or derived from) the dump. Raises :class:`DumpError`
    on unusable input. Crux JSON exports are detected but read by ``crux_json``."""
    if fmt not in FORMATS:
        raise DumpError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DumpError("The file is empty: there is nothing to import.")
    kind = detect_format(text) if fmt == "auto" else fmt
    if kind == "json":
        # A Crux export carries votes, tags and history that a ParsedDebate cannot hold;
        # it is read whole by crux_json.loads into a ThreadRecord instead.
        raise DumpError(
            "This is a Crux JSON export: import it with crux_json.loads (the import "
            "command does), not as a raw dump."
        )
    if kind == "kialo":
        return parse_kialo(text, title)
    return parse_raw(text, kind, title)


def load_dump(
    path: str | os.PathLike,
    fmt: str = "auto",
    title: str | None = None,
    *,
    max_bytes: int = MAX_DUMP_BYTES,
) -> ParsedDebate:
    """Read and parse a dump file; everything the import command needs before writing."""
    return parse_dump(read_dump_file(path, max_bytes=max_bytes), fmt, title)


__all__ = ["FORMATS", "DumpError", "detect_format", "load_dump", "parse_dump"]
