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
