"""The hostile-input corpora of tests/data/xss (see its README), loaded as plain strings.

Each payload is tried as given; where a field cannot hold it as given (PostgreSQL text
cannot hold NUL, a username has at most 150 characters), `fit()` makes the value the
app would store, the way the app's own input cleaning would, so every field still gets
a hostile value and the counts say how many.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "xss"


@dataclass(frozen=True)
class Payload:
    corpus: str
    number: int  # position in its corpus, from 0
    text: str

    @property
    def label(self) -> str:
        return f"{self.corpus}#{self.number}"


def blns() -> list[str]:
    return json.loads((DATA / "big-list-of-naughty-strings.json").read_text(encoding="utf-8"))


def payloadbox() -> list[str]:
    text = (DATA / "payloadbox-xss-payload-list.txt").read_text(encoding="utf-8", errors="replace")
    return [line for line in text.split("\n") if line.strip()]


def dompurify() -> list[str]:
    """The `payload` of each fixture (the file is JSON inside `export default [...]`,
    with one trailing comma); `expected` is DOMPurify's output, not ours, and unused."""
    source = (DATA / "dompurify-fixtures-expect.mjs").read_text(encoding="utf-8")
    array = source[source.index("[") : source.rindex("]") + 1]
    array = re.sub(r",\s*\]$", "]", array)
    return [item["payload"] for item in json.loads(array)]


CORPORA = {"payloadbox": payloadbox, "blns": blns, "dompurify": dompurify}


@cache
def all_payloads() -> tuple[Payload, ...]:
    return tuple(
        Payload(name, number, text)
        for name, load in CORPORA.items()
        for number, text in enumerate(load())
    )


def storable(text: str) -> str:
    """What a text column can hold: PostgreSQL refuses NUL (Django's form fields refuse
    it too, so no user can submit it) and UTF-8 has no lone surrogates."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def fit(text: str, max_length: int | None = None, *, squash: bool = False) -> str:
    """The value the app would store: storable, stripped like Django's form fields strip,
    whitespace-squashed for titles and quotes, cut to the column's length."""
    text = storable(text).replace("\r\n", "\n")
    text = " ".join(text.split()) if squash else text.strip()
    if max_length is not None:
        text = text[:max_length].strip()
    return text


# Payloads that try to run script the way the browser test can observe: call a dialog,
# or set a global. Ours add the canary and the htmx attack on top of the corpora's.
CANARY_PAYLOADS = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 1">',
    '<svg onload="window.__xss = 1"></svg>',
    '<a href="javascript:window.__xss = 1">click</a>',
    "[markdown link](javascript:window.__xss=1)",
    '![markdown image](x "title" onerror="window.__xss=1")',
    '<details open ontoggle="window.__xss=1">',
    '<div hx-get="/" hx-trigger="load" hx-on::after-request="window.__xss=1">htmx</div>',
    '<div data-hx-get="/" data-hx-trigger="load">htmx data prefix</div>',
    '<form hx-post="/accounts/logout/" hx-trigger="load"><button>htmx post</button></form>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    '"><img src=x onerror=window.__xss=1>',
    "'><svg/onload=window.__xss=1>",
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    '<base href="javascript:window.__xss=1//">',
    '<object data="javascript:window.__xss=1"></object>',
]
