"""Incremental builds: a rebuild takes what it can from the previous build (pages whose view
model is unchanged are linked, not rendered) and still publishes exactly what a clean full
build of the same content publishes, byte for byte. Progress and the summary line: plain
stage lines, without timestamps, when not on a terminal."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT, SETTINGS, copy_content, run_module, write_profile
from test_build import tree_hashes

from directory import linking, parallel, staging
from directory.building import build_site
from directory.incremental import Fingerprints, IncrementalBuild
from directory.pages import Page


def build_counted(content: Path, output: Path, cache: Path, **overrides) -> dict:
    """Build; returns the report's counts (profiles, written, unchanged, index_bytes)."""
    pelican = build_site(SETTINGS, content=content, output=output, CACHE_PATH=str(cache),
                         **overrides)
    return pelican.settings["DIRECTORY_REPORT"].counts


def inodes(folder: Path) -> dict[str, int]:
    return {path.relative_to(folder).as_posix(): path.stat().st_ino
            for path in folder.rglob("*.html")}


@pytest.fixture
def site(tmp_path, monkeypatch):
    """Sample content built once into site/output, with its own cache. Unchanged pages are
    linked by the second process however few there are, the pages, the search index and
    the open data are made by forked processes, and each replaced output is recycled into the
    next build's staging folder (staging.py), as a large site's are."""
    monkeypatch.setattr(linking, "MIN_BACKGROUND", 1)
    monkeypatch.setattr(staging, "RECYCLE_ENTRIES", 1)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    content = copy_content(tmp_path / "content")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    output = tmp_path / "site" / "output"
    first = build_counted(content, output, tmp_path / "cache", THEME=str(theme))
    assert first["unchanged"] == 0 and first["written"] > 40
    return content, output, theme, tmp_path


def rebuild_and_compare(content: Path, output: Path, theme: Path, tmp_path: Path,
                        name: str) -> tuple[dict, set[str]]:
    """Rebuild incrementally, build the same content afresh elsewhere (empty cache), and
    require the two outputs to be identical; returns the counts and the pages rewritten."""
    before = inodes(output)
    counts = build_counted(content, output, tmp_path / "cache", THEME=str(theme))
    fresh = build_counted(content, tmp_path / f"fresh-{name}" / "output",
                          tmp_path / f"fresh-cache-{name}", THEME=str(theme))
    assert fresh["unchanged"] == 0
    assert tree_hashes(output) == tree_hashes(tmp_path / f"fresh-{name}" / "output")
    after = inodes(output)
    rewritten = {page for page, inode in after.items() if before.get(page) != inode}
    return counts, rewritten


def test_unchanged_content_rewrites_no_page(site):
    content, output, theme, tmp_path = site
    manifest = (output / "search" / "index" / "manifest.json").stat().st_ino
    exported = ["directory.json", "directory.csv", "social/default.png"]
    exports = {name: (output / name).stat().st_ino for name in exported}
    counts, rewritten = rebuild_and_compare(content, output, theme, tmp_path, "same")
    assert (output / "search" / "index" / "manifest.json").stat().st_ino == manifest
    assert {name: (output / name).stat().st_ino for name in exported} == exports  # linked
    assert counts["written"] == 0 and counts["unchanged"] > 40
    # Pages that declare no dependencies (the search page, the open-data pages) are written
    # every time; every page of site_pages() declares them.
    directory_pages = {page for page in inodes(output)
                       if page in {"index.html", "404.html"}
                       or page.split("/")[0] in {"startups", "programs", "mentors", "sectors",
                                                 "cities"}}
    assert len(directory_pages) == counts["unchanged"]
    assert not rewritten & directory_pages


