"""Ranked search on the Whoosh index, for `invoke search` and as the reference the browser's
ranking is tested against.

A query is what the browser runs for whole words: every word must match (any field, each field
with its boost), scored with Whoosh's BM25F. When no profile has every word, any word will do,
as in the browser. The browser's extras for typing (prefix of the last word, typo tolerance)
are not here: this is the exact-word ranking they build on.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as q

from ..slugs import slugify
from .analyzer import analyze
from .index import BOOSTS, TEXT_FIELDS, weighting


@dataclass
class Hit:
    id: str  # "<type>/<slug>"
    score: float


def word_query(term: str) -> q.Query:
    return q.Or([q.Term(field, term, boost=BOOSTS[field]) for field in TEXT_FIELDS])


def filters(type: str | None = None, sector: str | None = None, city: str | None = None):
    parts = []
    if type:
        parts.append(q.Term("type", type))
    if sector:
        parts.append(q.Term("sector", slugify(sector)))
    if city:
        parts.append(q.Term("city", slugify(city)))
    return q.And(parts) if parts else None


def search(index, text: str, limit: int | None = 10, **facets) -> tuple[list[Hit], bool]:
    """Hits in rank order, and whether it fell back to matching any word."""
    terms = list(dict.fromkeys(analyze(text)))
    if not terms:
        return [], False
    with index.searcher(weighting=weighting()) as searcher:
        for combine, fallback in ((q.And, False), (q.Or, True)):
            results = searcher.search(combine([word_query(term) for term in terms]),
                                      limit=limit, filter=filters(**facets))
            hits = [Hit(hit["id"], hit.score) for hit in results]
            if hits or len(terms) == 1:
                return hits, fallback and bool(hits)
    return [], False
