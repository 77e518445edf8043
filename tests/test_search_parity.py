"""The browser and Whoosh must agree: same tokens from the analyzer, same ranking and scores."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from directory.building import build_site  # noqa: E402
from directory.pipeline import read_directory  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from directory.search import analyzer  # noqa: E402
from directory.search.analyzer import analyze, words  # noqa: E402
from directory.search.index import build_whoosh_index  # noqa: E402
from directory.search.query import search  # noqa: E402

TRICKY = [
    "María's Cicló café", "naïve coöperate Ångström Łódź Straße İstanbul ǅemal", "O'Brien O’Brien rock'n'roll",
    "e-mail co-operate clean-tech 3D-printed U.S.A. 24/7 1,000 1990s x² ½ Ⅻ ﬁnance ﬀ",
    "running runs runner ran permitting permits permitted pothole potholes generous news",
    "ＡＢＣ full-width ＡＢＣ１２３", "Ελληνικά κείμενα", "Русский текст ёлка", "中文 日本語のテキスト",
    "हिन्दी भाषा", "עִבְרִית", "العربية ١٢٣", "ไทย", "emoji 😀 smiley 👍🏽 ok", "zero\u200dwidth joiner",
    "tabs\tand\nnewlines", "the and of a to in", "A", "", "   ", "UPPER lower MiXeD", "snake_case words",
    "dots.in.words and v1.2.3", "quote‘s ‛reversed’ ʼmodifier", "İ ı I i", "ﬆ ligature", "ﬃ ﬄ",
    "Œuvre œuvre Æsir æther", "Ø ø đ Đ ħ", "mañana piñata jalapeño", "São Paulo Brasília",
    "Zürich Köln Düsseldorf", "Kraków Gdańsk", "Reykjavík Þórshöfn", "Ḥaḍramawt", "Việt Nam",
]


def corpus() -> list[str]:
    directory, _ = read_directory(ROOT / "content")
    texts = list(TRICKY)
    for profile in directory.profiles:
        texts += [profile.name, profile.summary, profile.description, " ".join(profile.sectors)]
    return texts


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZz09_- .,'’\téÉßİ½Ⅻ", max_size=40))
def test_the_ascii_words_are_the_unicode_rules_words(text):
    """words() matches lower-case ASCII text with a plain [a-z0-9]+ (twice as fast): on any
    text it must find exactly what the Unicode rule, the one analyzer.js follows, finds."""
    assert words(text) == analyzer._WORD.findall(analyzer.normalize(text))


def test_analyzer_parity(page, serve_directory):
    """analyzer.py and analyzer.js give identical words and terms for every text."""
    import json

    spec = json.loads((ROOT / "plugins/directory/search/static/analyzer.json").read_text())
    base = serve_directory(ROOT / "plugins/directory/search/static")
    page.goto(base + "/analyzer.json")
    texts = corpus()
    browser = page.evaluate(
        """async ([spec, texts]) => {
            const { Analyzer } = await import('/analyzer.js');
            const analyzer = new Analyzer(spec);
            return texts.map((t) => [analyzer.words(t), analyzer.analyze(t)]);
        }""",
        [spec, texts],
    )
    mismatches = [(text, [words(text), analyze(text)], got)
                  for text, got in zip(texts, browser) if got != [words(text), analyze(text)]]
    assert not mismatches, mismatches[:5]
    assert analyze("Cicló María potholes permitting running") == ["ciclo", "maria", "pothol", "permit", "run"]


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory):
    output = tmp_path_factory.mktemp("site") / "output"
    build_site(ROOT / "pelicanconf.py", content=ROOT / "content", output=output)
    return output


def parity_queries(directory) -> list[str]:
    """Every distinct word of names, sectors and summaries alone, and word pairs from one profile."""
    single, pairs = [], []
    for profile in directory.profiles:
        terms = [w for w in words(f"{profile.name} {' '.join(profile.sectors)} {profile.summary}")
                 if analyze(w)]
        single += terms
        pairs += [f"{a} {b}" for a, b in zip(terms[::3], terms[1::3])]
    # Repeated stems count once; stop words are dropped on both sides.
    extra = ["solar solarize energy", "the water of the city", "permits permitting potholes"]
    return sorted(set(single)) + sorted(set(pairs))[:150] + extra


def test_ranking_parity(page, serve_directory, sample_site):
    """For whole-word queries, the browser's exact matches are Whoosh's BM25F top 10, in the
    same order, with the same scores."""
    directory, _ = read_directory(ROOT / "content")
    index = build_whoosh_index(directory)
    ids = [f"{p.kind}/{p.slug}" for p in directory.profiles]
    queries = parity_queries(directory)
    assert len(queries) > 200
    base = serve_directory(sample_site)
    page.goto(base + "/search/index/manifest.json")
    browser = page.evaluate(
        """async (queries) => {
            const { SearchEngine } = await import('/search/engine.js');
            const engine = await SearchEngine.open(new URL('/search/index/', location.href));
            const none = { types: new Set(), sectors: new Set(), cities: new Set() };
            const out = [];
            for (const q of queries) {
                const r = await engine.search(q, none, { typing: false });
                const exact = r.hits.filter((h) => h.corrections === 0).slice(0, 10);
                out.push({ fallback: r.fallback, hits: exact.map((h) => [h.doc, h.score]) });
            }
            return out;
        }""",
        queries,
    )
    compared = 0
    for query, got in zip(queries, browser):
        expected, fallback = search(index, query, limit=10)
        if fallback != got["fallback"]:
            continue  # typo tolerance found every word where whole words alone did not
        assert [ids[doc] for doc, _ in got["hits"]] == [hit.id for hit in expected], query
        for (_, score), hit in zip(got["hits"], expected):
            assert score == pytest.approx(hit.score, rel=1e-6), query
        compared += 1
    assert compared >= len(queries) * 0.9


def test_search_cli_prints_ranked_results():
    import subprocess

    result = subprocess.run([sys.executable, "-m", "invoke", "search", "San José", "--type", "program"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "program/san-jose-public-data-fellowship" in lines[0]
    assert all("program/" in line for line in lines)
    scores = [float(line.split()[1]) for line in lines]
    assert scores == sorted(scores, reverse=True)


def test_filtered_ranking_and_fallback_agree_with_whoosh(page, serve_directory, sample_site):
    """Filters apply before the any-word fallback is chosen, in the browser as in Whoosh."""
    directory, _ = read_directory(ROOT / "content")
    index = build_whoosh_index(directory)
    ids = [f"{p.kind}/{p.slug}" for p in directory.profiles]
    cases = [("solar energy", "fresno", None), ("water data", "long-beach", None),
             ("potholes", None, "program"), ("city startups", "oakland", "startup")]
    page.goto(serve_directory(sample_site) + "/search/index/manifest.json")
    browser = page.evaluate(
        """async (cases) => {
            const { SearchEngine } = await import('/search/engine.js');
            const engine = await SearchEngine.open(new URL('/search/index/', location.href));
            const out = [];
            for (const [q, city, type] of cases) {
                const filters = { types: new Set(type ? [type] : []), sectors: new Set(),
                                  cities: new Set(city ? [city] : []) };
                const r = await engine.search(q, filters, { typing: false });
                out.push({ fallback: r.fallback, docs: r.hits.filter((h) => h.corrections === 0).map((h) => h.doc) });
            }
            return out;
        }""",
        cases,
    )
    for (query, city, kind), got in zip(cases, browser):
        expected, fallback = search(index, query, limit=None, city=city, type=kind)
        assert got["fallback"] == fallback, query
        assert [ids[doc] for doc in got["docs"]] == [hit.id for hit in expected], query


def test_a_stop_word_being_typed_does_not_narrow_the_results(page, serve_directory, sample_site):
    page.goto(serve_directory(sample_site) + "/search/index/manifest.json")
    counts = page.evaluate(
        """async () => {
            const { SearchEngine } = await import('/search/engine.js');
            const engine = await SearchEngine.open(new URL('/search/index/', location.href));
            const none = { types: new Set(), sectors: new Set(), cities: new Set() };
            const out = {};
            for (const q of ['solar', 'solar with', 'solar of', 'solar yet']) {
                const r = await engine.search(q, none);
                out[q] = [r.hits.length, r.fallback];
            }
            return out;
        }"""
    )
    assert counts["solar with"] == counts["solar of"] == counts["solar yet"] == counts["solar"], counts
