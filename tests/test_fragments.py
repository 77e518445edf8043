"""Fragments (plugins/directory/fragments.py): a piece many pages repeat is rendered once per
value, SITEURL and options, and is then the same bytes wherever it appears."""

from __future__ import annotations

from dataclasses import dataclass

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


def test_a_fragment_is_rendered_once_per_value_siteurl_and_options():
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
    deeper = page.render(items=[a], SITEURL="../..", tag="x")
    assert deeper == '<a href="../../a&lt;b/">a&lt;b</a>x|'
    page.render(items=[a], SITEURL="..", tag="y")
    assert len(calls) == 4  # another SITEURL, other options: rendered again


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
