"""Markdown descriptions -> safe HTML.

Descriptions are written by strangers, so the rendered HTML goes through nh3 (the ammonia
sanitiser) with a small allowlist. Headings are demoted two levels first: a profile page already
has its h1 (the name) and h2 sections, so a contributor's '#' becomes an h3 instead of vanishing.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
                "ul", "ol", "li", "a", "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
EXTERNAL_REL = "noopener noreferrer nofollow ugc"
HEADING_SHIFT = 2


class _DemoteHeadings(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                element.tag = f"h{min(int(element.tag[1]) + HEADING_SHIFT, 6)}"


class DemoteHeadingsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_DemoteHeadings(md), "demote_headings", 5)


# Building a Markdown instance (its extensions, processors and patterns) costs more than
# converting a short description; one instance, reset between texts, converts them all.
_converter = markdown.Markdown(extensions=[DemoteHeadingsExtension()], output_format="html")


# Each description is rendered for its page and again, as plain text, for the search index;
# incremental builds (incremental.py) also keep what the previous build rendered.
_rendered: dict[str, Markup] = {}


def render_markdown(text: str) -> Markup:
    html = _rendered.get(text)
    if html is None:
        html = _rendered[text] = _render_markdown(text)
    return html


def remember(rendered: dict[str, str]) -> None:
    """Take descriptions rendered by an earlier build with the same code."""
    for text, html in rendered.items():
        _rendered.setdefault(text, Markup(html))


def _render_markdown(text: str) -> Markup:
    html = _converter.reset().convert(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        url_relative="deny",  # only absolute http(s) and mailto links survive
        link_rel=EXTERNAL_REL,
    )
    return Markup(clean)


def render_all(texts) -> None:
    """Render every text not rendered yet, on two cores when there are many."""
    from .parallel import split

    missing = sorted({text for text in texts if text not in _rendered})
    for text, html in zip(missing, split(missing, _render_markdown, results=True)):
        _rendered[text] = html
