"""Maintainer commands: `invoke --list`. Each task is a thin wrapper over the plugin."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

from invoke import Exit, Task, task

ROOT = Path(__file__).resolve().parent
# The plugin's compiled bytecode is kept in cache/python/ (git-ignored, beside the build's own
# cache), even where PYTHONDONTWRITEBYTECODE is set, as it is on CI machines and in this
# project's sandbox: compiling the plugin from source again cost every `invoke build` 70 ms,
# a twentieth of a rebuild after one edit. Nothing is written beside the sources.
sys.pycache_prefix = str(ROOT / "cache" / "python")
sys.dont_write_bytecode = False
sys.path.insert(0, str(ROOT / "plugins"))

CHROMIUM = "/usr/bin/chromium"


@task(help={"content": "folder of profiles (default: content)",
            "format": "text (PATH:LINE:COL: error: MESSAGE) or github (workflow commands)",
            "file": "check only this file (repeatable); references still see every profile"},
      iterable=["file"])
def validate(c, content="content", format="text", file=None):
    """Check every profile; print every problem as PATH:LINE:COL: error: MESSAGE."""
    from directory.checking import run_check

    status = run_check(Path(content), file or [], format)
    if status:
        raise Exit(code=status)


@task(help={"content": "folder of profiles (default: content)",
            "output": "where the site goes (default: output)",
            "settings": "Pelican settings file (default: pelicanconf.py; publishconf.py to publish)",
            "full": "render every page, ignoring what the previous build left in cache/"})
def build(c, content="content", output="output", settings="pelicanconf.py", full=False):
    """Validate and build the site into OUTPUT, replacing it only if the build succeeds."""
    from directory.building import build_site
    from directory.problems import BuildFailed

    try:
        build_site(ROOT / settings, content=Path(content), output=Path(output),
                   **({"DIRECTORY_INCREMENTAL": False} if full else {}))
    except BuildFailed as failure:
        raise Exit(f"build stopped: {failure}; {output}/ is unchanged", code=1)
    print(f"Site built in {output}/. Browse it with: .venv/bin/invoke serve "
          f"(http://127.0.0.1:8000/)")
    exit_without_teardown()


def exit_without_teardown() -> None:
    """End the process now, when this task is the only one on the command line: a large build
    leaves millions of objects, and the interpreter freeing them one by one took half a second
    at 10,000 profiles (the system frees the memory at once). Nothing is left to do: the output
    is published, the cache saved, every file closed. With other tasks after it (`invoke
    build serve`), the process goes on."""
    if any(word in TASK_NAMES - {"build"} for word in sys.argv[1:]):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@task(help={"output": "folder to serve (default: output)", "port": "port (default: 8000)"})
def serve(c, output="output", port=8000):
    """Serve the built site on http://127.0.0.1:PORT/."""
    c.run(f"{sys.executable} -m http.server --bind 127.0.0.1 --directory {output} {port}", pty=False)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; install it when it is missing."""
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") is None:
        raise Exit(f"the browser tests need Chromium at {CHROMIUM}; install it and retry", code=1)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("Installing Debian's chromium for the browser tests...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)


@task(help={"k": "only tests matching this expression", "workers": "parallel test processes"})
def test(c, k="", workers="auto"):
    """Run the whole test suite (installs Chromium first if it is missing)."""
    ensure_chromium()
    args = [sys.executable, "-m", "pytest", "-n", str(workers)] + (["-k", k] if k else [])
    result = subprocess.run(args, cwd=ROOT)
    if result.returncode:
        raise Exit(code=result.returncode)


@task(help={"query": "the words to search for", "type": "startup, program or mentor",
            "sector": "sector name or slug", "city": "city name or slug",
            "content": "folder of profiles (default: content)", "limit": "how many results"})
def search(c, query, type=None, sector=None, city=None, content="content", limit=10):
    """Print ranked results from the Whoosh index, as the browser ranks whole words."""
    from directory.pipeline import read_directory
    from directory.search.index import build_whoosh_index
    from directory.search.query import search as ranked

    directory, problems = read_directory(Path(content))
    if problems:
        raise Exit("the content has problems; run invoke validate", code=1)
    names = {f"{p.kind}/{p.slug}": p.name for p in directory.profiles}
    hits, fallback = ranked(build_whoosh_index(directory), query, limit=int(limit),
                            type=type, sector=sector, city=city)
    if fallback:
        print("No profile matches every word; these match some of them.")
    for rank, hit in enumerate(hits, 1):
        print(f"{rank:>3}. {hit.score:9.4f}  {hit.id:<45} {names[hit.id]}")
    if not hits:
        print("No results.")


def ensure_bench_requirements() -> None:
    ensure_chromium()
    if importlib.util.find_spec("pagefind") is None:
        print("Installing the benchmark's requirements (requirements-bench.txt)...")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r",
                        str(ROOT / "requirements-bench.txt")], check=True)


@task(help={"sizes": "numbers of synthetic profiles, comma-separated (default: 1000,10000)",
            "runs": "cold runs per size and tool; medians are printed (default: 5)",
            "workdir": "where the synthetic sites are built (default: bench-out)",
            "content": "measure this folder of profiles instead of synthetic ones"})
def bench_search(c, sizes="1000,10000", runs=5, workdir="bench-out", content=None):
    """Benchmark our search against Pagefind on synthetic sites and print them side by side."""
    ensure_bench_requirements()
    from directory.bench import main

    print(main([int(size) for size in str(sizes).split(",")], runs=int(runs),
               workdir=ROOT / workdir, content=Path(content).resolve() if content else None))


# --- Publishing (publish branch) -----------------------------------------------------------

@task(help={"remote": "git remote (name, URL or path) to push to (default: origin)",
            "branch": "branch that holds the site (default: gh-pages)",
            "message": "commit message (default: names the source commit)",
            "content": "folder of profiles (default: content)",
            "settings": "Pelican settings file (default: publishconf.py)"})
def publish(c, remote="origin", branch="gh-pages", message=None, content="content",
            settings="publishconf.py"):
    """Build with absolute URLs under $SITEURL and push the site as BRANCH of REMOTE."""
    from ghp_import import GhpError

    from directory.problems import BuildFailed
    from directory.publishing import publish_site

    if not os.environ.get("SITEURL"):
        print("note: SITEURL is not set, so links start at the host's root (/); set it to "
              "the published address, e.g. SITEURL=https://ORG.github.io/REPO", file=sys.stderr)
    try:
        publish_site(ROOT / settings, content=Path(content), remote=remote, branch=branch,
                     message=message)
    except BuildFailed as failure:
        raise Exit(f"publish stopped: {failure}; nothing was pushed", code=1)
    except (GhpError, subprocess.CalledProcessError) as failure:
        raise Exit(f"publish failed in git: {failure}", code=1)
    print(f"Published to {remote} {branch}.")


@task(help={"content": "folder of profiles (default: content)",
            "output": "where the site goes (default: output)",
            "port": "port on 127.0.0.1 (default: 8000; 0 picks a free one)"})
def livereload(c, content="content", output="output", port=8000):
    """Build, serve on 127.0.0.1 and rebuild when a profile, template, stylesheet, plugin file,
    schema or pelicanconf.py changes; open pages reload by themselves."""
    from directory.livereload import preview

    preview(ROOT, ROOT / "pelicanconf.py", Path(content), Path(output), int(port))


# --- Contributor tools (contrib branch) -----------------------------------------------------

@task(help={"type": "startup, program or mentor", "name": "the name, e.g. \"Cicló Cargo\"",
            "content": "folder of profiles (default: content)",
            "website": "its website, to warn when another profile has the same domain"},
      positional=["type", "name"])
def new(c, type, name, content="content", website=None):
    """Write content/<type>s/<slug>.yaml: every field as a commented template."""
    from directory.scaffold import ScaffoldError, new_profile

    try:
        made = new_profile(type, name, Path(content), website=website)
    except ScaffoldError as error:
        raise Exit(f"error: {error}", code=1)
    for warning in made.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"Wrote {made.path}: fill in the required keys, then run .venv/bin/invoke validate")


@task(help={"content": "folder of profiles (default: content)",
            "report": "write a report to this file: .md for Markdown, .json for JSON",
            "timeout": "seconds to wait for an answer (default: 10)",
            "retries": "retries after a timeout, a connection error or a 5xx (default: 2)",
            "concurrency": "requests at once, never two to one server (default: 4)",
            "ignore": "profiles and addresses not to fetch, with reasons (default: links-ignore.yaml)",
            "backoff": "seconds before the first retry, doubled each time (default: 1)"})
def check_links(c, content="content", report="", timeout=10.0, retries=2, concurrency=4,
                ignore="links-ignore.yaml", backoff=1.0):
    """Check every profile's website; fail only when a link is dead."""
    from directory.links import (IgnoreFileError, Options, check_links as check, collect_links,
                                 counts, problems_for, write_report)

    try:
        links = collect_links(Path(content), Path(ignore))
    except IgnoreFileError as error:
        raise Exit(f"error: {error}", code=2)
    check(links, Options(timeout=float(timeout), retries=int(retries),
                         concurrency=int(concurrency), backoff=float(backoff)))
    for problem in problems_for(links):
        print(problem, file=sys.stderr)
    if report:
        write_report(links, Path(report))
    total = counts(links)
    print(", ".join(f"{count} {verdict}" for verdict, count in total.items())
          + (f"; report in {report}" if report else ""))
    if total["dead"]:
        raise Exit(code=1)


