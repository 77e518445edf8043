"""What a rebuild of the search index can take from the previous build's, byte for byte.

When the number of documents is the same, a document whose profile digest (digests.py) is
unchanged has the same number, terms and field lengths as before, so:
- a term's postings can only change if a changed document's entry for it moved
  (patching.changed_terms): a terms/ shard with none of those terms, and the same terms as
  before, is the previous file;
- so is a term's size, which decides the shards' prefixes;
- a docs/ chunk with no changed document is the previous file;
- a previews/ file holds the first page of results of each of its shard's terms. Scores
  depend on the fields' average lengths, which any edit moves a little. Each field's part of
  a BM25F score, idf·boost·tf·(k1+1) / (tf + k1·(1−b) + k1·b·length/average), moves by a
  factor between 1/ρ and ρ when its average moves by a factor ρ (or 1/ρ), and so does their
  sum. A term's first page (its ten best documents) therefore stays the same while its tenth
  best score exceeds its eleventh by a factor more than ρ²: the previous build keeps, per
  shard, the smallest such factor of its terms (its *margin*), and a shard whose terms are
  unchanged and whose margin is large enough shows the same documents: its previews file is
  the previous one, or, when one of those documents changed (its summary, say), the same
  documents' records written again, without scoring its terms. The rest are computed as a
  full build computes them.
Anything else (another document count, no previous state) is computed afresh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .patching import changed_terms

# Scores are floats: a margin this much larger than the bound covers their rounding.
ROUNDING = 1e-9


@dataclass
class IndexState:
    """What a build of the search index leaves for the next (in the incremental cache)."""

    key: bytes | None  # digests.everything of the directory: equal, the whole index is reused
    doc_digests: list[bytes]  # each document's profile digest, in document order
    manifest: dict
    size: int
    files: dict[str, tuple[bytes, int]]  # name -> (SHA-256 of its bytes, its size)
    shards: dict[str, bytes] = field(default_factory=dict)  # key -> digest of its term list
    previews: dict[str, tuple[tuple[int, ...], float]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # term -> its size in the shards
    near: dict[str, bytes] = field(default_factory=dict)  # key -> digest of its word list


@dataclass
class Unchanged:
    """What is known unchanged since the previous build's index."""

    state: IndexState
    docs: set[int]  # documents whose profile changed
    terms: set[str]  # the terms whose postings entries those documents moved

    def spread(self, average_lengths: list[float]) -> float:
        """ρ: the largest factor by which a field's average length moved."""
        return max(max(new / old, old / new) for new, old
                   in zip(average_lengths, self.state.manifest["avgLengths"]))

    def previews_hold(self, margin: float, spread: float) -> bool:
        return spread == 1.0 or margin > spread * spread * (1 + ROUNDING)


def unchanged_since(state: IndexState | None, doc_digests: list[bytes], analysed: list,
                    previous_analysis: dict) -> Unchanged | None:
    """``analysed[doc]``: this build's field_terms of each document; ``previous_analysis``:
    the previous build's, by profile digest. None when nothing can be taken."""
    if state is None or len(state.doc_digests) != len(doc_digests):
        return None
    docs = {doc for doc, (new, old) in enumerate(zip(doc_digests, state.doc_digests))
            if new != old}
    terms: set[str] = set()
    for doc in docs:
        before = previous_analysis.get(state.doc_digests[doc])
        if before is None:  # what it held is not known
            return None
        terms |= changed_terms(before[0], analysed[doc])
    return Unchanged(state, docs, terms)


NO_MARGIN = math.inf  # a term with at most ten documents: its first page is all of them
