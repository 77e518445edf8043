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
    time.sleep(0.2)  # this process's other work
    assert started.results() == [n * n for n in items]
    lines = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(n) for n, _ in lines) == items  # each once
    forked = [int(n) for n, pid in lines if pid != str(os.getpid())]
    here = [int(n) for n, pid in lines if pid == str(os.getpid())]
    assert forked and here  # both worked...
    assert max(forked) < min(here)  # ...the forked one from the front


def test_a_failure_in_a_head_start_is_raised_where_the_results_are_wanted(capfd):
    import time

    from directory.background import BackgroundFailed

    def work(n):
        if n == 0:  # the front: the forked process's
            raise ValueError("broken item")
        return n

    started = parallel.HeadStart(list(range(50)), work, "the items")
    time.sleep(0.2)  # the forked process has begun
    with pytest.raises(BackgroundFailed, match="the items failed"):
        started.results()
    assert "broken item" in capfd.readouterr().err


def test_descriptions_are_rendered_while_the_profiles_are_validated(
        sample_site, tmp_path, monkeypatch):
    """The second core is idle while one process validates and relates the profiles: the
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
        time.sleep(0.5)  # a large site's validation, on one core
        validated.write_text(str(time.monotonic()))
        return validate(*args, **kwargs)

    monkeypatch.setattr(markup, "_render_markdown", logged_render)
    monkeypatch.setattr(markup, "_rendered", {})  # not yet rendered by this test process
    monkeypatch.setattr(markup, "_earlier", {})
    monkeypatch.setattr(pipeline, "validate", slow_validate)
    output = build(sample_site.content, tmp_path / "site" / "output",
                   CACHE_PATH=str(tmp_path / "cache"))
    assert tree_hashes(output) == tree_hashes(sample_site.output)
    renders = [line.split() for line in log.read_text().splitlines()]
    descriptions = {yaml.safe_load(path.read_text(encoding="utf-8")).get("description", "")
                    for path in sample_site.content.rglob("*.yaml")}
    assert len(renders) == len(descriptions) > 10  # each rendered once
    before = [pid for at, pid, _ in renders if float(at) < float(validated.read_text())]
    assert before and set(before) != {str(os.getpid())}
