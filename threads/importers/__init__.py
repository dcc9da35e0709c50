"""Debate dumps in: raw thread pages (The Motte, LessWrong), Kialo outlines, Crux JSON.

Pure Python, no Django: :func:`parse_dump` turns text into a :class:`ParsedDebate` of
frozen dataclasses, and a later step writes it to the database in one transaction.

    debate = load_dump("thread.txt", fmt="auto", title=None)   # or parse_dump(text)
    for line in debate.report.summary_lines(): print(line)
"""

from .dumps import FORMATS, detect_format, load_dump, parse_dump
from .jsondump import debate_to_dict
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
    "debate_to_dict",
    "detect_format",
    "load_dump",
    "parse_dump",
    "read_dump_bytes",
    "read_dump_file",
]
