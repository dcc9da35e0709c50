"""A generator of hostile import files: every class issue 14 lists, and more.

Each case is ``(name, bytes, expect)`` with ``expect`` one of ``"refused"`` (the file must
be turned away with a one-line message), ``"either"`` (importing it or refusing it are
both fine, but never a traceback, and an imported thread must not break any page).
The cases are built from one small valid ``crux-thread/1`` export by replacing one
field at a time with a hostile value, plus whole-file attacks (size, nesting, depth,
accounts, encodings, raw text).
"""

from __future__ import annotations

import copy
import json

FORMAT = "crux-thread/1"


def valid_export() -> dict:
    return {
        "format": FORMAT,
        "title": "Is a pause enforceable?",
        "url": "",
        "link": "https://example.org/pause",
        "created": "2024-05-01T10:00:00+00:00",
        "locked": False,
        "posts": [
            {
                "id": 1,
                "parent": None,
                "author": "fuzz-alice",
                "role": "claim",
                "role_inferred": False,
                "quote": "",
                "body": "A pause cannot be verified, so it will not hold.",
                "created": "2024-05-01T10:00:00+00:00",
                "edited": None,
                "note": "",
                "deleted_by_author": False,
                "held_for_approval": False,
                "placeholder": False,
                "tags": [{"slug": "governance", "name": "Governance", "kind": "topic"}],
                "removed": None,
                "revisions": [],
                "votes": [{"user": "fuzz-bob", "axis": "quality", "value": 1}],
            },
            {
                "id": 2,
                "parent": 1,
                "author": "fuzz-bob",
                "role": "rebuttal",
                "role_inferred": False,
                "quote": "cannot be verified",
                "body": "Compute is visible from orbit; it can be verified.",
                "created": "2024-05-01T11:00:00+00:00",
                "edited": None,
                "note": "",
                "deleted_by_author": False,
                "held_for_approval": False,
                "placeholder": False,
                "tags": [],
                "removed": None,
                "revisions": [
                    {
                        "body": "It can be verified.",
                        "quote": "",
                        "role": "rebuttal",
                        "created": "2024-05-01T11:00:00+00:00",
                        "replaced": "2024-05-01T11:05:00+00:00",
                        "editor": "fuzz-bob",
                    }
                ],
                "votes": [{"user": "fuzz-alice", "axis": "agree", "value": -1}],
            },
        ],
    }


_BIG_INT = "9" * 4300
# Values a hostile file may put in any field. Written as raw JSON text so that values
# json.dumps cannot produce (1e400, NaN, a 4,300-digit integer, lone surrogates) appear.
HOSTILE_VALUES: dict[str, str] = {
    "list": "[1, 2]",
    "object": '{"a": 1}',
    "null": "null",
    "true": "true",
    "string-false": '"false"',
    "string-true": '"true"',
    "zero": "0",
    "negative": "-1",
    "float": "1.5",
    "huge-int": _BIG_INT,
    "1e400": "1e400",
    "nan": "NaN",
    "infinity": "-Infinity",
    "empty": '""',
    "nul": '"a\\u0000b"',
    "lone-surrogate": '"x\\ud800y"',
    "long-600": json.dumps("x" * 600),
    "long-50k": json.dumps("word " * 10_000),
    "javascript": '"javascript:alert(1)"',
    "year-9999": '"9999-12-31T23:59:59+00:00"',
    "year-1-offset": '"0001-01-01T00:00:00+05:00"',
    "year-1900": '"1900-01-01T00:00:00+00:00"',
    "naive-date": '"2024-05-01T10:00:00"',
    "not-a-date": '"yesterday"',
    "slash-name": '"../../etc"',
    "html": '"<script>alert(1)</script>"',
}

_THREAD_FIELDS = ("title", "link", "url", "created", "locked", "posts")
_POST_FIELDS = (
    "id",
    "parent",
    "author",
    "role",
    "role_inferred",
    "quote",
    "body",
    "created",
    "edited",
    "note",
    "deleted_by_author",
    "held_for_approval",
    "placeholder",
    "tags",
    "removed",
    "revisions",
    "votes",
)
_MARK = "@@HOSTILE@@"


