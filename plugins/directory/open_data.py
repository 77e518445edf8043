"""Open data and machine-readable pages: the Pelican Generator that writes /directory.json,
/directory.schema.json, /directory.csv, /feeds/new.atom.xml, /sitemap.xml, /robots.txt, the
default link-preview image and the /about/data/ page, and gives every page its meta tags and
every profile page its dates and edit links.

It reads only the directory graph that pages.py's generator put in the context, and git's
dates (provenance.py). It must stay the last generator: the sitemap lists the HTML pages the
others have written by then.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pelican.generators import Generator

from . import exports, feeds, seo
from .background import Job
from .pages import result_rendering_pages, wait_for_pages
from .paging import page_size
from .parallel import worth_forking
from .provenance import repository_url
from .reporting import incremental_build
from .social_image import social_card_png
from .validation import KINDS, SCHEMAS, profile_schema

ABOUT_DATA = "about/data/index.html"
COMMON_DEFS = json.loads((SCHEMAS / "common.schema.json").read_text(encoding="utf-8"))["$defs"]
DEFAULT_LICENSE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class Download:
    label: str
    path: str  # relative to the site root
    what: str


@dataclass(frozen=True)
class FieldRow:
    name: str
    kinds: str
    description: str


def field_rows() -> list[FieldRow]:
    """One row per profile field, from the schemas, for the data page's table."""
    rows = []
    for name in exports.all_field_names():
        kinds = [kind for kind in KINDS if name in exports.field_names(kind)]
        rule = profile_schema(kinds[0])["properties"][name]
        if len(kinds) > 1 and "$ref" in rule:  # shared: the common definition's wording
            rule = COMMON_DEFS.get(rule["$ref"].rsplit("/", 1)[1], rule)
        rows.append(FieldRow(name, "all" if len(kinds) == len(KINDS) else ", ".join(kinds),
                             rule.get("description", "")))
    return rows


