"""Large builds share their slow loops with a forked second process: the results, and the site,
must be exactly what one process makes."""

from __future__ import annotations

import pytest
from conftest import build
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
