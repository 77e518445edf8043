"""Search index: the directory graph -> a Whoosh index -> compact shards for the browser.

Whoosh analyses and scores at build time; the browser only looks numbers up. What it needs for
Whoosh's BM25F is exported as is: per field and term the postings (document, term frequency,
and the field length exactly as Whoosh stores it, quantised to a byte), per field the average
length, and the document count. The browser recomputes idf from the posting count the way
Whoosh does, so its scores equal Whoosh's.

Layout under output/search/index/ (all JSON, gzip-friendly):
  manifest.json      analyzer spec, fields and boosts, statistics, shard keys, facet names
                     (the search page carries it inline; the file is for other pages and tools)
  terms/<key>.json   the postings of every term that starts with <key>; a key is two letters,
                     or more where a shard would be large, so a query fetches a few KB
  near/<key>.json    the profiles' words (before stemming) with <key> as their first two
                     letters or as the first two after deleting the first or second letter:
                     the candidates for a typo (see near.py)
  facets.json        documents of each sector and city, for filters and live counts
  previews/<key>.json  the same for the first page of results of each term in terms/<key>:
                     fetched beside the shard, so the first results of a one-word query are
                     drawn without waiting for docs/ (one round trip fewer)
  docs/<n>.json      name, city, summary and URL of documents n*DOC_CHUNK ..., fetched only
                     for results on screen that no preview holds
"""

from __future__ import annotations

import hashlib
import heapq
import html
import json
import math
import os
import pickle
import shutil
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from io import BytesIO
from pathlib import Path

import nh3
from jinja2.utils import htmlsafe_json_dumps
from pelican.generators import Generator
from whoosh import fields as whoosh_fields
from whoosh.filedb.filestore import RamStorage
from whoosh.filedb.structfile import StructFile
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

from ..digests import everything
from ..background import Job
from ..markup import render_all, render_markdown
from ..pages import result_rendering_pages
from ..parallel import worth_forking
from ..relations import Directory
from ..reporting import build_report, incremental_build
from ..slugs import slugify
from ..validation import KINDS, Profile
from .analyzer import SPEC, DirectoryTokenizer, term_of, words
from .near import near_lists, surface_words
from .patching import PATCH_SHARE, StatisticsState, patch, state_of
from .reuse import NO_MARGIN, IndexState, Unchanged, unchanged_since

STATIC = Path(__file__).parent / "static"
# Field boosts: a match in the name outweighs sectors and place, which outweigh the summary,
# which outweighs the long description.
BOOSTS = {"name": 10.0, "sectors": 4.0, "place": 4.0, "summary": 2.0, "operator": 1.5,
          "format": 1.5, "kind": 1.0, "description": 1.0}
TEXT_FIELDS = list(BOOSTS)
K1 = 1.2
B = 0.75
DOC_CHUNK = 8
SHARD_BYTES = 3000  # raw JSON; about 1 KB gzipped
MAX_KEY = 5
PREVIEW_DEPTH = 10  # the search page's first page of results
# At most this many records in one previews file: where a shard holds many rare terms, the
# commonest terms get their previews first (they are likelier to be searched, and their results
# span more docs/ chunks); the rest fall back to docs/.
PREVIEW_RECORDS = 40


def weighting() -> BM25F:
    return BM25F(B=B, K1=K1)


@lru_cache(maxsize=65536)  # near.py reads the description's words again
def plain_text(markdown_text: str) -> str:
    return html.unescape(nh3.clean(str(render_markdown(markdown_text)), tags=set()))


def searchable_fields(profile: Profile) -> dict[str, str]:
    """The text of each search field of a profile."""
    return {
        "name": profile.name,
        "sectors": " ".join(profile.sectors),
        "place": " ".join(part for part in (profile.city, profile.region) if part),
        "summary": profile.summary,
        "operator": profile.operator or "",
        "format": profile.format or "",
        "kind": profile.kind,
        "description": plain_text(profile.description),
    }


def whoosh_schema() -> whoosh_fields.Schema:
    text = {name: whoosh_fields.TEXT(analyzer=DirectoryTokenizer(), phrase=False)
            for name in TEXT_FIELDS}
    return whoosh_fields.Schema(
        id=whoosh_fields.ID(stored=True, unique=True),
        type=whoosh_fields.ID(stored=True),
        sector=whoosh_fields.KEYWORD(stored=True, commas=True),
        city=whoosh_fields.ID(stored=True),
        **text,
    )