class OpenDataGenerator(Generator):

    def generate_context(self) -> None:
        self.directory = self.context["directory"]
        self.base = seo.site_base(self.settings)
        self.records = self.context["profile_records"]  # made by pages.DirectoryGenerator
        # Read by the theme: _meta.html on every page.
        self.context["page_meta"] = seo.SiteMeta(self.settings, self.directory)
        # In a large site, directory.json and .csv are made by a forked process while the
        # pages are rendered (background.py), as the search index is: in a first build, this
        # process would otherwise make them alone once the index was in.
        self._background: Job | None = None
        build = incremental_build(self.settings)
        if (build is not None and self.context.get("profile_digests") is not None
                and worth_forking(len(self.directory.profiles))):
            # In a first build it makes way for the search index, as the pages' renderer does
            # (background.py); in a rebuild, which renders few pages, it may be the longest.
            self._background = Job(self.exports_in_background, "directory.json and .csv",
                                   afterwards=build.rows.write,  # rows for the next build
                                   yields=not build.previous.salt)

    def license(self) -> dict:
        name = self.settings.get("DATA_LICENSE_NAME") or DEFAULT_LICENSE[0]
        url = self.settings.get("DATA_LICENSE_URL") or DEFAULT_LICENSE[1]
        return {"name": name, "url": url}

    def write(self, path: str, data: str | bytes) -> None:
        target = Path(self.output_path) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8", newline="")

    def write_pieces(self, path: str, pieces: list[str]) -> None:
        target = Path(self.output_path) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="") as file:
            file.writelines(pieces)

    def reused(self, path: str, inputs) -> bool:
        """In an incremental build, whether the previous build's file at ``path``, made from
        the same ``inputs`` (plain data: the file is a function of them and of the code, which
        the cache's salt covers), could be linked instead of made again."""
        build = incremental_build(self.settings)
        if build is None:
            return False
        return build.reuse(path, build.fingerprints.of((path, inputs)),
                           Path(self.output_path))

    def write_exports(self) -> None:
        """directory.json and directory.csv."""
        header = exports.document_header(self.directory, self.base,
                                         self.settings.get("SITENAME", ""), self.license())
        json_rows, csv_rows = self.profile_rows()
        # Known by the digest of their bytes and written piece by piece: at 10,000 profiles
        # directory.json is 16 MB, and each whole copy of it (to fingerprint it, to encode
        # it) counted in the build's peak of memory.
        for path, pieces in (
                (exports.JSON_FILE, list(exports.json_with_profiles(header, json_rows))),
                (exports.CSV_FILE, [exports.csv_header(), *csv_rows])):
            digest = hashlib.sha256()
            for piece in pieces:
                digest.update(piece.encode("utf-8"))
            if not self.reused(path, digest.digest()):
                self.write_pieces(path, pieces)

    def exports_in_background(self):
        """The forked process's work: the two files; what the build records of them (their
        fingerprints) handed back."""
        self.write_exports()
        build = incremental_build(self.settings)
        return {path: build.next.pages[path] for path in (exports.JSON_FILE, exports.CSV_FILE)
                if path in build.next.pages}

    def generate_output(self, writer) -> None:
        if self._background is not None:
            incremental_build(self.settings).recorded(
                result_rendering_pages(self.settings, self._background))
        else:
            self.write_exports()
        self.write(exports.SCHEMA_FILE, exports.to_json(exports.directory_schema(self.base),
                                                         indent=1))
        card = (self.settings.get("SITENAME", ""), self.settings.get("SITE_DESCRIPTION", ""))
        if not self.reused(seo.SOCIAL_IMAGE, card):
            self.write(seo.SOCIAL_IMAGE, social_card_png(*card))
        if self.base:
            limit = int(self.settings.get("NEW_PROFILES_FEED_LIMIT") or feeds.FEED_LIMIT)
            self.write(seo.FEED, feeds.new_profiles_feed(
                self.directory, self.records, self.base, self.settings.get("SITENAME", ""),
                seo.FEED, limit))
        writer.write_file(ABOUT_DATA, self.get_template("about-data"), self.context,
                          relative_urls=self.settings.get("RELATIVE_URLS", False),
                          title="Open data", downloads=self.downloads(),
                          data_license=self.license(), fields=field_rows(),
                          schema_version=exports.SCHEMA_VERSION,
                          list_separator=exports.LIST_SEPARATOR,
                          formula_starts=" ".join(c for c in exports.FORMULA_STARTS if c.strip()),
                          repo_url=repository_url(self.settings),
                          feed_published=bool(self.base))
        if self.base:
            wait_for_pages(self.settings)  # the sitemap lists every page: rendered ones
            build = incremental_build(self.settings)
            if build:
                build.links.finish()  # and linked ones
            pages = sorted(seo.page_path(path.relative_to(self.output_path).as_posix())
                           for path in Path(self.output_path).rglob("*.html")
                           if path.name != seo.NOT_FOUND)
            lastmod = seo.lastmod_of_pages(self.directory, self.records, pages,
                                           page_size(self.settings))
            self.write(seo.SITEMAP, seo.sitemap_xml(self.base, lastmod))
        self.write("robots.txt", seo.robots_txt(self.base))

    def profile_rows(self) -> tuple[list[str], list[str]]:
        """Each profile's entry of directory.json and row of directory.csv, encoded. In an
        incremental build a profile's pair is the previous build's when what it is made of
        is unchanged: the profile's digest (digests.py: its fields, record and facets) and
        the slugs of its related profiles (the site's address is in the cache's salt)."""
        build = incremental_build(self.settings)
        digests = self.context.get("profile_digests")
        previous = build.rows.previous() if build and digests is not None else {}
        rows = {}
        names = {kind: exports.field_names(kind) for kind in KINDS}
        json_rows, csv_rows = [], []
        for profile in self.directory.profiles:
            key = None
            if digests is not None:
                related = self.directory.related[profile.key]
                key = (digests[profile.key],
                       tuple(tuple(other.slug for other in related[kind]) for kind in KINDS))
            pair = previous.get(key) if key is not None else None
            if pair is None:
                entry = exports.profile_entry(self.directory, profile,
                                              self.records[profile.key], self.base, names)
                pair = (exports.to_json(entry)[:-1], exports.csv_line(entry))  # no newline
            if key is not None:
                rows[key] = pair
            json_rows.append(pair[0])
            csv_rows.append(pair[1])
        if build and digests is not None:
            build.rows.next = rows
        return json_rows, csv_rows

    def downloads(self) -> list[Download]:
        files = [
            Download("directory.json", exports.JSON_FILE, "Every profile with every field, its "
                     "description as Markdown and as HTML, its links and its dates."),
            Download("directory.schema.json", exports.SCHEMA_FILE, "The JSON Schema of "
                     "directory.json."),
            Download("directory.csv", exports.CSV_FILE, "One row per profile, for spreadsheets."),
        ]
        if self.base:
            files += [Download("New profiles (Atom feed)", seo.FEED, "The newest additions, "
                               "newest first, for feed readers."),
                      Download("sitemap.xml", seo.SITEMAP, "Every page, with the day it last "
                               "changed.")]
        return files
