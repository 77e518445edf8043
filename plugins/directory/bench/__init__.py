"""`invoke bench-search`: our search against Pagefind on the same synthetic site, side by side.

For each size: generate N profiles (synthetic.py), build the site with the project's own build,
index the same built profile pages with Pagefind, serve the result gzipped like a static host
(server.py), and measure in headless Chromium, each cold run in a fresh browser context:

- index bytes and files on disk: ours = output/search/ but its page (index + runtime JS);
  Pagefind = output/pagefind/;
- first query, ours: open /search/?q=WORD; time from navigation start until #search-results has
  its first <li>; bytes of every response but the HTML page, the CSS and the favicon (runtime JS,
  manifest, facets, term shards, document chunks);
- first query, Pagefind: a blank page runs import('/pagefind/pagefind.js'), search(WORD) and
  data() of the first 10 results; time from navigation start until they resolve; bytes of every
  response but the blank page (pagefind.js, its worker and WebAssembly, entry, meta, index
  chunks, fragments);
- first query, ours-api: the same blank page and protocol as Pagefind's, through our engine's
  API (SearchEngine.open, search, describe the first 10): like for like with Pagefind, and it
  shows how much of our time is the search page's own;
- ours only: 100 as-you-type queries through the engine, first with cold shards, then warm.

Bytes are what the server wrote for each response (status line, headers and gzipped body),
counted the same way for both tools; see server.py for why at the server.
Nothing is asserted: numbers are printed, medians of RUNS cold runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .server import serve
from .synthetic import generate

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic",
                 # Chromium 156 loads its omnibox pop-up pages (some 60 WebUI modules) in the
                 # background of every new context, even headless: on 2 cores that work
                 # competes with the page being measured.
                 "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"]
QUERY_RANK = 50  # the first query is the 50th most common content word
TYPED = ["community solar permits", "neighborhood saftey", "transit data dashboard",
         "affordable housing", "water conservation pilot"]  # typed character by character
KEYSTROKES = 100
# Pagefind indexes what our index holds: the profile pages' <main>, not their lists of related
# profiles (which repeat other profiles' names and summaries).
PAGEFIND_ARGS = ["--root-selector", "main", "--exclude-selectors", ".related",
                 "--glob", "{startups,programs,mentors}/*/index.html"]

# What a measured page logs to the console once done (see cold_run).
DONE = "bench:done"

# Ours: the moment the first result is in the list.
FIRST_RESULT_WATCH = """(() => {
  const DONE = "%s";
  const seen = () => {
    if (window.__benchDone === undefined && document.querySelector('#search-results li')) {
      window.__benchDone = performance.now();
      console.debug(DONE);
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
})();""" % DONE

# A blank page that runs one first query through a search library's API, as Pagefind's docs
# show, and notes when the data of the first 10 results is there.
BLANK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>First query</title></head>
<body><script type="module">
const DONE = "%(done)s";
const q = new URLSearchParams(location.search).get("q");
try {
%(api)s
  window.__benchDone = performance.now();
} catch (error) {
  window.__benchError = String(error);
}
console.debug(DONE);
</script></body></html>
"""
PAGEFIND_API = """\
  const pagefind = await import("/pagefind/pagefind.js");
  const search = await pagefind.search(q);
  await Promise.all(search.results.slice(0, 10).map((result) => result.data()));
  window.__benchHits = search.results.length;"""
OURS_API = """\
  const { SearchEngine } = await import("/search/engine.js");
  const engine = await SearchEngine.open(new URL("/search/index/", location.href));
  const outcome = await engine.search(q, { types: new Set(), sectors: new Set(), cities: new Set() });
  await engine.describe(outcome.hits.slice(0, 10).map((hit) => hit.doc));
  window.__benchHits = outcome.hits.length;"""

KEYSTROKE_SCRIPT = """async (queries) => {
  const { SearchEngine } = await import('/search/engine.js');
  const engine = await SearchEngine.open(new URL('/search/index/', location.href));
  const none = () => ({ types: new Set(), sectors: new Set(), cities: new Set() });
  const pass = async () => {
    const times = [];
    for (const text of queries) {
      const start = performance.now();
      await engine.search(text, none(), { counts: true }); // as the page does once facets are in
      times.push(performance.now() - start);
    }
    return times;
  };
  const cold = await pass();  // fetches each shard as typing first needs it
  const warm = await pass();  // every shard already loaded
  return { cold, warm };
}"""


def keystrokes() -> list[str]:
    typed = [phrase[:end] for phrase in TYPED for end in range(1, len(phrase) + 1)]
    return typed[:KEYSTROKES]


@dataclass
class Run:
    ms: float
    bytes: int
    hits: int
    files: list[tuple[str, int, int]]  # (path, body bytes, header bytes)
    timeline: list[tuple[str, float, float]]  # main-thread Resource Timing: (path, start, end)


@dataclass
class Result:
    size: int
    tool: str
    query: str
    disk_bytes: int
    disk_files: int
    runs: list[Run] = field(default_factory=list)
    cold_keys: list[float] = field(default_factory=list)
    warm_keys: list[float] = field(default_factory=list)

    @property
    def ms(self) -> float:
        return statistics.median(run.ms for run in self.runs)

    @property
    def bytes(self) -> float:
        return statistics.median(run.bytes for run in self.runs)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def disk_usage(folder: Path, skip: set[str] = frozenset()) -> tuple[int, int]:
    files = [path for path in folder.rglob("*")
             if path.is_file() and path.relative_to(folder).as_posix() not in skip]
    return sum(p.stat().st_size for p in files), len(files)


def common_words(content: Path) -> list[str]:
    """The content words of a directory's profiles (4+ letters, stop words dropped) by how many
    profiles use them, most first: the benchmark's first query is one of them."""
    from collections import Counter

    from directory.pipeline import read_directory
    from directory.search.analyzer import keep, words

    directory, problems = read_directory(Path(content))
    if problems:
        raise ValueError(f"{content}: {len(problems)} problems; run invoke validate")
    frequency: Counter = Counter()
    for profile in directory.profiles:
        text = " ".join((profile.name, profile.summary, profile.description))
        frequency.update({w for w in words(text) if keep(w) and len(w) >= 4})
    return sorted(frequency, key=lambda w: (-frequency[w], w))


def first_query(content: Path) -> str:
    ranked = common_words(content)
    return ranked[min(QUERY_RANK, len(ranked)) - 1]


DISCARDED = ".discarded-"


def discard(path: Path) -> None:
    """Put ``path`` out of the way now and delete it when the benchmark ends (empty_discarded).
    On ext4 without a journal (this project's machines) the inodes of a deleted tree are
    skipped, each read, whenever a new file is made in the next minutes: deleting the
    previous run's 100,000 files slowed every build measured after it, ours (27,000 files at
    10,000 profiles) more than stock Pelican's (10,000)."""
    path = Path(path)
    if path.exists():
        path.rename(path.with_name(f"{DISCARDED}{path.name}-{os.urandom(6).hex()}"))


def empty_discarded(workdir: Path) -> None:
    """Delete what discard() put aside in ``workdir`` and its folders (and what a run that was
    stopped left there)."""
    workdir = Path(workdir)
    for path in [*workdir.glob(f"{DISCARDED}*"), *workdir.glob(f"*/{DISCARDED}*")]:
        shutil.rmtree(path, ignore_errors=True)


def synthetic_content(size: int, workdir: Path, progress=None) -> Path:
    """A fresh synthetic directory of ``size`` profiles under workdir/<size>/content."""
    base = Path(workdir) / str(size)
    discard(base)
    started = time.perf_counter()
    synthetic = generate(base / "content", size,
                         progress=progress.update if progress is not None else None)
    log(f"[{size}] generated {synthetic.counts} in {time.perf_counter() - started:.1f}s")
    return base / "content"


def build_quietly(content: Path, site: Path) -> None:
    from directory.building import build_site

    # Pelican prints "Done: ..." on stdout; stdout is kept for the report.
    with contextlib.redirect_stdout(sys.stderr):
        build_site(ROOT / "pelicanconf.py", content=content, output=site)


def pagefind_index(site: Path) -> float:
    """Index the built profile pages with Pagefind into site/pagefind/; returns the seconds."""
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    os.sync()  # what was written before is on the disk first, untimed (builds.run_measured)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir",
                    "pagefind", "--silent", *PAGEFIND_ARGS], check=True)
    return time.perf_counter() - started


