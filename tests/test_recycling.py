"""Recycled output folders (staging.py): a replaced output is emptied of its files by a
detached recycler and kept beside the output as a spare, whose bare folders become the next
build's staging folder. What is published is still exactly what a build into an empty folder
writes, the live output is never written through, and a recycler that dies or a spare that is
not what it should be costs speed, never correctness."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest
from conftest import SETTINGS, build, copy_content, write_profile
from test_build import tree_hashes

from directory import staging
from directory.building import build_site
from directory.problems import BuildFailed


@pytest.fixture(autouse=True)
def recycle_small_outputs(monkeypatch):
    """The sample site's output is recycled as a large one is."""
    monkeypatch.setattr(staging, "RECYCLE_ENTRIES", 1)


def beside(output: Path, prefix: str) -> list[Path]:
    return sorted(output.parent.glob(f".{output.name}{prefix}*"))


def spare_after_the_recycler(output: Path) -> Path:
    staging.wait_for_recyclers(output)
    spares = beside(output, staging.SPARE_PREFIX)
    assert len(spares) == 1, sorted(path.name for path in output.parent.iterdir())
    return spares[0]


def files_under(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if not path.is_dir())


def folders_under(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_dir()}


def test_a_replaced_output_becomes_a_spare_of_bare_folders(tmp_path):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    old_folders = folders_under(output)
    build(content, output)
    spare = spare_after_the_recycler(output)
    # Nothing but the list of its folders: no file of it can be a link to the live output.
    assert files_under(spare) == [staging.SPARE_FOLDERS]
    listed = (spare / staging.SPARE_FOLDERS).read_text(encoding="utf-8").splitlines()
    assert set(listed) == old_folders == folders_under(spare)
    assert beside(output, staging.RECYCLING_PREFIX) == []


def test_the_next_build_starts_from_the_spare_and_publishes_what_a_fresh_build_does(tmp_path):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    build(content, output)
    spare = spare_after_the_recycler(output)
    folder_inode = (spare / "startups" / "pick-my-solar").stat().st_ino
    # A deleted profile: its folder in the spare must not reach the new output.
    (content / "startups" / "pick-my-solar.yaml").unlink()
    write_profile(content, "startups", "newcomer", """\
        name: Newcomer Mobility
        summary: A profile added between two builds.
        city: Los Angeles
        sectors: [Transportation]
        """)
    build(content, output)
    assert not (output / "startups" / "pick-my-solar").exists()
    assert (output / "startups" / "newcomer" / "index.html").is_file()
    assert folder_inode not in {path.stat().st_ino for path in output.rglob("*")
                                if path.is_dir()}
    fresh = build(content, tmp_path / "fresh" / "output")
    assert tree_hashes(output) == tree_hashes(fresh)  # folders too: no empty leftovers


def test_the_staging_folder_reuses_the_spares_folders(tmp_path):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    build(content, output)
    spare = spare_after_the_recycler(output)
    inodes = {relative: (spare / relative).stat().st_ino for relative in folders_under(spare)}
    build(content, output)
    after = {relative: (output / relative).stat().st_ino for relative in folders_under(output)}
    assert after == inodes
    assert (output / "index.html").is_file()


def test_a_failed_build_recycles_the_spare_it_took_and_keeps_the_output(tmp_path):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    build(content, output)
    spare_after_the_recycler(output)
    before = tree_hashes(output)
    write_profile(content, "startups", "broken", "name: [unclosed\n")
    with pytest.raises(BuildFailed):
        build_site(SETTINGS, content=content, output=output)
    assert tree_hashes(output) == before
    spare = spare_after_the_recycler(output)  # the taken spare, back again
    assert files_under(spare) == [staging.SPARE_FOLDERS]
    assert beside(output, staging.STAGING_PREFIX) == []


def stale_folder_beside(output: Path, prefix: str, name: str) -> Path:
    """A folder named as the recycler names its own, holding a stale page."""
    folder = output.parent / f".{output.name}{prefix}{name}"
    (folder / "startups" / "stale").mkdir(parents=True)
    (folder / "startups" / "stale" / "index.html").write_text("stale", encoding="utf-8")
    return folder


def test_a_recycler_that_died_leaves_a_folder_the_next_build_removes(tmp_path):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    # What a recycler killed half-way leaves: a recycling folder, files still in it, unlocked.
    dead = stale_folder_beside(output, staging.RECYCLING_PREFIX, "dead")
    build(content, output)
    assert not dead.exists()
    fresh = build(content, tmp_path / "fresh" / "output")
    assert tree_hashes(output) == tree_hashes(fresh)


def test_a_build_waits_for_a_recycler_at_work_and_leaves_its_folder_alone(tmp_path, monkeypatch):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    busy = output.parent / f".{output.name}{staging.RECYCLING_PREFIX}busy"
    busy.mkdir()
    lock = os.open(busy, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(lock, fcntl.LOCK_EX)  # as a recycler at work holds it
    monkeypatch.setattr(staging, "RECYCLER_WAIT", 0.3)
    try:
        started = time.monotonic()
        build(content, output)
        assert time.monotonic() - started >= 0.3  # it waited for the recycler
        assert busy.exists()  # and did not take a folder still being emptied
    finally:
        os.close(lock)
    build(content, output)  # the lock is free: a recycler that died; its folder goes
    assert not busy.exists()


def test_a_spare_without_its_folder_list_is_not_used(tmp_path):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    stale_folder_beside(output, staging.SPARE_PREFIX, "odd")  # no list of its folders
    build(content, output)
    assert not (output / "startups" / "stale").exists()
    fresh = build(content, tmp_path / "fresh" / "output")
    assert tree_hashes(output) == tree_hashes(fresh)


def test_a_first_build_leaves_a_spare_of_its_folders(tmp_path):
    """No output was replaced, so none can be recycled: the spare is made of the new output's
    folders instead, for the rebuild that usually follows a first build."""
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    spare = spare_after_the_recycler(output)
    assert files_under(spare) == [staging.SPARE_FOLDERS]
    assert folders_under(spare) == folders_under(output)
    assert set((spare / staging.SPARE_FOLDERS).read_text(encoding="utf-8").splitlines()) == \
        folders_under(output)
    inodes = {relative: (spare / relative).stat().st_ino for relative in folders_under(spare)}
    build(content, output)
    assert {relative: (output / relative).stat().st_ino
            for relative in folders_under(output)} == inodes
