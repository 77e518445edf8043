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
from markdown.treeprocessors import InlineProcessor, Treeprocessor
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


# What each of Python-Markdown's inline patterns cannot match without: one of these strings
# (read from the patterns' regular expressions: a code span needs a backtick, a link or an
# image a '[', autolinks and inline HTML a '<', and so on).
PATTERN_NEEDS = {"backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",),
                 "image_link": ("[",), "image_reference": ("[",), "short_reference": ("[",),
                 "short_image_ref": ("[",), "autolink": ("<",), "automail": ("<",),
                 "linebreak": ("  \n",), "html": ("<",), "entity": ("&",),
                 "em_strong": ("*", "_")}


class _QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, which tries every pattern's regular expression on
    every piece of text, one Python call each, told to pass over a pattern when the text holds
    nothing it needs, and over all of them for plain text (most sentences of most
    descriptions): a third of the time of a conversion. The HTML is the same:
    tests/test_markdown_speed.py compares it with the stock processor's on random text.
    Patterns missing from PATTERN_NEEDS (an extension's) are always tried."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self._needs: dict[int, tuple[str, ...]] | None = None
        self._any: tuple[str, ...] | None = None  # None: some pattern's needs are unknown

    def _learn_patterns(self) -> None:
        self._needs = {id(self.inlinePatterns[name]): needs for name, needs in PATTERN_NEEDS.items()
                       if name in self.inlinePatterns}
        if len(self._needs) == len(list(self.inlinePatterns)):
            self._any = tuple(sorted({text for needs in self._needs.values() for text in needs}))

    # The names Python-Markdown's own methods call (they are private to InlineProcessor).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if self._needs is None:
            self._learn_patterns()
        if patternIndex == 0 and self._any is not None and not any(t in data for t in self._any):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)

    def _InlineProcessor__applyPattern(self, pattern, data: str, patternIndex: int,
                                       startIndex: int = 0):
        needs = self._needs.get(id(pattern))
        if needs is not None and all(data.find(text, startIndex) < 0 for text in needs):
            return data, False, 0  # what the stock method returns when nothing matches
        return super()._InlineProcessor__applyPattern(pattern, data, patternIndex, startIndex)


class QuickInlineExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_QuickInlineProcessor(md), "inline", 20)  # stock: "inline", 20


# Building a Markdown instance (its extensions, processors and patterns) costs more than
# converting a short description; one instance, reset between texts, converts them all.
_converter = markdown.Markdown(extensions=[DemoteHeadingsExtension(), QuickInlineExtension()],
                               output_format="html")


# Each description is rendered for its page and again, as plain text, for the search index;
# incremental builds (incremental.py) also keep what the previous build rendered: as text,
# made Markup only when a page of this build asks (a rebuild's few), as a Markup of each of
# 10,000 descriptions, copied and kept, cost more than the pages that read them.
_rendered: dict[str, Markup] = {}
_earlier: dict[str, str] = {}


def render_markdown(text: str) -> Markup:
    html = _rendered.get(text)
    if html is None:
        earlier = _earlier.get(text)
        html = _rendered[text] = (Markup(earlier) if earlier is not None
                                  else _render_markdown(text))
    return html


def rendered_text(text: str) -> str:
    """render_markdown(text) as plain text, for the next build to remember."""
    earlier = _earlier.get(text)
    return earlier if earlier is not None else str(render_markdown(text))


def remember(rendered: dict[str, str]) -> None:
    """Take descriptions rendered by an earlier build with the same code."""
    _earlier.update(rendered)


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


# In a build's settings while descriptions are rendered ahead of time (render_ahead)
RENDERING_AHEAD = "DIRECTORY_MARKDOWN_AHEAD"


def _not_rendered(texts) -> list[str]:
    return sorted({text for text in texts if text not in _rendered and text not in _earlier})


def render_ahead(settings: dict, texts) -> None:
    """Begin rendering every text not rendered yet in a forked process, when there are many
    (parallel.HeadStart): a build calls this once its files are loaded, and validates and
    relates its profiles on one core meanwhile. render_all(texts, settings) takes what it
    has rendered."""
    from .parallel import HeadStart, worth_forking

    missing = _not_rendered(texts)
    if worth_forking(len(missing)):
        settings[RENDERING_AHEAD] = HeadStart(missing, _render_markdown,
                                              "the descriptions' Markdown")


def render_all(texts, settings: dict | None = None) -> None:
    """Render every text not rendered yet, on two cores when there are many; first, what
    render_ahead began in ``settings``, if it did."""
    from .parallel import split

    started = settings.pop(RENDERING_AHEAD, None) if settings is not None else None
    if started is not None:
        _rendered.update(zip(started.items, started.results()))
    missing = _not_rendered(texts)
    for text, html in zip(missing, split(missing, _render_markdown, results=True)):
        _rendered[text] = html
