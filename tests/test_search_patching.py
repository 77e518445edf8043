"""search/patching.py: the statistics of a rebuild, patched from the previous build's, must be
exactly those counted afresh (postings term by term, field totals, averages, the near/ words),
whatever changed: a summary, a name, every field, a document turned into another, a word only
one document held, an emptied field; on a synthetic directory of realistic text. And a
rebuild after one edit must take that path (it is not a fallback that never runs)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import pytest

from directory.bench.synthetic import generate
from directory.pipeline import read_directory
from directory.search.index import analyse, statistics
from directory.search.patching import patch, state_of


@dataclass
class Profiles:
    """What index.statistics reads of a directory."""

    profiles: list


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    content = tmp_path_factory.mktemp("patching") / "content"
    generate(content, 300, seed=11)
    directory, problems = read_directory(content)
    assert not problems
    return directory.profiles


def counted(profiles: list):
    analyses = [analyse(profile) for profile in profiles]
    stats = statistics(Profiles(profiles), analysed=lambda p: analyses[profiles.index(p)][0])
    return stats, analyses


def digests_of(profiles: list) -> list[bytes]:
    return [repr((profile.name, profile.summary, profile.description, profile.sectors,
                  profile.city, profile.region)).encode() for profile in profiles]


def check_patch(before: list, after: list) -> None:
    old_stats, old_analyses = counted(before)
    state = state_of(old_stats.postings, old_stats.totals, digests_of(before), old_analyses)
    new_stats, new_analyses = counted(after)
    changed = [doc for doc, (a, b) in enumerate(zip(before, after)) if a != b]
    assert changed
    postings, totals, next_state = patch(
        state, digests_of(after), {doc: old_analyses[doc] for doc in changed},
        {doc: new_analyses[doc] for doc in changed})
    assert totals == new_stats.totals
    assert postings == new_stats.postings  # every term, its fields and flat postings
    fresh = state_of(new_stats.postings, new_stats.totals, digests_of(after), new_analyses)
    assert next_state == fresh  # what the next build patches is what a full build leaves


def one_word_swapped(text: str) -> str:
    """The text with its first long word replaced by another: the same number of words, so
    the field's stored length stays and only two terms' counts move (patching.changed_terms)."""
    words = text.split(" ")
    first = next(number for number, word in enumerate(words) if len(word) >= 5 and word.isalpha())
    words[first] = "Zeppelin"
    return " ".join(words)


EDITS = {
    "summary": lambda p, other: replace(p, summary="Edited: " + p.summary),
    "a word of the summary swapped, its length kept": lambda p, other: replace(
        p, summary=one_word_swapped(p.summary)),
    "name": lambda p, other: replace(p, name=p.name + " Labs"),
    "another profile's text": lambda p, other: replace(
        p, name=other.name, summary=other.summary, description=other.description,
        sectors=other.sectors, city=other.city, region=other.region),
    "a word no other profile has": lambda p, other: replace(
        p, summary=p.summary + " Zyxwvutsrqponmlkj quokkafication."),
    "an emptied description": lambda p, other: replace(p, description=""),
    "a description longer than any": lambda p, other: replace(
        p, description=" ".join([p.description or "text"] * 30)),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_patched_statistics_equal_those_counted_afresh(synthetic, edit):
    rng = random.Random(edit)
    before = list(synthetic)
    after = list(before)
    for doc in rng.sample(range(len(before)), 3) + [0, len(before) - 1]:
        after[doc] = EDITS[edit](before[doc], before[rng.randrange(len(before))])
    check_patch(before, after)


def test_patches_chain_build_after_build(synthetic):
    """Each build patches what the previous patch left."""
    rng = random.Random(5)
    profiles = list(synthetic)
    stats, analyses = counted(profiles)
    state = state_of(stats.postings, stats.totals, digests_of(profiles), analyses)
    for step in range(6):
        edited = list(profiles)
        doc = rng.randrange(len(profiles))
        edited[doc] = replace(profiles[doc], summary=f"Step {step}: " + profiles[doc].summary,
                              sectors=profiles[rng.randrange(len(profiles))].sectors)
        _, totals, state = patch(state, digests_of(edited), {doc: analyses[doc]},
                                 {doc: analyse(edited[doc])})
        profiles = edited
        stats, analyses = counted(profiles)
        assert state == state_of(stats.postings, stats.totals, digests_of(profiles), analyses)
        assert totals == stats.totals


def test_an_edit_moves_the_terms_of_the_fields_it_changed_only(synthetic):
    """patching.changed_terms: a summary one word longer moves every term of the summary when
    its stored length (one byte: 11 and 12 words are both stored as 12) moves, and only the
    new word's otherwise; never a term of the other fields. A word swapped for another moves
    those two terms alone."""
    from directory.search.index import TEXT_FIELDS
    from directory.search.patching import changed_terms, quantised

    summary = TEXT_FIELDS.index("summary")

    def grown(profile):
        before = analyse(profile)[0]
        return before, analyse(replace(profile, summary="Edited: " + profile.summary))[0]

    def stored_length_moves(profile) -> bool:
        length = analyse(profile)[0][summary][1]
        return quantised(length + 1) != quantised(length)

    moving = next(p for p in synthetic if stored_length_moves(p))
    before, after = grown(moving)
    assert changed_terms(before, after) == set(before[summary][0]) | set(after[summary][0])
    staying = next(p for p in synthetic if not stored_length_moves(p))
    before, after = grown(staying)
    assert changed_terms(before, after) == {"edit"}
    swapped = analyse(replace(staying, summary=one_word_swapped(staying.summary)))[0]
    assert swapped[summary][1] == before[summary][1]
    moved = changed_terms(before, swapped)
    assert "zeppelin" in moved and len(moved) == 2
    assert moved <= set(before[summary][0]) | set(swapped[summary][0])