class PrivateRamStorage(RamStorage):
    """Whoosh's RamStorage keeps the index in memory but writes its temporary files to
    <tmp>/MAIN.tmp, a folder every build on the machine shares: when one build finishes it
    empties that folder and another, mid-write, fails with FileNotFoundError. Here the
    temporary files stay in memory too (an index of profiles is a few megabytes at most)."""

    def temp_storage(self, name=None):
        return _TemporaryRamStorage()


class _TemporaryRamStorage(RamStorage):
    """A RamStorage that also keeps a file closed through its raw file object, as Whoosh's
    sorting pool writes the runs it spills when its postings outgrow the pool (128 MB, some
    50,000 profiles): plain RamStorage kept a file only when closed through its wrapper, so
    such a build failed with NameError: <name>.run."""

    def create_file(self, name, **kwargs):
        return StructFile(_KeptBytes(self.files, name), name=name)


class _KeptBytes(BytesIO):
    def __init__(self, files: dict, name: str):
        super().__init__()
        self.files, self.name = files, name

    def close(self) -> None:
        if not self.closed:
            self.files[self.name] = self.getvalue()
        super().close()


def build_whoosh_index(directory: Directory):
    """An in-memory Whoosh index of every profile; document numbers follow directory order."""
    index = PrivateRamStorage().create_index(whoosh_schema())
    writer = index.writer()
    for profile in directory.profiles:
        writer.add_document(
            id=f"{profile.kind}/{profile.slug}",
            type=profile.kind,
            sector=",".join(slugify(sector) for sector in profile.sectors),
            city=slugify(profile.city) if profile.city else "",
            **searchable_fields(profile),
        )
    writer.commit()
    return index


def posting_sizes(postings: dict[str, list], known: dict[str, int] | None = None,
                  encoded: dict[str, str] | None = None) -> dict[str, int]:
    """Each term's size as shard_prefixes weighs it; ``known``: sizes of terms whose
    postings are known unchanged (reuse.py), not encoded again. The postings it encodes go
    into ``encoded`` (term -> JSON), when given, for shard_json."""
    known = known or {}
    sizes = {}
    for term in postings:
        size = known.get(term)
        if size is None:
            text = dumps(postings[term])
            if encoded is not None:
                encoded[term] = text
            size = len(term) + len(text)
        sizes[term] = size
    return sizes


def shard_prefixes(postings: dict[str, list],
                   sizes: dict[str, int] | None = None) -> dict[str, list[str]]:
    """Terms grouped by a prefix of two letters, lengthened one letter at a time where a group
    would exceed SHARD_BYTES: a query fetches only the few kilobytes its word needs."""
    shards: dict[str, list[str]] = {}
    if sizes is None:
        sizes = posting_sizes(postings)

    def place(key: str, terms: list[str]) -> None:
        size = sum(sizes[term] for term in terms)
        if size <= SHARD_BYTES or len(key) >= MAX_KEY:
            shards[key] = terms
            return
        longer: dict[str, list[str]] = defaultdict(list)
        for term in terms:
            if len(term) > len(key):
                longer[term[:len(key) + 1]].append(term)
            else:
                shards.setdefault(key, []).append(term)  # the prefix itself is a term
        for longer_key in sorted(longer):
            place(longer_key, longer[longer_key])

    groups: dict[str, list[str]] = defaultdict(list)
    for term in sorted(postings):
        groups[term[:2]].append(term)
    for key in sorted(groups):
        place(key, groups[key])
    return shards


