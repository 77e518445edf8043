"""Shared fixtures for the test suite.

Each branch keeps its fixtures in its own clearly marked section so that the sections merge
without conflicts: keep new fixtures inside the section they belong to.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# ======================================================================================
# Site fixtures: sample content, profiles, builds and CLI runs (tests branch)
# ======================================================================================

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SETTINGS = ROOT / "pelicanconf.py"
KIND_FOLDERS = ("startups", "programs", "mentors")

if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))  # import directory.* exactly as Pelican loads it


def copy_content(destination: Path) -> Path:
    """A private copy of the repository's sample content at ``destination``."""
    shutil.copytree(CONTENT, destination)
    return destination


def write_profile(content: Path, folder: str, name: str, text: str) -> Path:
    """Write one profile file, content/<folder>/<name>, from YAML text.

    ``folder`` is startups, programs or mentors; ``name`` is a slug (".yaml" is added when
    missing) or any other file name a test needs. The text is dedented, so tests can write it
    as an indented triple-quoted string that starts right after a backslash: its first line
    is line 1 of the file.
    """
    file_name = name if "." in name else f"{name}.yaml"
    path = content / folder / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def profile_count(content: Path) -> int:
    return sum(len(list((content / folder).glob("*.yaml"))) for folder in KIND_FOLDERS)


TEST_PROCESS_CACHE = Path(tempfile.mkdtemp(prefix="directory-test-cache-"))
atexit.register(shutil.rmtree, TEST_PROCESS_CACHE, ignore_errors=True)


def build(content: Path, output: Path, settings: Path = SETTINGS, **overrides) -> Path:
    """Build the site in-process, exactly as `invoke build` does; returns the output folder.

    Its cache is this test process's own, not the repository's cache/: test workers build
    at the same time, and each build prunes the cache folders of other outputs."""
    from directory.building import build_site

    overrides.setdefault("CACHE_PATH", str(TEST_PROCESS_CACHE))
    build_site(settings, content=content, output=output, **overrides)
    return output


def run_module(*args: str, cwd: Path = ROOT, env: dict | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m <args>` (invoke, pelican...) with this interpreter, as CI would."""
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


@dataclass(frozen=True)
class Site:
    content: Path
    output: Path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A fresh copy of content/ that a test may break at will."""
    return copy_content(tmp_path / "content")


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Site:
    """The sample content built once per test process. Read it, never change it."""
    base = tmp_path_factory.mktemp("sample-site")
    content = copy_content(base / "content")
    return Site(content, build(content, base / "site" / "output"))

# ======================================================================================
# End of site fixtures
# ======================================================================================


# ======================================================================================
# Browser fixtures: Debian's headless Chromium and a local static server
# ======================================================================================

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


from directory.localserver import StaticHandler, serve  # noqa: E402,F401 (shared with invoke screenshots)


@pytest.fixture
def serve_directory():
    """Call with a directory to serve it over http on a free 127.0.0.1 port;
    returns the base URL (no trailing slash).  Servers stop after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda directory: stack.enter_context(serve(directory))