def test_a_rebuild_after_a_full_build_takes_every_cached_part(site, monkeypatch):
    """What a full build caches is found again by the next build, though that build reads
    unchanged profiles from the cache (objects shared otherwise than fresh ones): the
    similar lists are not computed again, the search statistics are patched rather than
    counted again (search/patching.py), and after one edit only the edited profile's cards
    are rendered again."""
    from directory import exports, fragments, relations, similar
    from directory.search import index

    content, output, theme, tmp_path = site

    def computed_again(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(similar, "similar_profiles", computed_again)
    monkeypatch.setattr(relations, "relate", computed_again)  # the graph is the previous one
    monkeypatch.setattr(index, "statistics", computed_again)  # the forked index job's too
    # Pages may be rendered by a forked process: what it renders is noted in a file.
    notes = tmp_path / "rendered-cards"
    original = fragments.Lasting.record

    def record(self, key, html):
        with open(notes, "a", encoding="utf-8") as file:
            file.write(key[1].hex() + "\n")
        original(self, key, html)

    monkeypatch.setattr(fragments.Lasting, "record", record)
    # Open-data rows are made by a forked process too, from the rows file it reads itself.
    entries = tmp_path / "made-rows"
    profile_entry = exports.profile_entry

    def entry(directory, profile, *args):
        with open(entries, "a", encoding="utf-8") as file:
            file.write(profile.slug + "\n")
        return profile_entry(directory, profile, *args)

    monkeypatch.setattr(exports, "profile_entry", entry)
    profile = content / "startups" / "pick-my-solar.yaml"
    text = profile.read_text(encoding="utf-8")
    assert "\nsummary: " in text
    profile.write_text(text.replace("\nsummary: ", "\nsummary: Edited. ", 1), encoding="utf-8")
    counts = build_counted(content, output, tmp_path / "cache", THEME=str(theme))
    assert 0 < counts["written"] < counts["unchanged"]
    assert len(set(notes.read_text(encoding="utf-8").split())) == 1  # the edited card
    assert entries.read_text(encoding="utf-8").split() == ["pick-my-solar"]


def test_a_graph_kept_from_another_build_makes_the_same_directory(tmp_path):
    """The graph an incremental build keeps (relations.graph_of), filled with the profiles of
    another build of the same structure, is the directory relate() makes of them: for the
    sample and for a synthetic directory."""
    from directory.bench.synthetic import generate
    from directory.loading import load_content
    from directory.relations import directory_of, graph_of, relate, structure_of
    from directory.validation import validate

    generate(tmp_path / "synthetic", 400, seed=11)
    for content in (CONTENT, tmp_path / "synthetic"):
        profiles, problems = validate(load_content(content)[0], content)
        assert not [problem for problem in problems if problem.is_error]
        kept = graph_of(relate(profiles))
        again, _ = validate(load_content(content)[0], content)  # other objects, same values
        assert structure_of(again) == structure_of(profiles)
        assert directory_of(again, kept) == relate(again)


def test_digests_depend_on_values_not_on_which_objects_are_shared():
    """A value read from the cache shares fewer objects than one just parsed (equal strings
    are one object, or several): its digests must be the same."""
    from directory.digests import digest_of

    word = "".join(["clean", "tech"])
    twin = "".join(["clean", "te", "ch"])
    assert word == twin and word is not twin
    assert digest_of((word, word)) == digest_of((word, twin))
    fingerprints = Fingerprints()
    assert fingerprints.of([word, {"a": word}]) == fingerprints.of([word, {"a": twin}])
    with pytest.raises(TypeError):  # a value that holds itself cannot be fingerprinted
        looped = []
        looped.append(looped)
        Fingerprints().of(looped)


def count_reads(monkeypatch) -> list[str]:
    """The profile files the incremental loader reads (to hash them) from now on."""
    from directory import incremental

    reads: list[str] = []

    def reading(name, *args, **kwargs):
        if str(name).endswith(".yaml"):  # not the cache's own files
            reads.append(str(name))
        return open(name, *args, **kwargs)

    monkeypatch.setattr(incremental, "open", reading, raising=False)
    return reads


def test_files_are_known_by_their_status_and_an_edit_that_keeps_size_and_time_is_seen(
        site, monkeypatch):
    """A file whose status was set before the previous build read it is not read again
    while its status is the same. An edit that keeps the size and puts the modification
    time back still moves the change time: the file is read and its page built again."""
    import os

    from directory import incremental

    content, output, theme, tmp_path = site
    monkeypatch.setattr(incremental, "RACY_NS", 0)  # the sample files are seconds old
    build_counted(content, output, tmp_path / "cache", THEME=str(theme))  # notes every status
    reads = count_reads(monkeypatch)
    assert build_counted(content, output, tmp_path / "cache", THEME=str(theme))["written"] == 0
    assert reads == []
    profile = content / "startups" / "pick-my-solar.yaml"
    before = profile.stat()
    text = profile.read_text(encoding="utf-8")
    assert "Pick My Solar" in text
    profile.write_text(text.replace("Pick My Solar", "PICK MY SOLAR"), encoding="utf-8")
    os.utime(profile, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (profile.stat().st_size, profile.stat().st_mtime_ns) == (before.st_size,
                                                                     before.st_mtime_ns)
    assert build_counted(content, output, tmp_path / "cache", THEME=str(theme))["written"] > 0
    assert reads == [str(profile)]
    assert "PICK MY SOLAR" in (output / "startups" / "pick-my-solar" / "index.html").read_text(
        encoding="utf-8")
    fresh = tmp_path / "fresh" / "output"
    build_counted(content, fresh, tmp_path / "fresh-cache", THEME=str(theme))
    assert tree_hashes(output) == tree_hashes(fresh)


def test_a_first_build_reads_each_profile_file_once_where_it_is_loaded(tmp_path, monkeypatch):
    """With nothing to reuse, each file is keyed (incremental.cached_loader) by the process
    that loads it, from the bytes it reads: not read and hashed by this process first, on
    one core, and then read again. The next build knows every file by that key."""
    import io
    import os

    from directory import incremental, loading

    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)  # loaded by two processes
    content = copy_content(tmp_path / "content")
    log = tmp_path / "reads"
    real_open = io.open

    def reading(name, *args, **kwargs):
        if str(name).startswith(str(content)) and str(name).endswith(".yaml"):
            with real_open(log, "a", encoding="utf-8") as note:
                note.write(f"{name} {os.getpid()}\n")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(io, "open", reading)  # pathlib's reads
    monkeypatch.setattr(incremental, "open", reading, raising=False)  # the loader's own
    build_counted(content, tmp_path / "output", tmp_path / "cache")
    reads = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(name for name, _ in reads) == sorted(map(str, content.rglob("*.yaml")))
    assert len({pid for _, pid in reads}) == 2

    def parsed_again(*args):
        raise AssertionError("parsed again")

    monkeypatch.setattr(loading, "_parse", parsed_again)
    counts = build_counted(content, tmp_path / "output", tmp_path / "cache")
    assert counts["written"] == 0 and counts["profiles"] > 30


def test_files_keyed_where_they_are_loaded_are_keyed_as_read_and_hashed_first(tmp_path,
                                                                            monkeypatch):
    """A first build's keys (load_each_keyed) are the ones the loader makes when it has
    documents to reuse (files read and hashed first): the same stats, the same document keys,
    for valid and broken files alike."""
    from directory import incremental
    from directory.incremental import BuildCache, cached_loader
    from directory.loading import load_content

    monkeypatch.setattr(incremental, "RACY_NS", 0)  # every file's status is trusted
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    content = copy_content(tmp_path / "content")
    write_profile(content, "startups", "broken", "name: [unclosed\n")

    def cache_after_loading(previous: BuildCache) -> BuildCache:
        build = IncrementalBuild.__new__(IncrementalBuild)  # its cache parts only
        build.previous, build.next = previous, BuildCache()
        load_content(content, load_many=cached_loader(build))
        return build.next

    keyed = cache_after_loading(BuildCache())
    hashed = cache_after_loading(BuildCache(documents={("elsewhere", "startup", b""): None}))
    files = [str(path) for path in content.rglob("*.yaml")]
    assert sorted(keyed.stats) == sorted(files) and keyed.stats == hashed.stats
    assert keyed.documents.keys() == hashed.documents.keys()
    assert any(document is None for document, _ in keyed.documents.values())  # the broken one


def test_a_file_changed_just_before_it_was_read_is_read_again(site, monkeypatch):
    """File times tick every few milliseconds: a file changed shortly before a build read
    it could change again with the same status, so the next build reads it again."""
    from directory import incremental

    content, output, theme, tmp_path = site
    monkeypatch.setattr(incremental, "RACY_NS", 3600 * 10**9)  # every file is 'just changed'
    reads = count_reads(monkeypatch)
    build_counted(content, output, tmp_path / "cache", THEME=str(theme))
    assert len(reads) > 30
    reads.clear()
    build_counted(content, output, tmp_path / "cache", THEME=str(theme))
    assert len(reads) > 30


def test_edited_summary_rewrites_only_the_pages_that_show_it(site):
    content, output, theme, tmp_path = site
    profile = content / "startups" / "pick-my-solar.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(re.sub(r"^summary: .*$", "summary: Solar, quoted and installed.",
                              text, count=1, flags=re.M) if re.search(r"^summary: \S", text, re.M)
                       else text.replace("summary: >-", "summary: >-\n  Solar, quoted and installed.", 1),
                       encoding="utf-8")
    exports = {name: (output / name).stat().st_ino
               for name in ("directory.json", "social/default.png")}
    index = output / "search" / "index"
    shards = {path: path.stat().st_ino for path in index.rglob("*.json")}
    counts, rewritten = rebuild_and_compare(content, output, theme, tmp_path, "summary")
    # The search index's files whose bytes are unchanged (most term shards) are linked;
    # the manifest (its hash) and the shards of the summary's terms are written again.
    linked = {path for path, inode in shards.items() if path.stat().st_ino == inode}
    assert index / "manifest.json" not in linked
    assert index / "facets.json" in linked
    assert len(shards) - 20 > len(linked) > len(shards) / 2
    assert "startups/pick-my-solar/index.html" in rewritten
    assert (output / "directory.json").stat().st_ino != exports["directory.json"]
    assert (output / "social" / "default.png").stat().st_ino == exports["social/default.png"]
    assert "startups/index.html" in rewritten  # its card
    assert "sectors/clean-energy/index.html" in rewritten
    assert "mentors/index.html" not in rewritten  # shows no startup
    assert "404.html" not in rewritten
    assert counts["unchanged"] > counts["written"] > 0


