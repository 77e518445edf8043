"""Fragments (plugins/directory/fragments.py): a piece many pages repeat is rendered once per
value and options, and is then the same bytes wherever it appears, with each page's SITEURL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import DictLoader, Environment

from directory import fragments  # noqa: E402


@dataclass
class Item:
    name: str


def environment(calls: list) -> Environment:
    env = Environment(autoescape=True, loader=DictLoader({
        "_piece.html": "<a href=\"{{ SITEURL }}/{{ item.name }}/\">{{ item.name }}</a>{{ count() }}{{ tag }}",
        "page.html": "{% for item in items %}{{ fragment('_piece.html', item, tag=tag) }}|{% endfor %}",
    }))
    env.globals["count"] = lambda: calls.append(1) or ""
    fragments.install(env, {"SITENAME": "Directory"})
    return env


def test_a_fragment_is_rendered_once_per_value_and_options_whatever_the_siteurl():
    calls: list = []
    env = environment(calls)
    page = env.get_template("page.html")
    a, b = Item("a<b"), Item("b")
    first = page.render(items=[a, b, a], SITEURL="..", tag="x")
    assert first == ('<a href="../a&lt;b/">a&lt;b</a>x|<a href="../b/">b</a>x|'
                     '<a href="../a&lt;b/">a&lt;b</a>x|')
    assert len(calls) == 2  # a and b; the second a is the first's HTML
    assert page.render(items=[a, b], SITEURL="..", tag="x") == first.rsplit("<a", 1)[0]
    assert len(calls) == 2
    # A page at another depth: the same HTML with its own SITEURL, not rendered again.
    deeper = page.render(items=[a], SITEURL="../..", tag="x")
    assert deeper == '<a href="../../a&lt;b/">a&lt;b</a>x|'
    assert len(calls) == 2
    page.render(items=[a], SITEURL="..", tag="y")
    assert len(calls) == 3  # other options: rendered again


def test_the_siteurl_put_in_is_the_one_the_template_would_print():
    """An absolute SITEURL is escaped as Jinja escapes it when the fragment prints it."""
    calls: list = []
    env = environment(calls)
    page = env.get_template("page.html")
    for siteurl in ("https://example.org/a&b", "", ".", "https://example.org/x?y=<z>"):
        expected = env.from_string(
            '<a href="{{ SITEURL }}/{{ item.name }}/">{{ item.name }}</a>x|').render(
            item=Item("c&d"), SITEURL=siteurl)
        assert page.render(items=[Item("c&d")], SITEURL=siteurl, tag="x") == expected


def test_the_themes_fragments_only_print_siteurl():
    """A fragment is rendered with a mark for SITEURL (fragments.SITEURL_MARK) and each page's
    SITEURL is put in its place: a fragment that tested or transformed SITEURL would test the
    mark instead."""
    templates = Path(__file__).resolve().parents[1] / "theme" / "templates"
    sources = {path.name: path.read_text(encoding="utf-8") for path in templates.iterdir()}
    called = {name for source in sources.values()
              for name in re.findall(r"""fragments?\(\s*["']([^"']+)["']""", source)}
    assert called >= {"_card.html", "_link.html", "_nav.html", "_similar.html"}
    for name in called:
        code = re.sub(r"\{#.*?#\}", "", sources[name], flags=re.S)  # comments aside
        assert code.count("SITEURL") == code.count("{{ SITEURL }}"), (
            f"{name} uses SITEURL other than printing it")


def test_equal_values_that_are_different_objects_are_not_confused():
    calls: list = []
    env = environment(calls)
    page = env.get_template("page.html")
    one, other = Item("same"), Item("same")
    page.render(items=[one, other], SITEURL="", tag="")
    assert len(calls) == 2  # told apart by identity, never by a hash of what they hold


def test_fragments_with_a_stable_key_are_kept_for_the_next_build():
    """A value with a stable key (a card: its profile's digest) is rendered in one build and
    taken as it was in the next; a value whose key is gone is dropped, a new key rendered."""
    first_calls: list = []
    env = environment(first_calls)
    keys = {"a": b"digest-a", "b": b"digest-b"}
    first = fragments.Lasting({}, lambda item: keys.get(item.name), live=set(keys.values()))
    fragments.keep_across_builds(env, first)
    html = env.get_template("page.html").render(items=[Item("a"), Item("b")], SITEURL=".", tag="")
    assert len(first_calls) == 2 and len(first.kept) == 2 and first.fresh == first.kept

    # The next build, in a fresh environment: "a" is unchanged, "b" was edited (a new digest).
    second_calls: list = []
    env = environment(second_calls)
    keys = {"a": b"digest-a", "b": b"digest-b2"}
    second = fragments.Lasting(first.kept, lambda item: keys.get(item.name),
                               live=set(keys.values()))
    assert all(key[1] == b"digest-a" for key in second.kept)  # b's old HTML is gone
    fragments.keep_across_builds(env, second)
    again = env.get_template("page.html").render(items=[Item("a"), Item("b")], SITEURL=".",
                                                 tag="")
    assert again == html
    assert len(second_calls) == 1  # only b was rendered; a's HTML is the first build's
    assert {key[1] for key in second.fresh} == {b"digest-b2"}


def test_fragments_write_what_a_loop_of_fragment_lines_writes():
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, loader=DictLoader({
        "_piece.html": "<li>{{ item.name }}{{ tag }}</li>",
        "loop.html": "<ul>\n{% for item in items %}\n{{ fragment('_piece.html', item, tag=tag) }}\n"
                     "{% endfor %}\n</ul>",
        "joined.html": "<ul>\n{{ fragments('_piece.html', items, tag=tag) }}</ul>",
    }))
    fragments.install(env, {})
    for items in ([], [Item("a<b")], [Item("a"), Item("b"), Item("a")]):
        expected = env.get_template("loop.html").render(items=items, SITEURL=".", tag="&")
        assert env.get_template("joined.html").render(items=items, SITEURL=".", tag="&") == expected
    assert "<li>a&lt;b&amp;</li>" in env.get_template("joined.html").render(
        items=[Item("a<b")], SITEURL=".", tag="&")
