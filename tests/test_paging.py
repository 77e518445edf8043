"""Long lists in pages (paging.py): a listing or facet page of more than DIRECTORY_PAGE_SIZE
cards is cut into pages at <list>/page/<n>/, linked in order, every card on exactly one page;
an edit rewrites only the page that shows the edited card; page.yaml is refused.

The sample directory is built with pages of 5 cards, so that its lists of 16 startups or 7
profiles of a city have several pages; at the default size (100) they have one, as
test_pages.py checks."""

from __future__ import annotations

import math

import pytest
from conftest import Site, build, copy_content, run_module, write_profile
from test_pages import BuiltSite, name_order, normal

from directory.paging import page_url
from directory.pipeline import read_directory

SIZE = 5


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory) -> BuiltSite:
    base = tmp_path_factory.mktemp("paged-site")
    content = copy_content(base / "content")
    return BuiltSite(Site(content, build(content, base / "output", DIRECTORY_PAGE_SIZE=SIZE)))


def pages_of(site: BuiltSite, first: str) -> list[str]:
    """The pages of the list at ``first``, found by following each page's "Next" link."""
    pages, path = [], first
    while path is not None:
        assert path not in pages, f"{path}: the Next links go round in a circle"
        pages.append(path)
        following = [a for nav in site.main(path).find_all("nav", **{"class": "pager"})
                     for a in nav.find_all("a") if a.attrs.get("rel") == "next"]
        path = (site.resolve(path, following[0].attrs["href"]).removesuffix("index.html")
                if following else None)
    return pages


def card_keys(site: BuiltSite, path: str) -> list[tuple]:
    cards = site.main(path).find("ul", **{"class": "cards"})
    return [key for key, text in site.profile_links(path, within=cards) if text]


def every_list(site: BuiltSite) -> list[tuple[str, list[tuple]]]:
    """Every list of cards the site shows, with its profiles in the order it shows them (read
    from the YAML files, as test_pages.py does): a listing by name, a facet's page by type
    (startups, programs, mentors) and then by name."""
    content = site.content
    kinds = ("startup", "program", "mentor")

    def in_order(keys) -> list[tuple]:
        return sorted(keys, key=lambda key: (kinds.index(key[0]),
                                             name_order(normal(content.profiles[key]["name"]))))

    lists = [(f"{kind}s/", in_order(content.of_kind(kind))) for kind in kinds]
    return lists + [(f"{facet_kind}/{slug}/", in_order(members))
                    for (facet_kind, slug), members in sorted(content.facets.items())]


def test_a_long_list_is_split_into_linked_pages_holding_every_card_once(paged_site):
    lists = every_list(paged_site)
    long_lists = [first for first, keys in lists if len(keys) > SIZE]
    assert "startups/" in long_lists and any(first.startswith("cities/") for first in long_lists)
    for first, keys in lists:
        count = max(1, math.ceil(len(keys) / SIZE))
        pages = pages_of(paged_site, first)
        # The first page stays at the list's address; the others follow at page/<n>/.
        assert pages == [first] + [f"{first}page/{n}/" for n in range(2, count + 1)], first
        shown = [key for path in pages for key in card_keys(paged_site, path)]
        assert shown == keys, first  # every card once, in the list's order
        assert all(len(card_keys(paged_site, path)) <= SIZE for path in pages)
        if count == 1:
            assert not paged_site.main(first).find_all("nav", **{"class": "pager"})


def test_each_page_says_where_it_is_in_its_list(paged_site):
    startups = paged_site.content.of_kind("startup")
    count = math.ceil(len(startups) / SIZE)
    for number in range(1, count + 1):
        path = page_url("startups/", number)
        page = paged_site.page(path)
        first, last = (number - 1) * SIZE + 1, min(len(startups), number * SIZE)
        assert (f"{len(startups)} startups, sorted by name. Page {number} of {count}: "
                f"{first}–{last}." in normal(page.find("p", **{"class": "count"}).text))
        title = page.find("title").text
        assert title.startswith("Startups · " if number == 1 else f"Startups, page {number} · ")
        [nav] = page.find_all("nav", **{"class": "pager"})
        assert nav.attrs["aria-label"] == "Pages"
        links = nav.find_all("a")
        current = [a for a in links if a.attrs.get("aria-current") == "page"]
        assert [normal(a.text) for a in current] == [f"Page {number}"]
        assert paged_site.resolve(path, current[0].attrs["href"]) == f"{path}index.html"
        numbered = [paged_site.resolve(path, a.attrs["href"]) for a in links
                    if "rel" not in a.attrs]
        assert numbered == [f"{page_url('startups/', n)}index.html" for n in range(1, count + 1)]
        rels = {a.attrs["rel"]: normal(a.text) for a in links if "rel" in a.attrs}
        assert rels == ({"next": "Next page"} if number == 1 else
                        {"prev": "Previous page"} if number == count else
                        {"prev": "Previous page", "next": "Next page"})
        # The main navigation marks Startups as this page only on the listing's own address.
        nav_link = [a for a in page.find("header").find_all("a") if normal(a.text) == "Startups"]
        assert nav_link[0].attrs["aria-current"] == ("page" if number == 1 else "true")