def test_added_and_deleted_profiles(site):
    content, output, theme, tmp_path = site
    write_profile(content, "startups", "curb-cut-labs", """\
        name: Curb Cut Labs
        summary: Maps every curb ramp in the city.
        city: Oakland
        sectors: [Urban Tech]
        programs: [laci]
        """)
    counts, rewritten = rebuild_and_compare(content, output, theme, tmp_path, "added")
    assert "startups/curb-cut-labs/index.html" in rewritten
    assert "programs/laci/index.html" in rewritten  # lists it as a participant now
    assert counts["unchanged"] > 0
    (content / "startups" / "curb-cut-labs.yaml").unlink()
    counts, rewritten = rebuild_and_compare(content, output, theme, tmp_path, "deleted")
    assert not (output / "startups" / "curb-cut-labs").exists()
    assert "programs/laci/index.html" in rewritten
    assert counts["unchanged"] > 0


def test_a_new_relation_rewrites_the_other_profiles_page(site):
    """A mentor who names a program: the program's page lists the mentor now, though the
    program's own file is unchanged."""
    content, output, theme, tmp_path = site
    mentor = content / "mentors" / "ayesha-bello.yaml"
    mentor.write_text(mentor.read_text(encoding="utf-8").replace(
        "programs:\n  - oakland-civic-accelerator\n",
        "programs:\n  - oakland-civic-accelerator\n  - laci\n"), encoding="utf-8")
    before = (output / "programs" / "laci" / "index.html").read_text(encoding="utf-8")
    assert "Ayesha Bello" not in before
    counts, rewritten = rebuild_and_compare(content, output, theme, tmp_path, "relation")
    assert {"programs/laci/index.html", "mentors/ayesha-bello/index.html"} <= rewritten
    assert "Ayesha Bello" in (output / "programs" / "laci" / "index.html").read_text(
        encoding="utf-8")
    assert "programs/stir/index.html" not in rewritten
    assert counts["unchanged"] > counts["written"]


