"""The layout of the directory's pages, kept from one build to the next: which pages there are
and which profiles each shows, so that a rebuild after an edit looks only at the pages that
show an edited profile.

Which pages exist and which profiles each lists, in which order, follow from a few fields of
each profile: its kind and slug (its address), its name (every list is in name order), its
sectors and city (the facets, the similar profiles) and the slugs it links to (related
profiles). That is the directory's *structure* (relations.structure_of); a page's inputs
(pages.Page.inputs) are made of the structure and of the digests of the profiles it shows
(digests.py). So while the
structure is unchanged, a page that shows no profile whose digest changed has the inputs,
and so the fingerprint, it had in the previous build: the rebuild links it without making
it again (site_pages builds only the others): making and fingerprinting all 10,500 cost
about 0.3 s of a rebuild after one edit at 10,000 profiles. Pages that show every profile
(the home page, the lists of facets) and pages whose dependencies are not declared are
always made, and still reused when their fingerprint allows it. Any change of structure (a
new profile, a renamed one, a moved city...) makes every page again, and the layout with
them.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_PROFILES = "all profiles"  # a page's depends_on: it shows every profile


@dataclass
class Layout:
    structure: bytes  # relations.structure_of the profiles
    digests: dict[tuple[str, str], bytes]  # each profile's digest, when the pages were made
    pages: list[str]  # every page's save_as, in site_pages' order
    # Pages by their place in ``pages`` (numbers: a profile page is among the dependents of
    # a dozen profiles, and the layout is saved after every build)
    always: list[int]  # made in every build (they show every profile, or say nothing)
    dependents: dict[tuple[str, str], list[int]]  # profile key -> the pages that show it


def layout_of(pages: list, structure: bytes, digests: dict) -> Layout | None:
    """The layout of a complete page list (pages.Page), or None when it cannot be kept:
    two pages at one path."""
    if len({page.save_as for page in pages}) != len(pages):
        return None
    always, dependents = [], {}
    for number, page in enumerate(pages):
        shows = page.depends_on() if callable(page.depends_on) else page.depends_on
        if shows is None or shows == ALL_PROFILES:
            always.append(number)
            continue
        for key in shows:
            dependents.setdefault(key, []).append(number)
    return Layout(structure, digests, [page.save_as for page in pages], always, dependents)


def pages_to_make(previous: Layout | None, structure: bytes, digests: dict) -> set[str] | None:
    """The pages this build must make (they may still be reused, by their fingerprint) when
    the previous layout holds, or None when every page must be made: the structure changed,
    or there is no layout. The others are the previous build's, unchanged."""
    if previous is None or previous.structure != structure:
        return None
    wanted = set(previous.always)
    for key, digest in digests.items():
        if previous.digests.get(key) != digest:
            wanted.update(previous.dependents.get(key, ()))
    return {previous.pages[number] for number in wanted}
