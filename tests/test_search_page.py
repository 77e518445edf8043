"""The search page in headless Chromium, against a real build served on 127.0.0.1."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from directory.building import build_site  # noqa: E402

HOSTILE = """\
name: <img src=x onerror=alert(1)>
summary: "<b>Hostile</b> probe <script>alert(2)</script> with a <img src=x onerror=alert(3)> tag"
city: Los Angeles
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("search-site")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "startups" / "hostile-probe.yaml").write_text(HOSTILE, encoding="utf-8")
    build_site(ROOT / "pelicanconf.py", content=content, output=root / "output")
    return root / "output"


@pytest.fixture
def search(page, serve_directory, site):
    """Open the search page (with a query string) and watch for errors and outside requests."""
    base = serve_directory(site)
    problems: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1" and problems.append(f"request: {r.url}"))

    def open_search(query: str = "") -> None:
        page.goto(f"{base}/search/{query}")
        wait_until(page, "document.documentElement.classList.contains('search-ready')")

    open_search.base = base
    open_search.problems = problems
    yield open_search
    assert problems == []


def wait_until(page, expression: str, arg=None, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression from Python: Playwright's wait_for_function evaluates
    strings in the page, which the site's Content-Security-Policy (rightly) forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(20)


def titles(page) -> list[str]:
    return page.locator("#search-results a.result-title").all_inner_texts()


def settle(page, expected_status: str | None = None) -> None:
    """Wait until the status line reports a finished search."""
    wait_until(page, "(s) => { const t = document.getElementById('search-status').textContent;"
                     " return !document.getElementById('search-results').hasAttribute('aria-busy')"
                     " && (s ? t.includes(s) : /result|profile|Type to search/.test(t)); }",
               expected_status)


def test_typing_shows_results_as_you_type(page, search):
    search()
    page.locator("#search-input").press_sequentially("sola", delay=20)
    settle(page, "“sola”")
    assert titles(page)[0] == "Pick My Solar"  # a prefix of "solar"
    assert page.get_attribute("#search-status", "role") == "status"
    assert page.get_attribute("#search-status", "aria-live") == "polite"
    assert page.locator("label[for=search-input]").count() == 1


@pytest.mark.parametrize("query, expected", [
    ("pothol", "Pothole Radar"),          # prefix
    ("pothloes", "Pothole Radar"),        # one transposition
    ("permiting", "PermitPilot"),         # one letter missing
    ("ciclo", "Cicló Mobility"),          # accents folded
    ("maria", "María Cicló"),
    ("san jose", "San José Public Data Fellowship"),
])
def test_prefix_typo_and_accent_queries_find_the_profile(page, search, query, expected):
    search(f"?q={query}")
    settle(page)
    assert expected in titles(page)[:3], titles(page)


def test_exact_matches_rank_above_corrected_ones(page, search):
    search()
    outcome = page.evaluate("""async () => {
        const { SearchEngine } = await import('./engine.js');
        const engine = await SearchEngine.open(new URL('./index/', location.href));
        const none = { types: new Set(), sectors: new Set(), cities: new Set() };
        for (const q of ['water', 'data', 'city', 'grant', 'solar', 'transit', 'energy', 'housing', 'rooftop']) {
            const r = await engine.search(q, none, { typing: false });
            const c = r.hits.map((h) => h.corrections);
            if (c.includes(0) && c.some((n) => n > 0)) return { q, c };
        }
        return null;
    }""")
    assert outcome, "no query had both exact and corrected matches"
    assert outcome["c"] == sorted(outcome["c"]), outcome


def test_typo_allowance_grows_with_the_word(page, search):
    """No typo below 4 letters, one from 4, two from 8: "tarnsprot" (9 letters, two
    transpositions) finds "transport"; "tarnsti" (7 letters, two typos) does not find "transit"."""
    search()
    outcome = page.evaluate("""async () => {
        const { SearchEngine, allowedTypos } = await import('./engine.js');
        const engine = await SearchEngine.open(new URL('./index/', location.href));
        const none = { types: new Set(), sectors: new Set(), cities: new Set() };
        const terms = async (q) => [...(await engine.search(q, none, { typing: false })).terms];
        return {
            allowed: ['abc', 'abcd', 'abcdefg', 'abcdefgh'].map(allowedTypos),
            twoTyposLong: await terms('tarnsprot'),
            twoTyposShort: await terms('tarnsti'),
            oneTypoShort: await terms('tarnsit'),
        };
    }""")
    assert outcome["allowed"] == [0, 1, 1, 2]
    assert "transport" in outcome["twoTyposLong"], outcome
    assert "transit" not in outcome["twoTyposShort"], outcome
    assert "transit" in outcome["oneTypoShort"], outcome


def test_results_appear_in_rank_order_as_links(page, search, site):
    search("?q=solar%20")  # trailing space: whole words only, exactly as `invoke search` ranks
    settle(page)
    from directory.pipeline import read_directory
    from directory.search.index import build_whoosh_index
    from directory.search.query import search as whoosh_search

    directory, _ = read_directory(site.parent / "content")
    names = {f"{p.kind}/{p.slug}": p.name for p in directory.profiles}
    hits, _ = whoosh_search(build_whoosh_index(directory), "solar", limit=None)
    shown = titles(page)
    assert shown[: len(hits)] == [names[h.id] for h in hits if h.id in names]
    first = page.locator("#search-results li").first
    assert first.locator("a").get_attribute("href").endswith("/startups/pick-my-solar/")
    assert "Startup" in first.text_content() and "Los Angeles" in first.text_content()
    assert first.locator("mark").first.inner_text().lower() == "solar"


def test_filters_change_results_and_counts_and_url(page, search):
    search("?q=data")
    settle(page)
    before = len(titles(page))
    program = page.locator("#filter-type input[value=program]")
    count_text = program.locator("xpath=..").inner_text()
    program.check()
    settle(page)
    after = titles(page)
    assert 0 < len(after) < before
    assert f"({len(after)})" in count_text
    kinds = page.locator("#search-results .badge").all_text_contents()
    assert set(kinds) == {"Program"}
    assert parse_qs(urlsplit(page.url).query) == {"q": ["data"], "type": ["program"]}
    # Counts of another group follow the type filter.
    sector_counts = page.locator("#filter-sector .count").all_inner_texts()
    assert sum(int(c.strip("()")) for c in sector_counts) >= len(after)


def test_filters_alone_browse_without_a_query(page, search):
    search("?city=san-jose")
    settle(page)
    by_slug = titles(page)
    search("?city=San%20Jos%C3%A9")
    settle(page)
    assert titles(page) == by_slug and len(by_slug) >= 3
    assert page.locator("#filter-city input[value=san-jose]").is_checked()
    search("?sector=Urban%20Tech&type=startup")
    settle(page)
    by_name = titles(page)
    search("?sector=urban-tech&type=startup")
    settle(page)
    assert titles(page) == by_name and by_name
    assert set(page.locator("#search-results .badge").all_text_contents()) == {"Startup"}


def test_url_state_round_trips_and_back_button(page, search):
    search("?q=solar&type=startup&city=Los%20Angeles")
    settle(page)
    assert page.input_value("#search-input") == "solar"
    assert page.locator("#filter-type input[value=startup]").is_checked()
    assert titles(page) == ["Pick My Solar"]
    page.locator("#filter-type input[value=startup]").uncheck()
    settle(page)
    assert "type" not in parse_qs(urlsplit(page.url).query)
    page.go_back()
    wait_until(page, "document.querySelector('#filter-type input[value=startup]').checked")
    settle(page)
    assert titles(page) == ["Pick My Solar"]


def test_fallback_to_any_word_says_so(page, search):
    search("?q=potholes%20compostable%20")
    settle(page)
    assert page.is_visible("#search-notice")
    assert "some of them" in page.inner_text("#search-notice")
    assert len(titles(page)) >= 2


def test_hostile_profile_is_shown_as_text(page, search):
    search("?q=hostile%20probe")
    settle(page)
    results = page.locator("#search-results")
    assert results.locator("img, script, b").count() == 0
    assert "<img src=x onerror=alert(1)>" in titles(page)
    assert "<script>alert(2)</script>" in results.inner_text()
    page.wait_for_timeout(200)  # a dialog would be caught by the fixture


def test_keyboard_moves_through_results_and_enter_opens(page, search):
    search("?q=pothole")
    settle(page)
    page.focus("#search-input")
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.textContent")
    assert [first, second] == titles(page)[:2]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/startups/pothole-radar/") or page.url.endswith("/programs/pothole-patrol-challenge/")


def test_header_search_box_submits_to_the_search_page(page, search):
    search()
    page.goto(search.base + "/programs/laci/")
    page.fill("#site-search-input", "battery")
    with page.expect_navigation():
        page.press("#site-search-input", "Enter")
    assert urlsplit(page.url).path == "/search/" and parse_qs(urlsplit(page.url).query) == {"q": ["battery"]}
    wait_until(page, "document.documentElement.classList.contains('search-ready')")
    settle(page, "battery")
    assert "VoltShed" in titles(page)


def test_without_javascript_the_page_offers_browsing(browser, serve_directory, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(serve_directory(site) + "/search/?q=solar")
    hrefs = page.locator(".browse a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {"../startups/", "../programs/", "../mentors/", "../sectors/", "../cities/"} <= set(hrefs)
    context.close()


def test_empty_page_offers_filters_with_counts_to_browse(page, search, site):
    search()
    wait_until(page, "document.querySelectorAll('#filter-type input').length === 3")
    startups = len(list((site.parent / "content" / "startups").glob("*.yaml")))
    assert f"({startups})" in page.locator("#filter-type input[value=startup]").locator("xpath=..").inner_text()
    assert titles(page) == []
    page.locator("#filter-city input[value=oakland]").check()
    settle(page, "match the filters")
    assert len(titles(page)) >= 2


def test_a_one_word_query_draws_its_first_page_from_previews(page, search):
    """The first results of a one-word query come with its shard (previews/), not one docs/
    chunk per result: a round trip fewer before anything is on screen."""
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    search("?q=energy")
    settle(page, "results for “energy”")
    shown = titles(page)
    assert len(shown) >= 5
    assert any(path.startswith("/search/index/previews/") for path in fetched)
    assert not [path for path in fetched if path.startswith("/search/index/docs/")], fetched
    # Results the previews do not hold still come, from docs/.
    page.locator("#search-input").fill("solar energy permits")
    settle(page, "“solar energy permits”")
    assert titles(page)


def test_the_search_page_has_one_search_box_and_typing_in_it_searches(page, search):
    """The header's box would only submit on Enter; on /search/ the page's live box is the
    only one (the header leaves it out), and other pages keep the header's."""
    search()
    page.goto(search.base + "/search/")
    wait_until(page, "document.documentElement.classList.contains('search-ready')")
    assert page.locator("input[type=search]").count() == 1
    assert page.locator("#site-search-input").count() == 0
    page.locator("input[type=search]").press_sequentially("battery")
    settle(page, "battery")
    assert "VoltShed" in titles(page)
    page.goto(search.base + "/programs/laci/")
    assert page.locator("#site-search-input").count() == 1
