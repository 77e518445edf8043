"""Pages: what a visitor sees in the built site, read back with the standard library's HTML
parser. Expectations come from the YAML itself (read here with plain PyYAML, not through the
plugin), so each test checks the site against the content, not against the code that made it."""

from __future__ import annotations

import functools
import os
import posixpath
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from pelican.settings import read_settings
from conftest import Site, build, copy_content, run_module, write_profile

KINDS = ("startup", "program", "mentor")
PROFILE_URL = re.compile(r"^(startup|program|mentor)s/([a-z0-9-]+)/index\.html$")
LINK_ATTRIBUTES = ("href", "src", "action", "srcset", "poster", "data")


# --- a tiny HTML tree ---------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: list, parent: Element | None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list = []

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list[Element]:
        return [element for element in self.iter()
                if (tag is None or element.tag == tag)
                and all(element.attrs.get(name) == value for name, value in attrs.items())]

    def find(self, tag: str | None = None, **attrs) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]

    def ancestor(self, *tags: str) -> Element | None:
        element = self.parent
        while element is not None and element.tag not in tags:
            element = element.parent
        return element

    @property
    def text(self) -> str:
        parts = []

        def walk(element):
            for child in element.children:
                parts.append(child) if isinstance(child, str) else walk(child)
        walk(self)
        return " ".join("".join(parts).split())


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", [], None)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        element = self.current
        while element is not None and element.tag != tag:
            element = element.parent
        if element is not None and element.parent is not None:
            self.current = element.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def normal(text: str) -> str:
    return " ".join(str(text).split())


# --- the content, read independently ------------------------------------------------------