def add_blank_pages(site: Path) -> None:
    """The pages that call each library's API (after indexing: Pagefind must not see them)."""
    (site / "bench").mkdir(exist_ok=True)
    (site / "bench" / "pagefind.html").write_text(BLANK_PAGE % {"done": DONE, "api": PAGEFIND_API}, encoding="utf-8")
    (site / "bench" / "ours.html").write_text(BLANK_PAGE % {"done": DONE, "api": OURS_API}, encoding="utf-8")


def prepare_site(label, content: Path, site: Path) -> tuple[Path, str]:
    """Build ``content`` into ``site`` and index it with Pagefind; returns it and the first
    query."""
    started = time.perf_counter()
    build_quietly(content, site)
    log(f"[{label}] built in {time.perf_counter() - started:.1f}s")
    log(f"[{label}] Pagefind indexed in {pagefind_index(site):.1f}s")
    add_blank_pages(site)
    return site, first_query(content)


def prepare(size: int, workdir: Path) -> tuple[Path, str]:
    """Generate, build and index a site of ``size`` profiles; returns it and the first query."""
    content = synthetic_content(size, workdir)
    return prepare_site(size, content, content.parent / "site")


def cold_run(browser, server, url: str, counted, init_script: str | None = None,
             after=None) -> tuple[Run, object]:
    """Open ``url`` in a fresh browser context; wait until it logs DONE; sum what the server
    sent for the requests that ``counted(path)`` keeps. ``after(page)`` runs once the first
    results are in, and its requests are not counted."""
    context = browser.new_context()
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    server.take_log()  # start a new record
    # The page notes its own finishing time and then says so on its console. Nothing is
    # evaluated in the page until then: Playwright's first evaluation in a page (as polling, or
    # page.wait_for_function, would make) compiles its helper script on the page's main thread
    # while the page loads, some 10 ms of this machine's time taken from what is measured.
    with page.expect_console_message(lambda message: message.text == DONE, timeout=120_000):
        page.goto(url, wait_until="commit")
    error = page.evaluate("window.__benchError")
    if error:
        raise RuntimeError(f"{url}: {error}")
    ms = page.evaluate("window.__benchDone")
    hits = page.evaluate("window.__benchHits ?? "
                         "parseInt(document.getElementById('search-status').textContent)")
    timeline = page.evaluate("performance.getEntriesByType('resource')"
                             ".map((e) => [new URL(e.name).pathname, e.startTime, e.responseEnd])")
    # What the page asked for once its results were there (the search page's filter counts)
    # is not part of the first query.
    later = {path for path, start, _ in timeline if start > ms}
    files = [entry for entry in server.take_log() if counted(entry[0]) and entry[0] not in later]
    extra = after(page) if after else None
    context.close()
    return Run(ms, sum(body + head for _, body, head in files), hits, files, timeline), extra


