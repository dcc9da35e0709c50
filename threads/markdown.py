"""The one place where user-written Markdown becomes HTML, and the one place that marks
HTML safe. Posts are rendered once, at save, and stored in Post.body_html.

markdown-it-py parses CommonMark (+ tables, strikethrough, bare-URL links, footnotes and
`$…$` / `$$…$$` maths from mdit-py-plugins) with raw HTML switched off; nh3 (Ammonia)
then keeps only an allowlist of tags, attributes, classes and URL schemes, so neither
Markdown tricks nor parser bugs can smuggle script into a page.

Maths is stored as its escaped TeX source in <span class="math inline"> / <div
class="math block">; static/js/math.js typesets it with the vendored KaTeX in the
browser (no inline script, so the CSP holds) and the source stays what a copy yields.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

_parser = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["table", "strikethrough", "linkify"])
    .use(footnote_plugin)
    # Pandoc's rule for inline maths: no space inside the dollars and no digit after the
    # closing one, so "$5 and $10" stays money. No labels: they would make user-chosen ids.
    .use(
        dollarmath_plugin,
        allow_space=False,
        allow_digits=False,
        allow_labels=False,
        double_inline=True,
    )
)


def _math(tag: str, mode: str) -> Callable[..., str]:
    def render(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        html = escapeHtml(tokens[idx].content.strip())
        return f'<{tag} class="math {mode}">{html}</{tag}>' + ("\n" if tag == "div" else "")

    return render


# One markup for the browser to typeset: inline maths, and display maths either inside a
# paragraph ($$…$$ mid-sentence, still a <span> so the paragraph stays valid) or alone.
_parser.add_render_rule("math_inline", _math("span", "inline"))
_parser.add_render_rule("math_inline_double", _math("span", "display"))
_parser.add_render_rule("math_block", _math("div", "display"))

# Embedding, override and isolate controls (and the Arabic letter mark) can make text
# display in an order other than the one it is written in ("Trojan Source"); they are
# dropped before parsing, so what a post shows is what its words are.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralise_bidi(text: str) -> str:
    """`text` without bidirectional control characters."""
    return BIDI_CONTROLS.sub("", text)


def _env(source: str) -> dict:
    # Footnote ids are prefixed per text, so the notes of two posts on one page do not
    # collide; the prefix is a hash of the source, so a render is reproducible.
    return {"docId": hashlib.blake2s(source.encode(), digest_size=4).hexdigest()}


def _aligned_cell(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Table cells say their alignment with `align`, which the allowlist keeps, not the
    `style` markdown-it writes, which it drops (and the CSP would refuse)."""
    token = tokens[idx]
    style = token.attrs.pop("style", None) if token.attrs else None
    if isinstance(style, str) and style.startswith("text-align:"):
        token.attrSet("align", style.removeprefix("text-align:"))
    return self.renderToken(tokens, idx, options, env)


_parser.add_render_rule("th_open", _aligned_cell)
_parser.add_render_rule("td_open", _aligned_cell)


def is_remote(url: str) -> bool:
    """Anything but a path on this site (absolute URLs and //host/… alike)."""
    url = url.strip()
    return not url.startswith("/") or url.startswith("//") or url.startswith("/\\")