@dataclass
class ClientIndex:
    """The browser's index as JSON-ready values, keyed by file name under search/index/."""

    files: dict[str, object]
    # The JSON of each file as written, where export has made it already (it hashes them).
    encoded: dict[str, bytes] = field(default_factory=dict)
    # name -> (SHA-256 of its bytes, its size), of every file
    digests: dict[str, tuple[bytes, int]] = field(default_factory=dict)
    # Files whose bytes are known to be the previous build's (reuse.py): not encoded.
    known: set[str] = field(default_factory=set)
    shards: dict[str, bytes] = field(default_factory=dict)  # for the next build: reuse.IndexState
    previews: dict[str, tuple[tuple[int, ...], float]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # posting_sizes, for the next build
    near: dict[str, bytes] = field(default_factory=dict)  # key -> digest of its word list


@dataclass
class Statistics:
    """What the browser's BM25F needs, as Whoosh stores it: per term, per field (in field order)
    the flat postings [doc delta, term frequency, quantised field length, ...]; the number of
    documents; and each field's average length."""

    postings: dict[str, list]
    doc_count: int
    average_lengths: list
    totals: list[int] | None = None  # each field's total length (patching.py patches them)


def whoosh_statistics(index) -> Statistics:
    """The statistics read back from a Whoosh index: the reference that ``statistics`` must
    equal (tests/test_search_speed.py holds them to it)."""
    postings: dict[str, list] = defaultdict(list)
    with index.searcher(weighting=weighting()) as searcher:
        reader = searcher.reader()
        doc_count = searcher.doc_count_all()
        average_lengths = [searcher.avg_field_length(name) or 1 for name in TEXT_FIELDS]
        for field_number, name in enumerate(TEXT_FIELDS):
            for term_bytes in reader.lexicon(name):
                matcher = reader.postings(name, term_bytes)
                flat, previous = [], 0
                while matcher.is_active():
                    doc = matcher.id()
                    flat += [doc - previous, int(matcher.weight()),
                             searcher.doc_field_length(doc, name, 1)]
                    previous = doc
                    matcher.next()
                postings[term_bytes.decode("utf-8")].append([field_number, flat])
    return Statistics(dict(postings), doc_count, average_lengths)


def field_terms(profile: Profile) -> list[tuple[dict[str, int], int]]:
    """Per search field (in TEXT_FIELDS order) the frequency of each term and the field's
    length in terms, exactly as Whoosh's Frequency format counts them."""
    return counted_terms([words(text) for text in searchable_fields(profile).values()])


def counted_terms(field_words: list[list[str]]) -> list[tuple[dict[str, int], int]]:
    """field_terms, from each field's normalised words. Each distinct word is looked up once,
    with its count (Counter counts in C): a description says "the" and "city" many times.
    The terms keep the order of their first word, as counting them one by one does."""
    analysed = []
    for words_in_order in field_words:
        counts: dict[str, int] = {}
        length = 0
        for word, number in Counter(words_in_order).items():
            term = term_of(word)
            if term is not None:
                counts[term] = counts.get(term, 0) + number
                length += number
        analysed.append((counts, length))
    return analysed


def statistics(directory: Directory, analysed=field_terms) -> Statistics:
    """The statistics computed straight from the profiles, without building a Whoosh index:
    Whoosh spends most of its time on segments, pools and codecs that the export reads back
    only to flatten again. Field lengths go through Whoosh's own byte quantisation; averages
    use the exact totals, as Whoosh's do. ``analysed`` may be a cached ``field_terms``."""
    per_field: list[dict[str, list]] = [{} for _ in TEXT_FIELDS]
    totals = [0] * len(TEXT_FIELDS)
    quantised: dict[int, int] = {}
    for doc, profile in enumerate(directory.profiles):
        for field_number, (counts, length) in enumerate(analysed(profile)):
            if not length:
                continue
            totals[field_number] += length
            stored = quantised.get(length)
            if stored is None:
                stored = quantised[length] = byte_to_length(length_to_byte(length))
            table = per_field[field_number]
            for term, frequency in counts.items():
                entry = table.get(term)
                if entry is None:
                    entry = table[term] = [0, []]  # [previous document, flat postings]
                entry[1] += (doc - entry[0], frequency, stored)
                entry[0] = doc
    postings: dict[str, list] = {}
    for field_number, table in enumerate(per_field):
        for term, (_, flat) in table.items():
            postings.setdefault(term, []).append([field_number, flat])
    return with_averages(postings, len(directory.profiles), totals)


def with_averages(postings: dict[str, list], doc_count: int, totals: list[int]) -> Statistics:
    average_lengths = [total / (doc_count or 1) or 1 for total in totals]
    return Statistics(postings, doc_count, average_lengths, totals)


def export(directory: Directory, index=None, stats: Statistics | None = None,
           surface: set[str] | None = None, unchanged: Unchanged | None = None) -> ClientIndex:
    """The client index of ``directory``: from its statistics (computed directly unless given),
    or, when a Whoosh ``index`` is given, from what that index stores. ``surface``: the
    profiles' words (near.surface_words), when known already. ``unchanged``: what is known to
    be as the previous build made it (reuse.py); those files are not encoded again."""
    if stats is None:
        stats = whoosh_statistics(index) if index is not None else statistics(directory)
    postings, doc_count, average_lengths = stats.postings, stats.doc_count, stats.average_lengths
    if unchanged is not None and unchanged.state.manifest["docCount"] != doc_count:
        unchanged = None
    previous = unchanged.state if unchanged is not None else None
    known: set[str] = set()

    encoded_postings: dict[str, str] = {}
    sizes = posting_sizes(postings, None if previous is None else
                          {term: size for term, size in previous.sizes.items()
                           if term not in unchanged.terms}, encoded_postings)
    shards = shard_prefixes(postings, sizes)
    shard_ids = {key: list_digest(terms) for key, terms in shards.items()}
    same_shards = {key for key in shards if previous is not None
                   and previous.shards.get(key) == shard_ids[key]
                   and unchanged.terms.isdisjoint(shards[key])}
    if surface is None:
        surface = surface_words(directory, searchable_fields)
    near = near_lists(surface)  # typo candidates
    # A shard known unchanged is made only if its file cannot be linked (write_client_index):
    # most of a rebuild's postings are then never unpacked (patching.Postings).
    files: dict[str, object] = {
        f"terms/{key}.json": (partial(shard_of, postings, terms) if key in same_shards
                              else shard_of(postings, terms))
        for key, terms in sorted(shards.items())}
    known.update(f"terms/{key}.json" for key in same_shards)
    files.update({f"near/{key}.json": terms for key, terms in sorted(near.items())})
    # A near/ file is its list of words: the same words, the same bytes (most lists, after
    # an edit that brings no new word).
    near_ids = {key: list_digest(terms) for key, terms in near.items()}
    if previous is not None:
        known.update(f"near/{key}.json" for key, digest in near_ids.items()
                     if previous.near.get(key) == digest)
    files["facets.json"] = facets(directory)
    records = [result_record(profile) for profile in directory.profiles]
    for start in range(0, len(records), DOC_CHUNK):
        name = f"docs/{start // DOC_CHUNK}.json"
        files[name] = records[start:start + DOC_CHUNK]
        if previous is not None and unchanged.docs.isdisjoint(range(start, start + DOC_CHUNK)):
            known.add(name)
    scorer = TermScorer(doc_count, average_lengths)
    spread = unchanged.spread(average_lengths) if unchanged is not None else None
    previews = {}
    for key, terms in sorted(shards.items()):
        name = f"previews/{key}.json"
        prior = previous.previews.get(key) if key in same_shards else None
        held = prior is not None and unchanged.previews_hold(prior[1], spread)
        docs, margin = (prior if held  # the same first pages (reuse.py)
                        else preview_choice({term: postings[term] for term in terms}, scorer))
        if held and unchanged.docs.isdisjoint(docs):
            known.add(name)
            files[name] = partial(preview_of, records, docs)  # made only if not linked
        else:  # chosen now, or the same documents, one of which shows something new
            files[name] = preview_of(records, docs)
        previews[key] = (tuple(docs), margin)
    known = {name for name in known if name in (previous.files if previous else ())}
    counts = directory.counts()
    manifest = {
        "version": 1,
        "analyzer": SPEC,
        "k1": K1,
        "b": B,
        "fields": TEXT_FIELDS,
        "boosts": [BOOSTS[name] for name in TEXT_FIELDS],
        "avgLengths": average_lengths,
        "docCount": doc_count,
        "kinds": list(KINDS),
        "kindCounts": [counts[kind] for kind in KINDS],
        "sectors": [[facet.slug, facet.name] for facet in directory.sectors],
        "cities": [[facet.slug, facet.name] for facet in directory.cities],
        "keys": sorted(shards),
        "nearKeys": sorted(near),
        "docChunk": DOC_CHUNK,
    }
    # Every file but the manifest is fetched with ?v=<hash>: a new build is never mixed with
    # a cached old one. The hash is of every file's name and digest, so that the files known
    # unchanged need not be encoded to make it.
    shard_terms = {f"terms/{key}.json": terms for key, terms in shards.items()}
    encoded = {name: (shard_json(postings, shard_terms[name], encoded_postings)
                      if name in shard_terms
                      else dumps(value() if callable(value) else value)).encode("utf-8")
               for name, value in files.items() if name not in known}
    digests = {name: previous.files[name] if name in known
               else (hashlib.sha256(encoded[name]).digest(), len(encoded[name]))
               for name in files}
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + digests[name][0])
    manifest["hash"] = digest.hexdigest()[:16]
    files["manifest.json"] = manifest
    encoded["manifest.json"] = dumps(manifest).encode("utf-8")
    digests["manifest.json"] = (hashlib.sha256(encoded["manifest.json"]).digest(),
                                len(encoded["manifest.json"]))
    return ClientIndex(files, encoded, digests, known, shard_ids, previews, sizes, near_ids)


