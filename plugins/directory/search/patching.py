"""The search statistics of a rebuild, patched from the previous build's instead of counted again.

A rebuild after one edit read every profile's analysis back from the cache and counted every
term of every document again: 0.7 s at 10,000 profiles, in the forked index process, the
longest path of the rebuild. The statistics (index.statistics) are a function of each
document's analysis, in document order. When the number of documents is the same and only a
few of them changed, the previous build's statistics hold everything but those documents:
- a term has the same postings unless a changed document's entry for it moved (changed_terms):
  its frequency in a field, or the field's length as stored (quantised: one byte);
- a term whose entry moved gets its previous postings without the changed documents'
  entries, and with their new ones, in document order;
- each field's total length moves by the changed documents' old and new lengths (the average
  is the total over the document count, as index.statistics makes it);
- the words of the near/ lists (near.py) are counted in how many documents hold each, so a
  word that only a changed document held goes.
The previous postings are kept packed, one int32 array per term and field: read back in a few
milliseconds, where the profiles' analyses took a third of a second. Only the changed
documents' analyses are unpickled. tests/test_search_patching.py holds the patched statistics
to those computed afresh, edit by edit.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass

from whoosh.util.numeric import byte_to_length, length_to_byte

# More changed documents than this share of them: the statistics are counted afresh (a
# patch walks the postings of every term those documents hold).
PATCH_SHARE = 0.05

# A document's analysis, as index.analyse makes it: per field (counts of each term, length in
# terms), and its words for the near/ lists.
Analysis = tuple


@dataclass
class StatisticsState:
    """What a build's search statistics leave for the next build to patch."""

    doc_digests: list[bytes]  # each document's profile digest, in document order
    totals: list[int]  # each field's total length
    postings: dict[str, list[tuple[int, bytes]]]  # term -> [(field, packed flat postings)]
    surface: dict[str, int]  # word of the near/ lists -> how many documents hold it


def pack(flat: list[int]) -> bytes:
    return array("i", flat).tobytes()


def unpack(packed: bytes) -> list[int]:
    values = array("i")
    values.frombytes(packed)
    return values.tolist()


def state_of(postings: dict[str, list], totals: list[int], doc_digests: list[bytes],
             analyses) -> StatisticsState:
    """The state of statistics counted afresh; ``analyses``: every document's analysis."""
    surface: dict[str, int] = {}
    for _, words in analyses:
        for word in words:
            surface[word] = surface.get(word, 0) + 1
    return StatisticsState(list(doc_digests), list(totals),
                           {term: [(field, pack(flat)) for field, flat in fields]
                            for term, fields in postings.items()},
                           surface)


def patch(state: StatisticsState, doc_digests: list[bytes], old: dict[int, Analysis],
          new: dict[int, Analysis]) -> tuple[dict[str, list], list[int], StatisticsState]:
    """The postings and field totals of documents ``doc_digests``, which are ``state``'s but
    for the documents in ``old`` (their previous analysis) and ``new`` (their analysis now);
    and the state to hand on."""
    changed = sorted(new)
    held: set[str] = set()
    for doc in changed:
        held |= changed_terms(old[doc][0], new[doc][0])
    packed = dict(state.postings)
    for term in held:
        fields: dict[int, dict[int, tuple[int, int]]] = {}
        for field, flat in packed.get(term, ()):
            values, doc, entries = unpack(flat), 0, {}
            for delta, frequency, length in zip(values[0::3], values[1::3], values[2::3]):
                doc += delta
                if doc not in new:
                    entries[doc] = (frequency, length)
            fields[field] = entries
        for doc in changed:
            for field, (counts, length) in enumerate(new[doc][0]):
                if length and term in counts:  # index.statistics skips an empty field
                    fields.setdefault(field, {})[doc] = (counts[term], quantised(length))
        rebuilt = []
        for field in sorted(fields):
            entries, flat, previous = fields[field], [], 0
            for doc in sorted(entries):
                frequency, length = entries[doc]
                flat += (doc - previous, frequency, length)
                previous = doc
            if flat:
                rebuilt.append((field, pack(flat)))
        if rebuilt:
            packed[term] = rebuilt
        else:
            packed.pop(term, None)
    totals = list(state.totals)
    surface = dict(state.surface)
    for doc in changed:
        for field, ((_, before), (_, after)) in enumerate(zip(old[doc][0], new[doc][0])):
            totals[field] += after - before
        for word in old[doc][1]:
            surface[word] -= 1
            if not surface[word]:
                del surface[word]
        for word in new[doc][1]:
            surface[word] = surface.get(word, 0) + 1
    return Postings(packed), totals, StatisticsState(list(doc_digests), totals, packed, surface)


class Postings(Mapping):
    """term -> [[field, flat postings]], unpacked from the packed state as they are read: the
    export of a rebuild reads the terms of the shards that changed, not all 13,000."""

    def __init__(self, packed: dict[str, list[tuple[int, bytes]]]):
        self._packed = packed
        self._unpacked: dict[str, list] = {}

    def __getitem__(self, term: str) -> list:
        found = self._unpacked.get(term)
        if found is None:
            found = self._unpacked[term] = [[field, unpack(flat)]
                                            for field, flat in self._packed[term]]
        return found

    def __contains__(self, term) -> bool:
        return term in self._packed

    def __iter__(self):
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


def quantised(length: int) -> int:
    """A field's length as Whoosh stores it (one byte), as index.statistics stores it."""
    return byte_to_length(length_to_byte(length))


def changed_terms(before: list[tuple[dict[str, int], int]],
                  after: list[tuple[dict[str, int], int]]) -> set[str]:
    """The terms whose postings entry for one document differs between two analyses of it
    (index.field_terms: per field, its term counts and its length): in a field whose stored
    length moved, all its terms; in the others, those whose count moved. An edit of a summary
    moves the summary's terms, not the name's or the description's: at 10,000 profiles, a
    rebuild then re-exports some 40 shards and their previews instead of 200."""
    terms: set[str] = set()
    for (old_counts, old_length), (new_counts, new_length) in zip(before, after, strict=True):
        if quantised(old_length) != quantised(new_length):
            terms.update(old_counts)
            terms.update(new_counts)
        elif old_counts != new_counts:
            terms.update(term for term in old_counts.keys() | new_counts.keys()
                         if old_counts.get(term) != new_counts.get(term))
    return terms
