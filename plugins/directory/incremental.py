"""Incremental builds: what a build can take from the previous one without changing a byte.

Pelican's own cache only skips re-reading content; this one also skips re-rendering. It lives
in Pelican's CACHE_PATH (`cache/` beside the settings file, git-ignored), one folder per
output folder, and is keyed by a *salt*: a hash of the plugin's code, the schemas, the theme,
the settings and the versions of the libraries that shape the HTML. Any change to one of
those starts from an empty cache, so the build is a full one.

Within one salt:
- each page is identified by a *fingerprint* of its path, its template and its *inputs*
  (pages.Page.inputs: plain values and the digests of the profiles it shows, in order; one
  digest per profile of everything a page can show of it, digests.py), or, for a page
  without inputs, of its view model (pages.Page.variables). A page whose fingerprint is
  unchanged, and whose file in the previous output is still the file that build wrote (same
  inode, size and modification time), is hard-linked into the new staging folder instead of
  being rendered (its view model is never made); a second process makes the links
  (linking.py). Pages whose dependencies are not declared (``Page.depends_on is None``) are
  always rendered. While the profiles' structure is unchanged, the pages that show no
  changed profile are not even made into Page objects (layout.py).
- loaded profile files (keyed by path and content; a file whose status is the one it was
  read with is not read again, cached_loader), rendered Markdown (keyed by text), each
  profile's open-data rows (keyed by its digest and its related slugs), the similar profiles
  (keyed by what similar.py reads), the graph of relations and facets (keyed by the profiles'
  structure, cached_relate) and each profile's search analysis (keyed by its digest)
  are reused; the search index takes what is provably unchanged from the previous one
  (search/reuse.py). Each of those entries is a function of its key. They live in a *store*
  file rewritten only when a fifth of it has changed (cache.pickle holds the changes since)
  and, for the search analysis and the open-data rows, in files of their own.
- in a rebuild of a large site the search index and directory.json/.csv are made by forked
  processes while the pages are rendered (background.py).

The staging folder is still filled completely and swapped in atomically (staging.py), so an
incremental build publishes exactly what a full build would: tests/test_incremental.py
compares the two byte for byte.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import shutil
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, is_dataclass
from importlib import metadata
from pathlib import Path

from jinja2 import FileSystemBytecodeCache

from .digests import digest_of, stable_pickle
from .linking import BackgroundLinks, make_links

CACHE_FORMAT = 4
CACHE_FOLDER = "directory"
KEEP_CACHES = 8  # folders of other outputs (test builds, bench sites) beyond these are pruned
PLUGIN = Path(__file__).resolve().parent
ROOT = PLUGIN.parents[1]
# Libraries whose version can change a byte of the output.
LIBRARIES = ("pelican", "jinja2", "markupsafe", "markdown", "nh3", "whoosh", "pyyaml",
             "jsonschema", "unidecode")
# Settings that differ between two builds of the same site without changing it.
VOLATILE_SETTINGS = {"OUTPUT_PATH", "DIRECTORY_REPORT", "DIRECTORY_CACHE", "DIRECTORY_AT_EXIT"}


def _hash_tree(digest, folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def salt(settings: dict) -> str:
    """Everything besides the content that shapes the output, as one hash."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}:{sys.version}".encode())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=none;".encode())
    _hash_tree(digest, PLUGIN)
    _hash_tree(digest, ROOT / "schemas")
    _hash_tree(digest, Path(settings["THEME"]))
    for key in sorted(settings):
        if key in VOLATILE_SETTINGS:
            continue
        text = repr(settings[key])
        if " at 0x" in text:  # a function or object: its code is hashed above, not its address
            text = type(settings[key]).__qualname__
        digest.update(f"{key}={text}\n".encode())
    return digest.hexdigest()


def cache_folder(cache_path: Path, output: Path) -> Path:
    """Where the cache of builds into ``output`` (absolute) lives under CACHE_PATH."""
    return cache_path / CACHE_FOLDER / hashlib.sha256(str(output).encode()).hexdigest()[:16]