def list_digest(words: list[str]) -> bytes:
    """What a shard's terms or a near/ list's words are known by from one build to the next."""
    return hashlib.sha256("\0".join(words).encode()).digest()


def preview_of(records: list[list[str]], docs) -> list[list]:
    """A previews/ file: the result records of its documents."""
    return [[doc, *records[doc]] for doc in docs]


def shard_of(postings: Mapping, terms: list[str]) -> dict[str, list]:
    """A terms/ file: the postings of its terms."""
    return {term: postings[term] for term in terms}


def shard_json(postings: Mapping, terms: list[str], encoded: dict[str, str]) -> str:
    """dumps(shard_of(postings, terms)), from the postings posting_sizes has encoded already
    (``encoded``, term -> JSON): encoding every posting list a second time for its shard was
    a tenth of the index's time. json writes a key as it writes a string value."""
    return "{" + ",".join(
        f"{dumps(term)}:{encoded[term] if term in encoded else dumps(postings[term])}"
        for term in terms) + "}"


def result_record(profile: Profile) -> list[str]:
    """What a search result shows: name, city, summary and URL."""
    return [profile.name, profile.city or "", profile.summary, profile.url]


@dataclass
class TermScorer:
    """A term's BM25F score per document from its exported postings, computed as engine.js
    and whoosh.scoring.BM25F compute it."""

    doc_count: int
    average_lengths: list[float]

    def scores(self, fields: list) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for field, flat in fields:
            idf = math.log(self.doc_count / (len(flat) // 3 + 1)) + 1
            boost = BOOSTS[TEXT_FIELDS[field]]
            doc = 0
            for delta, tf, length in zip(flat[0::3], flat[1::3], flat[2::3]):
                doc += delta  # the same operations in the same order as engine.js: same floats
                score = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + (B * length) / self.average_lengths[field])))
                scores[doc] += score * boost
        return scores


