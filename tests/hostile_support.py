"""Helpers shared by the hostile-input tests (test_hostile_input, test_sanitising, test_csp,
test_properties, test_xss_fuzz): copies of the sample content, the real `invoke build` CLI,
snapshots of folders, a browser watcher. Kept out of conftest.py on purpose."""

from __future__ import annotations

import hashlib
import html.parser
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

SETTINGS = ROOT / "pelicanconf.py"
CONTENT = ROOT / "content"


def copy_content(destination: Path) -> Path:
    """A copy of the repository's sample content at ``destination``; returns it."""
    shutil.copytree(CONTENT, destination, symlinks=True)
    return destination


def shown(path: Path, cwd: Path = ROOT) -> str:
    """A path as the CLI prints it (directory.problems.display_path), run from ``cwd``."""
    path = Path(path).parent.resolve() / Path(path).name  # the last part may be a link
    relative = os.path.relpath(path, cwd)
    return str(path) if relative.startswith("..") else relative


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 180) -> subprocess.CompletedProcess:
    """`python -m invoke ARGS` as a maintainer runs it."""
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def build_cli(content: Path, output: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return run_cli("build", "--content", str(content), "--output", str(output), cwd=cwd)


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder`` with its type and, for files, content hash, mode and
    modification time: equal snapshots mean the folder was not touched."""
    entries: dict[str, tuple] = {}
    folder = Path(folder)
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            status = path.lstat()
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                entries[key] = ("link", os.readlink(path))
            elif path.is_dir():
                entries[key] = ("dir",)
            else:
                entries[key] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(),
                                status.st_mode, status.st_mtime_ns)
    return entries


def contents(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` (bytes only)."""
    return {key: value[1] for key, value in snapshot(folder).items() if value[0] == "file"}


def leftovers(output: Path) -> list[str]:
    """Staging or previous-output folders a build left next to ``output``."""
    return sorted(path.name for path in Path(output).parent.iterdir()
                  if path.name.startswith(f".{Path(output).name}."))


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, stream
        assert not re.search(r"^\w*(Error|Exception): ", stream, re.MULTILINE), stream


def wait_until(page, expression: str, arg=None, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression from Python (the site's CSP forbids the eval that
    Playwright's wait_for_function needs)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(20)


class Elements(html.parser.HTMLParser):
    """Every start tag of an HTML document as (tag, attributes), and the text of script
    elements: enough to check what a browser would treat as markup."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self._script_text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script, self._script_text = attributes, []

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None

    def of(self, tag: str) -> list[dict]:
        return [attributes for name, attributes in self.tags if name == tag]


def html_files(output: Path) -> list[Path]:
    return sorted(Path(output).rglob("*.html"))