class Fingerprints:
    """Stable digests of view models (strings, numbers, lists, dicts, dataclasses of them):
    SHA-256 of pickles, which run in C. The pickler's reducer_override, which C calls only for
    objects that are not plain containers or scalars, pickles a dataclass as its type's name
    and its fields' dict (C's fast path; the default reduction of a dataclass costs ten times
    more). Instances of the types named with ``share`` (a profile, its card: met on a
    listing, on several facet pages and beside similar profiles) are pickled once per build
    and stand, wherever they are met again, as their digest. Equal pickles mean equal values,
    so a page is never reused wrongly; made without the memo (digests.stable_pickle), equal
    values give equal pickles. A value that cannot be pickled raises TypeError: such
    a page is rendered every time."""

    def __init__(self):
        self._memo: dict[int, tuple[object, bytes]] = {}  # id -> (object kept alive, digest)
        self._shared: set[type] = set()

    def share(self, *types: type) -> None:
        self._shared.update(types)

    def of(self, value) -> bytes:
        return self._digest(value, None)

    def _of_shared(self, value) -> bytes:
        memo = self._memo.get(id(value))
        if memo is None:
            memo = self._memo[id(value)] = (value, self._digest(value, value))
        return memo[1]

    def _digest(self, value, itself) -> bytes:
        try:
            pickled = stable_pickle(value, _DigestPickler, self, itself)
        except (pickle.PicklingError, AttributeError, TypeError, ValueError) as error:
            raise TypeError(f"cannot fingerprint this value: {error}") from error
        return hashlib.sha256(pickled).digest()


def _digested(kind: str, digest: bytes):
    """What a shared dataclass inside a fingerprinted value is pickled as: never called."""
    raise AssertionError("fingerprints are never unpickled")


def _fields(kind: str, fields: dict):
    """What any other dataclass inside a fingerprinted value is pickled as: never called."""
    raise AssertionError("fingerprints are never unpickled")


class _DigestPickler(pickle.Pickler):
    def __init__(self, file, protocol: int, fingerprints: Fingerprints, itself):
        super().__init__(file, protocol=protocol)
        self._fingerprints = fingerprints
        self._itself = itself  # the shared dataclass being digested

    def reducer_override(self, value):
        kind = type(value)
        if not is_dataclass(kind) or not hasattr(value, "__dict__"):
            return NotImplemented  # a Path, a Markup, a date...: its own reduction
        name = f"{kind.__module__}.{kind.__qualname__}"
        if kind in self._fingerprints._shared and value is not self._itself:
            return _digested, (name, self._fingerprints._of_shared(value))
        return _fields, (name, value.__dict__)


class _TemplateBytecode(FileSystemBytecodeCache):
    """Jinja's bytecode files, in a folder made when the first is written: a build that stops
    before rendering (bad content) leaves no cache behind."""

    def dump_bytecode(self, bucket) -> None:
        os.makedirs(self.directory, exist_ok=True)
        super().dump_bytecode(bucket)


NOT_PUBLISHED = (0, 0, 0)  # a file's stat until save() takes it from the published output


@dataclass
class BuildCache:
    """What one build of an output folder leaves for the next."""

    salt: str = ""
    # save_as -> (fingerprint, (inode, size, mtime_ns) of the published file)
    pages: dict[str, tuple[bytes, tuple[int, int, int]]] = field(default_factory=dict)
    documents: dict[tuple[str, str, bytes], object] = field(default_factory=dict)
    # path -> (its stat, the SHA-1 of the bytes read): the file need not be read again while
    # its stat is the same (cached_loader says when that can be trusted)
    stats: dict[str, tuple[tuple, bytes]] = field(default_factory=dict)
    markdown: dict[str, str] = field(default_factory=dict)
    # digest of what similar.py reads -> each profile's similar profiles (keys)
    similar: dict[bytes, dict] = field(default_factory=dict)
    # relations.structure_of the profiles -> relations.graph_of their directory
    relations: dict[bytes, tuple] = field(default_factory=dict)
    # (fragment, stable key, options) -> its HTML (fragments.Lasting)
    fragments: dict[tuple, str] = field(default_factory=dict)
    # The search index: what the next build can take from it (search/reuse.py)
    search: object = None  # search.reuse.IndexState
    layout: object = None  # layout.Layout: which pages show which profiles


