"""`{% load fragments %}`: the template side of threads.fragments (the post-fragment cache).

`{% postfragment "name" %}`, `{% sharedpage %}` and `{% csrf_field %}`.
"""

from __future__ import annotations

from django import template
from django.template.base import NodeList, Parser, Token
from django.template.context import Context

from threads import fragments, markdown

register = template.Library()


@register.tag
def postfragment(parser: Parser, token: Token) -> PostFragmentNode:
    """`{% postfragment "name" %}…{% endpostfragment %}`: a part of `post` that is the
    same for every viewer of a kind, served from the page's PostFragments (context
    variable `fragments`) when it has it, rendered (and then cached) otherwise."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("postfragment takes one quoted name")
    nodelist = parser.parse(("endpostfragment",))
    parser.delete_first_token()
    return PostFragmentNode(bits[1].strip("\"'"), nodelist)


class PostFragmentNode(template.Node):
    def __init__(self, name: str, nodelist: NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        page_fragments = context.get("fragments")
        if page_fragments is None:
            return self.nodelist.render(context)
        return page_fragments.get_or_render(
            context["post"], self.name, lambda: self.nodelist.render(context)
        )


@register.tag
def sharedpage(parser: Parser, token: Token) -> SharedPageNode:
    """`{% sharedpage %}…{% endsharedpage %}`: the part of a page that all viewers of a
    kind who have not taken part in the thread see alike (fragments.shared_page_key). The
    view puts the cached HTML in `shared_html` (and then has nothing else to compute),
    or the key to store it under in `shared_key`. CSRF tokens are filled in per response
    ({% csrf_field %}); a fragment holding a real one is never stored."""
    nodelist = parser.parse(("endsharedpage",))
    parser.delete_first_token()
    return SharedPageNode(nodelist)


class SharedPageNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        html = context.get("shared_html")
        if html is not None:
            return html
        html = self.nodelist.render(context)
        key = context.get("shared_key")
        if key:
            fragments.cache_html(key, html)
        return html


@register.simple_tag
def csrf_field() -> str:
    """Like {% csrf_token %}, but cacheable: the token is filled in per response."""
    return markdown.safe_html(fragments.CSRF_PLACEHOLDER)
