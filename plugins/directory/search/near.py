"""The near/ lists: candidates for a query word with a typo, as the words people write.

A typo is made in a word as written, not in its stem, and the two can differ by more than the
typos allowed: Porter2 measures a word's regions from its first vowels, so a typo near the start
can change how much of the ending is stemmed away. 'inginious' is indexed as 'ingini', but
'znginious' stems to itself, four edits from 'ingini'; 'akaunting' is 'akaunt', three from
'akauntinz'. Comparing the query word with the stems missed both. So the lists hold the words
of the profiles (normalised, stop words dropped, as the analyzer leaves them before stemming),
the browser compares the query word with those, and a word within reach stands for its stem,
the term (the browser stems it with the analyzer's own stemmer).

A word is listed under its first two letters, and under the first two after deleting its first
or its second letter: a query word one edit from it shares at least one of those keys with it
(a substitution, insertion, deletion or transposition at the start changes the first pair, but
not both of the others). The lists are fetched only when a word's exact and prefix matches fill
less than a page, so they cost nothing before the first results of a query.
"""

from __future__ import annotations

from collections import defaultdict

from ..relations import Directory
from .analyzer import keep, words

NEAR_KEY = 2


def near_keys(word: str) -> set[str]:
    """The word's first two letters, and the first two after deleting its first or its second
    letter (see the module's docstring; engine.js computes the same keys for a query word)."""
    keys = {word[:NEAR_KEY]}
    if len(word) > NEAR_KEY:
        keys |= {word[1:3], word[0] + word[2]}
    return keys


def surface_words(directory: Directory, fields) -> set[str]:
    """Every word the search fields of the profiles hold, as the analyzer keeps it before
    stemming. ``fields(profile)`` gives a profile's search fields (index.searchable_fields)."""
    found: set[str] = set()
    for profile in directory.profiles:
        found.update(words_of(fields(profile).values()))
    return found


def words_of(texts) -> set[str]:
    """The words of some texts as the analyzer keeps them before stemming (one profile's, to
    be kept in an incremental build's cache)."""
    found: set[str] = set()
    for text in texts:
        found.update(words(text))
    return {word for word in found if keep(word)}


def near_lists(surface: set[str]) -> dict[str, list[str]]:
    """near/<key>.json: the words under each key, sorted."""
    lists: dict[str, list[str]] = defaultdict(list)
    for word in sorted(surface):
        for key in near_keys(word):
            lists[key].append(word)
    return dict(sorted(lists.items()))