def facet_slug(text: str) -> str:
    """The contract's slug rule, written independently of the plugin."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def name_order(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name)
    return "".join(char for char in folded if not unicodedata.combining(char)).casefold()


@dataclass
class Content:
    profiles: dict  # (kind, slug) -> data
    related: dict  # (kind, slug) -> set of (kind, slug), both directions
    facets: dict  # ("sectors"|"cities", slug) -> set of (kind, slug)

    def of_kind(self, kind: str) -> dict:
        return {key: data for key, data in self.profiles.items() if key[0] == kind}


def read_content(content: Path) -> Content:
    profiles = {}
    for kind in KINDS:
        for path in sorted((content / f"{kind}s").glob("*.yaml")):
            profiles[(kind, path.stem)] = yaml.safe_load(path.read_text(encoding="utf-8"))
    related = defaultdict(set)
    facets = defaultdict(set)
    for key, data in profiles.items():
        for field, kind in (("programs", "program"), ("startups", "startup")):
            for slug in data.get(field, []):
                related[key].add((kind, slug))
                related[(kind, slug)].add(key)
        for sector in data.get("sectors", []):
            facets[("sectors", facet_slug(sector))].add(key)
        if data.get("city"):
            facets[("cities", facet_slug(data["city"]))].add(key)
    return Content(profiles, related, facets)


class BuiltSite:
    """A built output folder, its pages parsed on demand, and the content it came from."""

    def __init__(self, site: Site):
        self.output = site.output
        self.content = read_content(site.content)

    @staticmethod
    def file_of(path: str) -> str:
        """The file behind a site path: 'startups/' and '' are folders, served by index.html."""
        return path + "index.html" if path.endswith("/") or not path else path

    @functools.cache
    def page(self, path: str) -> Element:
        """The parsed page at a site path such as 'startups/' or '404.html' ('' is home)."""
        return parse((self.output / self.file_of(path)).read_text(encoding="utf-8"))

    def main(self, path: str) -> Element:
        return self.page(path).find("main")

    def resolve(self, page: str, href: str) -> str | None:
        """The file a relative link on ``page`` leads to, as a path under the output folder
        (None when it leaves the site)."""
        page = self.file_of(page)
        target = urlsplit(href).path
        if not target:  # only a query or a fragment: this very page
            return page
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
        if target.endswith("/") or posixpath.basename(target) in (".", ".."):
            joined = "index.html" if joined == "." else f"{joined}/index.html"
        return None if joined.startswith("..") or joined.startswith("/") else joined

    def profile_links(self, path: str, within: Element | None = None) -> list[tuple[tuple, str]]:
        """Every link to a profile page under ``within`` (default <main>), in order, as
        ((kind, slug), link text)."""
        links = []
        for anchor in (within or self.main(path)).find_all("a"):
            target = self.resolve(path, anchor.attrs.get("href", ""))
            match = PROFILE_URL.match(target or "")
            if match:
                assert (self.output / target).is_file(), target
                links.append(((match[1], match[2]), anchor.text))
        return links

    def link_to(self, path: str, target: str, within: Element | None = None) -> list[Element]:
        """Anchors on ``path`` that lead to the site path ``target`` (such as 'cities/oakland/')."""
        wanted = target + "index.html" if target.endswith("/") else target
        return [anchor for anchor in (within or self.main(path)).find_all("a")
                if self.resolve(path, anchor.attrs.get("href", "")) == wanted]

    def html_files(self) -> list[str]:
        return sorted(path.relative_to(self.output).as_posix()
                      for path in self.output.rglob("*.html"))


@pytest.fixture(scope="module")
def site(sample_site) -> BuiltSite:
    return BuiltSite(sample_site)


def profile_path(key: tuple) -> str:
    return f"{key[0]}s/{key[1]}/"


def name_of(site: BuiltSite, key: tuple) -> str:
    return normal(site.content.profiles[key]["name"])


# --- listings -----------------------------------------------------------------------------

def assert_listing(site: BuiltSite, kind: str) -> None:
    """The listing of ``kind`` shows every profile once, sorted by name (accents folded, case
    ignored), each with its summary, a link to its city and a link to each of its sectors."""
    path = f"{kind}s/"
    profiles = site.content.of_kind(kind)
    titles = [(key, text) for key, text in site.profile_links(path) if text]
    # Each card links its profile once, by name.
    assert [text for _, text in titles] == sorted((normal(data["name"]) for data in profiles.values()),
                                                  key=name_order)
    assert {key for key, _ in titles} == set(profiles)
    main = site.main(path)
    for anchor in main.find_all("a"):
        key = PROFILE_URL.match(site.resolve(path, anchor.attrs["href"]) or "")
        if not key:
            continue
        data = profiles[(key[1], key[2])]
        card = anchor.ancestor("li", "article")
        assert normal(data["summary"]) in card.text
        if data.get("city"):
            links = site.link_to(path, f"cities/{facet_slug(data['city'])}/", within=card)
            assert [link.text for link in links] == [data["city"]]
        for sector in data.get("sectors", []):
            links = site.link_to(path, f"sectors/{facet_slug(sector)}/", within=card)
            assert [link.text for link in links] == [sector]


@pytest.mark.parametrize("kind", KINDS)
def test_listing_is_sorted_by_name_with_summary_city_and_sectors(site, kind):
    assert_listing(site, kind)


def test_listing_sorts_by_name_not_by_file_name(extra_site):
    # aaa-last.yaml is 'Zephyr Zones', zzz-first.yaml 'Aardvark Analytics', emile.yaml 'Émile Works'.
    assert_listing(extra_site, "startup")
    names = [text for _, text in extra_site.profile_links("startups/")]
    assert names.index("Aardvark Analytics") < names.index("Cicló Mobility") \
        < names.index("Émile Works") < names.index("Furrow Analytics")
    assert names[-1] == "Zephyr Zones"


def test_listing_card_of_a_profile_without_city(site):
    # Kenji Albright (a mentor) gives no city: his card has no city link, and no other's.
    anchor = next(a for a in site.main("mentors/").find_all("a") if a.text == "Kenji Albright")
    card = anchor.ancestor("li", "article")
    assert not [a for a in card.find_all("a")
                if (site.resolve("mentors/", a.attrs["href"]) or "").startswith("cities/")]
    assert "Battery Storage" in card.text


# --- profile pages ------------------------------------------------------------------------

def test_every_profile_page_shows_every_field(site):
    for key, data in site.content.profiles.items():
        path = profile_path(key)
        main = site.main(path)
        assert main.find("h1").text == normal(data["name"]), path
        assert normal(data["summary"]) in main.text, path
        details = [dd.text for dd in main.find_all("dd")]

        def shown(value):
            assert any(str(value) in text for text in details), (path, value, details)

        for field in ("region", "role", "operator", "founded", "launched"):
            if field in data:
                shown(normal(data[field]))
        if "duration_weeks" in data:
            shown(f"{data['duration_weeks']} week")
        if "format" in data:
            assert any(data["format"] in text.lower() for text in details), (path, details)
        if "website" in data:
            links = main.find_all("a", href=data["website"])
            assert links, (path, data["website"])
            assert all("noopener" in link.attrs.get("rel", "") for link in links)
        if "city" in data:
            assert [a.text for a in site.link_to(path, f"cities/{facet_slug(data['city'])}/")] \
                == [data["city"]], path
        for sector in data.get("sectors", []):
            assert [a.text for a in site.link_to(path, f"sectors/{facet_slug(sector)}/")] \
                == [sector], path
        if "logo" in data:
            images = [site.resolve(path, img.attrs["src"]) for img in main.find_all("img")]
            assert data["logo"] in images, (path, images)
            assert (site.output / data["logo"]).is_file()
        if "description" in data:
            first_line = re.sub(r"[*#_\[\]]", "", data["description"].splitlines()[0])
            assert normal(first_line) in main.text, (path, first_line)


def test_description_markdown_is_rendered(site):
    laci = site.main("programs/laci/")
    assert "$47 million" in [strong.text for strong in laci.find_all("strong")]
    assert "real-world" in [em.text for em in laci.find_all("em")]
    items = [li.text for ul in laci.find_all("ul") for li in ul.find_all("li")]
    assert "shared co-working space" in items
    assert "a community of peers working on similar problems" in items
    # '### What startups get' is a heading, below the page's own h1 and h2 levels.
    headings = [(h.tag, h.text) for h in laci.iter() if re.fullmatch(r"h[1-6]", h.tag)]
    assert ("h1", "LA Cleantech Incubator (LACI)") in headings
    [level] = [tag for tag, text in headings if text == "What startups get"]
    assert level in ("h3", "h4", "h5", "h6")
    assert "**" not in laci.text and "###" not in laci.text

    challenge = site.main("programs/pothole-patrol-challenge/")
    numbered = [li.text for ol in challenge.find_all("ol") for li in ol.find_all("li")]
    assert numbered == ["accuracy against a hand-surveyed baseline", "time from detection to a work order",
                        "cost per mile surveyed"]
    [link] = challenge.find_all("a", href="https://example.org/pothole-patrol-challenge/archive")
    assert link.text == "the challenge archive"
    assert "noopener" in link.attrs.get("rel", "")
    assert "[the challenge archive]" not in challenge.text


# --- relations both ways ------------------------------------------------------------------

def related_on(site: BuiltSite, key: tuple) -> dict[str, set[str]]:
    by_kind = defaultdict(set)
    links = site.profile_links(profile_path(key))
    # "Similar profiles" (same sectors or city, tests/test_home.py) are not relations.
    for similar in site.main(profile_path(key)).find_all("section", **{"class": "related similar"}):
        for link in site.profile_links(profile_path(key), within=similar):
            links.remove(link)
    for (kind, slug), text in links:
        assert text == name_of(site, (kind, slug))  # every related name is its own link
        by_kind[kind].add(slug)
    return dict(by_kind)


def test_startup_lists_its_programs_and_its_mentors(site):
    # voltshed names three programs; two mentors name voltshed.
    assert related_on(site, ("startup", "voltshed")) == {
        "program": {"laci", "farm-to-grid-incubator", "oakland-civic-accelerator"},
        "mentor": {"kenji-albright", "maria-ciclo"},
    }


def test_program_lists_its_startups_and_its_mentors(site):
    # Nobody is named on laci's own page: startups and mentors name laci.
    assert related_on(site, ("program", "laci")) == {
        "startup": {"ciclo-mobility", "pick-my-solar", "repurpose-compostables", "rosas-rooftops",
                    "voltshed"},
        "mentor": {"kenji-albright", "maria-ciclo", "priya-raman-holt"},
    }


def test_mentor_lists_its_programs_and_its_startups(site):
    assert related_on(site, ("mentor", "tomas-ibarra")) == {
        "program": {"san-jose-public-data-fellowship", "stir"},
        "startup": {"permit-pilot", "curb-side-signal"},
    }


def test_profile_without_relations_links_to_no_profile(site):
    assert related_on(site, ("mentor", "romel-pascual")) == {}


def test_every_profile_shows_every_relation_both_ways(site):
    for key in site.content.profiles:
        linked = {(kind, slug) for kind, slugs in related_on(site, key).items() for slug in slugs}
        assert linked == site.content.related.get(key, set()), key


# --- facets -------------------------------------------------------------------------------

@pytest.mark.parametrize("facet_kind", ["sectors", "cities"])
def test_facet_index_lists_every_facet_with_its_count(site, facet_kind):
    facets = {slug: members for (kind, slug), members in site.content.facets.items()
              if kind == facet_kind}
    assert facets
    links = {}
    for anchor in site.main(f"{facet_kind}/").find_all("a"):
        match = re.fullmatch(rf"{facet_kind}/([a-z0-9-]+)/index\.html",
                             site.resolve(f"{facet_kind}/", anchor.attrs["href"]) or "")
        if match:
            links[match[1]] = anchor.ancestor("li") or anchor
    assert set(links) == set(facets)
    for slug, members in facets.items():
        numbers = re.findall(r"\d+", links[slug].text)
        assert numbers == [str(len(members))], (slug, links[slug].text)


@pytest.mark.parametrize("facet_kind", ["sectors", "cities"])
def test_facet_page_lists_its_profiles(site, facet_kind):
    for (kind, slug), members in site.content.facets.items():
        if kind != facet_kind:
            continue
        path = f"{facet_kind}/{slug}/"
        assert {key for key, text in site.profile_links(path) if text} == members, path


def test_facet_slugs_fold_case_accents_and_punctuation(site):
    assert site.main("sectors/urban-tech/").find("h1").text == "Urban Tech"
    assert site.main("cities/san-jose/").find("h1").text == "San José"
    assert {key for key, _ in site.profile_links("cities/san-jose/")} == {
        ("startup", "curb-side-signal"), ("startup", "stridesafe"),
        ("program", "san-jose-public-data-fellowship"), ("mentor", "tomas-ibarra")}
    assert [(a.text, site.resolve("startups/curb-side-signal/", a.attrs["href"]))
            for a in site.link_to("startups/curb-side-signal/", "cities/san-jose/")] == \
        [("San José", "cities/san-jose/index.html")]


# --- home and 404 -------------------------------------------------------------------------

def test_home_shows_counts_per_type_latest_additions_and_a_search_box(site):
    main = site.main("")
    for kind in KINDS:
        count = len(site.content.of_kind(kind))
        texts = [a.text for a in site.link_to("", f"{kind}s/")]
        assert any(re.search(rf"(^|\D){count}(\D|$)", text) for text in texts), (kind, count, texts)
    latest = site.profile_links("")
    assert latest and all(text == name_of(site, key) for key, text in latest)
    forms = [form for form in main.find_all("form")
             if site.resolve("", form.attrs.get("action", "")) == "search/index.html"]
    assert forms, "no search form on the home page"
    assert any(field.attrs.get("type") == "search" and field.attrs.get("name")
               for form in forms for field in form.find_all("input"))
    assert (site.output / "search" / "index.html").is_file()


def test_404_page_links_home(site):
    page = site.page("404.html")
    # The 404 page is served at any depth, so its links are SITEURL-based (SITEURL is empty in
    # pelicanconf.py): the home link is SITEURL + "/".
    assert page.find_all("a", href="/"), "no link to the home page"
    assert "not found" in page.find("h1").text.lower()


# --- every link on every page -------------------------------------------------------------

def external_urls(site: BuiltSite) -> set[str]:
    """The external addresses the content itself gives: websites and description links."""
    urls = set()
    for data in site.content.profiles.values():
        if data.get("website"):
            urls.add(data["website"])
        urls.update(re.findall(r"\]\(([^)\s]+)\)", data.get("description", "")))
    return urls


# The theme's own outside links: the data licence and each profile's edit and correction links.
SETTINGS = read_settings(str(Path(__file__).resolve().parents[1] / "pelicanconf.py"))
REPOSITORY_LINKS = (SETTINGS["DATA_LICENSE_URL"], SETTINGS["REPO_URL"])


def check_links(site: BuiltSite, local_prefix: str | None = None) -> list[str]:
    """Every link, image, style sheet and form on every page; returns what is broken.

    With ``local_prefix`` None (a local build), links must be relative, except on 404.html
    whose links are SITEURL-based with an empty SITEURL ('/...'). Otherwise every internal
    link must start with ``local_prefix`` (SITEURL + '/')."""
    allowed_external = external_urls(site)
    broken = []
    for path in site.html_files():
        page = site.page(path)
        ids = {element.attrs["id"] for element in page.iter() if "id" in element.attrs}
        for element in page.iter():
            for attribute in LINK_ATTRIBUTES:
                href = element.attrs.get(attribute)
                if href is None:
                    continue
                where = f"{path}: <{element.tag} {attribute}={href!r}>"
                if href.startswith("#"):
                    if href[1:] not in ids:
                        broken.append(f"{where}: no such id")
                    continue
                if href in allowed_external or href.startswith(REPOSITORY_LINKS):
                    if element.tag != "a":
                        broken.append(f"{where}: external resource")
                    continue
                if local_prefix is None and path != "404.html":
                    if href.startswith("/") or urlsplit(href).scheme:
                        broken.append(f"{where}: not relative")
                        continue
                    target = site.resolve(path, href)
                else:
                    prefix = local_prefix if local_prefix is not None else "/"
                    if not href.startswith(prefix):
                        broken.append(f"{where}: not SITEURL-based")
                        continue
                    target = site.resolve("index.html", href[len(prefix):])
                if target is None or not (site.output / target).is_file():
                    broken.append(f"{where}: leads nowhere ({target})")
    return broken


def test_every_link_is_relative_and_leads_to_a_file(site):
    assert len(site.html_files()) > 50
    assert check_links(site) == []


@pytest.fixture(scope="module")
def published(sample_site, tmp_path_factory) -> BuiltSite:
    """The sample content built for publishing under a sub-path, as the docs describe:
    SITEURL=... invoke build --settings publishconf.py"""
    output = tmp_path_factory.mktemp("published") / "output"
    env = dict(os.environ, SITEURL="https://example.org/civic-directory/")
    result = run_module("invoke", "build", "--settings", "publishconf.py", "--content",
                        str(sample_site.content), "--output", str(output), env=env)
    assert result.returncode == 0, result.stderr
    return BuiltSite(Site(sample_site.content, output))


def test_published_site_links_stay_under_the_sub_path(published):
    assert check_links(published, local_prefix="https://example.org/civic-directory/") == []
    assert published.page("404.html").find_all("a", href="https://example.org/civic-directory/")


# --- contributors' text is escaped, and facets fold their names ------------------------------

XSS_NAME = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def extra_site(tmp_path_factory) -> BuiltSite:
    base = tmp_path_factory.mktemp("extra-site")
    content = copy_content(base / "content")
    write_profile(content, "startups", "xss", """\
        name: "<script>alert(1)</script>"
        summary: "Sums <b>up</b> & <i>more</i>"
        city: "<img src=x onerror=alert(2)>"
        sectors:
          - "<svg onload=alert(3)>"
          - "Food & Drink -- Local"
        programs:
          - laci
        description: |
          Hello <script>alert(4)</script> and <img src=x onerror=alert(5)>.

          [click me](javascript:alert(6)) or <a href="javascript:alert(7)">here</a>.
        """)
    write_profile(content, "mentors", "unaccented", """\
        name: Unaccented Mentor
        summary: Writes San José without its accent.
        city: san jose
        sectors:
          - urban-tech
          - São Paulo Style
        """)
    for slug, name in (("aaa-last", "Zephyr Zones"), ("zzz-first", "Aardvark Analytics"),
                       ("emile", "Émile Works")):
        write_profile(content, "startups", slug,
                      f"name: {name}\nsummary: Sorted by name.\ncity: Oakland\n")
    return BuiltSite(Site(content, build(content, base / "site" / "output")))


def test_script_in_a_name_is_escaped_everywhere(extra_site):
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    pages = ["startups/xss/index.html", "startups/index.html", "programs/laci/index.html",
             "sectors/food-drink-local/index.html",
             "cities/img-src-x-onerror-alert-2/index.html"]
    for path in pages:
        source = (extra_site.output / path).read_text(encoding="utf-8")
        assert escaped in source, path
    page = extra_site.page("startups/xss/index.html")
    assert page.find("h1").text == XSS_NAME
    assert XSS_NAME in page.find("title").text
    assert ("startup", "xss") in {key for key, _ in extra_site.profile_links("programs/laci/")}


def test_no_contributor_markup_survives_anywhere(extra_site):
    for path in extra_site.html_files():
        source = (extra_site.output / path).read_text(encoding="utf-8")
        for raw in (XSS_NAME, "<script>alert", "<img src=x", "<svg onload", "<b>up</b>", "<i>more"):
            assert raw not in source, (path, raw)
        # The theme's own brand mark is the one SVG a page may hold.
        assert source.count("<svg") == 1 and '<svg class="brand-mark"' in source, path
        for element in extra_site.page(path).iter():
            assert not any(name.startswith("on") for name in element.attrs), (path, element.attrs)
            executable = element.tag == "script" and element.attrs.get("type") not in (
                "application/ld+json", "application/json")  # data blocks never run
            assert not (executable and "alert" in element.text), path
            for attribute in LINK_ATTRIBUTES:
                value = element.attrs.get(attribute) or ""
                assert not value.strip().lower().startswith("javascript:"), (path, value)


def test_facet_slugs_of_new_spellings(extra_site):
    assert (extra_site.output / "sectors/food-drink-local/index.html").is_file()
    assert (extra_site.output / "sectors/sao-paulo-style/index.html").is_file()
    # 'san jose' and 'San José' are one city; 'urban-tech' and 'Urban Tech' one sector.
    assert not list((extra_site.output / "cities").glob("san-jose?*"))
    assert ("mentor", "unaccented") in {key for key, _ in extra_site.profile_links("cities/san-jose/")}
    assert ("mentor", "unaccented") in {key for key, _ in extra_site.profile_links("sectors/urban-tech/")}
    assert extra_site.main("cities/san-jose/").find("h1").text == "San José"  # the usual spelling


def test_extra_site_links_are_sound(extra_site):
    assert check_links(extra_site) == []


def test_the_search_pages_inline_manifest_holds_hostile_names_as_data(extra_site):
    """The index manifest rides in the search page as JSON: a sector or city name cannot end
    its <script> element, and it reads back exactly as written."""
    import json

    page = extra_site.page("search/index.html")
    [manifest] = [e for e in page.iter() if e.tag == "script" and e.attrs.get("id") == "search-manifest"]
    assert "</" not in manifest.text and "<" not in manifest.text
    cities = [name for _, name in json.loads(manifest.text)["cities"]]
    assert "<img src=x onerror=alert(2)>" in cities
