"""Relations: validated profiles -> the directory graph.

A profile names only its outgoing links (a startup its programs, a mentor its programs and
startups). Pages show every link both ways, so the graph is built once here, undirected, and
grouped by kind; facets (sectors and cities) are the other way profiles relate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from unidecode import unidecode

from .slugs import slugify
from .validation import KINDS, Profile


def sort_key(text: str) -> tuple[str, str]:
    return (unidecode(text).casefold(), text)


@dataclass
class Facet:
    """Every profile that shares one sector (or one city)."""

    kind: str  # "sectors" or "cities"
    slug: str
    name: str
    profiles: list[Profile] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.kind}/{self.slug}/"


@dataclass
class Directory:
    profiles: list[Profile]  # by kind, then name
    related: dict[tuple[str, str], dict[str, list[Profile]]]
    sectors: list[Facet]
    cities: list[Facet]

    def of_kind(self, kind: str) -> list[Profile]:
        return [profile for profile in self.profiles if profile.kind == kind]

    def counts(self) -> dict[str, int]:
        counts = Counter(profile.kind for profile in self.profiles)
        return {kind: counts[kind] for kind in KINDS}

    def __post_init__(self) -> None:
        # Looked up once per profile page and card: index the facets once.
        self._sector_by_slug = {facet.slug: facet for facet in self.sectors}
        self._city_by_slug = {facet.slug: facet for facet in self.cities}

    def sector_facets(self, profile: Profile) -> list[Facet]:
        return [self._sector_by_slug[slugify(sector)] for sector in profile.sectors]

    def city_facet(self, profile: Profile) -> Facet | None:
        return self._city_by_slug.get(slugify(profile.city)) if profile.city else None


def relate(profiles: list[Profile]) -> Directory:
    ordered = sorted(profiles, key=lambda p: (KINDS.index(p.kind), sort_key(p.name), p.slug))
    by_key = {profile.key: profile for profile in ordered}
    neighbours: dict[tuple, set] = defaultdict(set)
    for profile in ordered:
        for kind, slugs in (("program", profile.programs), ("startup", profile.startups)):
            for slug in slugs:
                neighbours[profile.key].add((kind, slug))
                neighbours[(kind, slug)].add(profile.key)
    related = {}
    for profile in ordered:
        linked = sorted((by_key[key] for key in neighbours[profile.key]),
                        key=lambda p: (sort_key(p.name), p.slug))
        related[profile.key] = {kind: [p for p in linked if p.kind == kind] for kind in KINDS}
    return Directory(
        profiles=ordered,
        related=related,
        sectors=facets("sectors", ordered, lambda p: p.sectors),
        cities=facets("cities", ordered, lambda p: [p.city] if p.city else []),
    )


def facets(kind: str, profiles: list[Profile], values_of) -> list[Facet]:
    """One facet per slug; when profiles spell it differently, the most common spelling names it."""
    members: dict[str, list[Profile]] = defaultdict(list)
    spellings: dict[str, Counter] = defaultdict(Counter)
    for profile in profiles:
        for value in values_of(profile):
            slug = slugify(value)
            members[slug].append(profile)
            spellings[slug][value] += 1
    result = [
        Facet(kind, slug, min(spellings[slug].items(), key=lambda item: (-item[1], item[0]))[0],
              members[slug])
        for slug in members
    ]
    return sorted(result, key=lambda facet: sort_key(facet.name))


def largest_facets(facets: list[Facet], count: int) -> list[Facet]:
    """The ``count`` facets with the most profiles (ties by name), for the home page's blocks."""
    return sorted(facets, key=lambda facet: (-len(facet.profiles), sort_key(facet.name)))[:count]