def _image_as_link(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A remote image becomes a link to it: embedding it would make every reader's
    browser call that host (a tracker, in the worst case), and the CSP's img-src allows
    this site only. Images on this site stay images."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    if not is_remote(src):
        return self.image(tokens, idx, options, env)
    alt = self.renderInlineAsText(token.children or [], options, env).strip()
    title = token.attrGet("title")
    attrs = f' href="{escapeHtml(src)}"' + (f' title="{escapeHtml(title)}"' if title else "")
    return f"<a{attrs}>image: {escapeHtml(alt or src)}</a>"


_parser.add_render_rule("image", _image_as_link)

ALLOWED_TAGS = {
    "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "s",
    "a", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img", "sup", "sub",
    "section", "span", "div",
}  # fmt: skip
# Every attribute that may appear; `class` only with the values in ALLOWED_CLASSES and
# `id` only in the shape FOOTNOTE_ID (both enforced below).
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start", "class"},
    "li": {"id", "class"},
    "sup": {"class"},
    "hr": {"class"},
    "section": {"class"},
    "span": {"class"},
    "div": {"class"},
}
ALLOWED_CLASSES = {
    "a": {"footnote-backref"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "sup": {"footnote-ref"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "span": {"math", "inline", "display"},
    "div": {"math", "display"},
}
FOOTNOTE_ID = re.compile(r"fn(ref)?-[0-9a-f]{8}-\d{1,4}(:\d{1,4})?")
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_NH3_ATTRIBUTES = {tag: names - {"class"} for tag, names in ALLOWED_ATTRIBUTES.items()}


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    """Ids only of the footnote shape; remote image sources never (defence in depth for
    HTML that did not come through _image_as_link)."""
    if name == "id" and not FOOTNOTE_ID.fullmatch(value):
        return None
    if tag == "img" and name == "src" and is_remote(value):
        return None
    return value


def sanitise_html(html: str) -> str:
    """Reduce any HTML to the allowlist. Idempotent."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=_NH3_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Markdown source -> sanitised HTML, ready to store in body_html."""
    source = neutralise_bidi(source)
    return sanitise_html(_parser.render(source, _env(source)))


def render_post(source: str, *, mentions: MentionLinks | None = None) -> tuple[str, str]:
    """(body_html, body_text) of a post from one parse of its Markdown. With `mentions`,
    each `@name` it knows becomes a link to that profile (see link_mentions)."""
    source = neutralise_bidi(source)
    env = _env(source)
    tokens = _parser.parse(source, env)
    if mentions is not None:
        link_mentions(tokens, mentions)
    html = sanitise_html(_parser.renderer.render(tokens, _parser.options, env))
    return html, _tokens_text(tokens, include_quotes=False)


def safe_html(stored_html: str) -> SafeString:
    """Mark HTML that render_markdown produced as safe for templates.

    Only for values that came out of render_markdown (Post.body_html); anything else
    must be escaped by the template engine as usual.
    """
    return mark_safe(stored_html)


def plain_text(source: str, *, include_quotes: bool = False) -> str:
    """The words of a post as plain text, one paragraph per blank-line block, Markdown
    stripped. Block quotes (the words of others that a reply repeats) are left out
    unless `include_quotes`."""
    source = neutralise_bidi(source)
    return _tokens_text(_parser.parse(source, _env(source)), include_quotes=include_quotes)


_SOURCE_BLOCKS = ("fence", "code_block", "math_block")


def _tokens_text(tokens: Sequence[Token], *, include_quotes: bool) -> str:
    paragraphs: list[str] = []
    quote_depth = 0
    for token in tokens:
        if token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type in _SOURCE_BLOCKS and (include_quotes or quote_depth == 0):
            if token.content.strip():
                paragraphs.append(token.content.strip())
        elif token.type == "inline" and (include_quotes or quote_depth == 0):
            text = _inline_text(token.children or [])
            if text:
                paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _inline_text(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline", "math_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split())


# --- Mentions -------------------------------------------------------------------------------
# `@name` in running text (not in code, not inside a link, not part of an e-mail address).
# Django usernames are letters, digits and @.+-_; a trailing dot ends the sentence.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*[\w+-])")
# Names -> profile URL, for the names that belong to a user (the others stay text).
MentionLinks = Callable[[set[str]], dict[str, str]]


def _mention_texts(tokens: Sequence[Token]) -> Iterable[tuple[list, int]]:
    """(children, index) of every text token where a mention may stand."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        in_link = 0
        for index, child in enumerate(token.children):
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link and "@" in child.content:
                yield token.children, index


def mentioned_names(source: str) -> list[str]:
    """The distinct `@names` of a Markdown text, in order of first appearance."""
    names: dict[str, None] = {}
    for children, index in _mention_texts(_parser.parse(source)):
        names.update(dict.fromkeys(MENTION.findall(children[index].content)))
    return list(names)


def link_mentions(tokens: Sequence[Token], mentions: MentionLinks) -> None:
    """Turn the known `@names` of parsed tokens into links, in place (the sanitiser still
    sees the result: only the href, a site path, is new)."""
    spots = list(_mention_texts(tokens))
    wanted = {name for children, i in spots for name in MENTION.findall(children[i].content)}
    links = mentions(wanted) if wanted else {}
    if not links:
        return
    for children, index in reversed(spots):  # later spots first: indexes stay valid
        text = children[index].content
        pieces, last = [], 0
        for match in MENTION.finditer(text):
            url = links.get(match.group(1))
            if url is None:
                continue
            pieces.append(Token("text", "", 0, content=text[last : match.start()]))
            pieces.append(Token("link_open", "a", 1, attrs={"href": url}))
            pieces.append(Token("text", "", 0, content=match.group(0)))
            pieces.append(Token("link_close", "a", -1))
            last = match.end()
        if pieces:
            pieces.append(Token("text", "", 0, content=text[last:]))
            children[index : index + 1] = [p for p in pieces if p.type != "text" or p.content]
