"""Large builds share their slow loops with a forked second process: the results, and the site,
must be exactly what one process makes."""

from __future__ import annotations

import pytest
from conftest import ROOT, build
from test_build import tree_hashes

from directory import parallel


def test_split_keeps_the_order_of_results(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    items = list(range(101))
    assert parallel.split(items, lambda n: n * n, results=True) == [n * n for n in items]


def test_a_failure_in_the_second_process_fails_the_build(monkeypatch, capfd):
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)

    def work(n):
        if n == 7:  # odd: the second process's half
            raise ValueError("broken item")
        return n

    with pytest.raises(RuntimeError, match="second rendering process failed"):
        parallel.split(list(range(10)), work, results=True)
    assert "broken item" in capfd.readouterr().err


def test_a_site_built_on_two_processes_is_the_same_site(sample_site, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)  # the sample site, split as a large one is
    output = build(sample_site.content, tmp_path / "site" / "output",
                   CACHE_PATH=str(tmp_path / "cache"))
    assert tree_hashes(output) == tree_hashes(sample_site.output)


def test_two_processes_share_out_every_item_exactly_once(tmp_path):
    import os

    from directory.background import Job, Shares

    shares = Shares(1000)

    def take(end: str) -> list[int]:
        taken = []
        while chunk := getattr(shares, end)(7):
            taken.extend(chunk)
        return taken

    job = Job(lambda: take("front"), "taking from the front")
    mine = take("back")
    theirs = job.result()
    assert sorted(mine + theirs) == list(range(1000))
    assert not set(mine) & set(theirs)
    assert os.getpid() != job.pid


def test_a_page_that_fails_in_either_process_fails_the_build_and_keeps_the_output(
        sample_site, tmp_path, monkeypatch, capfd):
    import shutil

    from jinja2 import UndefinedError

    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    output = tmp_path / "site" / "output"
    shutil.copytree(sample_site.output, output)
    before = tree_hashes(output)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    profile = theme / "templates" / "profile.html"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}{{ page.missing.attribute }}", 1), encoding="utf-8")
    with pytest.raises((UndefinedError, RuntimeError)):
        build(sample_site.content, output, CACHE_PATH=str(tmp_path / "cache"), THEME=str(theme))
    assert tree_hashes(output) == before
    assert not list(output.parent.glob(".output.staging-*"))