def test_an_edit_that_moves_the_average_lengths_keeps_the_search_index_exact(site):
    """Words added to a summary: its terms' shards change, every field average moves with
    it, and previews are reused only where provably unchanged (search/reuse.py)."""
    content, output, theme, tmp_path = site
    profile = content / "startups" / "voltshed.yaml"
    text = profile.read_text(encoding="utf-8")
    assert "summary: >-\n  " in text
    profile.write_text(text.replace("summary: >-\n  ", "summary: >-\n  Zeppelin quorum ", 1),
                       encoding="utf-8")
    index = output / "search" / "index"
    averages = json.loads((index / "manifest.json").read_text())["avgLengths"]
    shards = {path: path.stat().st_ino for path in index.rglob("*.json")}
    rebuild_and_compare(content, output, theme, tmp_path, "averages")
    assert json.loads((index / "manifest.json").read_text())["avgLengths"] != averages
    assert (index / "terms" / "ze.json").stat().st_ino != shards.get(index / "terms" / "ze.json")
    linked = {path for path, inode in shards.items() if path.stat().st_ino == inode}
    assert any(path.parent.name == "previews" for path in linked)


def test_after_an_edit_only_the_pages_that_show_the_edited_profile_are_made(site, monkeypatch):
    """While no profile's address, name, sectors, city or links change, the rebuild makes
    (view model or fingerprint) only the pages that show an edited profile and those that
    show every profile; the others are the previous build's files. A renamed profile moves
    in every list: then every page is made again."""
    content, output, theme, tmp_path = site
    made: list[str] = []
    original = IncrementalBuild.page_fingerprint

    def counted(self, page):
        made.append(page.save_as)
        return original(self, page)

    monkeypatch.setattr(IncrementalBuild, "page_fingerprint", counted)
    every_page = {path.relative_to(output).as_posix() for path in output.rglob("*.html")
                  if path.relative_to(output).parts[0] in {"startups", "programs", "mentors",
                                                            "sectors", "cities"}
                  or path.name in {"index.html", "404.html"} and path.parent == output}
    profile = content / "startups" / "pick-my-solar.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("\nsummary: ", "\nsummary: Edited. ", 1), encoding="utf-8")
    before = inodes(output)
    build_counted(content, output, tmp_path / "cache", THEME=str(theme))
    rewritten = {page for page, inode in inodes(output).items() if before.get(page) != inode}
    assert {"startups/pick-my-solar/index.html", "startups/index.html", "index.html",
            "sectors/index.html", "cities/index.html"} <= set(made)
    assert "mentors/index.html" not in made and "404.html" not in made
    assert rewritten & every_page <= set(made) and len(made) < len(every_page) / 2
    fresh = tmp_path / "fresh" / "output"
    build_counted(content, fresh, tmp_path / "fresh-cache", THEME=str(theme))
    assert tree_hashes(output) == tree_hashes(fresh)

    made.clear()
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "name: Pick My Solar", "name: Pick Your Solar", 1), encoding="utf-8")
    build_counted(content, output, tmp_path / "cache", THEME=str(theme))
    assert set(made) == every_page
    made.clear()
    build_counted(content, fresh, tmp_path / "fresh-cache-2", THEME=str(theme))
    assert tree_hashes(output) == tree_hashes(fresh)