def _with_raw(document: dict, path: tuple, raw: str) -> bytes:
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = _MARK
    return json.dumps(document).replace(json.dumps(_MARK), raw).encode()


def field_cases() -> list[tuple[str, bytes]]:
    """One hostile value in one field: thread fields, post fields, vote/tag/revision."""
    cases = []
    paths = [(f,) for f in _THREAD_FIELDS]
    paths += [("posts", 1, f) for f in _POST_FIELDS]
    paths += [("posts", 0, "title_unused")]  # an unknown key is ignored, not an error
    paths += [("posts", 0, "votes", 0, k) for k in ("user", "axis", "value")]
    paths += [("posts", 0, "tags", 0, k) for k in ("slug", "name", "kind")]
    paths += [("posts", 1, "revisions", 0, k) for k in ("body", "created", "editor")]
    for path in paths:
        for name, raw in HOSTILE_VALUES.items():
            label = "/".join(str(p) for p in path) + "=" + name
            cases.append((label, _with_raw(valid_export(), path, raw)))
    return cases


def whole_file_cases(max_depth: int) -> list[tuple[str, bytes]]:
    cases: list[tuple[str, bytes]] = []
    good = json.dumps(valid_export()).encode()
    cases.append(("truncated-json", good[: len(good) // 2]))
    cases.append(("truncated-json-one-char", good[:-1]))
    cases.append(("json-with-trailing-text", good + b"\nand then some"))
    cases.append(("json-array-top", json.dumps([valid_export()]).encode()))
    cases.append(("json-string-top", b'"crux-thread/1"'))
    cases.append(("json-wrong-format", json.dumps({**valid_export(), "format": "x/1"}).encode()))
    cases.append(("json-nested-deep", b"[" * 100_000 + b"]" * 100_000))
    cases.append(
        ("json-object-nested-deep", b'{"format": "crux-thread/1", "posts": ' + b"[" * 50_000)
    )
    cases.append(("json-duplicate-keys", good[:-1] + b', "title": [1]}'))

    deep = valid_export()
    chain = []
    for n in range(max_depth + 5):
        post = copy.deepcopy(deep["posts"][1])
        post.update(id=n + 2, parent=n + 1, quote="", revisions=[], votes=[])
        chain.append(post)
    deep["posts"] = [deep["posts"][0], *chain]
    cases.append(("reply-depth-over-limit", json.dumps(deep).encode()))

    crowd = valid_export()
    crowd["posts"][0]["votes"] = [
        {"user": f"fuzz-voter-{n}", "axis": "quality", "value": 1} for n in range(2_500)
    ]
    cases.append(("too-many-new-accounts", json.dumps(crowd).encode()))

    cycle = valid_export()
    cycle["posts"][1]["parent"] = 2
    cases.append(("parent-is-itself", json.dumps(cycle).encode()))
    twice = valid_export()
    twice["posts"][1]["id"] = 1
    cases.append(("id-used-twice", json.dumps(twice).encode()))
    nobody = valid_export()
    nobody["posts"] = []
    cases.append(("no-posts", json.dumps(nobody).encode()))
    bad_quote = valid_export()
    bad_quote["posts"][1]["quote"] = "words the parent never said"
    cases.append(("quote-not-in-parent", json.dumps(bad_quote).encode()))
    double_vote = valid_export()
    double_vote["posts"][0]["votes"] *= 2
    cases.append(("vote-twice", json.dumps(double_vote).encode()))
    claim = valid_export()
    claim["posts"][1]["role"] = "claim"  # allowed: "a new claim it leads to"
    cases.append(("reply-role-claim", json.dumps(claim).encode()))
    rebuts = valid_export()
    rebuts["posts"][0]["role"] = "rebuttal"
    cases.append(("opening-role-rebuttal", json.dumps(rebuts).encode()))
    held = valid_export()
    held["posts"][1]["held_for_approval"] = "false"
    cases.append(("held-as-string", json.dumps(held).encode()))
    long_tag = valid_export()
    long_tag["posts"][0]["tags"] = [{"slug": "t" * 500, "name": "n" * 500, "kind": "topic"}]
    cases.append(("long-tag", json.dumps(long_tag).encode()))
    many_tags = valid_export()
    many_tags["posts"][0]["tags"] = ["a b", "a-b", "A B"]
    cases.append(("tags-as-strings-same-slug", json.dumps(many_tags).encode()))
    removed = valid_export()
    removed["posts"][1]["removed"] = "spam"
    cases.append(("removed-as-string", json.dumps(removed).encode()))
    removed_by = valid_export()
    removed_by["posts"][1]["removed"] = {"reason": "x" * 900, "by": "nobody here", "at": None}
    cases.append(("removed-by-bad-name", json.dumps(removed_by).encode()))

    # Whole-file attacks that are not JSON.
    cases.append(("empty", b""))
    cases.append(("whitespace", b" \n\t\n"))
    cases.append(("nul-in-text", b"Title line here\n\nA comment\x00 with a NUL.\n"))
    cases.append(("utf16", "A comment.\n".encode("utf-16")))
    cases.append(("latin1", "Caf\xe9 au lait is a comment here.\n".encode("latin-1")))
    cases.append(("binary", bytes(range(256)) * 40))
    cases.append(("raw-post-over-limit", b"A title for this\n\n" + b"word " * 9_000 + b"\n"))
    cases.append(("raw-only-chrome", b"Reply\nShare\nReport\n12 points\n"))
    cases.append(("raw-huge-line", b"x" * 200_000))
    cases.append(("raw-link-javascript", b"A thread title\n\njavascript:alert(1)\n\nText.\n"))
    cases.append(("kialo-only-header", b"Discussion Title: \n\n1. \n"))
    cases.append(
        ("kialo-deep", b"Discussion Title: Deep\n\n1. Thesis\n" + b"".join(
            f"1.{'.'.join(['1'] * n)}. Pro: level {n}\n".encode() for n in range(1, 260)
        ))
    )  # fmt: skip
    cases.append(("over-20-mb", b"a " * (10 * 1024 * 1024 + 10)))
    return cases


def all_cases(max_depth: int = 200) -> list[tuple[str, bytes]]:
    return field_cases() + whole_file_cases(max_depth)


_DATE_FIELDS = ("created", "edited")
_FLAG_FIELDS = ("locked", "role_inferred", "deleted_by_author", "held_for_approval", "placeholder")
_ALWAYS_REFUSED = {"nul", "lone-surrogate", "huge-int", "1e400", "nan", "infinity"}
_REFUSED_FILES = {
    "truncated-json", "truncated-json-one-char", "json-with-trailing-text", "json-array-top",
    "json-string-top", "json-wrong-format", "json-nested-deep", "json-object-nested-deep",
    "reply-depth-over-limit", "too-many-new-accounts", "parent-is-itself", "id-used-twice",
    "no-posts", "quote-not-in-parent", "vote-twice", "held-as-string", "removed-as-string",
    "removed-by-bad-name", "empty", "whitespace", "nul-in-text", "utf16", "latin1", "binary",
    "raw-post-over-limit", "raw-only-chrome", "raw-huge-line", "kialo-only-header",
    "kialo-deep", "over-20-mb", "opening-role-rebuttal",
}  # fmt: skip


def must_be_refused(name: str) -> bool:
    """Whether a case's file must be refused (the rest may be imported or refused)."""
    if name in _REFUSED_FILES:
        return True
    if "=" not in name:
        return False
    path, value = name.rsplit("=", 1)
    field = path.rsplit("/", 1)[-1]
    if value in _ALWAYS_REFUSED and field != "title_unused":
        return True
    if field in _FLAG_FIELDS and value not in ("true", "null"):
        return True
    if field == "link" and value not in ("empty", "null"):
        return True
    if field in ("id", "parent") and value in ("list", "object", "true", "float"):
        return True
    if field == "body" and value == "long-50k":
        return True
    if field in _DATE_FIELDS and value not in ("empty", "null"):
        return True
    return field == "value" and value != "negative"