def test_a_pager_of_many_pages_links_the_ends_and_the_neighbours(tmp_path):
    """With a card per page, the 16 startups take 16 pages: page 8 links pages 1, 6 to 10
    and 16, with a gap (hidden from screen readers) on each side; page 3 links 1 to 5 and
    16, a gap of one page being that page."""
    content = copy_content(tmp_path / "content")
    site = BuiltSite(Site(content, build(content, tmp_path / "output", DIRECTORY_PAGE_SIZE=1)))
    count = len(site.content.of_kind("startup"))
    assert count == 16

    def pager(number: int) -> tuple[list, int]:
        path = page_url("startups/", number)
        [nav] = site.main(path).find_all("nav", **{"class": "pager"})
        items = nav.find_all("li")
        links = [item.find("a") for item in items if item.attrs.get("class") != "gap"]
        numbers = [int(normal(a.text).removeprefix("Page ")) for a in links if "rel" not in a.attrs]
        gaps = [item for item in items if item.attrs.get("class") == "gap"]
        assert all(item.attrs["aria-hidden"] == "true" and normal(item.text) == "…"
                   for item in gaps)
        return numbers, len(gaps)

    assert pager(8) == ([1, 6, 7, 8, 9, 10, 16], 2)
    assert pager(3) == ([1, 2, 3, 4, 5, 16], 1)
    assert pager(16) == ([1, 14, 15, 16], 1)


def test_the_sitemap_lists_every_page_of_a_list(tmp_path):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "output", DIRECTORY_PAGE_SIZE=SIZE,
                   SITEURL="https://directory.example")
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://directory.example/startups/page/2/</loc>" in sitemap
    pages = sorted(path.relative_to(output).parent.as_posix() + "/"
                   for path in output.glob("**/page/*/index.html"))
    assert pages and all(f"<loc>https://directory.example/{page}</loc>" in sitemap
                         for page in pages)


def test_an_edit_rewrites_only_the_page_of_the_list_that_shows_the_card(tmp_path):
    content = copy_content(tmp_path / "content")
    output = tmp_path / "output"
    settings = {"DIRECTORY_PAGE_SIZE": SIZE, "DIRECTORY_CACHE": str(tmp_path / "cache")}
    build(content, output, **settings)
    directory, _ = read_directory(content)
    startups = directory.of_kind("startup")
    edited = startups[SIZE]  # the first card of the listing's second page
    before = {path: path.stat().st_mtime_ns for path in output.glob("startups/**/index.html")}
    source = edited.source.read_text(encoding="utf-8")
    edited.source.write_text(source.replace("summary: ", "summary: Edited. ", 1),
                             encoding="utf-8")
    build(content, output, **settings)
    after = {path: path.stat().st_mtime_ns for path in output.glob("startups/**/index.html")}
    changed = {path.relative_to(output).as_posix() for path in after
               if before.get(path) != after[path]}
    listing_pages = {p for p in changed if p.startswith("startups/page/") or p == "startups/index.html"}
    assert listing_pages == {"startups/page/2/index.html"}
    assert "Edited." in (output / "startups/page/2/index.html").read_text(encoding="utf-8")
    # Byte for byte what a full build writes.
    fresh = build(content, tmp_path / "fresh", DIRECTORY_PAGE_SIZE=SIZE,
                  DIRECTORY_INCREMENTAL=False)
    for path in sorted(fresh.glob("startups/**/index.html")):
        relative = path.relative_to(fresh)
        assert (output / relative).read_bytes() == path.read_bytes(), relative


def test_a_profile_file_named_page_is_refused_with_the_reason(tmp_path):
    content = copy_content(tmp_path / "content")
    write_profile(content, "startups", "page", """\
        name: Page
        summary: A startup whose name is also the folder of the listing's later pages.
        """)
    result = run_module("invoke", "validate", "--content", str(content))
    assert result.returncode == 1
    assert (f"{content / 'startups' / 'page.yaml'}:1:1: error: file name 'page.yaml' is taken "
            f"by the listing's later pages (/startups/page/2/); name the file after the "
            f"profile, like 'page-startup.yaml'") in result.stderr


def test_scaffolding_refuses_a_name_that_would_make_page_yaml(tmp_path):
    content = copy_content(tmp_path / "content")
    result = run_module("invoke", "new", "startup", "Page", "--content", str(content))
    assert result.returncode != 0
    assert "'page.yaml' is taken by the listing's later pages" in result.stdout + result.stderr
    assert not (content / "startups" / "page.yaml").exists()


def test_a_page_size_that_is_not_a_whole_number_of_cards_stops_the_build(tmp_path):
    content = copy_content(tmp_path / "content")
    with pytest.raises(Exception, match="DIRECTORY_PAGE_SIZE must be a whole number"):
        build(content, tmp_path / "output", DIRECTORY_PAGE_SIZE=0)
    assert not (tmp_path / "output").exists()
