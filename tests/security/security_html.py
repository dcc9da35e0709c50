"""Checking rendered pages for executable content, by parsing them as a browser does.

html5lib implements the HTML parsing algorithm of the WHATWG spec, so the tree checked
here is the tree a browser would build (script-breaking tricks such as `</title>` or
`<noscript>` reparsing show up as real elements, not as strings to search for).

"Safe" is the definition of tests/data/xss/README.md: no script-capable element, no
`on*`, `style`, `srcdoc` or `hx-*`/`data-hx-*` attribute, and no URL whose scheme is not
http, https or mailto. The site's own markup legitimately has forms and hx-* attributes,
so checks come in three parts:

- everywhere on the page (template included): no script-capable element but the site's
  own `<script src="/static/...">`, no event-handler/style/srcdoc attribute, no bad URL;
- in each user-content region: an escaped field is exactly its text (no element at all),
  a Markdown body is exactly the sanitiser's stored output and only allowlisted tags and
  attributes (so no hx-*/data-*);
- outside the regions: only element shapes (tag + attribute names) that the same page
  rendered with benign text has — so nothing broke out of a region into the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import html5lib

from threads import markdown

SVG = "{http://www.w3.org/2000/svg}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

# Elements that run script, load a document or change how the page's URLs resolve.
SCRIPT_CAPABLE = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
    "fencedframe", "style", "link", "noscript", "template", "form", "input", "button",
    "textarea", "select", "isindex", "svg", "math", "xmp", "plaintext", "noembed",
    "noframes", "listing", "marquee", "meta", "dialog", "details",
}  # fmt: skip
# Of those, what the site's own templates may use (forms, its CSS, the vendored scripts,
# the analysis panel's SVG, collapsible <details>) — never inside a user-content region.
SITE_ELEMENTS = {"form", "input", "button", "textarea", "select", "link", "meta", "svg",
                 "script", "details", "template"}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "poster", "data", "background", "cite",
    "longdesc", "usemap", "ping", "manifest", "codebase", "dynsrc", "lowsrc", "icon",
    "profile", "classid", "archive", "srcset", "imagesrcset", XLINK_HREF, "xlink:href",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}
# <link> elements the site's own pages have (its CSS, feeds, favicon): none loads script.
SITE_LINK_RELS = {"stylesheet", "alternate", "icon"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_NOISE = re.compile(r"[\t\n\r]")


def parse(page: str | bytes) -> Element:
    """The document tree a browser builds. HTML elements have plain tag names; SVG and
    MathML elements carry their namespace ({...}svg)."""
    if isinstance(page, bytes):
        page = page.decode("utf-8")
    return html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)


def parse_fragment(html: str) -> Element:
    """`html` as the content of a <div> (how a stored post body sits in the page)."""
    holder = Element("div")
    fragment = html5lib.parseFragment(
        html, container="div", treebuilder="etree", namespaceHTMLElements=False
    )
    holder.text = fragment.text
    holder.extend(list(fragment))
    return holder


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: it drops surrounding C0 controls and spaces and
    ignores tabs and newlines anywhere, so "java\\tscript:" is javascript:."""
    cleaned = _URL_NOISE.sub("", value.strip("".join(chr(c) for c in range(0x21))))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def bad_urls(name: str, value: str) -> list[str]:
    values = [value]
    if name in ("srcset", "imagesrcset"):
        values = [part.strip().split(" ")[0] for part in value.split(",")]
    problems = []
    for url in values:
        scheme = url_scheme(url)
        if scheme is not None and scheme not in SAFE_SCHEMES:
            problems.append(f"{name}={value[:80]!r} has the scheme {scheme}:")
    return problems


def attribute_problems(element: Element) -> list[str]:
    problems = []
    for name, value in element.attrib.items():
        bare = local_name(name)
        if bare.startswith("on"):
            problems.append(f"event handler {name}")
        elif bare in ("style", "srcdoc"):
            problems.append(f"{bare} attribute")
        if name in URL_ATTRIBUTES or bare in URL_ATTRIBUTES:
            problems.extend(bad_urls(bare, value))
        if bare == "http-equiv":
            problems.append(f"meta http-equiv={value!r}")
    return problems


def walk(root: Element) -> Iterator[tuple[Element, tuple[Element, ...]]]:
    """Every element with its ancestors (nearest last)."""
    stack: list[tuple[Element, tuple[Element, ...]]] = [(root, ())]
    while stack:
        element, ancestors = stack.pop()
        yield element, ancestors
        inner = (*ancestors, element)
        stack.extend((child, inner) for child in reversed(list(element)))


def describe(element: Element, ancestors: tuple[Element, ...] = ()) -> str:
    """A short path to the element, with the id of the nearest ancestor that has one."""
    anchor = next((a.get("id") for a in reversed(ancestors) if a.get("id")), None)
    attrs = " ".join(f"{local_name(k)}={v[:40]!r}" for k, v in element.attrib.items())
    return f"<{local_name(element.tag)} {attrs}> in #{anchor}" if anchor else f"<{element.tag}>"


def site_script_problems(element: Element, static_url: str) -> list[str]:
    """The only scripts a page may have: the site's own files, no inline code."""
    src = element.get("src", "")
    problems = []
    if not src.startswith(static_url):
        problems.append(f"script not from {static_url}: src={src!r}")
    if (element.text or "").strip():
        problems.append(f"inline script body {element.text[:60]!r}")
    return problems