def preview_docs(terms: dict[str, list], scorer: TermScorer) -> list[int]:
    """The documents on the first page of results of each term alone (best score first, then
    document order, as the browser ranks), commonest terms first, up to PREVIEW_RECORDS."""
    return preview_choice(terms, scorer)[0]


def preview_choice(terms: dict[str, list], scorer: TermScorer) -> tuple[list[int], float]:
    """preview_docs, and its margin: the smallest ratio, over the terms, of a term's tenth best
    score to its eleventh (infinite when no term has more than ten documents). reuse.py
    keeps the documents while the average lengths move by less than the margin allows."""
    chosen: set[int] = set()
    margin = NO_MARGIN
    by_frequency = sorted(terms, key=lambda term: (-sum(len(flat) for _, flat in terms[term]), term))
    for term in by_frequency:
        scores = scorer.scores(terms[term])
        ranked = heapq.nsmallest(PREVIEW_DEPTH + 1, scores, key=lambda doc: (-scores[doc], doc))
        top = ranked[:PREVIEW_DEPTH]
        if len(ranked) > PREVIEW_DEPTH:
            tenth, eleventh = scores[ranked[-2]], scores[ranked[-1]]
            margin = min(margin, tenth / eleventh if tenth != eleventh
                         else tie_margin(terms[term], scores, top))
        if len(chosen | set(top)) <= PREVIEW_RECORDS:
            chosen.update(top)
    return sorted(chosen), margin


def tie_margin(fields: list, scores: dict[int, float], top: list[int]) -> float:
    """The margin of a term whose tenth and eleventh best documents score the same (in a
    large directory, half the shards hold such a term). Documents with the same term
    frequency and quantised length in every field of the term score the same whatever the
    averages are, so when every document of the tied score is alike in that way, the tie
    stays a tie and documents are still taken in order: the first page can then only change
    when a document above the tie falls to it (above / tied), or one below rises to it
    (tied / below). A tie of documents that are not alike is a margin of 1: it may break
    either way."""
    tied = scores[top[-1]]
    group = {doc for doc, score in scores.items() if score == tied}
    alike: dict[int, list] = {doc: [] for doc in group}
    for field, flat in fields:
        doc = 0
        for delta, tf, length in zip(flat[0::3], flat[1::3], flat[2::3]):
            doc += delta
            if doc in alike:
                alike[doc].append((field, tf, length))
    if len({tuple(signature) for signature in alike.values()}) > 1:
        return 1.0
    above = min((scores[doc] for doc in top if scores[doc] != tied), default=NO_MARGIN)
    below = max((score for score in scores.values() if score < tied), default=0.0)
    return min(above / tied, tied / below if below > 0 else NO_MARGIN)


