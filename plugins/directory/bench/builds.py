"""`invoke bench`: our whole build against stock Pelican, Pagefind, incremental rebuilds and our
search, every figure measured in the same run on the same machine.

Per size (a synthetic directory of N profiles, or the directory given with --content):

- our full build, as `invoke build` runs it (validation, pages, search index), each run in a
  fresh process into a fresh output folder: wall time (median of RUNS), peak RSS, output size;
- baseline 1: stock Pelican (default theme, no plugins, its default settings) building the
  same profiles written as plain Markdown articles (title, a fixed date, the summary, the
  description as the text), also in a fresh process per run: our time as a ratio of it;
- baseline 2: Pagefind indexing our own output: index time and bytes; beside our index;
- incremental: `invoke build` again into the same output after editing one profile's summary,
  then after adding one profile (whatever the build reuses from the previous one, it shows);
  between measured runs, the detached recycler a build leaves (staging.py) is let finish,
  untimed, as it would be between a maintainer's edits;
- search: first results, bytes before them and keystroke latency in headless Chromium, ours
  against Pagefind's, by the bench-search machinery (__init__.py).

Every size's full builds are measured first, then the rebuilds (the largest size's first), then
search (main() says why).

Peak RSS comes from the kernel: a small launcher runs each build and reads its ru_maxrss
(RUSAGE_CHILDREN), the largest resident set of the build's process and of every child it
waited for (a build that forks workers reports its largest process); the memory of the whole
process tree is also sampled from /proc every 100 ms, as the sum of each process's
proportional set size (PSS: a page shared by two processes counts half in each), because a
forked process shares most of its pages with its parent and summed RSS would count those
twice.
Nothing here is asserted: figures are printed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..pipeline import read_directory
from ..staging import wait_for_recyclers

ROOT = Path(__file__).resolve().parents[3]

# Stock Pelican: its defaults, but for what a reproducible run needs (a time zone, no plugins
# found by namespace discovery, no cache left between runs).
PELICAN_SETTINGS = """\
SITENAME = "Stock Pelican baseline"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PLUGINS = []
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
"""
ARTICLE_DATE = "2024-01-01 00:00"


@dataclass
class Measured:
    """One process's run: wall seconds, peak RSS of its largest process and of its whole
    process tree (bytes)."""

    seconds: float
    max_rss: int
    tree_pss: int


# Runs the command and prints the largest resident set of it and its descendants, in KB.
# Through this small launcher because Linux counts a forked child's memory from its parent's:
# a build forked straight from the benchmark (Playwright and all) would report at least the
# benchmark's own size.
LAUNCHER = ("import resource, subprocess, sys; "
            "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


def run_measured(command: list[str], cwd: Path = ROOT) -> Measured:
    """Run ``command`` in a process of its own; its wall time and peak memory. Everything
    written before it is first sent to the disk (os.sync, untimed): the kernel writes dirty
    pages back some 30 s after they were made, and so wrote what the benchmark had just made
    (10,000 profiles and as many articles) and each run's output during later runs, of either
    tool. The first full build measured after making the synthetic profiles was the slowest
    of the three in every table (8.3 s against 5.3 and 4.9 s, once)."""
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", LAUNCHER, *command], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.stop()
    if process.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{stderr.decode()[-3000:]}")
    max_rss = int(stdout.split()[-1]) * 1024
    return Measured(seconds, max_rss, sampler.peak)


class TreeSampler(threading.Thread):
    """The summed PSS of a process and its descendants, sampled from /proc every 100 ms: this
    thread shares the machine with the build it measures (a scan of all of /proc every 20 ms
    took a good part of a core, and slowed a build that uses both), and a build's peak of
    memory lasts far longer than that."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.1):
            self.peak = max(self.peak, tree_pss(self.pid))

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def tree_pss(root: int) -> int:
    """Bytes: the proportional set sizes of ``root`` and its descendants, summed."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += pss(pid)
        pending += children(pid)
    return total


def children(pid: int) -> list[int]:
    """The processes ``pid`` started, from the kernel's per-thread lists (no scan of /proc)."""
    found: list[int] = []
    try:
        for thread in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{thread}/children", "rb") as listed:
                found += [int(child) for child in listed.read().split()]
    except OSError:  # gone already
        pass
    return found


def pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # gone already
        pass
    return 0


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and number of files under ``folder``."""
    files = [path for path in Path(folder).rglob("*") if path.is_file()]
    return sum(path.stat().st_size for path in files), len(files)


def forget_cache(output: Path) -> None:
    """No incremental cache for ``output`` (`invoke build` keeps one per output folder, under
    cache/): a full build run is a first build, even when an earlier `invoke bench` built the
    same profiles into the same folder."""
    from ..incremental import cache_folder

    shutil.rmtree(cache_folder(ROOT / "cache", Path(output).resolve()), ignore_errors=True)


def our_build(content: Path, output: Path) -> Measured:
    """`invoke build` in a process of its own, as a maintainer runs it. The build returns once
    its output is published; the detached recycler it may leave (staging.py: emptying the
    output it replaced, or copying a first build's folders as a spare) is let finish, untimed,
    before anything else is measured, so that its work falls into no other run's time (stock
    Pelican's, or the next rebuild's, which would wait for it)."""
    measured = run_measured([sys.executable, "-m", "invoke", "build", "--content", str(content),
                             "--output", str(output)])
    wait_for_recyclers(Path(output).resolve())
    return measured


def write_articles(content: Path, folder: Path) -> int:
    """The profiles of ``content`` as plain Markdown articles for stock Pelican: one per
    profile, in a folder per type (Pelican makes each a category), with the same name, summary
    and description. Returns how many."""
    directory, problems = read_directory(Path(content))
    if problems:
        raise ValueError(f"{content}: {len(problems)} problems; run invoke validate")
    for profile in directory.profiles:
        path = Path(folder) / f"{profile.kind}s" / f"{profile.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Metadata values are single lines; the summary is plain text already.
        summary = " ".join(profile.summary.split())
        path.write_text(f"Title: {' '.join(profile.name.split())}\nDate: {ARTICLE_DATE}\n"
                        f"Slug: {profile.kind}-{profile.slug}\nSummary: {summary}\n\n"
                        f"{summary}\n\n{profile.description}\n", encoding="utf-8")
    return len(directory.profiles)


def stock_pelican(articles: Path, output: Path, settings: Path) -> Measured:
    return run_measured([sys.executable, "-m", "pelican", str(articles), "-s", str(settings),
                         "-o", str(output), "-q"], cwd=settings.parent)


def edit_one_summary(content: Path) -> Path:
    """Change one profile's summary (the first startup's, in file order); returns its file."""
    path = sorted((Path(content) / "startups").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["summary"] = ("Edited for the incremental benchmark: " + data["summary"])[:280]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def add_one_profile(content: Path, number: int = 1) -> Path:
    """Add a startup (the ``number``th added, so that each has its own name and file)."""
    suffix = "" if number == 1 else f"-{number}"
    path = Path(content) / "startups" / f"incremental-benchmark-addition{suffix}.yaml"
    path.write_text(textwrap.dedent(f"""\
        name: Incremental Benchmark Addition{suffix.replace("-", " ")}
        summary: A profile added between two builds, to time the rebuild that follows.
        city: Los Angeles
        sectors: [Open Data]
        """), encoding="utf-8")
    return path


@dataclass
class BuildFigures:
    label: str
    profiles: int
    ours: list[Measured] = field(default_factory=list)
    pelican: list[Measured] = field(default_factory=list)
    output: tuple[int, int] = (0, 0)
    pelican_output: tuple[int, int] = (0, 0)
    pagefind_seconds: float = 0.0
    pagefind_index: tuple[int, int] = (0, 0)
    our_index: tuple[int, int] = (0, 0)
    edits: list[Measured] = field(default_factory=list)  # rebuilds, each after one edit
    additions: list[Measured] = field(default_factory=list)  # each after one more profile

    @property
    def our_seconds(self) -> float:
        return statistics.median(m.seconds for m in self.ours)

    @property
    def pelican_seconds(self) -> float:
        return statistics.median(m.seconds for m in self.pelican)


def measure_builds(label, content: Path, work: Path, runs: int,
                   progress) -> tuple[BuildFigures, Path]:
    """The full builds' figures for one directory, and Pagefind's; returns them and the site
    our last full build made (the search benchmark then serves it)."""
    from . import discard, pagefind_index

    work = Path(work)
    discard(work)
    work.mkdir(parents=True)
    profiles = write_articles(content, work / "articles")
    figures = BuildFigures(label, profiles)
    settings = work / "pelican-settings.py"
    settings.write_text(PELICAN_SETTINGS, encoding="utf-8")
    for run in range(1, runs + 1):
        # Alternated, so that a change in the machine's load affects both alike. A fresh
        # output folder each time: nothing is reused from an earlier build.
        progress.stage(f"[{label}] our full build, run {run} of {runs}")
        forget_cache(work / f"ours-{run}")
        figures.ours.append(our_build(content, work / f"ours-{run}"))
        progress.stage(f"[{label}] stock Pelican, run {run} of {runs}")
        figures.pelican.append(stock_pelican(work / "articles", work / f"pelican-{run}", settings))
    site = work / f"ours-{runs}"
    figures.output = folder_size(site)
    figures.pelican_output = folder_size(work / f"pelican-{runs}")
    figures.our_index = folder_size(site / "search")
    progress.stage(f"[{label}] Pagefind indexing our output")
    figures.pagefind_seconds = pagefind_index(site)
    figures.pagefind_index = folder_size(site / "pagefind")
    for run in range(1, runs):  # the last full build's site is kept for the search benchmark
        discard(work / f"ours-{run}")  # deleted when the benchmark ends
        discard(work / f"pelican-{run}")
    return figures, site


REBUILDS = 3  # rebuilds of each kind; their median is printed


def measure_incremental(label, content: Path, work: Path, figures: BuildFigures,
                        progress) -> None:
    """A copy of the content, edited, rebuilt into the output of a first build: REBUILDS
    times after editing one summary, then REBUILDS times after adding one profile."""
    edited = work / "content"
    shutil.copytree(content, edited)
    progress.stage(f"[{label}] incremental: first build")
    forget_cache(work / "incremental")
    our_build(edited, work / "incremental")
    for run in range(1, REBUILDS + 1):
        edit_one_summary(edited)
        progress.stage(f"[{label}] incremental: after editing one summary, {run} of {REBUILDS}")
        figures.edits.append(our_build(edited, work / "incremental"))
    for run in range(1, REBUILDS + 1):
        add_one_profile(edited, run)
        progress.stage(f"[{label}] incremental: after adding one profile, {run} of {REBUILDS}")
        figures.additions.append(our_build(edited, work / "incremental"))


def mb(value: float) -> str:
    return f"{value / 1e6:.1f} MB"


def build_table(figures: BuildFigures, search_results=None, cores: int | None = None) -> str:
    """One size's table: the figures above, and the search's beside Pagefind's."""
    f = figures
    cores = cores or os.cpu_count()
    ours_rss = max(m.max_rss for m in f.ours)
    ours_tree = max(m.tree_pss for m in f.ours)
    pelican_rss = max(m.max_rss for m in f.pelican)
    runs = len(f.ours)
    rows = [
        ("", "ours", "baseline", "ratio"),
        (f"full build: wall (median of {runs})", f"{f.our_seconds:.2f} s",
         f"{f.pelican_seconds:.2f} s (stock Pelican)", f"{f.our_seconds / f.pelican_seconds:.2f}"),
        # Every run, in the order they alternated: how far apart the runs are (this is the
        # spread a median hides) and whether a ratio holds run by run.
        ("full build: each run", ", ".join(f"{m.seconds:.2f}" for m in f.ours) + " s",
         ", ".join(f"{m.seconds:.2f}" for m in f.pelican) + " s",
         ", ".join(f"{a.seconds / b.seconds:.2f}" for a, b in zip(f.ours, f.pelican))),
        ("full build: peak RSS, largest process", mb(ours_rss), mb(pelican_rss),
         f"{ours_rss / pelican_rss:.2f}"),
        ("full build: peak PSS, process tree", mb(ours_tree),
         mb(max(m.tree_pss for m in f.pelican)), ""),
        ("full build: output", f"{mb(f.output[0])}, {f.output[1]} files",
         f"{mb(f.pelican_output[0])}, {f.pelican_output[1]} files", ""),
        ("search index on disk", f"{mb(f.our_index[0])}, {f.our_index[1]} files",
         f"{mb(f.pagefind_index[0])}, {f.pagefind_index[1]} files (Pagefind)",
         f"{f.our_index[0] / max(f.pagefind_index[0], 1):.2f}"),
        ("search index time", "in the build", f"{f.pagefind_seconds:.2f} s (Pagefind)", ""),
    ]
    if f.edits:
        rows += [(f"rebuild after editing one summary (median of {len(f.edits)})",
                  f"{statistics.median(m.seconds for m in f.edits):.2f} s", "", ""),
                 (f"rebuild after adding one profile (median of {len(f.additions)})",
                  f"{statistics.median(m.seconds for m in f.additions):.2f} s", "", "")]
    if search_results:
        by_tool = {r.tool: r for r in search_results}
        ours, pagefind = by_tool["ours"], by_tool["pagefind"]
        rows += [
            ("search: first results (median, cold)", f"{ours.ms:.0f} ms", f"{pagefind.ms:.0f} ms (Pagefind)",
             f"{ours.ms / pagefind.ms:.2f}"),
            ("search: bytes before first results", f"{ours.bytes / 1000:.1f} KB",
             f"{pagefind.bytes / 1000:.1f} KB (Pagefind)", f"{ours.bytes / pagefind.bytes:.2f}"),
        ]
        if "ours-api" in by_tool:
            api = by_tool["ours-api"]
            rows.append(("search: first results via the API", f"{api.ms:.0f} ms",
                         f"{pagefind.ms:.0f} ms (Pagefind)", f"{api.ms / pagefind.ms:.2f}"))
        if ours.warm_keys:
            from . import percentile

            rows.append(("search: keystroke p50 / p95", f"{percentile(ours.warm_keys, .5):.2f} / "
                         f"{percentile(ours.warm_keys, .95):.2f} ms", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"{f.label}: {f.profiles} profiles, {cores} cores, load average "
             f"{os.getloadavg()[0]:.1f}"]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
              for row in rows]
    return "\n".join(lines)