def note_known_files(monkeypatch, notes: Path) -> None:
    """Each search export's files known unchanged (not encoded), a JSON line per export in
    ``notes``: exports run in the forked index job, so a file is how they are seen."""
    from directory.search import index

    original = index.export

    def export(*args, **kwargs):
        client = original(*args, **kwargs)
        with open(notes, "a", encoding="utf-8") as file:
            file.write(json.dumps(sorted(client.known)) + "\n")
        return client

    monkeypatch.setattr(index, "export", export)


def synthetic_site(tmp_path: Path, monkeypatch, seed: int) -> tuple[Path, Path]:
    """300 synthetic profiles built once, with their cache, the search index made by a forked
    job as a large site's is; returns the content and output folders. (In the sample
    directory one profile holds terms of most shards.)"""
    from directory.bench.synthetic import generate

    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    content, output = tmp_path / "content", tmp_path / "site" / "output"
    generate(content, 300, seed=seed)
    build_counted(content, output, tmp_path / "cache")
    return content, output


def test_near_lists_without_a_new_word_are_known_without_being_encoded(site, monkeypatch):
    """The near/ lists are the profiles' words by key: after an edit, the lists of the keys
    of its new words are made again, and the others are known to be the previous build's
    files (not encoded, not hashed) and linked."""
    content, output, theme, tmp_path = site
    notes = tmp_path / "known"
    note_known_files(monkeypatch, notes)  # the rebuild's, then a fresh build's
    profile = content / "startups" / "voltshed.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("summary: >-\n  ", "summary: >-\n  Zeppelin quorum ", 1),
                       encoding="utf-8")
    near = {path.name for path in (output / "search" / "index" / "near").iterdir()}
    rebuild_and_compare(content, output, theme, tmp_path, "near")
    rebuilt = json.loads(notes.read_text(encoding="utf-8").splitlines()[0])
    known = {name.removeprefix("near/") for name in rebuilt if name.startswith("near/")}
    assert "zeppelin" in json.loads((output / "search" / "index" / "near" / "ze.json").read_text())
    assert "ze.json" not in known and "qu.json" not in known
    assert len(known) > len(near) / 2 and known <= near


def test_a_patched_index_unpacks_only_the_postings_of_the_shards_it_makes(tmp_path,
                                                                          monkeypatch):
    """The previous postings are kept packed; after one edit the export reads back those of
    the shards and previews it makes again, not every term's (a synthetic directory: in the
    sample one, one profile holds terms of most shards)."""
    from directory.search import patching

    content, output = synthetic_site(tmp_path, monkeypatch, seed=3)
    notes = tmp_path / "unpacked"
    unpack = patching.unpack

    def counted(packed):  # called in the forked index job: noted in a file
        with open(notes, "a", encoding="utf-8") as file:
            file.write("1\n")
        return unpack(packed)

    monkeypatch.setattr(patching, "unpack", counted)
    profile = sorted((content / "startups").iterdir())[0]
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("\nsummary: ", "\nsummary: Edited. ", 1), encoding="utf-8")
    build_counted(content, output, tmp_path / "cache")
    terms = 0
    for shard in (output / "search" / "index" / "terms").iterdir():
        terms += sum(len(fields) for fields in json.loads(shard.read_text()).values())
    assert 0 < len(notes.read_text(encoding="utf-8").split()) < terms / 2
    fresh = tmp_path / "fresh" / "output"
    build_counted(content, fresh, tmp_path / "fresh-cache")
    assert tree_hashes(output) == tree_hashes(fresh)


