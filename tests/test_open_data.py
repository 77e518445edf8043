"""Open data and machine-readable pages: directory.json against its own published JSON Schema,
directory.csv, the Atom feed of new profiles, sitemap.xml and robots.txt, schema.org JSON-LD,
canonical and link-preview meta, and each profile's dates and edit links.

The main fixture is a real git repository whose commits carry known dates, built for publishing
under a sub-path, with one hostile profile and one file git does not know yet. Expectations
come from the YAML (read with plain PyYAML) and from those dates, not from the plugin.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import re
import struct
import subprocess
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from conftest import ROOT, Site, build, copy_content, run_module, write_profile
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

BASE = "https://example.github.io/civic-directory"
PUBLISH = ROOT / "publishconf.py"
REPO_URL = "https://github.com/example/civic-directory"
KINDS = ("startup", "program", "mentor")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"

# Commit dates of the fixture repository.
FIRST_COMMIT = "2024-01-10T12:00:00+00:00"
HOSTILE_COMMIT = "2024-03-01T08:30:00+00:00"
EDIT_COMMIT = "2024-04-02T17:45:00+00:00"
LACI_ADDED = "2023-05-06"  # laci's own added: field, which wins over git's date

HOSTILE_NAME = '=HYPERLINK("https://evil.example") </script><script>alert(1)</script> & "q" \'s\''
HOSTILE_SUMMARY = '+SUM(1,2) & <b>bold</b> </script> "quoted"'
HOSTILE_SECTOR = "@risk & <i>reward</i>"
HOSTILE_YAML = f"""\
    name: {json.dumps(HOSTILE_NAME)}
    summary: {json.dumps(HOSTILE_SUMMARY)}
    city: "-Dash City"
    website: https://hostile.example/?a=1&b="2"
    sectors:
      - {json.dumps(HOSTILE_SECTOR)}
      - Clean Energy
    programs: [laci]
    description: |
      Text <script>alert(2)</script> and a [link](https://hostile.example/).
    """


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.org",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.org",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True,
                          capture_output=True, text=True).stdout


def make_repository(base: Path) -> Path:
    """content/ in a git repository: everything in a first commit, then the hostile startup,
    then an edit of pick-my-solar; mentors/newcomer.yaml is never committed."""
    repo = base / "repo"
    content = copy_content(repo / "content")
    laci = content / "programs" / "laci.yaml"
    laci.write_text(laci.read_text(encoding="utf-8") + f"added: {LACI_ADDED}\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first", date=FIRST_COMMIT)
    write_profile(content, "startups", "hostile", HOSTILE_YAML)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hostile", date=HOSTILE_COMMIT)
    solar = content / "startups" / "pick-my-solar.yaml"
    solar.write_text(solar.read_text(encoding="utf-8") + "# checked with the company\n",
                     encoding="utf-8")
    git(repo, "commit", "-q", "-am", "edit", date=EDIT_COMMIT)
    write_profile(content, "mentors", "newcomer", "name: New Comer\nsummary: Not committed yet.\n")
    return content


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Site:
    base = tmp_path_factory.mktemp("open-data")
    content = make_repository(base)
    return Site(content, build(content, base / "output", settings=PUBLISH, SITEURL=BASE))


# --- reading the output -------------------------------------------------------------------

class Head(HTMLParser):
    """The <meta>, <link> and <script> elements of a page, and its anchors."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.metas: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.anchors: list[dict] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs.get("name")
            self.metas.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "a":
            self.anchors.append(attrs)
        elif tag == "script":
            self._script = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def meta(self, key: str) -> str | None:
        values = self.metas.get(key, [])
        assert len(values) <= 1, (key, values)
        return values[0] if values else None

    def canonical(self) -> str | None:
        found = [link["href"] for link in self.links if link.get("rel") == "canonical"]
        assert len(found) <= 1
        return found[0] if found else None

    def json_ld(self) -> dict:
        [(attrs, text)] = [(a, t) for a, t in self.scripts if a.get("type") == "application/ld+json"]
        return json.loads(text)


def head(output: Path, path: str) -> Head:
    return Head((output / path).read_text(encoding="utf-8"))


def html_pages(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))


def site_path(file: str) -> str:
    return "" if file == "index.html" else file.removesuffix("index.html")


def read_profiles(content: Path) -> dict[tuple[str, str], dict]:
    return {(kind, path.stem): yaml.safe_load(path.read_text(encoding="utf-8"))
            for kind in KINDS for path in sorted((content / f"{kind}s").glob("*.yaml"))}


