"""Screenshots of a built site for the README: the home page, a profile and the search page.

The site is served from 127.0.0.1 (the search page's modules need http, not file://) and shot
in headless Chromium through Playwright, at a fixed 1280×800 viewport in the light theme with
reduced motion, so the pictures only change when the pages do.
"""

from __future__ import annotations

import time
from pathlib import Path

from .localserver import serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--hide-scrollbars", "--font-render-hinting=none"]
VIEWPORT = {"width": 1280, "height": 800}
# (file name, site path, what the page must show before it is shot)
SHOTS = [
    ("screenshot-home.png", "/", None),
    ("screenshot-profile.png", "/startups/ciclo-mobility/", None),
    ("screenshot-search.png", "/search/?q=solar",
     "document.documentElement.classList.contains('search-ready')"
     " && document.querySelectorAll('#search-results li').length > 0"),
]


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    # Polled from Python: Playwright's wait_for_function evaluates a string in the page, which
    # the site's Content-Security-Policy forbids.
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page never satisfied: {expression}")
        page.wait_for_timeout(25)


def take_screenshots(site: Path, output_dir: Path, browser=None,
                     chromium: str = CHROMIUM) -> list[Path]:
    """Shoot each page of SHOTS from the built ``site`` into ``output_dir``; returns the files.
    Uses ``browser`` (a Playwright Browser) when given, else launches Chromium for the job."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            own = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS,
                                             headless=True)
            try:
                return take_screenshots(site, output_dir, own)
            finally:
                own.close()
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with serve(site) as base:
        context = browser.new_context(viewport=VIEWPORT, color_scheme="light",
                                      reduced_motion="reduce", device_scale_factor=1)
        try:
            page = context.new_page()
            for file_name, path, ready in SHOTS:
                page.goto(base + path, wait_until="load")
                if ready:
                    wait_until(page, ready)
                page.evaluate("document.fonts.ready.then(() => true)")
                target = output_dir / file_name
                page.screenshot(path=str(target), animations="disabled", caret="hide")
                written.append(target)
        finally:
            context.close()
    return written
