"""Accessibility in a real browser: axe-core's WCAG 2.1 A and AA rules on every page type, in
the light and the dark theme, at 360 and 1280 px wide, with no horizontal scrolling; the skip
link, the tab order and a visible focus ring; the print, reduced-motion and colour themes.

axe-core is vendored (tests/vendor/axe-core/, see its README) and added to each page as an init
script, which the browser runs through its debugging protocol: the pages keep their real
Content-Security-Policy (script-src 'self'), so no bypass_csp is needed and the policy the
visitor gets is the one checked. (Adding axe with add_script_tag would insert an inline
<script>, which that policy rightly blocks.)
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from conftest import ROOT, build, serve, write_profile

AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LONG_WORD = "Supercalifragilistic" * 6
LONG_URL = "https://example.org/" + "a-very-long-path-segment-without-breaks" * 4

PAGES = {
    "home": "/",
    "startups": "/startups/",
    "startups-page-2": "/startups/page/2/",
    "programs": "/programs/",
    "mentors": "/mentors/",
    "startup": "/startups/ciclo-mobility/",
    "program": "/programs/laci/",
    "mentor": "/mentors/maria-ciclo/",
    "long-words": "/startups/long-words/",
    "sectors": "/sectors/",
    "sector": "/sectors/clean-energy/",
    "city": "/cities/los-angeles/",
    "search": "/search/?q=solar",
    "about-data": "/about/data/",
    "not-found": "/404.html",
}
# Settled: the first results drawn, and the filter counts that follow them (the results list
# is aria-busy until both are done). Counting controls between the two found fewer than a
# moment later: the filters' checkboxes are drawn once facets.json has arrived.
SEARCH_READY = ("document.documentElement.classList.contains('search-ready')"
                " && document.querySelectorAll('#search-results li').length > 0"
                " && !document.getElementById('search-results').hasAttribute('aria-busy')")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The sample content plus a profile whose name, summary and website never break, with
    lists of more than 3 cards in pages."""
    root = tmp_path_factory.mktemp("a11y")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    write_profile(content, "startups", "long-words", f"""\
        name: {LONG_WORD}
        summary: {LONG_WORD} {LONG_WORD}
        description: |
          Read {LONG_URL} and {LONG_WORD}.
        website: {LONG_URL}
        city: Los Angeles
        sectors: [Clean Energy, {LONG_WORD[:60]}]
        """)
    # Pages of 3 cards: the 17 startups' listing has 6 pages, and a pager with a gap.
    return build(content, root / "output", DIRECTORY_PAGE_SIZE=3)


@pytest.fixture(scope="module")
def base(site):
    with serve(site) as url:
        yield url


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(20)


def open_page(page, base: str, path: str) -> None:
    page.goto(base + path)
    if path.startswith("/search/"):
        wait_until(page, SEARCH_READY)


def test_the_vendored_axe_is_the_pinned_version():
    assert AXE.read_text(encoding="utf-8")[:200].startswith(f"/*! axe v{AXE_VERSION}\n")


def describe(violation: dict) -> str:
    nodes = "; ".join(f"{' '.join(node['target'])}: {node['failureSummary']}"
                      for node in violation["nodes"][:3])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} -> {nodes}"


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_and_no_horizontal_scrolling(browser, base, scheme, width):
    context = browser.new_context(viewport={"width": width, "height": 800},
                                  color_scheme=scheme, reduced_motion="reduce")
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    failures = []
    try:
        for name, path in PAGES.items():
            open_page(page, base, path)
            # Open every disclosure (the charts' tables, the search filters): check it all.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            overflow = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]")
            if overflow[0] > overflow[1]:
                failures.append(f"{name}: scrolls sideways, {overflow[0]} > {overflow[1]} px")
            result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', "
                                   "values: tags}, resultTypes: ['violations']})", TAGS)
            failures += [f"{name}: {describe(v)}" for v in result["violations"]]
    finally:
        context.close()
    assert failures == [], "\n".join(failures)


def test_the_overflow_check_catches_a_page_that_scrolls_sideways(browser, base):
    """Negative control: the same measurement sees a page made wider than the screen."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    open_page(page, base, PAGES["long-words"])
    # Through the CSSOM: the page's policy (rightly) refuses an added <style>.
    page.evaluate("document.querySelectorAll('*').forEach(el => "
                  "el.style.setProperty('overflow-wrap', 'normal', 'important'))")
    assert page.evaluate("document.scrollingElement.scrollWidth > window.innerWidth")
    context.close()


def test_axe_catches_a_contrast_failure(browser, base):
    """Negative control: axe, as run here, reports text that does not contrast."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    open_page(page, base, "/")
    page.evaluate("document.querySelector('.lede').style.setProperty('color', '#ccc')")
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    assert "color-contrast" in [v["id"] for v in result["violations"]]
    context.close()


