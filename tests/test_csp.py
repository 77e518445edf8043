"""The theme works under the strict Content-Security-Policy: every page type loads in Chromium,
with the policy sent as a header (from the built _headers file) and as a <meta>, without a
single violation, console error or page error. A negative control proves the watchers work."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from conftest import StaticHandler, serve
from hostile_support import SETTINGS, Elements, html_files, wait_until

from directory.building import build_site  # noqa: E402

ISSUE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
SETTINGS_VALUES = runpy.run_path(str(SETTINGS))

# Runs before any page script, whatever the page's CSP: the browser injects it.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
                              + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""

PAGES = {
    "home": "/",
    "startups": "/startups/",
    "programs": "/programs/",
    "mentors": "/mentors/",
    "startup-with-logo": "/startups/ciclo-mobility/",
    "program": "/programs/laci/",
    "mentor": "/mentors/maria-ciclo/",
    "sectors": "/sectors/",
    "sector": "/sectors/clean-energy/",
    "cities": "/cities/",
    "city": "/cities/los-angeles/",
    "search": "/search/?q=solar",
    "about-data": "/about/data/",
    "not-found": "/no/such/page/",
}


def read_headers_file(text: str) -> dict[str, str]:
    """The headers of the '/*' rule of a Netlify/Cloudflare _headers file."""
    lines = text.splitlines()
    assert lines[0] == "/*", text
    headers = {}
    for line in lines[1:]:
        assert line.startswith("  "), line
        name, _, value = line.strip().partition(": ")
        headers[name] = value
    return headers


class HeaderHandler(StaticHandler):
    """A static host that reads _headers, as Netlify or Cloudflare Pages do, and serves
    404.html for missing paths."""

    def __init__(self, *args, extra_headers: dict, **kwargs):
        self.extra_headers = extra_headers
        super().__init__(*args, **kwargs)

    def end_headers(self):
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve_with_headers(folder: Path, headers: dict[str, str]):
    return serve(folder, HeaderHandler, extra_headers=headers)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("csp") / "output"
    build_site(SETTINGS, output=output)
    return output


@pytest.fixture(scope="module")
def headers(built) -> dict[str, str]:
    return read_headers_file((built / "_headers").read_text(encoding="utf-8"))


@pytest.fixture
def watched(browser):
    """A page whose console errors and warnings, page errors, failed requests and CSP
    violations are all collected in .problems."""
    context = browser.new_context()
    context.add_init_script(script=WATCH_VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(
        f"console {m.type}: {m.text} ({m.location.get('url')})"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.problems = problems
    yield page
    context.close()


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_the_policy_is_the_one_the_issue_asks_for(headers):
    assert SETTINGS_VALUES["CONTENT_SECURITY_POLICY"] == ISSUE_POLICY
    assert headers["Content-Security-Policy"] == ISSUE_POLICY  # frame-ancestors included
    assert headers["X-Content-Type-Options"] == "nosniff"
    meta = SETTINGS_VALUES["CONTENT_SECURITY_POLICY_META"]
    assert "frame-ancestors" not in meta  # ignored (with a console warning) in a <meta>
    assert meta == ISSUE_POLICY.replace("; frame-ancestors 'none'", "")


def test_every_page_carries_the_meta_policy_and_nothing_inline(built):
    meta_policy = SETTINGS_VALUES["CONTENT_SECURITY_POLICY_META"]
    pages = html_files(built)
    assert len(pages) > 50
    for path in pages:
        html = path.read_text(encoding="utf-8")
        elements = Elements(html)
        metas = [m for m in elements.of("meta") if (m.get("http-equiv") or "").lower() == "content-security-policy"]
        assert [m.get("content") for m in metas] == [meta_policy], path
        head = html[: html.index("</head>")]
        assert head.index('http-equiv="Content-Security-Policy"') < min(
            (head.find(tag) for tag in ("<script", "<link", "<style") if tag in head), default=len(head)), path
        assert not elements.of("style"), path
        for tag, attributes in elements.tags:
            assert "style" not in attributes and not any(a.startswith("on") for a in attributes), (path, tag)
        for attributes, text in elements.scripts:
            # Inline scripts are data only (JSON-LD, the search page's index manifest); every
            # script that runs is a 'self' file.
            data = attributes.get("type") in ("application/ld+json", "application/json")
            assert data or (attributes.get("src") and not text.strip()), path


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_under_the_policy_without_errors(name, built, headers, watched):
    with serve_with_headers(built, headers) as base:
        response = watched.goto(base + PAGES[name], wait_until="load")
        assert response.status == (404 if name == "not-found" else 200)
        assert response.headers["content-security-policy"] == ISSUE_POLICY
        if name == "search":
            wait_until(watched, "document.documentElement.classList.contains('search-ready')")
            wait_until(watched, "document.querySelectorAll('#search-results li').length > 0")
            assert "Pick My Solar" in watched.inner_text("#search-results")
            watched.fill("#search-input", "")
            watched.locator("#search-input").press_sequentially("water", delay=10)
            wait_until(watched, "document.getElementById('search-status').textContent.includes('water')")
            watched.locator("#filter-type input").first.check()
            wait_until(watched, "location.search.includes('type=')")
        if name == "startup-with-logo":
            assert watched.evaluate("document.querySelector('img.logo').naturalWidth") > 0
        # Every stylesheet applied: the page is styled, not a bare document.
        assert watched.evaluate("getComputedStyle(document.body).fontFamily") != ""
        assert watched.evaluate("document.styleSheets.length") >= 1
        meta = watched.locator('meta[http-equiv="Content-Security-Policy"]')
        assert meta.count() == 1 and "frame-ancestors" not in meta.get_attribute("content")
        watched.wait_for_timeout(100)  # late reports
        assert violations(watched) == []
        if name == "not-found":  # Chromium logs the 404 status of the document itself, and only that
            expected = (f"console error: Failed to load resource: the server responded with a status "
                        f"of 404 (Not Found) ({base}{PAGES[name]})")
            assert watched.problems == [expected]
        else:
            assert watched.problems == []


CONTROL_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>control</title>
<script src="control.js"></script></head>
<body><p style="color: red">styled inline</p>
<script>window.__inlineRan = true;</script>
<img src="https://elsewhere.example/pixel.png" alt="">
</body></html>
"""
CONTROL_SCRIPT = "try { eval('window.__evalRan = true'); } catch (error) { window.__evalBlocked = true; }\n"


def test_negative_control_the_watchers_catch_violations(tmp_path, headers, watched):
    """The same policy on a page with an inline script, an inline style, eval and an outside
    image: each is blocked and each is caught, so a clean run above means a clean page."""
    (tmp_path / "control.html").write_text(CONTROL_PAGE, encoding="utf-8")
    (tmp_path / "control.js").write_text(CONTROL_SCRIPT, encoding="utf-8")
    with serve_with_headers(tmp_path, headers) as base:
        watched.goto(base + "/control.html", wait_until="load")
        watched.wait_for_timeout(100)
        assert watched.evaluate("window.__inlineRan") is None
        assert watched.evaluate("window.__evalRan") is None
        assert watched.evaluate("window.__evalBlocked") is True
        caught = " | ".join(violations(watched))
        for directive in ("script-src-elem", "style-src-attr", "img-src", "script-src"):
            assert directive in caught, caught
        console = " | ".join(watched.problems)
        assert "Content Security Policy" in console, console