# The parts of the cache with one entry per profile file, text or profile, each entry a
# function of its key: after one edit all but a few carry over. They live in a *store* file
# that is written again only when a fifth of its entries have changed; cache.pickle names it
# and holds the entries added since and the keys gone. Pickling the 25 MB of them cost half
# a second a build; reading them back still costs what it did.
STORED_PARTS = ("documents", "stats", "markdown", "similar", "relations", "fragments")
REWRITE_SHARE = 0.2
# Parts read and written by a rebuild's forked processes (background.py) only, each in a file
# of its own (SideFile), off the build's critical path and out of its memory:
# - each profile's search analysis (profile digest -> search.index.analyse, pickled), and what
#   the index's statistics were (search/patching.py), which say which documents they are of;
# - each profile's open-data pair, its directory.json entry and directory.csv row, keyed by
#   (its digest, its related profiles' slugs): 28 MB of text at 10,000 profiles.
TERMS_FILE = "terms.pickle"
ROWS_FILE = "rows.pickle"


@dataclass
class SavedCache:
    """cache.pickle: a BuildCache, its stored parts as changes to the store file."""

    salt: str
    pages: dict
    search: tuple | None
    layout: object
    store: str  # the store file's name in the cache folder
    added: dict[str, dict]  # part -> entries not in the store
    removed: dict[str, list]  # part -> keys of the store's entries no longer there


