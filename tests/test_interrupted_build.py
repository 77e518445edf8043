"""An interrupted build leaves the last good site intact: a real `invoke build` or `pelican`
process, stopped mid-write with Ctrl-C (SIGINT) or killed outright (SIGKILL), never touches
the previous output; Ctrl-C also cleans up its staging folder, and after a kill the next build
does. The build is slowed by a real plugin hooked to Pelican's content_written signal (a pause
after each page), so the signal always lands while pages are being written, however fast or
loaded the machine; the plugin marks when the first page is written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT, build, copy_content
from test_build import tree_hashes

SLOW_PLUGIN = """\
import os
import time
from pathlib import Path

from pelican import signals


def pause_after_each_page(path, context):
    Path(os.environ["FIRST_PAGE_WRITTEN"]).touch()
    time.sleep(0.2)


def register():
    signals.content_written.connect(pause_after_each_page)
"""


@pytest.fixture
def slow_settings(tmp_path) -> Path:
    plugins = tmp_path / "plugins" / "slow_writes"
    plugins.mkdir(parents=True)
    (plugins / "__init__.py").write_text(SLOW_PLUGIN, encoding="utf-8")
    settings = tmp_path / "slowconf.py"
    settings.write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pelicanconf import *  # noqa: F401,F403
        PLUGIN_PATHS = PLUGIN_PATHS + [{str(plugins.parent)!r}]
        PLUGINS = PLUGINS + ["slow_writes"]
        """), encoding="utf-8")
    return settings


COMMANDS = {
    "invoke-build": ["invoke", "build", "--content", "{content}", "--output", "{output}",
                     "--settings", "{settings}"],
    "pelican": ["pelican", "{content}", "-s", "{settings}", "-o", "{output}"],
}


def staging_folders(output: Path) -> list[Path]:
    return sorted(output.parent.glob(f".{output.name}.staging-*"))


@pytest.mark.parametrize("how, sent", [
    ("invoke-build", signal.SIGINT), ("pelican", signal.SIGINT), ("pelican", signal.SIGKILL),
], ids=["invoke-build-SIGINT", "pelican-SIGINT", "pelican-SIGKILL"])
def test_interrupted_build_keeps_the_last_good_site(tmp_path, slow_settings, how, sent):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    before, inode = tree_hashes(output), output.stat().st_ino
    marker = tmp_path / "first-page-written"
    args = [part.format(content=content, output=output, settings=slow_settings)
            for part in COMMANDS[how]]
    process = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT,
                               env=dict(os.environ, FIRST_PAGE_WRITTEN=str(marker)),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert marker.exists() and process.poll() is None, process.stdout.read().decode()
        staging = staging_folders(output)
        assert len(staging) == 1 and any(staging[0].rglob("*.html")), "not mid-write"
        process.send_signal(sent)
        printed, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert tree_hashes(output) == before, "an interrupted build changed the published output"
    assert output.stat().st_ino == inode
    if sent == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
        assert staging_folders(output) == staging  # nothing could clean up; the next build does
    else:
        assert staging_folders(output) == [], printed.decode()
        if how == "invoke-build":
            assert process.returncode != 0
        # (`pelican` itself reports Ctrl-C as a warning and exits 0.)

    build(content, output)
    assert os.listdir(output.parent) == ["output"]
    assert tree_hashes(output) == before