def facets(directory: Directory) -> dict:
    """Documents of each sector and city as delta-encoded ascending document numbers (the
    types need none: documents are ordered by type)."""
    number = {profile.key: doc for doc, profile in enumerate(directory.profiles)}

    def deltas(profiles: list[Profile]) -> list[int]:
        docs = sorted(number[profile.key] for profile in profiles)
        return [doc - previous for doc, previous in zip(docs, [0] + docs[:-1])]

    return {"sectors": [deltas(facet.profiles) for facet in directory.sectors],
            "cities": [deltas(facet.profiles) for facet in directory.cities]}


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def write_client_index(client: ClientIndex, folder: Path, progress=None, reuse=None) -> int:
    """Write every file of the client index; returns their size in bytes. ``reuse(name,
    digest)`` may place a file itself (an incremental build links the previous one)."""
    made: set[str] = set()
    size = 0
    root = str(folder)  # strings: pathlib cost more than the links, 6,000 files a rebuild
    for name, value in client.files.items():
        folder_name, _, _ = name.rpartition("/")
        if folder_name not in made:
            os.makedirs(os.path.join(root, folder_name), exist_ok=True)
            made.add(folder_name)
        digest = client.digests.get(name)
        if reuse is not None and digest is not None and reuse(name, digest[0]):
            size += digest[1]
        else:
            if callable(value):  # made only now (export)
                value = value()
            data = client.encoded.get(name) or dumps(value).encode("utf-8")
            with open(os.path.join(root, name), "wb") as file:
                file.write(data)
            size += len(data)
        if progress is not None:
            progress.advance()
    return size


RUNTIME = ("analyzer.js", "stemmer.js", "engine.js", "search-page.js")


class SearchIndexGenerator(Generator):
    """Writes output/search/: the search page, the browser runtime and the client index."""

    def generate_context(self) -> None:
        """A large site's index is made by a forked process (background.py) from here on,
        beside everything else: in a rebuild, most pages are linked rather than rendered and
        the second core would be idle; in a first build, the index starts while this process
        prepares the pages (their view models, on one core), and then runs beside their
        rendering. A small site makes it in this process (a fork costs more than it saves
        there), and so does a rebuild whose index is the previous one."""
        self._background: Job | None = None
        build = incremental_build(self.settings)
        directory: Directory = self.context["directory"]
        digests = self.context.get("profile_digests")
        if not worth_forking(len(directory.profiles)) or (
                build is not None and digests is not None
                and self.whole_index_reusable(build, everything(directory, digests))):
            return
        # The forked process renders no Markdown of its own: the descriptions it analyses
        # are rendered first, here and by the head start the page generator began
        # (markup.render_ahead); the page generator then finds them rendered.
        render_all((profile.description for profile in directory.profiles), self.settings)
        staging = Path(self.output_path)
        self._background = Job(lambda: self.index_in_background(directory, build, digests,
                                                                staging), "the search index",
                               # the analysis for the next build: written once the index is
                               # handed back, off the build's longest path
                               afterwards=build.terms.write if build is not None else None)

    def whole_index_reusable(self, build, key: bytes) -> bool:
        previous = build.previous.search
        return (isinstance(previous, IndexState) and previous.key == key and all(
            build.reusable(f"search/index/{name}", digest)
            for name, (digest, _) in previous.files.items()))

    def generate_output(self, writer) -> None:
        directory: Directory = self.context["directory"]
        folder = Path(self.output_path) / "search"
        report = build_report(self.settings)
        build = incremental_build(self.settings)
        digests = self.context.get("profile_digests")  # digests.py, in an incremental build
        # Everything export() reads is in the profiles' digests, in order (the facets too:
        # they are made of the profiles' fields).
        key = everything(directory, digests) if build and digests is not None else None
        previous: IndexState | None = build.previous.search if build else None
        if not isinstance(previous, IndexState):
            previous = None
        staging = Path(self.output_path)
        if self._background is not None:
            state, placed = result_rendering_pages(self.settings, self._background)
            if build is not None:
                build.recorded(placed)
            with report.stage("index", len(directory.profiles), "profiles") as stage:
                stage.advance(len(directory.profiles))
            with report.stage("write", len(state.files) + len(RUNTIME) + 1, "files") as stage:
                stage.advance(len(state.files))
                self.write_runtime(writer, folder, state.manifest, stage)
        elif key is not None and self.whole_index_reusable(build, key):
            # Nothing the index is made of has changed: the previous index, linked.
            # The same profiles: the terms file stays as it is.
            with report.stage("index", len(directory.profiles), "profiles"):
                pass
            with report.stage("write", len(previous.files) + len(RUNTIME) + 1, "files") as stage:
                for name, (digest, _) in previous.files.items():
                    if not build.reuse(f"search/index/{name}", digest, staging):
                        raise RuntimeError(f"could not link search/index/{name} from the "
                                           f"previous output; build again with --full")
                    stage.advance()
                self.write_runtime(writer, folder, previous.manifest, stage)
            state = previous
        else:
            with report.stage("index", len(directory.profiles), "profiles") as stage:
                client = make_index(directory, build, digests, stage)
            with report.stage("write", len(client.files) + len(RUNTIME) + 1, "files") as stage:
                state = place_index(client, build, key, digests, directory, staging, stage)
                self.write_runtime(writer, folder, client.files["manifest.json"], stage)
        report.counts["index_bytes"] = state.size
        if build:
            build.next.search = state

    @staticmethod
    def index_in_background(directory: Directory, build, digests: dict, staging: Path):
        """The forked process's work: the index made and placed; what the build records of
        it (the index's state, the files placed) handed back."""
        client = make_index(directory, build, digests)
        key = everything(directory, digests) if build and digests is not None else None
        state = place_index(client, build, key, digests, directory, staging)
        if build is None:  # a build without a cache (--full): nothing to hand on
            return state, {}
        return state, build.placed_by("search/index/")

    def write_runtime(self, writer, folder: Path, manifest: dict, stage) -> None:
        """The browser's scripts and the search page, which carries the manifest inline."""
        for name in RUNTIME:
            shutil.copyfile(STATIC / name, folder / name)
            stage.advance()
        writer.write_file("search/index.html", self.get_template("search"), self.context,
                          relative_urls=self.settings.get("RELATIVE_URLS", False),
                          kinds=[(kind, f"{kind}s/") for kind in KINDS],
                          search_manifest=htmlsafe_json_dumps(manifest, dumps=dumps))


