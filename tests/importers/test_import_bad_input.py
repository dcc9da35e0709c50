"""Unusable files are refused with a message the user can act on, before any parsing."""

import random

import pytest

from threads.importers import (
    MAX_DUMP_BYTES,
    DumpError,
    detect_format,
    load_dump,
    parse_dump,
    read_dump_bytes,
    read_dump_file,
)


def test_empty_file_is_refused():
    with pytest.raises(DumpError, match="empty"):
        read_dump_bytes(b"")


def test_whitespace_only_file_is_refused():
    with pytest.raises(DumpError, match="empty"):
        read_dump_bytes(b" \n\n\t\r\n")


def test_binary_file_with_nul_bytes_is_refused():
    image = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(random.Random(0).randbytes(2000))
    with pytest.raises(DumpError, match="binary"):
        read_dump_bytes(image)


def test_utf16_file_gets_a_hint():
    with pytest.raises(DumpError, match="UTF-16"):
        read_dump_bytes("Agree.\n".encode("utf-16"))


def test_control_characters_without_nul_are_refused_as_binary():
    with pytest.raises(DumpError, match="binary"):
        read_dump_bytes(bytes(range(1, 9)) * 200 + b"some text")


def test_latin1_file_is_refused_as_not_utf8():
    text = "Caf\u00e9 na\u00efve r\u00e9sum\u00e9: the AI risk debate.\n".encode("latin-1")
    with pytest.raises(DumpError, match="not UTF-8") as error:
        read_dump_bytes(text)
    assert "0xe9" in str(error.value)


def test_too_large_bytes_are_refused():
    with pytest.raises(DumpError, match="at most 20 MB"):
        read_dump_bytes(b"a" * (MAX_DUMP_BYTES + 1))


def test_50_mb_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: the size check must come first
    with pytest.raises(DumpError, match=r"50\.0 MB"):
        read_dump_file(path)
    with pytest.raises(DumpError):
        load_dump(path)


def test_missing_file_is_a_dump_error(tmp_path):
    with pytest.raises(DumpError, match="Cannot read"):
        read_dump_file(tmp_path / "nope.txt")


def test_good_file_decodes_with_bom_and_windows_newlines():
    raw = "\ufeffTitle line here\r\n\r\nBody.\r\n".encode()
    assert read_dump_bytes(raw) == "Title line here\n\nBody.\n"


def test_chrome_only_dump_is_refused():
    with pytest.raises(DumpError, match="nothing to import"):
        parse_dump("site banner\n\n12\nJump in the discussion.\n\nNo email address required.\n")


def test_unknown_format_is_refused():
    with pytest.raises(DumpError, match="Unknown format"):
        parse_dump("Some text.", fmt="reddit")


def test_crux_json_export_is_detected_and_left_to_crux_json():
    text = '{"format": "crux-thread/1", "title": "T", "posts": []}'
    assert detect_format(text) == "json"
    with pytest.raises(DumpError, match="crux_json"):
        parse_dump(text)