def test_a_summary_edit_makes_again_only_the_shards_of_the_terms_it_moved(tmp_path,
                                                                         monkeypatch):
    """A term's postings move only where an edit moved its entry (patching.changed_terms):
    after a summary edit, the terms of the summary (whose length moved); not those of the
    profile's name or description. A shard holding some of those, and none of the summary's
    terms before or after, is the previous build's file: known, not encoded, and linked; and
    its previews file holds the same documents."""
    from directory.pipeline import read_directory
    from directory.search import index
    from directory.search.patching import quantised

    content, output = synthetic_site(tmp_path, monkeypatch, seed=5)
    notes = tmp_path / "known"
    note_known_files(monkeypatch, notes)
    summary = index.TEXT_FIELDS.index("summary")
    directory, _ = read_directory(content)
    # A summary whose stored length (one byte) moves when it grows by a word.
    edited = next(profile for profile in directory.of_kind("startup")
                  if quantised(index.analyse(profile)[0][summary][1] + 1)
                  != quantised(index.analyse(profile)[0][summary][1]))
    path = edited.source

    def fields_of() -> list:
        directory, _ = read_directory(content)
        return index.analyse(next(p for p in directory.profiles if p.key == edited.key))[0]

    before = fields_of()
    path.write_text(path.read_text(encoding="utf-8").replace("\nsummary: ", "\nsummary: Edited. ", 1),
                    encoding="utf-8")
    after = fields_of()
    assert quantised(after[summary][1]) != quantised(before[summary][1])
    moved = set(before[summary][0]) | set(after[summary][0])  # all moved: the length did
    others = set().union(*(counts for field, (counts, _) in enumerate(after) if field != summary))
    folder = output / "search" / "index"
    shards = {key: set(json.loads((folder / "terms" / f"{key}.json").read_text()))
              for key in json.loads((folder / "manifest.json").read_text())["keys"]}
    untouched = {key for key, terms in shards.items() if terms & others and not terms & moved}
    assert untouched  # the profile's name and description reach shards the summary does not
    build_counted(content, output, tmp_path / "cache")
    known = set(json.loads(notes.read_text(encoding="utf-8").splitlines()[0]))
    assert {f"terms/{key}.json" for key in untouched} <= known
    assert {f"terms/{key}.json" for key in shards if shards[key] & moved}.isdisjoint(known)
    fresh = tmp_path / "fresh" / "output"
    build_counted(content, fresh, tmp_path / "fresh-cache")
    assert tree_hashes(output) == tree_hashes(fresh)


def test_the_cache_store_is_kept_after_one_edit(site):
    """The cache's per-profile parts stay in their store file after a small edit, and the
    changes saved beside it give the next build everything back."""
    content, output, theme, tmp_path = site
    stores = list((tmp_path / "cache").rglob("store-*.pickle"))
    assert len(stores) == 1
    profile = content / "startups" / "pick-my-solar.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "# checked\n", encoding="utf-8")
    rebuild_and_compare(content, output, theme, tmp_path, "store")
    assert list((tmp_path / "cache").rglob("store-*.pickle")) == stores
    counts = build_counted(content, output, tmp_path / "cache", THEME=str(theme))
    assert counts["written"] == 0


def test_a_moved_profile_changes_the_similar_profiles_of_others(site):
    """Similar profiles are reused while no profile's name, sectors or city changes: a city
    edited must give other pages their new lists."""
    content, output, theme, tmp_path = site
    profile = content / "startups" / "voltshed.yaml"
    text = profile.read_text(encoding="utf-8")
    assert "\ncity: Oakland\n" in text
    profile.write_text(text.replace("\ncity: Oakland\n", "\ncity: San Jose\n"), encoding="utf-8")
    counts, rewritten = rebuild_and_compare(content, output, theme, tmp_path, "moved")
    assert "cities/san-jose/index.html" in rewritten
    assert counts["unchanged"] > counts["written"]


def test_renamed_sector(site):
    content, output, theme, tmp_path = site
    renamed = 0
    for path in content.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if "Clean Energy" in text:
            path.write_text(text.replace("Clean Energy", "Clean Power"), encoding="utf-8")
            renamed += 1
    assert renamed
    counts, rewritten = rebuild_and_compare(content, output, theme, tmp_path, "sector")
    assert (output / "sectors" / "clean-power" / "index.html").is_file()
    assert not (output / "sectors" / "clean-energy").exists()
    assert "sectors/index.html" in rewritten
    assert counts["unchanged"] > 0


def test_edited_template_renders_every_page_again(site):
    content, output, theme, tmp_path = site
    footer = theme / "templates" / "base.html"
    footer.write_text(footer.read_text(encoding="utf-8").replace(
        "built from profiles", "built from the profiles"), encoding="utf-8")
    counts, rewritten = rebuild_and_compare(content, output, theme, tmp_path, "template")
    assert counts["unchanged"] == 0
    assert "built from the profiles" in (output / "404.html").read_text(encoding="utf-8")


def test_a_page_changed_by_hand_in_the_output_is_rendered_again(site):
    content, output, theme, tmp_path = site
    page = output / "programs" / "laci" / "index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"</main>", b"<p>tampered</p></main>"))
    counts = build_counted(content, output, tmp_path / "cache", THEME=str(theme))
    assert page.read_bytes() == good
    assert counts["written"] == 1


