"""Large builds share their slow loops with a forked second process: the results, and the site,
must be exactly what one process makes."""

from __future__ import annotations

import pytest
import yaml
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


def wait_for(condition, seconds: float = 30) -> None:
    """Poll until ``condition()``: a forked process starts when the system lets it."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def lines_of(path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def test_a_head_start_gives_every_result_in_order_each_item_worked_once(tmp_path):
    """HeadStart: a forked process works from the front while this one does something else;
    when the results are wanted this process works from the back until the two meet."""
    import os
    import time

    log = tmp_path / "log"

    def work(n):
        with open(log, "a") as file:
            file.write(f"{n} {os.getpid()}\n")
        time.sleep(0.002)
        return n * n

    items = list(range(400))
    started = parallel.HeadStart(items, work, "squares")
    wait_for(lambda: any(pid != str(os.getpid()) for _, pid in lines_of(log)))  # it has begun
    assert started.results() == [n * n for n in items]
    lines = lines_of(log)
    assert sorted(int(n) for n, _ in lines) == items  # each once
    forked = [int(n) for n, pid in lines if pid != str(os.getpid())]
    here = [int(n) for n, pid in lines if pid == str(os.getpid())]
    assert forked and here  # both worked...
    assert max(forked) < min(here)  # ...the forked one from the front


def test_a_failure_in_a_head_start_is_raised_where_the_results_are_wanted(tmp_path, capfd):
    from directory.background import BackgroundFailed

    failed = tmp_path / "failed"

    def work(n):
        if n == 0:  # the front: the forked process's
            failed.touch()
            raise ValueError("broken item")
        return n

    started = parallel.HeadStart(list(range(50)), work, "the items")
    wait_for(failed.exists)
    with pytest.raises(BackgroundFailed, match="the items failed"):
        started.results()
    assert "broken item" in capfd.readouterr().err


two_cores = pytest.mark.skipif(parallel.workers() < 2, reason="a build forks on two cores only")


@two_cores
def test_descriptions_are_rendered_while_the_profiles_are_validated(
        sample_site, tmp_path, monkeypatch):
    """The second core is mostly idle while the profiles are validated, related and dated: the
    Markdown of the descriptions is begun then, by a forked process (markup.render_ahead)."""
    import os
    import time

    from directory import markup, pipeline

    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    log = tmp_path / "rendered"
    validated = tmp_path / "validated"
    render, validate = markup._render_markdown, pipeline.validate

    def logged_render(text):
        with open(log, "a") as file:
            file.write(f"{time.monotonic()} {os.getpid()} {len(text)}\n")
        return render(text)

    def slow_validate(*args, **kwargs):
        # a large site's validation: long enough for the forked process to render some
        wait_for(lambda: any(pid != str(os.getpid()) for _, pid, _ in lines_of(log)))
        validated.write_text(str(time.monotonic()))
        return validate(*args, **kwargs)

    monkeypatch.setattr(markup, "_render_markdown", logged_render)
    monkeypatch.setattr(markup, "_rendered", {})  # not yet rendered by this test process
    monkeypatch.setattr(markup, "_earlier", {})
    monkeypatch.setattr(pipeline, "validate", slow_validate)
    output = build(sample_site.content, tmp_path / "site" / "output",
                   CACHE_PATH=str(tmp_path / "cache"))
    assert tree_hashes(output) == tree_hashes(sample_site.output)
    renders = lines_of(log)
    descriptions = {yaml.safe_load(path.read_text(encoding="utf-8")).get("description", "")
                    for path in sample_site.content.rglob("*.yaml")}
    assert len(renders) == len(descriptions) > 10  # each rendered once
    before = [pid for at, pid, _ in renders if float(at) < float(validated.read_text())]
    assert before and set(before) != {str(os.getpid())}


@two_cores
def test_a_build_that_fails_validation_ends_its_head_start(tmp_path, monkeypatch):
    """The descriptions' Markdown is begun before validation: a build whose profiles fail it
    stops that job too, and the collector is as it was (collector.py)."""
    import gc

    from conftest import copy_content, write_profile

    from directory import background, markup
    from directory.problems import BuildFailed

    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    started = []

    class NotedHeadStart(parallel.HeadStart):
        def __init__(self, *args):
            super().__init__(*args)
            started.append(self)

    monkeypatch.setattr(parallel, "HeadStart", NotedHeadStart)
    monkeypatch.setattr(markup, "_rendered", {})  # not yet rendered by this test process
    monkeypatch.setattr(markup, "_earlier", {})
    content = copy_content(tmp_path / "content")
    write_profile(content, "startups", "unknown-key", """\
        name: Unknown Key
        summary: A profile with a key no schema knows.
        description: Valid *Markdown*, in a profile that fails validation.
        colour: blue
        """)
    before = gc.isenabled(), gc.get_freeze_count()
    with pytest.raises(BuildFailed):
        build(content, tmp_path / "output", CACHE_PATH=str(tmp_path / "cache"))
    assert started and all(head.job._done for head in started)
    assert not background._running
    assert (gc.isenabled(), gc.get_freeze_count()) == before
    assert not (tmp_path / "output").exists()
