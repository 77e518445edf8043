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
    structure: bytes | None = None  # structure_of its profiles, when an incremental build asked

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


def structure_of(profiles: list[Profile]) -> bytes:
    """One digest of the fields that decide the graph, and so which pages there are and what
    each lists in which order: kind and slug (the address), name (every list is in name
    order), sectors and city (the facets, the similar profiles), the slugs linked to."""
    from .digests import digest_of  # (digests.py imports this module)

    return digest_of(tuple((p.kind, p.slug, p.name, p.sectors, p.city, p.programs, p.startups)
                           for p in profiles))


def graph_of(directory: Directory) -> tuple:
    """The directory's graph as plain values: its profiles' keys in order, and each profile's
    related profiles and each facet's, as positions in that order (directory_of)."""
    position = {profile.key: number for number, profile in enumerate(directory.profiles)}
    related = [tuple(tuple(position[other.key] for other in directory.related[profile.key][kind])
                     for kind in KINDS)
               for profile in directory.profiles]
    facets = [[(facet.slug, facet.name, tuple(position[member.key] for member in facet.profiles))
               for facet in group]
              for group in (directory.sectors, directory.cities)]
    return [profile.key for profile in directory.profiles], related, facets


def directory_of(profiles: list[Profile], graph: tuple) -> Directory:
    """The Directory that relate(profiles) makes, from graph_of it (made from profiles of the
    same structure_of): no name is sorted, no facet counted again."""
    by_key = {profile.key: profile for profile in profiles}
    order, related, (sectors, cities) = graph
    ordered = [by_key[key] for key in order]
    return Directory(
        profiles=ordered,
        related={profile.key: {kind: [ordered[number] for number in numbers]
                               for kind, numbers in zip(KINDS, positions)}
                 for profile, positions in zip(ordered, related)},
        sectors=[Facet("sectors", slug, name, [ordered[number] for number in members])
                 for slug, name, members in sectors],
        cities=[Facet("cities", slug, name, [ordered[number] for number in members])
                for slug, name, members in cities],
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