def counted(path: str) -> bool:
    """Search bytes: ours with the search page itself (it carries the index manifest), not the
    site's style sheet or favicon; Pagefind's files, not the blank page that calls it."""
    return path.startswith(("/search/", "/pagefind/")) and not path.endswith(".css")


# tool -> the page that runs its first query (each shows or fetches 10 results)
TOOLS = {"ours": "/search/", "ours-api": "/bench/ours.html", "pagefind": "/bench/pagefind.html"}


def measure(size, runs: int, workdir: Path, browser, prepared=None) -> list[Result]:
    """Cold runs of each tool's first query on a site; ``prepared`` = (site, query) of a site
    built already, else a synthetic one of ``size`` profiles is made. ``size`` labels it."""
    site, query = prepared or prepare(size, workdir)
    ours_disk = disk_usage(site / "search", {"index.html"})
    results = {"ours": Result(size, "ours", query, *ours_disk),
               "ours-api": Result(size, "ours-api", query, *ours_disk),
               "pagefind": Result(size, "pagefind", query, *disk_usage(site / "pagefind"))}
    log(f"[{size}] load average before measuring: {os.getloadavg()[0]:.1f} "
        f"({os.cpu_count()} CPUs); timings are only comparable on an idle machine")
    with serve(site, precompress=("search", "pagefind", "bench")) as server:
        log(f"[{size}] first query {query!r}; {runs} cold runs per tool after one warm-up")
        for number in range(runs + 1):  # run 0 warms the server and Chromium up, uncounted
            line = []
            for tool, page in TOOLS.items():
                url = f"{server.url}{page}?q={quote(query)}"
                if tool == "ours":
                    run, keys = cold_run(browser, server, url, counted, FIRST_RESULT_WATCH,
                                         after=lambda page: page.evaluate(KEYSTROKE_SCRIPT,
                                                                          keystrokes()))
                else:
                    run, keys = cold_run(browser, server, url, counted)
                if number:
                    results[tool].runs.append(run)
                    if keys:
                        results[tool].cold_keys += keys["cold"]
                        results[tool].warm_keys += keys["warm"]
                line.append(f"{tool} {run.ms:.0f} ms {run.bytes / 1000:.1f} KB ({run.hits} hits)")
            log(f"[{size}] run {number}{' (warm-up)' * (not number)}: " + ", ".join(line))
    return list(results.values())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def table(results: list[Result]) -> str:
    lines = [f"{'size':<7} {'tool':<9} {'index KB':>9} {'files':>6} {'first-query KB':>15} "
             f"{'first results ms':>17}  {'keystroke p50/p95 ms':>20}  {'cold-shard p50/p95 ms':>21}"]
    for result in results:
        keys = cold = ""
        if result.warm_keys:
            keys = f"{percentile(result.warm_keys, .5):.2f} / {percentile(result.warm_keys, .95):.2f}"
            cold = f"{percentile(result.cold_keys, .5):.2f} / {percentile(result.cold_keys, .95):.2f}"
        lines.append(f"{result.size:<7} {result.tool:<9} {result.disk_bytes / 1000:>9.1f} "
                     f"{result.disk_files:>6} {result.bytes / 1000:>15.1f} {result.ms:>17.0f}  "
                     f"{keys:>20}  {cold:>21}")
    lines.append("")
    for size in sorted({result.size for result in results}):
        by_tool = {r.tool: r for r in results if r.size == size}
        pagefind = by_tool["pagefind"]
        for tool in ("ours", "ours-api"):
            mine = by_tool[tool]
            lines.append(f"ratio {tool}/pagefind at {size}: bytes {mine.bytes / pagefind.bytes:.2f}, "
                         f"time {mine.ms / pagefind.ms:.2f} (first query {mine.query!r}; "
                         f"hits {statistics.median(r.hits for r in mine.runs):.0f} vs "
                         f"{statistics.median(r.hits for r in pagefind.runs):.0f})")
    lines.append("""
KB = 1,000 bytes. index: files on disk (ours: search/ but its page; Pagefind: pagefind/).
first query: the bytes the server sent (status line, headers, gzipped body) for every search
file the page asked for (ours: the search page too, as it carries the index manifest; not the
site's CSS), and the time from navigation start until results are there: ours =
the search page /search/?q= showing its first result (it draws 10); ours-api and
pagefind = a blank page calling the library's API for the data of the first 10 results.
Medians of the cold runs. keystroke: 100 as-you-type queries through the engine with their
shards loaded; cold-shard: the same queries the first time, fetching shards as they need.""")
    return "\n".join(lines)