def growth(all_figures: list[BuildFigures]) -> str:
    """How build time grows with size: each size's time over the smallest's, against the
    ratio of their sizes (linear growth gives the same ratio)."""
    if len(all_figures) < 2:
        return ""
    first = all_figures[0]
    lines = ["Growth (time at N / time at the smallest N; linear = the size ratio):"]
    for f in all_figures[1:]:
        lines.append(f"  {first.profiles} -> {f.profiles} profiles (x{f.profiles / first.profiles:.0f}): "
                     f"ours x{f.our_seconds / first.our_seconds:.1f}, "
                     f"stock Pelican x{f.pelican_seconds / first.pelican_seconds:.1f}")
    return "\n".join(lines)


def main(sizes: list[int], runs: int = 3, search_runs: int = 5,
         workdir: Path = ROOT / "bench-out", content: Path | None = None,
         search: bool = True, incremental: bool = True, progress=None) -> str:
    """The whole `invoke bench`; returns the report: one table per size (or for ``content``),
    then how build time grows with size."""
    from contextlib import ExitStack

    from . import (add_blank_pages, empty_discarded, first_query, launch, measure,
                   synthetic_content)
    from .progress import Progress

    progress = progress or Progress()
    workdir = Path(workdir)
    tables, all_figures = [], []
    with ExitStack() as stack:
        browser = None
        if search:
            from playwright.sync_api import sync_playwright

            playwright = stack.enter_context(sync_playwright())
            browser = launch(playwright)
            stack.callback(browser.close)
        # Every size's full builds first, then the rebuilds, largest size first, then search.
        # A rebuild replaces its output, and the output it replaced is emptied to be recycled
        # (staging.py): thousands of files unlinked, and on ext4 without a journal the files
        # made in the next minutes are slow (staging.py says why). A full build measured after
        # the smaller size's rebuilds measured the file system recovering from them. The
        # largest size's rebuilds follow its full builds, which unlink nothing; a smaller
        # size's follow the larger's and carry that slowness. Search in Chromium makes no files.
        measured = []
        for size in [None] if content is not None else sizes:
            if content is None:
                progress.stage(f"[{size}] generating {size} profiles")
                source, label = synthetic_content(size, workdir, progress), size
            else:
                source, label = Path(content), Path(content).name
            figures, site = measure_builds(label, source, workdir / f"builds-{label}", runs,
                                           progress)
            measured.append((label, source, figures, site))
        if incremental:
            for label, source, figures, _ in reversed(measured):
                measure_incremental(label, source, workdir / f"builds-{label}", figures,
                                    progress)
        for label, source, figures, site in measured:
            results = None
            if search:
                progress.stage(f"[{label}] search: {search_runs} cold runs per tool in Chromium")
                add_blank_pages(site)
                results = measure(label, search_runs, workdir, browser,
                                  prepared=(site, first_query(source)))
            progress.close()
            tables.append(build_table(figures, results))
            progress.note(tables[-1])  # each size's table as soon as it is measured
            all_figures.append(figures)
        stack.callback(empty_discarded, workdir)  # what discard() put aside, at the end
    return "\n\n".join(tables + [growth(all_figures)]).rstrip() + "\n"
