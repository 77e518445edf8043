"""Shared fixtures for browser tests: headless Chromium and a local static server."""

import contextlib
import functools
import http.server
import threading

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, not a Playwright download) per session."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page in its own browser context."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    # ES modules are only loaded when served with a JavaScript MIME type.
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
    }

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def _serve(directory):
    handler = functools.partial(_StaticHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def serve_directory():
    """Call with a directory to serve it over http on a free 127.0.0.1 port;
    returns the base URL (no trailing slash).  Servers stop after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda directory: stack.enter_context(_serve(directory))