class IncrementalBuild:
    """The cache of one build: read at the start, consulted while building, saved once the
    new output is published."""

    def __init__(self, settings: dict, output: Path):
        self.output = Path(output)
        self._output_text = str(self.output)
        self.folder = cache_folder(Path(settings["CACHE_PATH"]), self.output)
        self.salt = salt(settings)
        with _collector_paused():
            self.previous = self._read()
        self.next = BuildCache(salt=self.salt)
        self.fingerprints = Fingerprints()
        self.links = BackgroundLinks()
        self.terms = SideFile(self, TERMS_FILE, ({}, None))  # (analyses, statistics)
        self.rows = SideFile(self, ROWS_FILE, {})

    def _read(self) -> BuildCache:
        self._store: tuple[str, dict[str, dict]] | None = None  # (name, parts) as on disk
        try:
            with _collector_paused():
                with open(self.folder / "cache.pickle", "rb") as file:
                    saved = pickle.load(file)
                if not isinstance(saved, SavedCache) or saved.salt != self.salt:
                    return BuildCache()
                with open(self.folder / saved.store, "rb") as file:
                    stored = pickle.load(file)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                TypeError, ValueError):
            return BuildCache()
        cache = BuildCache(salt=saved.salt, pages=saved.pages, search=saved.search,
                           layout=saved.layout)
        for part in STORED_PARTS:
            entries = dict(stored.get(part, {}))
            entries.update(saved.added.get(part, {}))
            for key in saved.removed.get(part, ()):
                del entries[key]
            setattr(cache, part, entries)
        self._store = (saved.store, stored)
        return cache

    def template_bytecode(self) -> FileSystemBytecodeCache:
        """Where Jinja keeps the compiled templates of this output's builds."""
        return _TemplateBytecode(str(self.folder / "templates"))

    def previous_terms(self) -> dict:
        """The previous build's analysis of each profile, by profile digest, each pickled on
        its own (search/index.py unpickles only those it needs), read on first use."""
        return self.terms.previous()[0]

    def previous_statistics(self):
        """What the previous build's search index left beside the analysis for the next one
        to start from (search/patching.py), or None."""
        return self.terms.previous()[1]

    # --- pages ---------------------------------------------------------------------------

    def page_fingerprint(self, page) -> bytes | None:
        """None for a page that must be rendered: undeclared dependencies, or a view model
        that cannot be fingerprinted."""
        if page.depends_on is None:
            return None
        if page.inputs is not None:  # what the view model is made of (digests.py)
            return digest_of(("inputs", page.save_as, page.template, page.relative_urls,
                              page.inputs))
        try:
            return self.fingerprints.of((page.save_as, page.template, page.relative_urls,
                                         page.variables))
        except TypeError:
            return None

    def reuse(self, save_as: str, fingerprint: bytes | None, staging: Path | str,
              later: bool = False) -> bool:
        """Link the previous build's file for this page into ``staging`` if it is still
        exactly what this build would write; True if it was. ``later``: the link is made by
        a second process (linking.py), at the latest before the output is published."""
        if fingerprint is None:
            return False
        if not self.reusable(save_as, fingerprint):
            self.next.pages[save_as] = (fingerprint, NOT_PUBLISHED)
            return False
        # A hard link is the same inode, of the same size and time: known without a stat.
        # (Were it copied instead, the next build would find it changed and render it.)
        self.next.pages[save_as] = self.previous.pages[save_as]
        # Strings (a caller with many pages passes ``staging`` as one): pathlib costs more
        # than a link, 16,000 times.
        source = os.path.join(self._output_text, save_as)
        target = os.path.join(staging, save_as)
        if later:
            self.links.add(source, target)
            return True
        return not make_links([(source, target)])

    def reusable(self, save_as: str, fingerprint: bytes) -> bool:
        """Whether the previous output's file at ``save_as`` is the one the previous build
        wrote for ``fingerprint`` (same inode, size and modification time)."""
        entry = self.previous.pages.get(save_as)
        if entry is None or entry[0] != fingerprint:
            return False
        try:
            status = os.stat(os.path.join(self._output_text, save_as))
        except OSError:
            return False
        return (status.st_ino, status.st_size, status.st_mtime_ns) == entry[1]

    def placed_by(self, prefix: str) -> dict[str, tuple]:
        """What this build knows of the files under ``prefix`` that it wrote or linked (a
        forked process hands it back, for recorded())."""
        return {save_as: entry for save_as, entry in self.next.pages.items()
                if save_as.startswith(prefix)}

    def recorded(self, placed: dict[str, tuple]) -> None:
        self.next.pages.update(placed)

    # --- saved at the end ----------------------------------------------------------------

    def save(self) -> None:
        """After publishing: record where each page's file now is, write the cache
        atomically, and prune caches of output folders not built lately."""
        output = str(self.output)  # strings: pathlib costs more than the stat, 10,000 times
        for save_as, (fingerprint, published) in list(self.next.pages.items()):
            if published != NOT_PUBLISHED:
                continue  # linked from the previous output: its stat is known
            try:
                status = os.stat(os.path.join(output, save_as))
            except OSError:
                del self.next.pages[save_as]
                continue
            self.next.pages[save_as] = (fingerprint,
                                        (status.st_ino, status.st_size, status.st_mtime_ns))
        self.folder.mkdir(parents=True, exist_ok=True)
        parts = {part: getattr(self.next, part) for part in STORED_PARTS}
        added: dict[str, dict] = {part: {} for part in STORED_PARTS}
        removed: dict[str, list] = {part: [] for part in STORED_PARTS}
        store = None
        if self._store is not None:
            store, stored = self._store
            for part, entries in parts.items():
                old = stored.setdefault(part, {})
                # Differences of the key views: compared in C, a fifth of the time of a
                # comprehension over some 60,000 entries
                added[part] = {key: entries[key] for key in entries.keys() - old.keys()}
                removed[part] = list(old.keys() - entries.keys())
            changed = sum(map(len, added.values())) + sum(map(len, removed.values()))
            if changed > REWRITE_SHARE * sum(map(len, parts.values())):
                store = None
        with _collector_paused():
            if store is None:  # a new store: everything in it, no changes beside it
                store = f"store-{os.urandom(8).hex()}.pickle"
                self._write(store, parts)
                added = {part: {} for part in STORED_PARTS}
                removed = {part: [] for part in STORED_PARTS}
            self._write("cache.pickle", SavedCache(self.next.salt, self.next.pages,
                                                   self.next.search, self.next.layout, store,
                                                   added, removed))
        self.terms.write()  # unless a forked job has
        self.rows.write()
        for other in self.folder.glob("store-*.pickle"):
            if other.name != store:
                other.unlink(missing_ok=True)
        self._prune()

    def _write(self, name: str, value) -> None:
        """Pickle ``value`` into the cache folder's file ``name``, atomically."""
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".cache-")
        try:
            with os.fdopen(handle, "wb") as file:
                try:
                    _dump_without_memo(value, file)
                except ValueError:  # a value that refers to itself: the memo is needed
                    file.seek(0)
                    file.truncate()
                    pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.folder / name)
        except BaseException:
            os.unlink(temporary)
            raise

    def _prune(self) -> None:
        for folder in caches_beyond_the_newest(self.folder.parent, KEEP_CACHES):
            if folder != self.folder:
                shutil.rmtree(folder, ignore_errors=True)