def test_index_files_changed_by_hand_in_the_output_are_made_again(site):
    """Index files known unchanged are linked without being made; one that was changed in
    the output since is made after all."""
    content, output, theme, tmp_path = site
    index = output / "search" / "index"
    for folder in ("terms", "previews", "near"):
        for path in (index / folder).iterdir():
            path.write_bytes(path.read_bytes() + b" ")
    profile = content / "startups" / "pick-my-solar.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("\nsummary: ", "\nsummary: Edited. ", 1), encoding="utf-8")
    rebuild_and_compare(content, output, theme, tmp_path, "tampered-index")


def test_pages_without_declared_dependencies_are_always_rendered(tmp_path):
    settings = {"CACHE_PATH": str(tmp_path), "THEME": str(ROOT / "theme")}
    build = IncrementalBuild(settings, tmp_path / "output")
    undeclared = Page("about/index.html", "about", {"text": "hello"})
    declared = Page("about/index.html", "about", {"text": "hello"}, depends_on=frozenset())
    assert build.page_fingerprint(undeclared) is None
    assert not build.reuse(undeclared.save_as, None, tmp_path / "staging")
    assert build.page_fingerprint(declared) is not None


def test_fingerprints_follow_every_value_of_a_view_model():
    from markupsafe import Markup

    from directory.pages import Card, Link
    from directory.validation import Profile

    def profile(**changes):
        fields = dict(kind="startup", slug="a", source=Path("a.yaml"), name="A", summary="S")
        return Profile(**(fields | changes))

    for shared in ((), (Card, Profile)):
        def digest(*values):
            fingerprints = Fingerprints()
            fingerprints.share(*shared)
            return fingerprints.of(list(values))

        check_fingerprints(digest, profile)
    with pytest.raises(TypeError):
        Fingerprints().of([lambda: 'a view model holding code'])


def check_fingerprints(digest, profile):
    from markupsafe import Markup

    from directory.pages import Card, Fact, Link

    base = Card(profile(), "Startup", Link("Oakland", "cities/oakland/"), [])
    assert digest(base) == digest(Card(profile(), "Startup", Link("Oakland", "cities/oakland/"), []))
    assert digest(base) != digest(Card(profile(summary="T"), "Startup",
                                       Link("Oakland", "cities/oakland/"), []))
    assert digest(base) != digest(Card(profile(), "Startup", Link("Oakland", "cities/oak/"), []))
    assert digest(1) != digest(1.0) != digest(True) and digest("1") != digest(1)
    assert digest(Markup("<b>")) != digest("<b>")
    assert digest(Link("A", None)) != digest(Fact("A", None))  # same fields, another type
    card = Card(profile(), "Startup", None, [])
    assert digest([card]) != digest([Card(profile(name="B"), "Startup", None, [])])


# --- progress and the summary line -------------------------------------------------------

STAGE_LINES = [
    r"load: (\d+) files",
    r"validate: (\d+) profiles",
    r"render: (\d+) pages \((\d+) written, (\d+) unchanged\)",
    r"index: (\d+) profiles",
    r"write: (\d+) files",
    r"Built (\d+) profiles: (\d+) pages written, (\d+) unchanged, search index \d+\.\d MB, "
    r"\d+\.\d s",
]


def test_invoke_build_prints_plain_stage_lines_and_a_summary(tmp_path):
    content = copy_content(tmp_path / "content")
    profiles = sum(1 for _ in content.glob("*/*.yaml"))
    output = tmp_path / "site" / "output"
    runs = []
    for _ in range(2):
        result = run_module("invoke", "build", "--content", str(content), "--output", str(output))
        assert result.returncode == 0, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == len(STAGE_LINES), lines
        matches = [re.fullmatch(pattern, line) for pattern, line in zip(STAGE_LINES, lines)]
        assert all(matches), lines
        assert "\x1b" not in result.stderr  # no terminal codes in a log
        runs.append([match.groups() for match in matches])
    first, second = runs
    assert first[0] == (str(profiles),) and first[1] == (str(profiles),)
    pages, written, unchanged = map(int, first[2])
    assert written == pages and unchanged == 0
    pages, written, unchanged = map(int, second[2])
    assert written == 0 and unchanged == pages  # the second build reused every page
    assert second[5] == (str(profiles), "0", str(pages))


