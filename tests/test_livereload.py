"""`invoke livereload`: a real subprocess builds, serves on a free 127.0.0.1 port and rebuilds
when a profile, stylesheet or template changes; the served page (and an open Chromium tab, by
itself, under the site's Content-Security-Policy) shows the edit; a broken edit prints its
problems and the last good site stays served; the output folder never carries the preview's
reload script."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

SERVING = re.compile(r"Serving .* at (http://127\.0\.0\.1:\d+/)")
WAIT = 60  # seconds, at most, for any one step


class Preview:
    def __init__(self, content: Path, output: Path, root: Path = ROOT):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "livereload", "--content", str(content),
             "--output", str(output), "--port", "0"],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for_line(SERVING).group(1)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern: re.Pattern, after: int = 0) -> re.Match:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if match := pattern.search(line):
                    return match
            assert self.process.poll() is None, "\n".join(self.lines)
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern.pattern}:\n" + "\n".join(self.lines))

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return response.read().decode("utf-8")

    def wait_for_page(self, path: str, text: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            page = self.get(path)
            if text in page:
                return page
            time.sleep(0.1)
        raise AssertionError(f"{path} never showed {text!r}:\n" + "\n".join(self.lines))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def preview(content, tmp_path):
    running = Preview(content, tmp_path / "output")
    yield running
    running.stop()


def wait_for_text(page, selector: str, text: str) -> None:
    deadline = time.monotonic() + WAIT
    while text not in page.locator(selector).inner_text():
        assert time.monotonic() < deadline, f"{selector} never showed {text!r}"
        page.wait_for_timeout(100)


def test_an_edited_profile_is_rebuilt_served_and_reloaded(preview, content, tmp_path, page):
    profile = content / "mentors" / "jay-nath.yaml"
    assert "<h1>Jay Nath</h1>" in preview.get("mentors/jay-nath/")

    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(preview.url + "mentors/jay-nath/")
    assert page.locator("h1").inner_text() == "Jay Nath"
    page.wait_for_timeout(1200)  # the reload script has polled once: it knows this build

    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "name: Jay Nath", "name: Jay Nath Renamed", 1), encoding="utf-8")
    assert "<h1>Jay Nath Renamed</h1>" in preview.wait_for_page("mentors/jay-nath/",
                                                                "Jay Nath Renamed")
    wait_for_text(page, "h1", "Jay Nath Renamed")  # the open tab reloaded by itself
    assert problems == []  # no CSP violation, no script error

    # The reload script is the preview server's, never part of the built site.
    served = preview.get("mentors/jay-nath/")
    assert '<script src="/__livereload__/reload.js" defer></script>' in served
    written = (tmp_path / "output" / "mentors" / "jay-nath" / "index.html").read_text()
    assert "__livereload__" not in written and "Jay Nath Renamed" in written


def test_a_failed_rebuild_keeps_serving_the_last_good_site(preview, content):
    profile = content / "mentors" / "jay-nath.yaml"
    good = preview.get("mentors/jay-nath/")
    seen = len(preview.lines)
    profile.write_text("name: Jay Nath Broken\nsumary: misspelled\n", encoding="utf-8")
    preview.wait_for_line(re.compile(r"Rebuild failed .*still serving the last good site"), seen)
    problem = re.compile(r"jay-nath\.yaml:2:1: error: unknown key 'sumary'")
    assert any(problem.search(line) for line in preview.lines[seen:]), preview.lines
    assert preview.get("mentors/jay-nath/") == good

    seen = len(preview.lines)
    profile.write_text("name: Jay Nath Fixed\nsummary: Fixed.\n", encoding="utf-8")
    preview.wait_for_line(re.compile(r"Rebuilt \(build 2\)"), seen)
    assert "<h1>Jay Nath Fixed</h1>" in preview.get("mentors/jay-nath/")


def test_a_changed_stylesheet_or_template_is_rebuilt(tmp_path):
    """Theme files are watched too. The preview runs from a copy of the project, so editing
    its theme cannot disturb other tests."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("tasks.py", "pelicanconf.py"):
        shutil.copy2(ROOT / name, project / name)
    for name in ("theme", "plugins", "schemas", "content"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    running = Preview(project / "content", project / "output", root=project)
    try:
        stylesheet = project / "theme" / "static" / "css" / "style.css"
        stylesheet.write_text(stylesheet.read_text() + "\n.livereload-probe { color: red; }\n")
        running.wait_for_page("theme/css/style.css", ".livereload-probe")
        template = project / "theme" / "templates" / "profile.html"
        template.write_text(template.read_text().replace(
            "<h1>{{ page.profile.name }}</h1>", "<h1>{{ page.profile.name }} (probe)</h1>", 1))
        running.wait_for_page("mentors/jay-nath/", "<h1>Jay Nath (probe)</h1>")
    finally:
        running.stop()
