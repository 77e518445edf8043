"""The home page's browse blocks and charts, and the similar profiles on profile pages, checked
against the content read independently (plain PyYAML) and, for the ranking, against a brute
force over every pair."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pages import BuiltSite, facet_slug, normal, profile_path
from unidecode import unidecode

from directory.relations import relate  # noqa: E402
from directory.similar import MAX_COUNTED, similar_profiles  # noqa: E402
from directory.validation import Profile  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
FORMATS = ["Incubator", "Accelerator", "Residency", "Challenge", "Fellowship", "Other"]


@pytest.fixture(scope="module")
def site(sample_site) -> BuiltSite:
    return BuiltSite(sample_site)


def folded(name: str) -> tuple:
    return (unidecode(name).casefold(), name)


def facet_counts(site: BuiltSite, kind: str) -> dict[str, int]:
    return {slug: len(keys) for (facet_kind, slug), keys in site.content.facets.items()
            if facet_kind == kind}


def figure(site: BuiltSite, slug: str):
    return site.main("").find("figure", id=f"chart-{slug}")


def table_rows(figure) -> list[tuple[str, str]]:
    body = figure.find("tbody")
    return [(row.find("th").text, row.find("td").text) for row in body.find_all("tr")]


# --- browse blocks ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["sectors", "cities"])
def test_browse_block_lists_the_largest_facets_with_counts_and_links_to_all(site, kind):
    counts = facet_counts(site, kind)
    block = site.main("").find("section", id=f"browse-{kind}")
    shown = []
    for anchor in block.find("ul").find_all("a"):
        target = site.resolve("", anchor.attrs["href"])
        slug = target.split("/")[1]
        assert target == f"{kind}/{slug}/index.html" and (site.output / target).is_file()
        assert anchor.find("span").text == str(counts[slug])
        shown.append(slug)
    expected = sorted(counts, key=lambda slug: -counts[slug])[:12]
    assert len(shown) == min(12, len(counts))
    # Largest first: every facet shown has at least as many profiles as any facet left out.
    assert [counts[slug] for slug in shown] == sorted((counts[s] for s in expected), reverse=True)
    assert min(counts[s] for s in shown) >= max([counts[s] for s in counts if s not in shown] or [0])
    assert [a.text for a in site.link_to("", f"{kind}/", within=block)] == \
        [f"All {len(counts)} {kind}"]


# --- charts -------------------------------------------------------------------------------

def expected_charts(site: BuiltSite) -> dict[str, list[tuple[str, str]]]:
    profiles = site.content.profiles
    sector_names = Counter()
    for data in profiles.values():
        for sector in data.get("sectors", []):
            sector_names[sector] += 1  # one spelling per sector in the sample content
    sectors = sorted(sector_names.items(), key=lambda item: (-item[1], folded(item[0])))[:10]
    years = Counter(data["founded"] for key, data in profiles.items()
                    if key[0] == "startup" and "founded" in data)
    formats = Counter(data.get("format") for key, data in profiles.items() if key[0] == "program")
    format_rows = [(label, str(formats[label.lower()])) for label in FORMATS]
    if formats[None]:
        format_rows.append(("Not given", str(formats[None])))
    return {
        "sectors": [(name, str(count)) for name, count in sectors],
        "founded": [(str(year), str(years[year]))
                    for year in range(min(years), max(years) + 1)],
        "formats": format_rows,
    }


@pytest.mark.parametrize("slug", ["sectors", "founded", "formats"])
def test_each_chart_is_an_svg_image_with_a_caption_and_a_table_of_its_numbers(site, slug):
    chart = figure(site, slug)
    assert table_rows(chart) == expected_charts(site)[slug]
    caption = chart.find("figcaption").text
    assert caption and chart.find("table").find("caption").text
    image = chart.find("img")
    assert image.attrs["alt"].startswith(chart.find("span", **{"class": "chart-title"}).text)
    target = site.resolve("", image.attrs["src"])
    assert target == f"charts/{slug}.svg"
    svg = (site.output / target).read_text(encoding="utf-8")
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text
    assert (image.attrs["width"], image.attrs["height"]) == (root.get("width"), root.get("height"))
    # Nothing that runs, nothing loaded from elsewhere, no inline style attributes.
    assert not any(element.tag.endswith("script") or "style" in element.attrib
                   or any(name.endswith("href") for name in element.attrib)
                   for element in root.iter())
    assert "@media (prefers-color-scheme: dark)" in root.find(f"{SVG}style").text


def test_bar_lengths_follow_the_numbers(site):
    root = ET.parse(site.output / "charts" / "sectors.svg").getroot()
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")
              if rect.get("class") == "bar"]
    values = [int(value) for _, value in expected_charts(site)["sectors"]]
    assert len(widths) == len(values)
    for width, value in zip(widths, values):
        assert width / widths[0] == pytest.approx(value / values[0], abs=0.01)


def test_a_directory_without_years_or_programs_draws_only_the_sector_chart(tmp_path):
    from conftest import build, write_profile
    content = tmp_path / "content"
    write_profile(content, "startups", "lone", """\
        name: Lone Startup
        summary: The only one.
        city: Oakland
        sectors: [Open Data]
        """)
    output = build(content, tmp_path / "output")
    home = BuiltSite.__new__(BuiltSite)
    home.output = output
    main = home.main("")
    assert [f.attrs["id"] for f in main.find_all("figure")] == ["chart-sectors"]
    assert sorted(p.name for p in (output / "charts").iterdir()) == ["sectors.svg"]


# --- similar profiles ---------------------------------------------------------------------

def brute_force_similar(profiles: dict, limit: int = 6) -> dict:
    """Every pair compared: shared sectors (counted up to MAX_COUNTED), then the same city,
    then name, kind and slug."""
    kinds = ("startup", "program", "mentor")

    def sectors(data):
        return {facet_slug(s) for s in data.get("sectors", [])}

    def city(data):
        return facet_slug(data["city"]) if data.get("city") else None

    result = {}
    for key, data in profiles.items():
        scored = []
        for other, other_data in profiles.items():
            if other == key:
                continue
            shared = min(len(sectors(data) & sectors(other_data)), MAX_COUNTED)
            same_city = city(data) is not None and city(data) == city(other_data)
            if shared or same_city:
                scored.append(((-shared, not same_city, folded(normal(other_data["name"])),
                                kinds.index(other[0]), other[1]), other))
        result[key] = [other for _, other in sorted(scored)[:limit]]
    return result


def test_every_profile_page_lists_its_most_similar_profiles(site):
    expected = brute_force_similar(site.content.profiles)
    assert any(expected.values())
    for key, similar in expected.items():
        path = profile_path(key)
        sections = site.main(path).find_all("section", **{"class": "related similar"})
        if not similar:
            assert not sections
            continue
        assert [k for k, _ in site.profile_links(path, within=sections[0])] == similar, key


NAMES = st.sampled_from(["Ada", "Ábel", "ada", "Bea", "Cy", "Dee", "Émile", "Zed"])
SECTORS = st.lists(st.sampled_from(["Water", "Energy", "Health", "Open Data", "Mobility"]),
                   max_size=5, unique=True)
CITIES = st.one_of(st.none(), st.sampled_from(["Oakland", "Fresno", "San José"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["startup", "program", "mentor"]), NAMES, SECTORS,
                          CITIES), max_size=25))
def test_similar_profiles_equal_the_brute_force_ranking(rows):
    profiles = [Profile(kind=kind, slug=f"p{index}", source=Path(f"p{index}.yaml"), name=name,
                        summary="s", city=city, sectors=tuple(sectors))
                for index, (kind, name, sectors, city) in enumerate(rows)]
    data = {p.key: {"name": p.name, "sectors": list(p.sectors), "city": p.city}
            for p in profiles}
    got = similar_profiles(relate(profiles), limit=4)
    assert {key: [p.key for p in similar] for key, similar in got.items()} == \
        brute_force_similar(data, limit=4)


@pytest.mark.parametrize("theme", [0, 1], ids=["light", "dark"])
def test_chart_colours_contrast_in_both_themes(site, theme):
    """axe cannot see inside an image: check the colours each chart file uses, per theme."""
    from test_accessibility import contrast

    svg = (site.output / "charts" / "sectors.svg").read_text(encoding="utf-8")
    light = dict(re.findall(r'class="(bg|text|muted|bar)"[^>]*? fill="(#[0-9a-f]{6})"', svg))
    dark = dict(re.findall(r"\.(bg|text|muted|bar) \{ fill: (#[0-9a-f]{6}); \}", svg))
    colours = {name: rgb_of(value) for name, value in (light, dark)[theme].items()}
    assert set(colours) == {"bg", "text", "muted", "bar"}
    assert contrast(colours["text"], colours["bg"]) >= 4.5
    assert contrast(colours["muted"], colours["bg"]) >= 4.5
    assert contrast(colours["bar"], colours["bg"]) >= 3  # WCAG 1.4.11, graphics


def rgb_of(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_latest_additions_honour_the_added_field(tmp_path):
    """Every file committed on one day; the one whose `added:` day is later leads the list."""
    from conftest import build, copy_content, write_profile
    from test_open_data import git

    repo = tmp_path / "repo"
    content = copy_content(repo / "content")
    write_profile(content, "startups", "late-bloom", """\
        name: Late Bloom
        summary: A startup added on a known day.
        city: Los Angeles
        added: 2030-05-01
        """)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "all at once", date="2024-01-10T12:00:00+00:00")
    output = build(content, tmp_path / "output")
    home = (output / "index.html").read_text(encoding="utf-8")
    latest = home.split('id="latest-title"', 1)[1].split("</section>", 1)[0]
    assert "Late Bloom" in latest.split("<li", 2)[1]
