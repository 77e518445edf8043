"""`invoke bench`: the stock-Pelican baseline is built from the same text, and the report has
a table per size with every figure, measured in the run. (No figure is judged: timings vary.)"""

from __future__ import annotations

import re

from conftest import CONTENT, run_module
from directory.bench.builds import PELICAN_SETTINGS, stock_pelican, write_articles
from directory.pipeline import read_directory


def test_the_baseline_is_stock_pelican_on_the_same_text(tmp_path):
    directory, _ = read_directory(CONTENT)
    assert write_articles(CONTENT, tmp_path / "articles") == len(directory.profiles)
    profile = next(p for p in directory.profiles if p.description)
    article = (tmp_path / "articles" / f"{profile.kind}s" / f"{profile.slug}.md").read_text()
    assert article.startswith(f"Title: {profile.name}\nDate: 2024-01-01 00:00\n")
    assert f"Summary: {' '.join(profile.summary.split())}\n" in article
    assert profile.description in article
    settings = tmp_path / "settings.py"
    settings.write_text(PELICAN_SETTINGS)
    measured = stock_pelican(tmp_path / "articles", tmp_path / "out", settings)
    pages = {path.stem for path in (tmp_path / "out").glob("*.html")}
    assert {f"{p.kind}-{p.slug}" for p in directory.profiles} <= pages
    # A single process: its PSS (its pages, shared ones in part) is at most its peak RSS.
    assert measured.max_rss > 20e6 and 0 < measured.tree_pss <= measured.max_rss * 1.05


def test_invoke_bench_prints_a_table_per_size_and_the_growth(tmp_path):
    result = run_module("invoke", "bench", "--sizes", "20,40", "--runs", "1", "--search-runs",
                        "1", "--workdir", str(tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.stdout
    tables = re.findall(r"^(\d+): (\d+) profiles, (\d+) cores", report, re.M)
    assert [(size, n) for size, n, _ in tables] == [("20", "20"), ("40", "40")]
    for row in ("full build: wall (median of 1)", "full build: each run",
                "full build: peak RSS, largest process", "full build: peak PSS, process tree",
                "full build: output", "search index time", "rebuild after editing one summary",
                "rebuild after adding one profile", "search: first results (median, cold)",
                "search: bytes before first results", "search: keystroke p50 / p95"):
        assert report.count(row) == 2, row
    assert re.search(r"stock Pelican\)\s+\d+\.\d\d$", report, re.M)  # ours / Pelican's time
    assert re.search(r"20 -> 40 profiles \(x2\): ours x\d+\.\d, stock Pelican x\d+\.\d", report)
    # Not a terminal: plain stage lines, no redrawing.
    assert "[40] stock Pelican, run 1 of 1" in result.stderr and "\r" not in result.stderr
    # Every size's full builds before any rebuild, and the largest size's rebuilds first: a
    # rebuild's recycled output unlinks files, which slows the files made in the next minutes
    # (builds.main says why).
    assert (result.stderr.index("[40] stock Pelican, run 1 of 1")
            < result.stderr.index("[40] incremental: first build")
            < result.stderr.index("[20] incremental: first build"))
    # What it deleted between measured runs was put aside, and deleted when it ended.
    assert not list(tmp_path.glob(".discarded-*")) and not list(tmp_path.glob("*/.discarded-*"))


def test_a_benchmark_deletes_nothing_between_measured_runs(tmp_path):
    """discard() puts a folder out of the way at once; its files are deleted only by
    empty_discarded(), when the benchmark ends (see discard's docstring for why)."""
    from directory.bench import discard, empty_discarded

    run = tmp_path / "builds-10" / "ours-1"
    (run / "startups" / "x").mkdir(parents=True)
    (run / "startups" / "x" / "index.html").write_text("page", encoding="utf-8")
    discard(run)
    assert not run.exists()
    [aside] = (tmp_path / "builds-10").glob(".discarded-ours-1-*")
    assert (aside / "startups" / "x" / "index.html").read_text(encoding="utf-8") == "page"
    discard(tmp_path / "builds-10")
    discard(tmp_path / "never-made")  # nothing to put aside
    empty_discarded(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_measured_run_starts_once_what_was_written_before_it_is_on_the_disk(monkeypatch):
    """run_measured syncs first: the writing back of earlier runs' files falls into no later
    run's time."""
    import os
    import subprocess
    import sys

    from directory.bench import builds

    events = []
    popen = subprocess.Popen
    monkeypatch.setattr(os, "sync", lambda: events.append("sync"))
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: events.append("run") or popen(*a, **k))
    measured = builds.run_measured([sys.executable, "-c", "pass"])
    assert events == ["sync", "run"] and measured.seconds > 0


def test_invoke_bench_measures_an_existing_directory_with_content(tmp_path):
    """`invoke bench --content DIR`: the same comparison on a directory of profiles of one's
    own, every profile of it built by us and by stock Pelican (as Markdown articles)."""
    import shutil

    content = tmp_path / "my-directory"
    shutil.copytree(CONTENT, content)
    directory, _ = read_directory(content)
    result = run_module("invoke", "bench", "--content", str(content), "--runs", "1",
                        "--no-search", "--workdir", str(tmp_path / "work"), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    count = len(directory.profiles)
    assert re.search(rf"^my-directory: {count} profiles, \d+ cores", result.stdout, re.M)
    assert re.search(r"^full build: wall \(median of 1\)\s+\d+\.\d\d s\s+\d+\.\d\d s "
                     r"\(stock Pelican\)", result.stdout, re.M)
    assert "rebuild after editing one summary" in result.stdout
    articles = tmp_path / "work" / "builds-my-directory" / "articles"
    assert len(list(articles.rglob("*.md"))) == count
    assert "[my-directory] generating" not in result.stderr  # no synthetic profiles made
    # the directory measured is left as it was: the rebuilds edit a copy
    assert read_directory(content)[0].profiles == directory.profiles


def test_invoke_bench_search_measures_an_existing_directory_with_content(tmp_path):
    """`invoke bench-search --content DIR`: our search against Pagefind's on that directory."""
    import shutil

    content = tmp_path / "my-directory"
    shutil.copytree(CONTENT, content)
    result = run_module("invoke", "bench-search", "--content", str(content), "--runs", "1",
                        "--workdir", str(tmp_path / "work"), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"^my-directory ours\s+\d", result.stdout, re.M)
    assert re.search(r"^my-directory pagefind\s+\d", result.stdout, re.M)
    assert re.search(r"^ratio ours/pagefind at my-directory: bytes \d\.\d\d, time \d\.\d\d",
                     result.stdout, re.M)