def links_both_ways(profiles: dict) -> dict:
    related = {key: set() for key in profiles}
    for key, data in profiles.items():
        for field, kind in (("programs", "program"), ("startups", "startup")):
            for slug in data.get(field, []):
                related[key].add((kind, slug))
                related[(kind, slug)].add(key)
    return related


def normal(text: str) -> str:
    return " ".join(str(text).split())


def day(stamp: str) -> str:
    return stamp[:10]


def expected_updated(key: tuple) -> str | None:
    """The fixture's last commit of each file."""
    return {("startup", "hostile"): day(HOSTILE_COMMIT), ("startup", "pick-my-solar"): day(EDIT_COMMIT),
            ("mentor", "newcomer"): None}.get(key, day(FIRST_COMMIT))


def expected_added(key: tuple) -> str | None:
    return {("startup", "hostile"): day(HOSTILE_COMMIT), ("program", "laci"): LACI_ADDED,
            ("mentor", "newcomer"): None}.get(key, day(FIRST_COMMIT))


# --- directory.json and its schema --------------------------------------------------------

def export(output: Path) -> tuple[dict, Draft202012Validator]:
    document = json.loads((output / "directory.json").read_text(encoding="utf-8"))
    schema = json.loads((output / "directory.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return document, Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_directory_json_is_valid_against_its_published_schema(published):
    document, validator = export(published.output)
    validator.validate(document)
    assert document["schema_version"] == "1.0"
    assert document["$schema"] == f"{BASE}/directory.schema.json"
    assert validator.schema["$id"] == document["$schema"]
    assert document["license"] == {"name": "CC BY 4.0",
                                   "url": "https://creativecommons.org/licenses/by/4.0/"}
    # The schema is strict enough to catch a broken export.
    for break_it in (lambda d: d["profiles"][0]["fields"].pop("name"),
                     lambda d: d["profiles"][0]["fields"].update(name=None),
                     lambda d: d["profiles"][0]["fields"].update(sectors=None),
                     lambda d: d["profiles"][0].update(type="company"),
                     lambda d: d["profiles"][0]["fields"].update(founded="2014"),
                     lambda d: d["profiles"][0]["relations"].update(mentors=["Not A Slug"]),
                     lambda d: d["profiles"][0].update(added="2024-02-31")):
        broken = json.loads(json.dumps(document))
        break_it(broken)
        with pytest.raises(ValidationError):
            validator.validate(broken)


def test_directory_json_has_every_profile_every_field_and_every_relation(published):
    document, _ = export(published.output)
    profiles = read_profiles(published.content)
    related = links_both_ways(profiles)
    items = {(item["type"], item["slug"]): item for item in document["profiles"]}
    assert list(items) == [(i["type"], i["slug"]) for i in document["profiles"]]  # no repeats
    assert set(items) == set(profiles)
    assert document["counts"] == {f"{kind}s": sum(k[0] == kind for k in profiles) for kind in KINDS}
    for key, data in profiles.items():
        item = items[key]
        assert item["path"] == f"{key[0]}s/{key[1]}/"
        assert item["url"] == f"{BASE}/{item['path']}"
        assert (published.output / item["path"] / "index.html").is_file()
        fields = item["fields"]
        for name, value in data.items():
            value = value.isoformat() if isinstance(value, datetime.date) else value
            if name in ("name", "summary", "city", "region", "role", "operator"):
                value = normal(value)
            assert fields[name] == value, (key, name)
        schema = json.loads((ROOT / "schemas" / f"{key[0]}.schema.json").read_text(encoding="utf-8"))
        assert set(fields) == set(schema["properties"])
        for name in set(fields) - set(data):
            assert fields[name] in (None, []), (key, name)
        for kind in KINDS:
            assert sorted(item["relations"][f"{kind}s"]) == sorted(
                slug for k, slug in related[key] if k == kind), (key, kind)
        assert item["added"] == expected_added(key), key
        assert item["updated"] == expected_updated(key), key
        # The HTML is the page's own description, sanitised.
        page = (published.output / item["path"] / "index.html").read_text(encoding="utf-8")
        assert item["description_html"] in page
        assert "<script" not in item["description_html"]


def test_hostile_text_reads_back_exactly_from_the_json(published):
    document, _ = export(published.output)
    [item] = [i for i in document["profiles"] if i["slug"] == "hostile"]
    assert item["fields"]["name"] == HOSTILE_NAME
    assert item["fields"]["summary"] == HOSTILE_SUMMARY
    assert item["fields"]["sectors"] == [HOSTILE_SECTOR, "Clean Energy"]


# --- directory.csv ------------------------------------------------------------------------

def read_csv(output: Path) -> list[dict]:
    text = (output / "directory.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_one_row_per_profile_with_lists_joined_by_semicolons(published):
    rows = read_csv(published.output)
    profiles = read_profiles(published.content)
    related = links_both_ways(profiles)
    assert sorted((row["type"], row["slug"]) for row in rows) == sorted(profiles)
    for row in rows:
        key = (row["type"], row["slug"])
        data = profiles[key]
        assert row["url"] == f"{BASE}/{key[0]}s/{key[1]}/"
        if key[1] != "hostile":
            assert row["name"] == normal(data["name"])
            assert row["sectors"] == ";".join(data.get("sectors", []))
        assert row["founded"] == str(data.get("founded", ""))
        for kind in KINDS:
            linked = sorted(slug for k, slug in related[key] if k == kind)
            assert sorted(filter(None, row[f"related_{kind}s"].split(";"))) == linked
        assert row["updated"] == (expected_updated(key) or "")


def test_csv_cells_cannot_run_as_spreadsheet_formulas(published):
    [row] = [row for row in read_csv(published.output) if row["slug"] == "hostile"]
    assert row["name"] == "'" + HOSTILE_NAME
    assert row["summary"] == "'" + HOSTILE_SUMMARY
    assert row["city"] == "'-Dash City"
    assert row["sectors"] == "'" + HOSTILE_SECTOR + ";Clean Energy"
    for other in read_csv(published.output):
        for column, value in other.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)


# --- sitemap.xml and robots.txt -----------------------------------------------------------

def sitemap(output: Path) -> dict[str, str | None]:
    root = ElementTree.parse(output / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP_NS}urlset"
    entries = {}
    for url in root:
        assert url.tag == f"{SITEMAP_NS}url"
        assert {child.tag for child in url} <= {f"{SITEMAP_NS}loc", f"{SITEMAP_NS}lastmod"}
        loc = url.find(f"{SITEMAP_NS}loc").text
        lastmod = url.find(f"{SITEMAP_NS}lastmod")
        assert loc not in entries, loc
        entries[loc] = lastmod.text if lastmod is not None else None
    return entries


def test_sitemap_lists_every_page_with_the_day_it_last_changed(published):
    raw = (published.output / "sitemap.xml").read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert len(raw) < 50 * 1024 * 1024
    entries = sitemap(published.output)
    assert len(entries) <= 50_000
    pages = [page for page in html_pages(published.output) if page != "404.html"]
    assert sorted(entries) == sorted(f"{BASE}/{site_path(page)}" for page in pages)
    assert f"{BASE}/404.html" not in entries
    for loc, lastmod in entries.items():
        assert loc.startswith(BASE + "/")
        if loc == f"{BASE}/mentors/newcomer/":
            assert lastmod is None  # git does not know the file: no date rather than a wrong one
            continue
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod or ""), (loc, lastmod)
    assert entries[f"{BASE}/startups/pick-my-solar/"] == day(EDIT_COMMIT)
    assert entries[f"{BASE}/startups/hostile/"] == day(HOSTILE_COMMIT)
    assert entries[f"{BASE}/startups/voltshed/"] == day(FIRST_COMMIT)
    assert entries[f"{BASE}/"] == day(EDIT_COMMIT)  # the newest change anywhere
    assert entries[f"{BASE}/startups/"] == day(EDIT_COMMIT)
    assert entries[f"{BASE}/mentors/"] == day(FIRST_COMMIT)
    assert entries[f"{BASE}/cities/dash-city/"] == day(HOSTILE_COMMIT)


def test_robots_txt_points_to_the_sitemap(published):
    lines = (published.output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


# --- the Atom feed of new profiles ---------------------------------------------------------

def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def test_feed_lists_new_profiles_newest_first_by_the_day_they_were_added(published):
    root = ElementTree.parse(published.output / "feeds" / "new.atom.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text == f"{BASE}/feeds/new.atom.xml"
    assert [link.attrib["href"] for link in root.findall(f"{ATOM}link")
            if link.attrib.get("rel") == "self"] == [f"{BASE}/feeds/new.atom.xml"]
    entries = root.findall(f"{ATOM}entry")
    profiles = read_profiles(published.content)
    committed = [key for key in profiles if key != ("mentor", "newcomer")]
    assert len(entries) == len(committed)
    published_at = [parse_time(entry.find(f"{ATOM}published").text) for entry in entries]
    assert published_at == sorted(published_at, reverse=True)
    assert root.find(f"{ATOM}updated").text == entries[0].find(f"{ATOM}updated").text
    by_url = {entry.find(f"{ATOM}id").text: entry for entry in entries}
    assert len(by_url) == len(entries)
    for key in committed:
        url = f"{BASE}/{key[0]}s/{key[1]}/"
        entry = by_url[url]
        [link] = entry.findall(f"{ATOM}link")
        assert link.attrib["href"] == url
        assert entry.find(f"{ATOM}title").text == normal(profiles[key]["name"])
        assert entry.find(f"{ATOM}published").text[:10] == expected_added(key)
    # The newest addition comes first; the profile edited later is dated by its addition;
    # laci's own added: field beats git's date.
    assert entries[0].find(f"{ATOM}id").text == f"{BASE}/startups/hostile/"
    assert parse_time(entries[0].find(f"{ATOM}published").text) == parse_time(HOSTILE_COMMIT)
    assert entries[-1].find(f"{ATOM}id").text == f"{BASE}/programs/laci/"
    assert f"{BASE}/mentors/newcomer/" not in by_url


def test_feed_keeps_hostile_text_as_text(published):
    raw = (published.output / "feeds" / "new.atom.xml").read_text(encoding="utf-8")
    assert "<script" not in raw and "<b>" not in raw
    root = ElementTree.fromstring(raw)
    [entry] = [e for e in root.findall(f"{ATOM}entry")
               if e.find(f"{ATOM}id").text.endswith("/startups/hostile/")]
    assert entry.find(f"{ATOM}title").text == HOSTILE_NAME
    summary = entry.find(f"{ATOM}summary")
    # type="html": a reader decodes the HTML once and must get the plain text back.
    assert summary.attrib["type"] == "html"
    assert "<b>" not in summary.text and "&lt;b&gt;bold&lt;/b&gt;" in summary.text
    content = entry.find(f"{ATOM}content").text
    assert "<script" not in content and 'href="https://hostile.example/"' in content


# --- JSON-LD ------------------------------------------------------------------------------

def test_every_profile_page_carries_schema_org_json_ld(published):
    profiles = read_profiles(published.content)
    related = links_both_ways(profiles)
    for key, data in profiles.items():
        ld = head(published.output, f"{key[0]}s/{key[1]}/index.html").json_ld()
        assert ld["@context"] == "https://schema.org"
        assert ld["name"] == normal(data["name"]) and ld["description"] == normal(data["summary"])
        if data.get("website"):
            assert ld["sameAs"] == [data["website"]] and ld["url"] == data["website"]
        if key[0] == "mentor":
            assert ld["@type"] == "Person"
            if data.get("role"):
                assert ld["jobTitle"] == normal(data["role"])
            names = sorted(normal(profiles[other]["name"]) for other in related[key])
            assert sorted(a["name"] for a in ld.get("affiliation", [])) == names
            assert all(a["@type"] == "Organization" for a in ld.get("affiliation", []))
            continue
        assert ld["@type"] == "Organization"
        assert ld["address"]["@type"] == "PostalAddress"
        assert ld["address"]["addressLocality"] == normal(data["city"])
        year = data.get("founded") if key[0] == "startup" else data.get("launched")
        if year:
            assert ld["foundingDate"] == str(year)
        if key[0] == "startup":
            programs = sorted(normal(profiles[("program", s)]["name"]) for s in data.get("programs", []))
            assert sorted(m["name"] for m in ld.get("memberOf", [])) == programs
        if key[0] == "program" and data.get("operator"):
            assert ld["parentOrganization"] == {"@type": "Organization", "name": normal(data["operator"])}


def test_json_ld_holds_a_hostile_name_as_data(published):
    html = (published.output / "startups/hostile/index.html").read_text(encoding="utf-8")
    page = Head(html)
    [(_, text)] = [(a, t) for a, t in page.scripts if a.get("type") == "application/ld+json"]
    assert "<" not in text and ">" not in text and "&" not in text
    assert page.json_ld()["name"] == HOSTILE_NAME
    assert html.lower().count("<script") == 1


# --- canonical and link-preview meta ------------------------------------------------------

def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_every_page_has_canonical_open_graph_and_twitter_meta(published):
    image = f"{BASE}/social/default.png"
    assert png_size(published.output / "social" / "default.png") == (1200, 630)
    profiles = read_profiles(published.content)
    for page in html_pages(published.output):
        tags = head(published.output, page)
        if page == "404.html":
            assert tags.canonical() is None and tags.meta("og:url") is None
            assert tags.meta("robots") == "noindex"
        else:
            assert tags.canonical() == f"{BASE}/{site_path(page)}", page
            assert tags.meta("og:url") == tags.canonical()
        assert tags.meta("og:title") and tags.meta("og:description"), page
        assert tags.meta("twitter:title") == tags.meta("og:title")
        assert tags.meta("og:image") == tags.meta("twitter:image") == image
        assert tags.meta("twitter:card") == "summary_large_image"
        assert (tags.meta("og:image:width"), tags.meta("og:image:height")) == ("1200", "630")
        feeds = [link["href"] for link in tags.links if link.get("type") == "application/atom+xml"]
        assert feeds == [f"{BASE}/feeds/new.atom.xml"]
        match = re.fullmatch(r"(startup|program|mentor)s/([a-z0-9-]+)/index\.html", page)
        if match:
            data = profiles[(match[1], match[2])]
            assert tags.meta("og:title") == normal(data["name"])
            assert tags.meta("og:description") == normal(data["summary"])
    assert head(published.output, "startups/index.html").meta("og:title") == "Startups"


def test_meta_tags_escape_a_hostile_name(published):
    html = (published.output / "startups/hostile/index.html").read_text(encoding="utf-8")
    tags = Head(html)
    assert tags.meta("og:title") == tags.meta("twitter:title") == HOSTILE_NAME
    assert tags.meta("og:description") == HOSTILE_SUMMARY
    head_html = html[: html.index("</head>")]
    assert HOSTILE_NAME not in head_html and '"quoted"' not in head_html
    assert head_html.count("<script") == 1  # the JSON-LD only


# --- profile pages: last updated, edit and correct ----------------------------------------

def test_profile_pages_show_last_updated_and_link_to_edit_and_correct(published):
    for key in read_profiles(published.content):
        page = f"{key[0]}s/{key[1]}/index.html"
        html = (published.output / page).read_text(encoding="utf-8")
        tags = Head(html)
        updated = expected_updated(key)
        if updated:
            assert f'<time datetime="{updated}">' in html, page
        else:
            assert "Last updated" not in html
        [edit] = [a for a in tags.anchors if a.get("id") == "edit-profile"]
        assert edit["href"] == f"{REPO_URL}/edit/main/content/{key[0]}s/{key[1]}.yaml"
        [correct] = [a for a in tags.anchors if a.get("id") == "report-correction"]
        parts = urlsplit(correct["href"])
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{REPO_URL}/issues/new"
        query = parse_qs(parts.query, strict_parsing=True)
        # The contrib branch's issue form: .github/ISSUE_TEMPLATE/correction.yml, whose
        # "profile" field takes the page's address.
        assert query["template"] == ["correction.yml"]
        assert (ROOT / ".github" / "ISSUE_TEMPLATE" / "correction.yml").is_file()
        assert query["profile"] == [f"{BASE}/{key[0]}s/{key[1]}/"]
        assert query["title"] == [f"Fix: {normal(read_profiles(published.content)[key]['name'])}"]
    hostile = Head((published.output / "startups/hostile/index.html").read_text(encoding="utf-8"))
    [correct] = [a for a in hostile.anchors if a.get("id") == "report-correction"]
    assert parse_qs(urlsplit(correct["href"]).query)["title"] == [f"Fix: {HOSTILE_NAME}"]
    assert "2 April 2024" in (published.output / "startups/pick-my-solar/index.html").read_text(encoding="utf-8")


# --- the data page ------------------------------------------------------------------------

def test_about_data_page_links_each_download_and_the_licence(published):
    tags = head(published.output, "about/data/index.html")
    hrefs = [a["href"] for a in tags.anchors]
    for name in ("directory.json", "directory.schema.json", "directory.csv",
                 "feeds/new.atom.xml", "sitemap.xml"):
        assert f"{BASE}/{name}" in hrefs, name
        assert (published.output / name).is_file()
    assert "https://creativecommons.org/licenses/by/4.0/" in hrefs
    home = head(published.output, "index.html")
    assert f"{BASE}/about/data/" in [a["href"] for a in home.anchors]  # in the footer


# --- a local build (no SITEURL) and other settings -----------------------------------------

def test_local_build_leaves_out_what_needs_an_absolute_address(sample_site):
    output = sample_site.output
    assert not (output / "sitemap.xml").exists() and not (output / "feeds").exists()
    assert "Sitemap:" not in (output / "robots.txt").read_text(encoding="utf-8")
    document, validator = export(output)
    validator.validate(document)
    assert all(item["url"] is None for item in document["profiles"])
    assert document["$schema"] == "directory.schema.json"
    for page in ("index.html", "startups/pick-my-solar/index.html", "about/data/index.html"):
        tags = head(output, page)
        assert tags.canonical() is None and tags.meta("og:url") is None
        assert tags.meta("og:image") is None and tags.meta("twitter:card") == "summary"
        assert tags.meta("og:title")
    hrefs = [a["href"] for a in head(output, "about/data/index.html").anchors]
    assert "../../directory.csv" in hrefs and not any("atom" in h for h in hrefs)
    # The correction form quotes the file when the page has no absolute address.
    [correct] = [a for a in head(output, "startups/pick-my-solar/index.html").anchors
                 if a.get("id") == "report-correction"]
    assert parse_qs(urlsplit(correct["href"]).query)["profile"] == ["content/startups/pick-my-solar.yaml"]
    # Outside git, no date at all: no "last updated", nothing invented.
    assert "Last updated" not in (output / "startups/pick-my-solar/index.html").read_text(encoding="utf-8")
    assert {item["updated"] for item in document["profiles"]} == {None}


def test_settings_choose_the_licence_and_turn_the_repository_links_off(tmp_path):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "output", REPO_URL="", DATA_LICENSE_NAME="ODbL 1.0",
                   DATA_LICENSE_URL="https://opendatacommons.org/licenses/odbl/1-0/")
    html = (output / "startups/pick-my-solar/index.html").read_text(encoding="utf-8")
    assert "edit-profile" not in html and "report-correction" not in html
    document, _ = export(output)
    assert document["license"] == {"name": "ODbL 1.0",
                                   "url": "https://opendatacommons.org/licenses/odbl/1-0/"}
    about = (output / "about/data/index.html").read_text(encoding="utf-8")
    assert "ODbL 1.0" in about and "https://opendatacommons.org/licenses/odbl/1-0/" in about


def test_published_build_from_the_command_line_gives_the_same_files(published, tmp_path):
    """As the README says to publish: SITEURL from the environment (a trailing slash is
    dropped), invoke build --settings publishconf.py; byte-identical to the in-process build."""
    output = tmp_path / "output"
    result = run_module("invoke", "build", "--settings", "publishconf.py", "--content",
                        str(published.content), "--output", str(output),
                        env=dict(os.environ, SITEURL=BASE + "/"))
    assert result.returncode == 0, result.stderr
    for name in ("directory.json", "directory.schema.json", "directory.csv", "sitemap.xml",
                 "robots.txt", "feeds/new.atom.xml", "social/default.png",
                 "about/data/index.html", "startups/hostile/index.html"):
        assert (output / name).read_bytes() == (published.output / name).read_bytes(), name


# --- the added: field ---------------------------------------------------------------------

def test_added_field_accepts_a_date_with_or_without_quotes_and_explains_bad_ones(content):
    from directory.pipeline import read_directory

    write_profile(content, "mentors", "plain-date", "name: Plain Date\nsummary: S.\nadded: 2024-03-15\n")
    write_profile(content, "mentors", "quoted-date", 'name: Quoted Date\nsummary: S.\nadded: "2024-03-16"\n')
    directory, problems = read_directory(content)
    assert problems == []
    added = {p.slug: p.added for p in directory.profiles}
    assert added["plain-date"] == "2024-03-15" and added["quoted-date"] == "2024-03-16"
    for slug, value in (("impossible", "2024-02-31"), ("quoted-bad", '"2024-13-01"'),
                        ("year-only", "2024"), ("with-time", "2024-01-02 10:00:00"),
                        ("words", "last spring")):
        write_profile(content, "mentors", slug, f"name: {slug}\nsummary: S.\nadded: {value}\n")
    _, problems = read_directory(content)
    messages = {Path(p.path).stem: (p.line, p.col, p.message) for p in problems}
    assert set(messages) == {"impossible", "quoted-bad", "year-only", "with-time", "words"}
    for slug, (line, col, message) in messages.items():
        assert (line, col) == (3, 8), slug
        assert message.startswith("added: '") and "YYYY-MM-DD" in message, message
    assert "'2024-02-31' is not a date" in messages["impossible"][2]