GROUPS = [("search page + manifest", lambda p: p == "/search/"),
          ("runtime JS", lambda p: p.startswith("/search/") and p.endswith(".js")),
          ("manifest.json", lambda p: p.endswith("/manifest.json")),
          ("facets.json", lambda p: p.endswith("/facets.json")),
          ("terms/ shards", lambda p: "/terms/" in p),
          ("previews/", lambda p: "/previews/" in p),
          ("docs/ chunks", lambda p: "/docs/" in p),
          ("pagefind JS (main + worker)", lambda p: p.startswith("/pagefind/") and p.endswith(".js")),
          ("pagefind wasm", lambda p: p.endswith(".pagefind")),
          ("pagefind entry + meta", lambda p: p.endswith(("pagefind-entry.json", ".pf_meta"))),
          ("pagefind index chunks", lambda p: p.endswith(".pf_index")),
          ("pagefind fragments", lambda p: p.endswith(".pf_fragment")),
          ("other", lambda p: True)]


def breakdown(results: list[Result]) -> str:
    """Where each tool's first-query bytes go, from its median-byte run."""
    lines = []
    for result in results:
        run = sorted(result.runs, key=lambda r: r.bytes)[len(result.runs) // 2]
        lines.append(f"{result.size} {result.tool}: {len(run.files)} responses, "
                     f"{run.bytes / 1000:.1f} KB ({sum(h for _, _, h in run.files) / 1000:.1f} KB "
                     f"of it headers)")
        grouped: dict[str, list] = {}
        for path, body, head in run.files:
            name = next(name for name, test in GROUPS if test(path))
            grouped.setdefault(name, []).append((path, body, head))
        for name, files in grouped.items():
            body = sum(b for _, b, _ in files)
            biggest = ", ".join(f"{Path(p).name} {b / 1000:.1f}"
                                for p, b, _ in sorted(files, key=lambda f: -f[1])[:4])
            lines.append(f"  {name:<28} {len(files):>4} files {body / 1000:>8.1f} KB body   "
                         f"largest: {biggest}")
    return "\n".join(lines)


def timelines(results: list[Result]) -> str:
    """When each group of our files was fetched, in the median-time run (ms from navigation
    start; Pagefind's are left out: its worker's requests are not in the page's timeline)."""
    lines = []
    for result in results:
        if result.tool == "pagefind":
            continue
        run = sorted(result.runs, key=lambda r: r.ms)[len(result.runs) // 2]
        phases: dict[str, list[float]] = {}
        for path, start, end in run.timeline:
            if not counted(path):
                continue
            name = next(name for name, test in GROUPS if test(path))
            phase = phases.setdefault(name, [start, end])
            phase[0], phase[1] = min(phase[0], start), max(phase[1], end)
        steps = ", ".join(f"{name} {start:.0f}-{end:.0f}"
                          for name, (start, end) in sorted(phases.items(), key=lambda p: p[1]))
        lines.append(f"{result.size} {result.tool} ({run.ms:.0f} ms): {steps}, results {run.ms:.0f}")
    return "\n".join(lines)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def report(results: list[Result]) -> str:
    return (f"{table(results)}\n\nFirst-query bytes by file (median run):\n{breakdown(results)}"
            f"\n\nWhen our files arrive (ms from navigation start, median run):\n"
            f"{timelines(results)}")


def main(sizes: list[int], runs: int = 5, workdir: Path = ROOT / "bench-out",
         content: Path | None = None) -> str:
    """Run the whole benchmark; returns the report (table, then byte breakdown). With
    ``content``, on that directory (built into workdir/content-site) instead of synthetic ones."""
    from playwright.sync_api import sync_playwright

    results: list[Result] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            if content is not None:
                site = Path(workdir) / "content-site"
                prepared = prepare_site("content", Path(content), site)
                results += measure(Path(content).name, runs, Path(workdir), browser, prepared)
            for size in sizes if content is None else []:
                results += measure(size, runs, Path(workdir), browser)
        finally:
            browser.close()
            empty_discarded(Path(workdir))
    return report(results)
