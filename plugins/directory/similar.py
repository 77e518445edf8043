"""Similar profiles: for each profile, the few others that share its sectors or its city.

Ranked by how many sectors they share (most first), then by being in the same city, then by
name (accents folded, case ignored), then kind and slug, so the order is total and every build
gives the same lists. Profiles that share neither a sector nor the city are not similar.

Comparing every pair would be O(n²): 100 million pairs at 10,000 profiles. Instead each profile
is filed, once, under every combination of up to MAX_COUNTED of its sectors, with and without
its city, in name order. A profile's best matches are then the first names of a few of those
lists, read level by level: those sharing 3 sectors and the city, 3 sectors, 2 sectors and the
city... (or all of them, at the top level, when it has fewer sectors). Each profile costs a
number of list reads that depends on its own sectors and `limit`, never on n: O(n × k) in all.
Sharing more than MAX_COUNTED sectors ranks like sharing MAX_COUNTED, which keeps the index
small (at most 299 entries per profile, with the schema's 12 sectors; 3 for one sector).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from itertools import combinations

from .relations import Directory, sort_key
from .slugs import slugify
from .validation import KINDS, Profile

MAX_COUNTED = 3
LIMIT = 6


def similar_profiles(directory: Directory, limit: int = LIMIT) -> dict[tuple, list[Profile]]:
    """Up to ``limit`` similar profiles for each profile, best first, keyed by profile key."""
    ordered = sorted(directory.profiles,
                     key=lambda p: (sort_key(p.name), KINDS.index(p.kind), p.slug))
    rank = {profile.key: position for position, profile in enumerate(ordered)}
    signature = {p.key: (tuple(sorted({slugify(s) for s in p.sectors})),
                         slugify(p.city) if p.city else None) for p in ordered}
    # (sector combination, city slug or None) -> ranks of the profiles filed there, ascending.
    index: dict[tuple, list[int]] = defaultdict(list)
    for profile in ordered:
        sectors, city = signature[profile.key]
        for size in range(1, min(len(sectors), MAX_COUNTED) + 1):
            for combination in combinations(sectors, size):
                index[(combination, None)].append(rank[profile.key])
                if city:
                    index[(combination, city)].append(rank[profile.key])
        if city:
            index[((), city)].append(rank[profile.key])

    result = {}
    for profile in ordered:
        sectors, city = signature[profile.key]
        own = rank[profile.key]
        chosen: list[int] = []
        taken = {own}
        for size in range(min(len(sectors), MAX_COUNTED), -1, -1):
            # At this level: first those in the same city, then the rest.
            places = ([city] if city else []) + ([None] if size else [])
            for place in places:
                if len(chosen) >= limit:
                    break
                lists = [index.get((combination, place), ())
                         for combination in combinations(sectors, size)]
                for candidate in heapq.merge(*lists):
                    if candidate not in taken:
                        taken.add(candidate)
                        chosen.append(candidate)
                        if len(chosen) >= limit:
                            break
        result[profile.key] = [ordered[position] for position in chosen]
    return result


def similar_keys(directory: Directory, limit: int = LIMIT) -> dict[tuple, tuple]:
    """similar_profiles, as profile keys: what the pages' inputs and dependencies are made of
    (a page resolves its keys to profiles only when it is rendered)."""
    return {key: tuple(other.key for other in others)
            for key, others in similar_profiles(directory, limit).items()}


def cached_similar(build, directory: Directory, limit: int = LIMIT) -> dict[tuple, tuple]:
    """similar_keys, or, in an incremental build, the previous build's lists when what they
    are made of (every profile's kind, slug, name, sectors and city) is unchanged: an edited
    summary or description leaves them as they were."""
    from .digests import digest_of

    if build is None:
        return similar_keys(directory, limit)
    inputs = digest_of((limit, tuple((p.kind, p.slug, p.name, p.sectors, p.city)
                                  for p in directory.profiles)))
    keys = build.previous.similar.get(inputs)
    if keys is None:
        keys = similar_keys(directory, limit)
    build.next.similar = {inputs: keys}
    return keys
