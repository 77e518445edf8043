"""Typos in long names, on a real-sized index: the README promises one typo from 4 letters and
two from 8. One typo of each kind (substitution, insertion, deletion, transposition) at the
start, middle and end of long one-word names must still find the profile, whether the word is
being typed (a prefix) or finished. The 34 samples are too few to show it: a real-sized
vocabulary, with its near/ lists, comes from 1,500 synthetic profiles, built once."""

from __future__ import annotations

import random

import pytest

from conftest import build, serve
from directory.bench.synthetic import generate
from directory.pipeline import read_directory
from directory.search.analyzer import words

SIZE = 1500
NAMES = 40  # long one-word names tried, each in every variant


@pytest.fixture(scope="module")
def typo_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("typos")
    generate(base / "content", SIZE, seed=11)
    directory, problems = read_directory(base / "content")
    assert not problems
    output = build(base / "content", base / "output")
    with serve(output) as url:
        yield url, directory


def variants(word: str) -> list[tuple[str, str]]:
    """(kind of typo and where, the word with it), at the start, middle and end."""
    made = []
    for where, at in (("start", 0), ("middle", len(word) // 2), ("end", len(word) - 1)):
        other = "z" if word[at] != "z" else "s"
        made.append((f"substitution at {where}", word[:at] + other + word[at + 1:]))
        made.append((f"insertion at {where}", word[:at] + "x" + word[at:]))
        made.append((f"deletion at {where}", word[:at] + word[at + 1:]))
        t = min(at, len(word) - 2)
        made.append((f"transposition at {where}", word[:t] + word[t + 1] + word[t] + word[t + 2:]))
    return made


def test_one_typo_in_a_long_name_still_finds_it(page, typo_site):
    url, directory = typo_site
    long_names = [(doc, words(p.name)[0]) for doc, p in enumerate(directory.profiles)
                  if len(words(p.name)) == 1 and len(words(p.name)[0]) >= 9]
    assert len(long_names) >= NAMES
    chosen = random.Random(5).sample(long_names, NAMES)
    cases = [(doc, name, kind, typed) for doc, name in chosen for kind, typed in variants(name)]
    page.goto(url + "/search/index/manifest.json")
    missed = page.evaluate("""async (cases) => {
        const { SearchEngine } = await import('/search/engine.js');
        const none = () => ({ types: new Set(), sectors: new Set(), cities: new Set() });
        const missed = [];
        for (const [doc, name, kind, typed] of cases) {
          for (const typing of [true, false]) {
            const engine = await SearchEngine.open(new URL('/search/index/', location.href));
            const { hits } = await engine.search(typed, none(), { typing });
            if (!hits.some((hit) => hit.doc === doc)) missed.push(`${kind}: ${typed} (${name})${typing ? ' typing' : ''}`);
          }
        }
        return missed;
    }""", cases)
    assert not missed, f"{len(missed)} of {2 * len(cases)} missed: {missed[:10]}"
