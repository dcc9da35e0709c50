"""The Markdown people expect from LessWrong (issue 19): footnotes as notes on the same
page, `$…$` and `$$…$$` maths kept as TeX source for the browser to typeset, and text
that cannot be shown reversed by bidirectional control characters — all through the one
sanitiser."""

from __future__ import annotations

import re

import pytest

from threads import markdown


def test_a_footnote_becomes_a_note_on_the_same_page_with_links_both_ways():
    html = markdown.render_markdown("Agents plan.[^1]\n\n[^1]: See the *shoggoth* post.")
    ref = re.search(
        r'<sup class="footnote-ref"><a href="#(fn-[0-9a-f]{8}-1)" id="(fnref-[^"]+)"', html
    )
    assert ref, html
    note_id, ref_id = ref.groups()
    assert f'<li id="{note_id}" class="footnote-item">' in html
    assert f'href="#{ref_id}" class="footnote-backref"' in html
    assert "<em>shoggoth</em>" in html and 'href="note"' not in html


def test_footnotes_of_two_posts_get_different_ids_and_one_post_the_same_each_time():
    first = markdown.render_markdown("One.[^a]\n\n[^a]: First.")
    second = markdown.render_markdown("Two.[^a]\n\n[^a]: Second.")
    ids = lambda html: set(re.findall(r'id="([^"]+)"', html))  # noqa: E731
    assert ids(first) and not ids(first) & ids(second)
    assert markdown.render_markdown("One.[^a]\n\n[^a]: First.") == first


def test_inline_and_display_maths_keep_their_escaped_source():
    html = markdown.render_markdown("Let $p<q$ hold.\n\n$$\n\\sum_i x_i > 1\n$$")
    assert '<span class="math inline">p&lt;q</span>' in html
    assert '<div class="math display">\\sum_i x_i &gt; 1</div>' in html


def test_double_dollars_inside_a_sentence_are_display_maths_in_a_span():
    html = markdown.render_markdown("So $$E = mc^2$$ follows.")
    assert '<p>So <span class="math display">E = mc^2</span> follows.</p>' in html


@pytest.mark.parametrize(
    "source", ["It costs $5 and $10.", "Between $ 3 and 4 $ dollars.", "`$x$` in code"]
)
def test_dollar_amounts_and_code_are_not_maths(source):
    assert 'class="math' not in markdown.render_markdown(source)


def test_maths_source_is_part_of_the_plain_text():
    assert markdown.plain_text("Take $x^2$ here.") == "Take x^2 here."


@pytest.mark.parametrize(
    "control",
    [
        "\u202e",
        "\u202d",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u202a",
        "\u202b",
        "\u200f",
        "\u061c",
    ],
)
def test_bidi_controls_are_dropped_so_text_shows_in_the_order_written(control):
    html, text = markdown.render_post(f"Open invoice{control}fdp.exe now")
    assert control not in html and control not in text
    assert "invoicefdp.exe" in html


def test_classes_and_ids_are_kept_only_in_the_shapes_the_renderer_makes():
    dirty = (
        '<span class="math evil">x</span><div class="display hx-boost">y</div>'
        '<a id="main" class="footnote-backref" href="#x">z</a><li id="fn-zzzzzzzz-1">w</li>'
        '<section class="footnotes" id="fn-0123abcd-1">v</section>'
    )
    clean = markdown.sanitise_html(dirty)
    assert 'class="math"' in clean and "evil" not in clean and "hx-boost" not in clean
    assert 'id="main"' not in clean and 'id="fn-zzzzzzzz-1"' not in clean
    assert "<section" in clean and 'id="fn-0123abcd-1"' not in clean


def test_script_inside_maths_stays_text():
    html = markdown.render_markdown(
        "$<script>alert(1)</script>$ and $$<img src=x onerror=alert(1)>$$"
    )
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