# --- Screenshots (visitor branch) ----------------------------------------------------------

@task(help={"output_dir": "where the PNG files go (default: docs)",
            "content": "folder of profiles (default: content)"})
def screenshots(c, output_dir="docs", content="content"):
    """Build the site and shoot the home page, a profile and the search page in Chromium."""
    import tempfile

    from directory.building import build_site
    from directory.screenshots import take_screenshots

    ensure_chromium()
    with tempfile.TemporaryDirectory() as temporary:
        site = Path(temporary) / "output"
        build_site(ROOT / "pelicanconf.py", content=Path(content), output=site)
        for path in take_screenshots(site, Path(output_dir)):
            print(f"wrote {path}")


# --- Synthetic directories and the build benchmark (bench branch) ---------------------------

@task(help={"count": "how many profiles (about 70% startups, 10% programs, 20% mentors)",
            "out": "folder to write them to (new or empty)",
            "seed": "the same seed and count give the same profiles (default: 1)"})
def synth(c, count, out, seed=1):
    """Write a realistic, valid synthetic directory of COUNT profiles into OUT."""
    from directory.bench.progress import Progress
    from directory.bench.synthetic import synth as write_synthetic

    try:
        made = write_synthetic(Path(out), int(count), int(seed), progress=Progress())
    except FileExistsError as error:
        raise Exit(str(error), code=1)
    print(", ".join(f"{n} {kind}s" for kind, n in made.counts.items()) + f" written to {out}/")


@task(help={"sizes": "numbers of synthetic profiles, comma-separated (default: 1000,10000)",
            "runs": "full builds per tool and size; medians are printed (default: 3)",
            "search_runs": "cold first-query runs per search tool (default: 5)",
            "content": "measure this folder of profiles instead of synthetic ones",
            "workdir": "where the sites are built (default: bench-out)",
            "search": "also measure search in Chromium against Pagefind (default: yes)",
            "incremental": "also time rebuilds after one edit and one addition (default: yes)"})
def bench(c, sizes="1000,10000", runs=3, search_runs=5, content=None, workdir="bench-out",
          search=True, incremental=True):
    """Our full build against stock Pelican and Pagefind, incremental rebuilds and search,
    one table per size, all measured in this run on this machine."""
    ensure_bench_requirements()
    from directory.bench.builds import main as bench_main

    print(bench_main([int(size) for size in str(sizes).split(",")], runs=int(runs),
                     search_runs=int(search_runs), workdir=ROOT / workdir,
                     content=Path(content).resolve() if content else None, search=search,
                     incremental=incremental))


# Every task's name as typed on the command line (exit_without_teardown looks for them).
TASK_NAMES = {name.replace("_", "-") for name, value in list(globals().items())
              if isinstance(value, Task)}
