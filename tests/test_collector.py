"""Python's cycle collector during a build (collector.py): off from the build's first signal
to its last, and as it was afterwards."""

from __future__ import annotations

import gc

from conftest import build

from directory import collector
from directory.bench.synthetic import generate


def test_the_collector_does_not_run_during_a_build_and_is_as_it_was_after(tmp_path,
                                                                         monkeypatch):
    generate(tmp_path / "content", 300)  # enough objects for collections at any threshold
    collections: list[int] = []
    building = []  # between the build's first and last signal
    relax, restore = collector.relax, collector.restore
    monkeypatch.setattr(collector, "relax", lambda: building.append(True) or relax())
    monkeypatch.setattr(collector, "restore", lambda: building.clear() or restore())

    def noted(phase: str, info: dict) -> None:
        if phase == "start" and building:
            collections.append(info["generation"])

    before = gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()
    gc.collect()  # nothing of this test's own left for the build's time
    gc.callbacks.append(noted)
    try:
        build(tmp_path / "content", tmp_path / "output", CACHE_PATH=str(tmp_path / "cache"))
    finally:
        gc.callbacks.remove(noted)
    assert (tmp_path / "output" / "index.html").is_file() and not building
    assert collections == []
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before


def test_a_failed_build_leaves_the_collector_as_it_was(tmp_path):
    import pytest

    from directory.problems import BuildFailed

    content = tmp_path / "content" / "startups"
    content.mkdir(parents=True)
    (content / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    before = gc.isenabled(), gc.get_threshold()
    with pytest.raises(BuildFailed):
        build(tmp_path / "content", tmp_path / "output", CACHE_PATH=str(tmp_path / "cache"))
    assert (gc.isenabled(), gc.get_threshold()) == before
