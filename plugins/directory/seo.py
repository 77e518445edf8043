"""What a page says about itself to search engines and link previews: canonical address, Open
Graph and Twitter card meta, /sitemap.xml and /robots.txt.

Canonical links, og:url, og:image, the sitemap and the Atom feed need absolute addresses (the
Open Graph, sitemap, robots and Atom specifications all say so), and only a build with an
absolute SITEURL (publishconf.py) knows the site's address. A local build (pelicanconf.py,
SITEURL empty, every link relative) therefore leaves them out instead of inventing a host: its
pages still carry the title, description and card type, and robots.txt names no sitemap.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .paging import PAGE_SIZE, paged
from .relations import Directory
from .validation import KINDS

SOCIAL_IMAGE = "social/default.png"
SOCIAL_IMAGE_SIZE = (1200, 630)  # the size Open Graph and Twitter's large card expect
FEED = "feeds/new.atom.xml"
SITEMAP = "sitemap.xml"
NOT_FOUND = "404.html"


def site_base(settings: dict) -> str | None:
    """The site's absolute address without a trailing slash, or None in a local build."""
    url = (settings.get("SITEURL") or "").strip().rstrip("/")
    return url if url.startswith(("https://", "http://")) else None


def page_path(output_file: str) -> str:
    """The address of a written file relative to the site root: folders end with a slash."""
    if output_file == "index.html":
        return ""
    return output_file[: -len("index.html")] if output_file.endswith("/index.html") else output_file


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    site_name: str
    url: str | None  # canonical and og:url; None without an absolute SITEURL
    image: str | None
    image_alt: str
    image_width: int
    image_height: int
    card: str  # twitter:card
    feed_url: str | None
    robots: str | None  # "noindex" for the 404 page


class SiteMeta:
    """Called from the theme's _meta.html as page_meta(output_file, title) for every page."""

    def __init__(self, settings: dict, directory: Directory):
        self.base = site_base(settings)
        self.site_name = settings.get("SITENAME", "")
        self.site_description = settings.get("SITE_DESCRIPTION", "")
        self.profiles = {profile.url: profile for profile in directory.profiles}

    def absolute(self, path: str) -> str | None:
        return f"{self.base}/{path}" if self.base else None

    def __call__(self, output_file: str, title: str | None = None) -> PageMeta:
        path = page_path(output_file)
        profile = self.profiles.get(path)
        image = self.absolute(SOCIAL_IMAGE)
        return PageMeta(
            title=profile.name if profile else (title or self.site_name),
            description=profile.summary if profile else self.site_description,
            site_name=self.site_name,
            url=None if output_file == NOT_FOUND else self.absolute(path),
            image=image,
            image_alt=self.site_name,
            image_width=SOCIAL_IMAGE_SIZE[0],
            image_height=SOCIAL_IMAGE_SIZE[1],
            card="summary_large_image" if image else "summary",
            feed_url=self.absolute(FEED),
            robots="noindex" if output_file == NOT_FOUND else None,
        )


def lastmod_of_pages(directory: Directory, records: dict, paths: list[str],
                     size: int = PAGE_SIZE) -> dict[str, datetime.date | None]:
    """The day each page last changed, from the profiles it shows: a profile page its own file's
    last commit, a page of a listing or facet the newest of its profiles (pages of ``size``
    cards, paging.py), any other page the newest of all. None when git knows none of them."""
    def newest(profiles) -> datetime.date | None:
        days = [records[p.key].updated.date() for p in profiles if records[p.key].updated]
        return max(days) if days else None

    shown: dict[str, list] = {profile.url: [profile] for profile in directory.profiles}
    lists = [(f"{kind}s/", directory.of_kind(kind)) for kind in KINDS]
    for first, profiles in lists + [(facet.url, facet.profiles)
                                    for facet in directory.sectors + directory.cities]:
        for url, chunk, _ in paged(first, profiles, size):
            shown[url] = chunk
    everything = newest(directory.profiles)
    return {path: newest(shown[path]) if path in shown else everything for path in paths}


def sitemap_xml(base: str, lastmod: dict[str, datetime.date | None]) -> str:
    """The sitemap protocol's <urlset>: one <url> per page, sorted, with <lastmod> when known."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(lastmod):
        day = lastmod[path]
        lines.append(f"  <url><loc>{escape(f'{base}/{path}')}</loc>"
                     + (f"<lastmod>{day.isoformat()}</lastmod>" if day else "") + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(base: str | None) -> str:
    text = "User-agent: *\nAllow: /\n"
    return text + (f"\nSitemap: {base}/{SITEMAP}\n" if base else "")