def make_index(directory: Directory, build, digests: dict | None, stage=None) -> ClientIndex:
    """The client index, from the profiles' analysis (cached in an incremental build) and
    what is known unchanged since the previous build's (reuse.py); its statistics patched
    from the previous build's when few profiles changed (patching.py)."""
    previous = build.previous.search if build else None
    if build and digests is not None and isinstance(previous, IndexState):
        index = patched_index(directory, build, digests, previous)
        if index is not None:
            if stage is not None:
                stage.advance(len(directory.profiles))
            return index
    analysis, next_terms = cached_analysis(build, directory.profiles, digests, stage)
    unchanged = None
    if build and digests is not None and isinstance(previous, IndexState):
        unchanged = unchanged_since(previous, [digests[p.key] for p in directory.profiles],
                                    [analysis[p.key][0] for p in directory.profiles],
                                    AnalysisOf(build.previous_terms()))
    stats = statistics(directory, analysed=lambda profile: analysis[profile.key][0])
    if next_terms is not None:
        build.terms.next = (next_terms, state_of(
            stats.postings, stats.totals, [digests[p.key] for p in directory.profiles],
            (analysis[p.key] for p in directory.profiles)))
    return export(directory, stats=stats,
                  surface={word for _, words in analysis.values() for word in words},
                  unchanged=unchanged)


