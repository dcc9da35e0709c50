"""Turning uploaded bytes into text, or refusing with a message the user can act on.

All checks happen before any parsing, so a refused file changes nothing.
"""

from __future__ import annotations

import os
import re

from .parsed import DumpError

# A long real thread copied from a browser is well under 1 MB; 20 MB leaves room for
# exports of whole forums while keeping one import a bounded amount of work.
MAX_DUMP_BYTES = 20 * 1024 * 1024

# Share of characters that may be control/unassigned before we call a file binary.
# Real dumps have none at all; a few stray ones (e.g. a form feed) are tolerated.
_MAX_NON_TEXT_SHARE = 0.01
# C0/C1 control characters other than tab, newline, vertical tab and form feed, plus the
# private-use area: what decoding a binary file as UTF-8 leaves behind.
_NON_TEXT_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


def read_dump_file(path: str | os.PathLike, *, max_bytes: int = MAX_DUMP_BYTES) -> str:
    """Read a dump from disk. The size is checked before the file is read."""
    try:
        size = os.path.getsize(path)
    except OSError as error:
        raise DumpError(f"Cannot read {os.fspath(path)}: {error.strerror or error}.") from error
    if size > max_bytes:
        raise DumpError(_too_large(size, max_bytes))
    with open(path, "rb") as handle:
        return read_dump_bytes(handle.read(max_bytes + 1), max_bytes=max_bytes)


def read_dump_bytes(raw: bytes, *, max_bytes: int = MAX_DUMP_BYTES) -> str:
    """Decode a dump: UTF-8 (a BOM is allowed), newlines normalised to ``\\n``.

    Raises :class:`DumpError` for an empty file, a file over ``max_bytes``, binary
    content (NUL bytes or mostly non-text characters) and text that is not UTF-8.
    """
    if len(raw) > max_bytes:
        raise DumpError(_too_large(len(raw), max_bytes))
    if not raw.strip():
        raise DumpError("The file is empty: there is nothing to import.")
    if b"\x00" in raw:
        utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
        hint = " (it may be UTF-16; save it as UTF-8)" if utf16 else ""
        raise DumpError(f"The file looks binary: it contains NUL bytes{hint}. Import a text dump.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad = raw[error.start]
        raise DumpError(
            f"The file is not UTF-8 text (byte 0x{bad:02x} at offset {error.start} is not "
            "valid UTF-8; the file may be Latin-1 or Windows-1252). Save it as UTF-8 and retry."
        ) from error
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    non_text = len(_NON_TEXT_RE.findall(text))
    if non_text > _MAX_NON_TEXT_SHARE * len(text):
        raise DumpError(
            f"The file looks binary: {non_text} of its {len(text)} characters are control "
            "characters. Import a text dump."
        )
    if not text.strip():
        raise DumpError("The file is empty: there is nothing to import.")
    return text


def _too_large(size: int, limit: int) -> str:
    return (
        f"The file is {size / 1_048_576:.1f} MB; the importer accepts at most "
        f"{limit / 1_048_576:.0f} MB. Split the dump or import a smaller part."
    )
