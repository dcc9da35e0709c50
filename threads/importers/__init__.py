"""Debate dumps in: raw thread pages (The Motte, LessWrong) and Kialo outlines.

Pure Python, no Django: :func:`parse_dump` turns text into a :class:`ParsedDebate` of
frozen dataclasses (see ``parsed.py``); ``records.record_from_parsed`` makes it a
ThreadRecord, which ``threads.services.importing`` writes in one transaction. Crux's
own JSON export (``crux_json``) is detected here but read straight into a record.

    debate = load_dump("thread.txt", fmt="auto", title=None)   # or parse_dump(text)
    for line in debate.report.summary_lines(): print(line)
"""

from .dumps import FORMATS, detect_format, load_dump, looks_like_json, parse_dump
from .parsed import ROLES, DumpError, ImportReport, ParsedDebate, ParsedPost
from .reading import MAX_DUMP_BYTES, read_dump_bytes, read_dump_file

__all__ = [
    "FORMATS",
    "MAX_DUMP_BYTES",
    "ROLES",
    "DumpError",
    "ImportReport",
    "ParsedDebate",
    "ParsedPost",
    "detect_format",
    "load_dump",
    "looks_like_json",
    "parse_dump",
    "read_dump_bytes",
    "read_dump_file",
]