def patched_index(directory: Directory, build, digests: dict,
                  previous: IndexState) -> ClientIndex | None:
    """make_index for a rebuild in which few profiles changed, from the previous build's
    statistics (patching.py), unpickling only the changed profiles' analyses; None when the
    previous statistics are not of the previous index, or too much changed."""
    state = build.previous_statistics()
    doc_digests = [digests[profile.key] for profile in directory.profiles]
    if (not isinstance(state, StatisticsState) or state.doc_digests != previous.doc_digests
            or len(state.doc_digests) != len(doc_digests)):
        return None
    changed = [doc for doc, (new, old) in enumerate(zip(doc_digests, state.doc_digests))
               if new != old]
    if len(changed) > PATCH_SHARE * len(doc_digests):
        return None
    terms = build.previous_terms()
    if any(state.doc_digests[doc] not in terms for doc in changed):
        return None
    analysed = AnalysisOf(terms)
    old = {doc: analysed[state.doc_digests[doc]] for doc in changed}
    new = {doc: analysed[doc_digests[doc]] if doc_digests[doc] in terms
           else analyse(directory.profiles[doc]) for doc in changed}
    postings, totals, next_state = patch(state, doc_digests, old, new)
    unchanged = unchanged_since(previous, doc_digests, {doc: new[doc][0] for doc in changed},
                                {state.doc_digests[doc]: old[doc] for doc in changed})
    next_terms = {digest: terms[digest] for digest in doc_digests if digest in terms}
    next_terms.update({doc_digests[doc]: pickled(new[doc]) for doc in changed})
    build.terms.next = (next_terms, next_state)
    return export(directory, stats=with_averages(postings, len(doc_digests), totals),
                  surface=set(next_state.surface), unchanged=unchanged)


def pickled(analysis) -> bytes:
    """One profile's analysis as the terms file keeps it (incremental.py)."""
    return pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL)


class AnalysisOf(dict):
    """The previous build's analyses (digest -> pickled analysis), unpickled as they are
    read: a rebuild reads a few of 10,000."""

    def __init__(self, pickled_analyses: dict):
        super().__init__()
        self._pickled = pickled_analyses

    def __missing__(self, digest: bytes):
        found = self[digest] = pickle.loads(self._pickled[digest])
        return found

    def __contains__(self, digest) -> bool:
        return digest in self._pickled

    def get(self, digest, default=None):
        return self[digest] if digest in self._pickled else default


def place_index(client: ClientIndex, build, key: bytes | None, digests: dict | None,
                directory: Directory, staging: Path, stage=None) -> IndexState:
    """Write (or, in an incremental build, link) the index's files into the staging folder;
    what the next build can take from them."""

    staging_text = str(staging)

    def reuse(name: str, digest: bytes) -> bool:
        # A file whose bytes are those of the previous build's (most shards, after one
        # profile changed) is linked, not written again.
        return build.reuse(f"search/index/{name}", digest, staging_text)

    size = write_client_index(client, staging / "search" / "index", stage,
                              reuse if build else None)
    doc_digests = ([digests[profile.key] for profile in directory.profiles]
                   if digests is not None else [])
    return IndexState(key, doc_digests, client.files["manifest.json"], size, client.digests,
                      client.shards, client.previews, client.sizes, client.near)


def analyse(profile: Profile) -> tuple[list[tuple[dict[str, int], int]], tuple[str, ...]]:
    """A profile's field_terms, and its words as the near/ lists take them (near.py). The
    words are interned: 10,000 profiles hold some 700,000 of them, but only a few ten
    thousand distinct ones."""
    field_words = [words(text) for text in searchable_fields(profile).values()]
    distinct = set().union(*field_words)
    kept = sorted(word for word in distinct if term_of(word) is not None)  # near.words_of
    return counted_terms(field_words), tuple(map(sys.intern, kept))


def cached_analysis(build, profiles: list[Profile], digests: dict | None,
                    stage=None) -> tuple[dict, dict | None]:
    """Profile key -> analyse(profile), in this process. A large site's index is made by a
    forked process while the build's other processes render the pages (SearchIndexGenerator):
    both cores are busy already, and a third process for the analysis only added the cost of
    forking and of sending 5,000 analyses back, a quarter of a second of CPU at 10,000
    profiles for no time saved (a small site's is made here, below parallel.PARALLEL_MIN,
    where a split would not fork anyway). In an incremental build the
    previous build's analysis of each profile whose digest is unchanged (digests.py: its
    fields decide its search text) is reused. And, in an incremental build, the analyses for
    the next one (profile digest -> pickled analysis; else None)."""
    terms = build.previous_terms() if build and digests is not None else {}
    previous = AnalysisOf(terms)
    missing = [profile for profile in profiles
               if digests is None or digests[profile.key] not in previous]
    fresh = {profile.key: analyse(profile) for profile in missing}
    analysis = {profile.key: fresh[profile.key] if profile.key in fresh
                else previous[digests[profile.key]] for profile in profiles}
    next_terms = None
    if build and digests is not None:
        next_terms = {digests[key]: terms[digests[key]] if key not in fresh
                      else pickled(value) for key, value in analysis.items()}
    if stage is not None:
        stage.advance(len(profiles))
    return analysis, next_terms
