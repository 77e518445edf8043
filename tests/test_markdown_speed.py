"""The quick inline processor (markup._QuickInlineProcessor) passes over Markdown inline
patterns that cannot match; the HTML must be exactly what Python-Markdown's own processor
makes, for any text."""

from __future__ import annotations

from pathlib import Path

import markdown
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from directory import markup  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
stock = markdown.Markdown(extensions=[markup.DemoteHeadingsExtension()], output_format="html")


def both(text: str) -> tuple[str, str]:
    return stock.reset().convert(text), markup._converter.reset().convert(text)


PIECES = ["word", "two words", " ", "  ", "\n", "  \n", "\n\n", "\t", "*", "**", "_", "__", "`",
          "``", "\\", "\\*", "[", "]", "(", ")", "[a](https://x.example/)", "![i](x.png)", "<",
          ">", "<b>", "</b>", "<https://x.example/>", "<a@b.example>", "&", "&amp;", "&#38;",
          "&copy", "#", "# ", "- ", "1. ", "> ", "    ", "---", "===", "[1]: https://x.example/",
          "[1]", "[a][1]", "é", "日本", "\u2028", "!", "@", ":", "'", '"', "~~", "|"]
markdownish = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=40).map("".join)


@settings(max_examples=600, deadline=None)
@given(markdownish)
def test_the_quick_processor_makes_the_same_html_as_the_stock_one(text):
    expected, quick = both(text)
    assert quick == expected


def test_the_sample_descriptions_and_every_pattern_are_covered():
    for path in sorted((ROOT / "content").glob("*/*.yaml")):
        text = yaml.safe_load(path.read_text(encoding="utf-8")).get("description", "")
        expected, quick = both(text)
        assert quick == expected, path
    # Every stock inline pattern has its needs listed, so plain text skips them all at once.
    assert set(markup.PATTERN_NEEDS) == {name for name in stock.inlinePatterns._data}
    processor = markup._converter.treeprocessors["inline"]
    assert isinstance(processor, markup._QuickInlineProcessor)
    markup._converter.reset().convert("plain words")
    assert processor._any is not None