class SideFile:
    """A part of the cache in a file of its own, read on first use, often by a forked process
    (background.py), which then writes the next build's itself, into place at once: its
    entries, like the store's, are functions of their keys, so a file left by another build
    of the same salt, or by a build that failed after writing it, is never wrong. (Moved into
    place by the build, the 50 MB of the two files took the old ones' freeing with them onto
    the build's critical path.)"""

    def __init__(self, build: IncrementalBuild, name: str, empty):
        self._build, self.name, self._empty = build, name, empty
        self._previous = None
        self.next = None  # None: the file stays as it is

    def previous(self):
        """The previous build's value, or the empty one."""
        if self._previous is None:
            self._previous = self._empty
            if self._build.previous.salt:  # a cache of this salt was read
                try:
                    with open(self._build.folder / self.name, "rb") as file, \
                            _collector_paused():
                        salt, value = pickle.load(file)
                    if salt == self._build.salt:
                        self._previous = value
                except (OSError, EOFError, pickle.UnpicklingError, AttributeError,
                        ImportError, TypeError, ValueError):
                    pass
        return self._previous

    def write(self) -> None:
        """Write ``next`` into place (nothing when it is None)."""
        if self.next is None:
            return
        self._build.folder.mkdir(parents=True, exist_ok=True)
        with _collector_paused():
            self._build._write(self.name, (self._build.salt, self.next))
        self.next = None  # written


def caches_beyond_the_newest(parent: Path, keep: int) -> list[Path]:
    """The cache folders in ``parent`` older than its ``keep`` newest. Builds into other
    outputs may run at the same time (parallel test workers, a bench beside a build) and
    prune the same parent: a folder that vanishes while this looks is simply not counted."""
    dated = []
    for folder in parent.iterdir():
        try:
            status = folder.stat()
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(status.st_mode):
            dated.append((status.st_mtime, folder))
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [folder for _, folder in dated[keep:]]


def _dump_without_memo(value, file) -> None:
    """Pickle ``value`` without the pickler's memo of every object it has written: the cache
    holds trees of plain values, about two million objects at 10,000 profiles, and the memo
    made its writing three times slower and was the build's peak of memory (55 MB more). An
    object met twice is written twice (the store grows by a sixth). The C pickler still
    notices a value that contains itself, and raises ValueError."""
    pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)


