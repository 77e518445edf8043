"""linking.py: the second process that links unchanged pages into the staging folder."""

from __future__ import annotations

import os

import pytest

from directory import linking
from directory.linking import BackgroundLinks


def pages(folder, count):
    folder.mkdir()
    made = []
    for number in range(count):
        (folder / f"p{number}").mkdir()
        (folder / f"p{number}" / "index.html").write_text(f"page {number}")
        made.append(f"p{number}/index.html")
    return made


def test_the_worker_links_every_page_into_new_folders(tmp_path, monkeypatch):
    monkeypatch.setattr(linking, "MIN_BACKGROUND", 1)
    names = pages(tmp_path / "old", 30)
    links = BackgroundLinks()
    for name in names:
        links.add(str(tmp_path / "old" / name), str(tmp_path / "new" / "deep" / name))
    links.start()
    assert links._process is not None  # in the second process
    links.finish()
    for name in names:
        assert os.path.samefile(tmp_path / "old" / name, tmp_path / "new" / "deep" / name)


def test_a_page_that_cannot_be_linked_fails_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(linking, "MIN_BACKGROUND", 1)
    names = pages(tmp_path / "old", 3)
    links = BackgroundLinks()
    for name in names + ["gone/index.html"]:
        links.add(str(tmp_path / "old" / name), str(tmp_path / "new" / name))
    links.start()
    with pytest.raises(RuntimeError, match="could not link"):
        links.finish()


def test_abandoning_stops_the_worker(tmp_path, monkeypatch):
    monkeypatch.setattr(linking, "MIN_BACKGROUND", 1)
    names = pages(tmp_path / "old", 5)
    links = BackgroundLinks()
    for name in names:
        links.add(str(tmp_path / "old" / name), str(tmp_path / "new" / name))
    links.start()
    process = links._process
    links.abandon()
    assert process.poll() is not None
    links.finish()  # nothing left to wait for