def test_a_new_commit_date_renders_the_profile_page_again(tmp_path):
    """'Last updated' comes from git, not from the file's bytes: a commit that leaves the
    profile's data as it was still changes its page, and the rebuild must show it."""
    from test_open_data import git

    repo = tmp_path / "repo"
    content = copy_content(repo / "content")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first", date="2024-01-10T12:00:00+00:00")
    theme = ROOT / "theme"
    output = tmp_path / "site" / "output"
    build_counted(content, output, tmp_path / "cache")
    solar = content / "startups" / "pick-my-solar.yaml"
    solar.write_text(solar.read_text(encoding="utf-8") + "# checked\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "checked", date="2024-04-02T17:45:00+00:00")
    counts, rewritten = rebuild_and_compare(content, output, theme, tmp_path, "dated")
    assert "startups/pick-my-solar/index.html" in rewritten
    assert "2 April 2024" in (output / "startups/pick-my-solar/index.html").read_text()


def test_pages_with_equal_inputs_have_equal_view_models(tmp_path):
    """A page is reused when its inputs (digests.py) are unchanged, without its view model
    being made: so across edits of every kind, equal inputs must mean equal view models."""
    import datetime

    from directory.digests import profile_digests
    from directory.pages import Card, site_pages
    from directory.pipeline import read_directory
    from directory.provenance import ProfileRecord
    from directory.validation import Profile

    def pages_of(content: Path, updated: dict | None = None) -> dict:
        directory, problems = read_directory(content)
        assert not problems
        updated = updated or {}
        records = {p.key: ProfileRecord(None, updated.get(p.key), None, None)
                   for p in directory.profiles}
        return {page.save_as: page
                for page in site_pages(directory, records, profile_digests(directory, records))}

    def view_model(page) -> bytes:
        fingerprints = Fingerprints()
        fingerprints.share(Card, Profile)
        return fingerprints.of(page.variables)

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    day = datetime.datetime(2024, 4, 2, tzinfo=datetime.timezone.utc)
    edits = {
        "summary": lambda c: edit(c / "startups" / "voltshed.yaml", "summary: >-\n  ",
                                  "summary: >-\n  Newly "),
        "relation": lambda c: edit(c / "mentors" / "ayesha-bello.yaml",
                                   "  - oakland-civic-accelerator\n",
                                   "  - oakland-civic-accelerator\n  - laci\n"),
        "city": lambda c: edit(c / "startups" / "voltshed.yaml", "\ncity: ", "\ncity: Fresno\n# "),
        # All but one file spell it anew: the facet takes the new spelling, and so does the
        # card of the one profile whose file is unchanged.
        "spelling": lambda c: [edit(path, "Clean Energy", "Clean energy")
                               for path in sorted(path for path in c.rglob("*.yaml")
                                                  if "Clean Energy" in path.read_text(
                                                      encoding="utf-8"))[1:]],
    }
    for name, change in [*edits.items(), ("record", None)]:
        content = copy_content(tmp_path / name)  # a profile's digest covers its file's path
        before = pages_of(content)
        if change:
            change(content)
            after = pages_of(content)
        else:
            after = pages_of(content, {("startup", "voltshed"): day})
        same = [path for path in before.keys() & after.keys()
                if before[path].inputs == after[path].inputs]
        assert 0 < len(same) < len(after), name
        for path in same:
            assert view_model(before[path]) == view_model(after[path]), (name, path)


def test_pruning_skips_a_cache_folder_that_vanished_while_it_looked(tmp_path):
    """Builds into other outputs prune the same cache folder at the same time (parallel test
    workers did, in CI): a folder listed and gone before it is looked at is not counted, and
    the oldest of those that remain are the ones pruned."""
    import os

    from directory.incremental import caches_beyond_the_newest

    for age in range(5):
        folder = tmp_path / f"cache-{age}"
        folder.mkdir()
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))
    (tmp_path / "gone").symlink_to(tmp_path / "removed-by-another-build")
    (tmp_path / "a-file").write_text("not a cache")
    assert caches_beyond_the_newest(tmp_path, 3) == [tmp_path / "cache-3", tmp_path / "cache-4"]


def test_a_profile_page_declares_every_profile_it_shows():
    """A profile page's depends_on (made only when asked for) names the profile, its related
    and its similar profiles: every profile whose card or entry its view model holds."""
    from directory.pages import site_pages
    from directory.pipeline import read_directory
    from directory.provenance import ProfileRecord

    directory, problems = read_directory(CONTENT)
    assert not problems
    records = {p.key: ProfileRecord(None, None, None, None) for p in directory.profiles}
    checked = 0
    for page in site_pages(directory, records):
        if page.template != "profile":
            continue
        view = page.variables["page"]
        shown = {view.profile.key} | {card.profile.key for card in view.similar} | {
            p.key for section in view.related for p in section.profiles}
        assert callable(page.depends_on) and page.depends_on() == frozenset(shown)
        checked += 1
    assert checked == len(directory.profiles)
