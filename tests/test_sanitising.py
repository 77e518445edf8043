"""Nothing unsafe reaches a visitor: Markdown is sanitised to a small allowlist, every other
field is escaped, JSON-LD cannot end its script element, outside links carry rel, and no path
built from content leaves the output folder. All asserted on a real build of hostile profiles."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from markupsafe import escape

from hostile_support import SETTINGS, Elements, copy_content, html_files

from directory.building import build_site  # noqa: E402

EXTERNAL_REL = "noopener noreferrer nofollow ugc"
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
JSON_BREAKOUT = "</script><script>alert(1)</script>"

# (id, Markdown, strings the description must contain, strings it must not contain,
#  the href every link must have: None for "no href at all")
MARKDOWN = [
    ("raw-script", f"Before {SCRIPT} after", ["Before", "after"], ["<script", "alert(1)"], None),
    ("script-block", "<script>\nwindow.__xss = 1\n</script>", [], ["<script", "__xss"], None),
    ("iframe", '<iframe src="https://evil.example/frame"></iframe>', [], ["<iframe", "evil.example"], None),
    ("remote-image-html", '<img src="https://evil.example/x.png">', [], ["<img", "evil.example"], None),
    ("remote-image-markdown", "![pixel](https://evil.example/x.png)", [], ["<img", "evil.example"], None),
    ("event-handler", '<p onclick="alert(1)" onerror="alert(2)">handled</p>', ["handled"], ["onclick", "onerror", "alert"], None),
    ("img-onerror", '<img src=x onerror="alert(1)">', [], ["<img", "onerror"], None),
    ("style-attribute", '<p style="position:fixed;top:0">styled</p>', ["styled"], ["style=", "position:fixed"], None),
    ("style-element", "<style>body { display: none }</style>", [], ["<style", "display"], None),
    ("html-javascript-link", '<a href="javascript:alert(1)">click</a>', ["click"], ["javascript", "alert"], None),
    ("javascript-mixed-case", "[x](JaVaScRiPt:alert(1))", [">x</a>"], ["javascript", "alert"], None),
    ("data-link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", [">x</a>"], ["data:", "PHNjcmlw"], None),
    ("vbscript-link", "[x](vbscript:msgbox)", [">x</a>"], ["vbscript", "msgbox"], None),
    ("entity-javascript", "[x](javascript&#58;alert(1))", [">x</a>"], ["javascript", "alert"], None),
    ("tab-javascript", "[x](jav&#x09;ascript:alert(1))", [">x</a>"], ["ascript", "alert"], None),
    ("relative-link", "[x](/relative/path) and [y](other.html)", [">x</a>", ">y</a>"], ["/relative/path", "other.html"], None),
    ("scheme-relative-link", "[x](//evil.example/)", [">x</a>"], ["evil.example"], None),
    ("https-link", "[ok](https://ok.example/a?b=1&c=2)", [">ok</a>"], [], "https://ok.example/a?b=1&c=2"),
    ("autolink", "<https://auto.example/>", [">https://auto.example/</a>"], [], "https://auto.example/"),
    ("mailto-link", "[write](mailto:team@ok.example)", [">write</a>"], [], "mailto:team@ok.example"),
    ("attribute-breakout", '[x](https://a.example/"onmouseover="alert(1))', [], ['"onmouseover="', "onmouseover=\"alert"], "https://a.example/\"onmouseover=\"alert(1"),
    ("headings", "# Top\n\n## Second\n\n### Third\n\n###### Sixth", ["<h3>Top</h3>", "<h4>Second</h4>", "<h5>Third</h5>", "<h6>Sixth</h6>"], ["<h1", "<h2>Top"], None),
    ("code", f"`{SCRIPT}`\n\n    {SCRIPT}", ["<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>", "<pre><code>&lt;script&gt;"], ["<script"], None),
    ("emphasis-and-lists", "*em* **strong**\n\n- one\n- two\n\nThen:\n\n1. first", ["<em>em</em>", "<strong>strong</strong>", "<li>one</li>", "<ol>"], [], None),
    ("svg", '<svg onload="alert(1)"><circle r="5"/></svg>', [], ["<svg", "onload", "<circle"], None),
    ("math-mglyph", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", [], ["<math", "<mglyph", "<style", "<img", "onerror"], None),
    ("form", '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>', [], ["<form", "<button", "javascript"], None),
    ("base-and-meta", '<base href="//evil.example/">\n\n<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', [], ["<base", "<meta", "evil.example", "javascript"], None),
    ("object-embed", '<object data="javascript:alert(1)"></object><embed src="javascript:alert(2)">', [], ["<object", "<embed", "javascript"], None),
    ("details-ontoggle", "<details open ontoggle=alert(1)>x</details>", [], ["<details", "ontoggle"], None),
]
ALLOWED_IN_DESCRIPTION = {"section", "h2", "p", "br", "hr", "em", "strong", "code", "pre",
                          "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6"}

ESCAPE_PROFILES = {
    "startups/escape-startup.yaml": {
        "name": f"{SCRIPT} Escape Startup", "summary": f"Summary {SCRIPT} and {BREAKOUT}",
        "city": SCRIPT, "region": BREAKOUT, "sectors": [SCRIPT, BREAKOUT],
        "website": 'https://escape.example/"onmouseover="alert(1)',
    },
    "programs/escape-program.yaml": {
        "name": f"{BREAKOUT} Escape Program", "summary": f"{BREAKOUT} summary",
        "city": BREAKOUT, "region": SCRIPT, "sectors": [BREAKOUT], "operator": SCRIPT,
        "description": "[Outside link](https://outside.example/page)",
        "website": "https://program.example/?q=<script>alert(1)</script>",
    },
    "mentors/escape-mentor.yaml": {
        "name": f"Mentor {SCRIPT}", "summary": f"Mentor {BREAKOUT}", "role": BREAKOUT,
        "city": SCRIPT, "region": BREAKOUT, "sectors": [SCRIPT],
    },
    "startups/json-ld-probe.yaml": {
        "name": f"{JSON_BREAKOUT} JSON-LD Probe", "summary": "<!--<script>alert(2)</script>--> & 'q'",
        "city": "</SCRIPT ><script>alert(3)</script>", "region": "</script",
        "website": "https://json-ld.example/</script>",
    },
    "startups/path-probe.yaml": {
        "name": "Path Probe", "summary": "Sectors and cities named like paths.",
        "city": "../../../tmp", "region": "../California",
        "sectors": ["../../etc", "..\\x", "%2e%2e", "/absolute/path", "a/../../b", "CON", "~root"],
    },
}
# Where each path-like facet must land, relative to the output folder.
PATH_FACETS = {"cities/tmp/index.html": "../../../tmp", "sectors/etc/index.html": "../../etc",
               "sectors/x/index.html": "..\\x", "sectors/2e-2e/index.html": "%2e%2e",
               "sectors/absolute-path/index.html": "/absolute/path", "sectors/a-b/index.html": "a/../../b",
               "sectors/con/index.html": "CON", "sectors/root/index.html": "~root"}


def dump(data: dict) -> str:
    return "".join(f"{key}: {json.dumps(value)}\n" for key, value in data.items())


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sanitising")
    content = copy_content(root / "content")
    for relative, data in ESCAPE_PROFILES.items():
        (content / relative).write_text(dump(data), encoding="utf-8")
    for number, (_, markdown, *_) in enumerate(MARKDOWN):
        (content / "startups" / f"markdown-{number}.yaml").write_text(dump({
            "name": f"Markdown Probe {number}", "summary": "A Markdown probe.",
            "city": "Los Angeles", "description": markdown}), encoding="utf-8")
    build_site(SETTINGS, content=content, output=root / "output")
    assert sorted(p.name for p in root.iterdir()) == ["content", "output"]
    return root / "output"


def page(built: Path, relative: str) -> str:
    return (built / relative).read_text(encoding="utf-8")


def description_of(html: str) -> str:
    start = html.index('<section class="description"')
    return html[start: html.index("</section>", start) + len("</section>")]


@pytest.mark.parametrize("number", range(len(MARKDOWN)), ids=[case[0] for case in MARKDOWN])
def test_markdown_is_sanitised_to_the_allowlist(built, number):
    _, markdown, present, absent, href = MARKDOWN[number]
    html = page(built, f"startups/markdown-{number}/index.html")
    section = description_of(html) if '<section class="description"' in html else ""
    for text in present:
        assert text in section, section
    for text in absent:
        assert text.lower() not in section.lower(), section
    elements = Elements(section)
    for tag, attributes in elements.tags:
        assert tag in ALLOWED_IN_DESCRIPTION, (tag, section)
        assert set(attributes) <= ({"href", "title", "rel"} if tag == "a" else {"class", "id", "aria-labelledby"}), (tag, attributes)
    for link in elements.of("a"):
        assert link.get("rel") == EXTERNAL_REL
        assert link.get("href") == href
    # Outside the description, the page has only the theme's own elements.
    assert "alert(" not in html.replace(section, "")


PLAIN_FIELDS = [(relative, field) for relative in list(ESCAPE_PROFILES)[:3]
                for field in ("name", "summary", "city", "region", "sectors", "role", "operator")
                if field in ESCAPE_PROFILES[relative]]


@pytest.mark.parametrize("relative, field", PLAIN_FIELDS)
def test_every_plain_field_is_escaped(built, relative, field):
    data = ESCAPE_PROFILES[relative]
    kind_folder, slug = relative[: -len(".yaml")].split("/")
    html = page(built, f"{kind_folder}/{slug}/index.html")
    values = data[field] if isinstance(data[field], list) else [data[field]]
    for value in values:
        assert str(escape(value)) in html
        assert value not in html, f"{field} reached the page unescaped"
    assert_only_theme_markup(html)


def assert_only_theme_markup(html: str) -> None:
    """No element or attribute that a payload could have added."""
    elements = Elements(html)
    # The theme's brand mark is the one SVG a page may hold.
    assert [attributes.get("class") for tag, attributes in elements.tags if tag == "svg"] == ["brand-mark"]
    for tag, attributes in elements.tags:
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        assert "style" not in attributes, (tag, attributes)
        assert tag not in {"iframe", "object", "embed", "math", "form", "base", "style"} or (
            tag == "form" and attributes.get("role") == "search"), tag
    for attributes, _ in elements.scripts:
        assert attributes.get("type") == "application/ld+json" or (
            attributes.get("type") == "application/json" and attributes.get("id") == "search-manifest") or (
            attributes.get("type") == "module" and attributes.get("src", "").endswith("search/search-page.js")), attributes
    for image in elements.of("img"):
        # Profile logos, and the home page's charts (drawn by the build, charts.py).
        assert (image.get("class") == "logo" and "/images/" in "/" + image["src"]) or (
            image.get("class") == "chart-image"
            and image["src"].rpartition("/")[0].endswith("charts")
            and image["src"].rpartition("/")[2] in {"sectors.svg", "founded.svg", "formats.svg"}), image


def test_no_page_of_the_site_carries_markup_from_a_profile(built):
    pages = html_files(built)
    assert len(pages) > 60
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert_only_theme_markup(html)
        assert SCRIPT not in html and BREAKOUT not in html, path


def test_json_ld_cannot_end_its_script_element(built):
    data = ESCAPE_PROFILES["startups/json-ld-probe.yaml"]
    html = page(built, "startups/json-ld-probe/index.html")
    elements = Elements(html)
    assert len(elements.scripts) == 1
    attributes, text = elements.scripts[0]
    assert attributes == {"type": "application/ld+json"}
    structured = json.loads(text)
    assert structured["name"] == data["name"]
    assert structured["description"] == data["summary"]
    assert structured["address"] == {"@type": "PostalAddress", "addressLocality": data["city"],
                                     "addressRegion": data["region"]}
    assert structured["url"] == data["website"]
    assert html.lower().count("<script") == 1 and html.lower().count("</script") == 1
    assert "<!--" not in text


def test_search_documents_are_plain_json(built):
    """The search index holds names and summaries as JSON strings; the page sets them with
    textContent (test_xss_fuzz renders them in Chromium)."""
    documents = [doc for path in sorted((built / "search" / "index" / "docs").glob("*.json"))
                 for doc in json.loads(path.read_text(encoding="utf-8"))]
    names = {doc[0] for doc in documents}
    assert ESCAPE_PROFILES["startups/json-ld-probe.yaml"]["name"] in names
    assert all(not doc[3].startswith(("/", "http", "javascript")) and ".." not in doc[3] for doc in documents)


def test_external_links_carry_rel(built):
    checked = 0
    for path in html_files(built):
        for link in Elements(path.read_text(encoding="utf-8")).of("a"):
            href = link.get("href") or ""
            if urlsplit(href).scheme in ("http", "https", "mailto") or href.startswith("//"):
                assert link.get("rel") == EXTERNAL_REL, (path, link)
                checked += 1
            elif href:  # internal: relative to the page, or to the root on the 404 page
                assert urlsplit(href).scheme == "" and "rel" not in link, (path, link)
    assert checked > 20
    program = Elements(page(built, "programs/escape-program/index.html")).of("a")
    assert {"href": "https://program.example/?q=<script>alert(1)</script>", "rel": EXTERNAL_REL} in program
    assert {"href": "https://outside.example/page", "rel": EXTERNAL_REL} in program
    startup = Elements(page(built, "startups/escape-startup/index.html")).of("a")
    assert {"href": 'https://escape.example/"onmouseover="alert(1)', "rel": EXTERNAL_REL} in startup


def test_every_built_path_stays_inside_the_output_folder(built):
    root = built.resolve()
    for dirpath, dirnames, filenames in os.walk(built):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            assert not path.is_symlink(), path
            assert path.resolve().is_relative_to(root), path
            assert name not in {"..", "."} and "\\" not in name and "%" not in name, path
    for relative, value in PATH_FACETS.items():
        html = page(built, relative)
        assert f"<h1>{escape(value)}</h1>" in html, relative
    assert not (built.parent / "etc").exists() and not (built.parent / "tmp").exists()


def test_links_and_images_point_inside_the_site(built):
    """Every relative link and image of every page resolves to a file of the output folder."""
    root = built.resolve()
    for path in html_files(built):
        elements = Elements(path.read_text(encoding="utf-8"))
        targets = [a.get("href") for a in elements.of("a")] + [i.get("src") for i in elements.of("img")]
        targets += [l.get("href") for l in elements.of("link")] + [s.get("src") for s in elements.of("script")]
        for target in filter(None, targets):
            parts = urlsplit(target)
            if parts.scheme or target.startswith("#"):
                continue
            base = root if target.startswith("/") else path.parent
            resolved = (base / parts.path.lstrip("/")).resolve()
            assert resolved.is_relative_to(root), (path, target)
            assert resolved.is_file() or (resolved / "index.html").is_file(), (path, target)
    for image in Elements(page(built, "startups/ciclo-mobility/index.html")).of("img"):
        assert image["src"] == "../../images/ciclo-mobility.svg"