def page_problems(root: Element, *, static_url: str = "/static/") -> list[str]:
    """What the CSP would block or a payload could use, anywhere on the page (the site's
    markup included): inline scripts, handlers, style attributes, dangerous elements."""
    problems = []
    for element, ancestors in walk(root):
        name = local_name(element.tag)
        where = describe(element, ancestors)
        problems.extend(f"{p}: {where}" for p in attribute_problems(element))
        if name == "script":
            problems.extend(f"{p}: {where}" for p in site_script_problems(element, static_url))
        elif name in SCRIPT_CAPABLE and name not in SITE_ELEMENTS:
            problems.append(f"script-capable element: {where}")
        elif name == "meta" and element.get("http-equiv") is not None:
            problems.append(f"meta http-equiv: {where}")
        elif name == "link" and element.get("rel", "").lower() not in SITE_LINK_RELS:
            problems.append(f"unexpected link rel: {where}")
        if name in ("svg", "math") and element.tag.startswith("{"):
            for child, _ in walk(element):
                if local_name(child.tag) in ("script", "foreignobject", "style"):
                    problems.append(f"{local_name(child.tag)} inside {name}: {where}")
    return problems


# --- User-content regions ----------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """Where one user-written value is shown: `tag` with the class `css_class` (if
    given), matched by `test` (if given). `kind` is "text" (escaped by the template),
    "marked" (escaped text with <mark> around search matches) or "markdown" (the
    sanitiser's stored HTML)."""

    name: str
    tag: str
    css_class: str | None = None
    kind: str = "text"
    test: Callable[[Element, tuple[Element, ...]], bool] | None = None

    def matches(self, element: Element, ancestors: tuple[Element, ...]) -> bool:
        if element.tag != self.tag:
            return False
        if self.css_class and self.css_class not in element.get("class", "").split():
            return False
        return self.test is None or self.test(element, ancestors)


def inside(css_class: str, tag: str | None = None):
    """A Region test: the element sits inside an element with this class."""

    def test(element: Element, ancestors: tuple[Element, ...]) -> bool:
        return any(
            css_class in a.get("class", "").split() and (tag is None or a.tag == tag)
            for a in ancestors
        )

    return test


@dataclass
class Found:
    region: Region
    element: Element
    ancestors: tuple[Element, ...]


@dataclass
class PageCheck:
    """The regions found on a page and everything wrong with it."""

    found: dict[str, list[Found]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    shapes: set[tuple[str, frozenset[str]]] = field(default_factory=set)

    def texts(self, region: str) -> list[str]:
        return [element_text(f.element) for f in self.found.get(region, [])]


def element_text(element: Element) -> str:
    return "".join(element.itertext())


def shape(element: Element) -> tuple[str, frozenset[str]]:
    return element.tag, frozenset(element.attrib)


def check_page(root: Element, regions: list[Region], *, static_url: str = "/static/"):
    """Find the regions (an element inside a region is region content, never a region
    of its own) and check the page. Returns a PageCheck."""
    result = PageCheck(problems=page_problems(root, static_url=static_url))
    stack: list[tuple[Element, tuple[Element, ...]]] = [(root, ())]
    while stack:
        element, ancestors = stack.pop()
        region = next((r for r in regions if r.matches(element, ancestors)), None)
        result.shapes.add(shape(element))
        if region is not None:
            result.found.setdefault(region.name, []).append(Found(region, element, ancestors))
            result.problems.extend(region_problems(region, element, ancestors))
            continue  # what is inside a region is checked by its own rules
        inner = (*ancestors, element)
        stack.extend((child, inner) for child in reversed(list(element)))
    return result


def region_problems(region: Region, element: Element, ancestors) -> list[str]:
    where = describe(element, ancestors)
    if region.kind == "text":
        children = list(element)
        if children:
            tags = ", ".join(sorted({local_name(c.tag) for c in children}))
            return [f"{region.name}: escaped text became markup ({tags}): {where}"]
        return []
    if region.kind == "marked":  # search hits: text, matches in bare <mark> elements
        return [
            f"{region.name}: <{child.tag}> among the highlighted text: {where}"
            for child in element
            if child.tag != "mark" or child.attrib or len(child)
        ]
    problems = []
    for inner, inner_ancestors in walk(element):
        if inner is element:
            continue
        name = local_name(inner.tag)
        if inner.tag != name or name not in markdown.ALLOWED_TAGS:
            problems.append(f"{region.name}: <{inner.tag}> is not allowlisted: {where}")
        allowed = markdown.ALLOWED_ATTRIBUTES.get(name, set()) | ({"rel"} if name == "a" else set())
        extra = set(inner.attrib) - allowed
        if extra:
            problems.append(f"{region.name}: attributes {sorted(extra)} on <{name}>: {where}")
        if name == "a" and inner.get("rel") not in (None, markdown.LINK_REL):
            problems.append(f"{region.name}: link rel {inner.get('rel')!r}: {where}")
    return problems


def canonical(element: Element, *, edges: bool = True) -> tuple:
    """A comparable form of an element's content: tags, attributes and text, where a
    text of whitespace alone (between blocks) counts as empty; `edges` also trims the
    whitespace the template puts around the content."""

    def text(value: str | None) -> str:
        return value if value and not value.isspace() else ""

    items: list = []
    children = list(element)
    items.append(text(element.text).lstrip() if edges else text(element.text))
    for index, child in enumerate(children):
        tail = text(child.tail)
        if edges and index == len(children) - 1:
            tail = tail.rstrip()
        attributes = tuple(sorted(child.attrib.items()))
        items.append((child.tag, attributes, canonical(child, edges=False)))
        items.append(tail)
    if edges and not children:
        items[0] = items[0].strip()
    return tuple(items)


def same_content(region_element: Element, stored_html: str) -> bool:
    """Whether a Markdown region shows exactly the stored (sanitised) HTML: nothing more
    came out of it into the page, and nothing of the page went into it."""
    return canonical(region_element) == canonical(parse_fragment(stored_html))


def normalise_text(text: str) -> str:
    """A text as it reads after parsing: the HTML parser turns CR and CRLF into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
