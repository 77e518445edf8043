"""search/reuse.py's claim: while every field's average length moves by a factor ρ, a shard
whose margin exceeds ρ² has the same previews. Checked on the sample directory's real
statistics and on a synthetic directory's (where half the shards have a term whose tenth and
eleventh documents tie), with averages moved up and down by growing factors, against previews
computed afresh; and the margins must let some shards through, tied ones too (the claim is
not vacuous)."""

from __future__ import annotations

import heapq

from conftest import CONTENT

from directory.bench.synthetic import generate
from directory.pipeline import read_directory
from directory.search.index import (PREVIEW_DEPTH, TermScorer, preview_choice, shard_prefixes,
                                    statistics)
from directory.search.reuse import IndexState, Unchanged

FACTORS = (1.000001, 1.0001, 1.01, 1.1, 1.3, 1.6, 2.0, 3.0, 5.0)


def test_previews_hold_while_the_averages_move_within_the_margin():
    held, checked, tied_held = previews_checked(CONTENT)
    assert 0 < held < checked


def test_previews_of_tied_terms_hold_while_the_averages_move_within_the_margin(tmp_path):
    content = tmp_path / "content"
    generate(content, 400, seed=3)
    held, checked, tied_held = previews_checked(content)
    assert 0 < held < checked
    assert tied_held > 0  # shards with a tie at the tenth place: once never reused


def previews_checked(content) -> tuple[int, int, int]:
    """(moves under which a shard's previews were claimed to hold, moves checked, of the
    first those of shards with a term tied at the tenth place); asserts each claim."""
    directory, problems = read_directory(content)
    assert not problems
    stats = statistics(directory)
    shards = shard_prefixes(stats.postings)
    base = TermScorer(stats.doc_count, stats.average_lengths)
    state = IndexState(None, [], {"avgLengths": stats.average_lengths,
                                  "docCount": stats.doc_count}, 0, {})
    unchanged = Unchanged(state, set(), set())
    held = checked = tied_held = 0
    for key, terms in shards.items():
        postings = {term: stats.postings[term] for term in terms}
        docs, margin = preview_choice(postings, base)
        tied = any(tenth_ties_eleventh(base.scores(fields)) for fields in postings.values())
        for factor in FACTORS:
            for direction in (1, -1):
                # Each field moved by its own factor, some up, some down, within ρ = factor.
                moved = [average * factor ** (direction if field % 2 else -direction * 0.5)
                         for field, average in enumerate(stats.average_lengths)]
                spread = unchanged.spread(moved)
                assert spread <= factor * (1 + 1e-12)
                if unchanged.previews_hold(margin, spread):
                    held += 1
                    tied_held += tied
                    fresh, _ = preview_choice(postings, TermScorer(stats.doc_count, moved))
                    assert fresh == docs, (key, factor)
                checked += 1
    return held, checked, tied_held


def tenth_ties_eleventh(scores: dict[int, float]) -> bool:
    ranked = heapq.nlargest(PREVIEW_DEPTH + 1, scores.values())
    return len(ranked) > PREVIEW_DEPTH and ranked[-1] == ranked[-2]


def test_unchanged_averages_hold_every_preview():
    state = IndexState(None, [], {"avgLengths": [3.0, 2.5], "docCount": 4}, 0, {})
    unchanged = Unchanged(state, set(), set())
    assert unchanged.spread([3.0, 2.5]) == 1.0
    assert unchanged.previews_hold(1.0, 1.0)  # ties at the boundary stay ties
    assert not unchanged.previews_hold(1.0, 1.0001)
