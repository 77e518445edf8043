"""The published site works from a sub-path, as GitHub project pages serve it
(https://ORG.github.io/REPO/): built with publishconf.py and SITEURL=http://127.0.0.1:PORT/REPO,
served from a parent folder under /REPO/, every internal link, stylesheet, script, image and
search-index request resolves, and none leaves the /REPO/ prefix. A crawler reads every HTML
page (href, src, srcset) and stylesheet (url()); Chromium runs the search page."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from conftest import ROOT, build, copy_content, serve

PREFIX = "/REPO/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The base URL (…/REPO) of a publish build served under /REPO/. The server starts first,
    on a free port, since SITEURL must name that port."""
    base = tmp_path_factory.mktemp("subpath")
    content = copy_content(base / "content")
    parent = base / "served"
    parent.mkdir()
    with serve(parent) as origin:
        siteurl = f"{origin}{PREFIX.rstrip('/')}"
        build(content, parent / PREFIX.strip("/"), settings=ROOT / "publishconf.py",
              SITEURL=siteurl)
        yield siteurl


class References(HTMLParser):
    """Every URL an HTML page refers to: href, src, srcset (and the pages' link elements)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src"):
                self.urls.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.urls += [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def crawl(start: list[str]) -> tuple[dict[str, int], list[str]]:
    """Breadth-first over the site's own URLs: (status of each URL, URLs that left PREFIX)."""
    origin = urlsplit(start[0])[:2]
    statuses: dict[str, int] = {}
    escaped: list[str] = []
    queue = list(start)
    while queue:
        url = queue.pop(0)
        if url in statuses:
            continue
        status, kind, body = fetch(url)
        statuses[url] = status
        if status != 200:
            continue
        if kind == "text/html":
            parser = References()
            parser.feed(body.decode("utf-8"))
            found = parser.urls
        elif kind == "text/css":
            found = CSS_URL.findall(body.decode("utf-8"))
        else:
            continue
        for reference in found:
            target, _ = urldefrag(urljoin(url, reference.strip()))
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts[:2] != origin:
                continue  # mailto:, data:, or a profile's own website
            if not parts.path.startswith(PREFIX):
                escaped.append(f"{url} -> {reference}")
                continue
            if target not in statuses:
                queue.append(target)
    return statuses, escaped


def test_every_internal_reference_resolves_under_the_sub_path(served):
    statuses, escaped = crawl([f"{served}/", f"{served}/404.html"])
    assert escaped == []
    broken = sorted(url for url, status in statuses.items() if status != 200)
    assert broken == []
    paths = {urlsplit(url).path for url in statuses}
    # The crawl reached every kind of page and asset, so the check above covered them.
    for expected in (f"{PREFIX}startups/pick-my-solar/", f"{PREFIX}sectors/", f"{PREFIX}cities/",
                     f"{PREFIX}search/", f"{PREFIX}theme/css/style.css"):
        assert expected in paths, expected
    assert any(path.startswith(f"{PREFIX}images/") for path in paths)
    assert any(path.endswith(".js") for path in paths)
    assert len(statuses) > 60


def test_the_404_page_links_under_the_sub_path(served):
    """Served for any missing path at any depth, so its links are absolute: under SITEURL."""
    status, _, body = fetch(f"{served}/404.html")
    parser = References()
    parser.feed(body.decode("utf-8"))
    local = [url for url in parser.urls if not url.startswith(("mailto:", "#"))]
    assert local and all(url.startswith(f"{served}/") for url in local), local


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout  # no wait_for_function: the CSP forbids eval
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(20)


def test_search_requests_stay_under_the_sub_path(page, served):
    responses: list[tuple[str, int]] = []
    failed: list[str] = []
    page.on("response", lambda response: responses.append((response.url, response.status)))
    page.on("requestfailed", lambda request: failed.append(request.url))
    # Browsing by a filter, before any query: the filter data and the docs/ records.
    page.goto(f"{served}/search/?type=mentor")
    ready = ("document.documentElement.classList.contains('search-ready')"
             " && !document.getElementById('search-results').hasAttribute('aria-busy')"
             " && document.querySelectorAll('#search-results a.result-title').length > 0")
    wait_until(page, ready)
    page.locator("#filter-type input[value=mentor]").uncheck()
    # Queries: term shards, their previews, near-match lists.
    for query in ("solar", "clean energy permits", "transit"):
        page.fill("#search-input", query)
        wait_until(page, ready)
    page.wait_for_load_state("networkidle")
    first = page.locator("#search-results a.result-title").first.get_attribute("href")
    assert urlsplit(first).path.startswith(PREFIX), first

    assert failed == []
    outside = [url for url, _ in responses if not urlsplit(url).path.startswith(PREFIX)]
    assert outside == []
    assert [(url, status) for url, status in responses if status != 200] == []
    paths = [urlsplit(url).path for url, _ in responses]
    index = f"{PREFIX}search/index/"
    for part in ("terms/", "previews/", "docs/", "facets.json"):
        assert any(path.startswith(index + part) for path in paths), (part, paths)
    assert any(path.startswith(f"{PREFIX}search/") and path.endswith(".js") for path in paths)