# --- keyboard -----------------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, text: (el.innerText || el.value || '').trim().slice(0, 40),
          href: el.getAttribute('href'), outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
          colour: style.outlineColor, visible: box.width > 0 && box.height > 0};
}"""
FOCUSABLE = """() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
  .filter(el => !el.disabled && el.checkVisibility({visibilityProperty: true}))
  .length"""


def tab_through(page, limit: int = 400) -> list[dict]:
    """Press Tab from the top of the page until focus leaves the page or comes round again."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "body" or (stops and focused == stops[0]):
            break
        stops.append(focused)
    return stops


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple, b: tuple) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(v) for v in re.findall(r"\d+", css)[:3])


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, base):
    open_page(page, base, "/startups/")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert (first["cls"], first["href"], first["text"]) == ("skip-link", "#main", "Skip to content")
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] > 0, "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, past the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["home", "search", "long-words"])
def test_every_control_is_reached_by_tab_with_a_visible_focus_ring(browser, base, name, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    try:
        open_page(page, base, PAGES[name])
        page.evaluate("document.activeElement.blur()")
        page.focus(".skip-link")  # start from the top, whatever a page script focused
        page.keyboard.press("Shift+Tab")
        stops = tab_through(page)
        assert len(stops) == page.evaluate(FOCUSABLE)
        background = rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        for stop in stops:
            assert stop["visible"], stop
            assert stop["outline"] != "none" and stop["width"] >= 2, stop
            assert contrast(rgb(stop["colour"]), background) >= 3, stop
    finally:
        context.close()


def test_tab_order_on_the_search_page(page, base):
    open_page(page, base, PAGES["search"])
    page.focus(".skip-link")
    page.keyboard.press("Shift+Tab")
    stops = tab_through(page)

    def first(predicate) -> int:
        return next(index for index, stop in enumerate(stops) if predicate(stop))

    order = [
        first(lambda s: s["cls"] == "skip-link"),
        first(lambda s: s["cls"] == "brand"),
        first(lambda s: s["href"] == "../startups/"),
        first(lambda s: s["href"] == "../cities/"),
        first(lambda s: s["id"] == "search-input"),
        first(lambda s: s["tag"] == "input" and s["id"] not in ("search-input", "site-search-input")),
        first(lambda s: "result-title" in s["cls"]),
        first(lambda s: s["href"] == "../sectors/" and s["text"] == "By sector"),
    ]
    assert order == sorted(order), [stops[i] for i in order]
    assert stops[0]["cls"] == "skip-link"
    # One search box here: the page's live one, not the header's (issue 9).
    assert not any(stop["id"] == "site-search-input" for stop in stops)


# --- themes, print and motion -------------------------------------------------------------

def test_dark_scheme_switches_the_palette_and_the_charts(browser, base, site):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        open_page(page, base, "/")
        colours[scheme] = (rgb(page.evaluate("getComputedStyle(document.body).backgroundColor")),
                           rgb(page.evaluate("getComputedStyle(document.body).color")))
        # The chart, opened as its own document, follows the scheme too.
        page.goto(base + "/charts/sectors.svg")
        colours[scheme] += (rgb(page.evaluate(
            "getComputedStyle(document.querySelector('rect.bg')).fill")),)
        context.close()
    assert relative_luminance(colours["light"][0]) > 0.8 > 0.05 > relative_luminance(colours["dark"][0])
    assert relative_luminance(colours["light"][2]) > 0.8 > 0.05 > relative_luminance(colours["dark"][2])
    for background, text, _ in colours.values():
        assert contrast(background, text) >= 7


def test_print_hides_navigation_and_shows_outside_addresses(page, base):
    open_page(page, base, PAGES["long-words"])
    page.emulate_media(media="print")
    hidden = page.evaluate("['.site-nav', '.site-search', '.skip-link', '.site-footer']"
                           ".map(s => getComputedStyle(document.querySelector(s)).display)")
    assert hidden == ["none"] * 4
    after = page.evaluate("getComputedStyle(document.querySelector('.facts a[href^=\"http\"]'),"
                          " '::after').content")
    assert LONG_URL in after
    assert rgb(page.evaluate("getComputedStyle(document.body).color")) == (0, 0, 0)
    page.emulate_media(media="screen")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-nav')).display") != "none"


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_reduced_motion_turns_transitions_off(browser, base, motion):
    context = browser.new_context(reduced_motion=motion)
    page = context.new_page()
    open_page(page, base, "/")
    durations = page.evaluate("getComputedStyle(document.querySelector('.counts a'))"
                              ".transitionDuration")
    seconds = max(float(value.strip()[:-1]) for value in durations.split(","))
    context.close()
    assert (seconds < 0.001) == (motion == "reduce"), durations