@contextmanager
def _collector_paused():
    """Python's cycle collector paused: (un)pickling the cache makes millions of objects, and
    without this each batch of them starts a collection that walks all the ones before
    (loading takes three times as long). The cache's objects hold no cycles. (A build has
    the collector off throughout, collector.py; this is for the cache used on its own.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# A file whose status changed less than this long before it was read may change again with
# the same status: file times come from a clock that ticks every few milliseconds.
RACY_NS = 1_000_000_000


def cached_loader(build: IncrementalBuild):
    """loading.load_files, reusing the previous build's document for each file whose bytes
    are unchanged: parsing and schema checks are what is saved. A file is read and hashed to
    compare, unless its status (size, times, inode) is the one the previous build read it
    with, and was set well before that reading, as git trusts its index: a write changes the
    modification and change times (the change time cannot be set back), and one made in the
    same clock tick as an earlier write would not, hence the margin."""
    from .loading import MAX_FILE_BYTES, load_files

    def load_many(files: list[tuple[Path, str]], progress=None) -> list[tuple]:
        if not build.previous.documents:
            return load_each_keyed(files, progress)
        keys = []
        previous_stats, next_stats = build.previous.stats, build.next.stats
        trusted_before = time.time_ns() - RACY_NS
        for path, kind in files:
            name = str(path)  # os on strings: pathlib cost as much as the reading, 10,000 times
            try:
                status = os.lstat(name)
                if stat.S_ISREG(status.st_mode) and status.st_size <= MAX_FILE_BYTES:
                    seen = (status.st_size, status.st_mtime_ns, status.st_ctime_ns,
                            status.st_ino, status.st_dev)
                    known = previous_stats.get(name)
                    if known is not None and known[0] == seen:
                        content = known[1]
                    else:
                        with open(name, "rb", buffering=0) as file:
                            content = hashlib.sha1(file.read()).digest()
                    if status.st_ctime_ns < trusted_before:
                        next_stats[name] = (seen, content)
                    keys.append((name, kind, content))
                else:
                    keys.append(None)
            except OSError:
                keys.append(None)  # load_file says what is wrong
        missing = [index for index, key in enumerate(keys)
                   if key is None or key not in build.previous.documents]
        fresh = dict(zip(missing, load_files([files[index] for index in missing], progress)))
        loaded = []
        for index, key in enumerate(keys):
            result = fresh[index] if index in fresh else build.previous.documents[key]
            if key is not None:
                build.next.documents[key] = result
                if index in fresh and result[0] is not None:  # a kept one has it already
                    result[0].content = key[2]
            loaded.append(result)
        if progress is not None:
            progress.advance(len(files) - len(missing))
        return loaded

    def load_each_keyed(files: list[tuple[Path, str]], progress) -> list[tuple]:
        """With no document to reuse (a first build), each file is keyed by the process that
        loads it, from the bytes it reads: read and hashed here first, on one core, the
        files took a tenth of a second at 10,000 profiles before the two loading processes
        began, and each was read twice."""
        trusted_before = time.time_ns() - RACY_NS
        loaded = []
        for (path, kind), (document, problems, identity) in zip(
                files, load_files(files, progress, keyed=True)):
            result = (document, problems)
            if identity is not None:
                name = str(path)
                status, content = identity
                if status[2] < trusted_before:  # its change time
                    build.next.stats[name] = identity
                build.next.documents[(name, kind, content)] = result
                if document is not None:
                    document.content = content
            loaded.append(result)
        return loaded

    return load_many


def cached_relate(build: IncrementalBuild):
    """relations.relate, or, when the profiles' structure is the previous build's (an edited
    summary or description), the previous build's graph with this build's profiles in it."""
    from .relations import directory_of, graph_of, relate, structure_of

    def relate_all(profiles: list) -> object:
        structure = structure_of(profiles)
        graph = build.previous.relations.get(structure)
        directory = directory_of(profiles, graph) if graph is not None else relate(profiles)
        build.next.relations = {structure: graph if graph is not None else graph_of(directory)}
        directory.structure = structure
        return directory

    return relate_all
