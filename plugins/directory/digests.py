"""Profile digests: one short hash per profile of everything a page or an open-data row can
show of it, made once per incremental build.

A page's fingerprint (incremental.py) is then made of plain values (its path, its template,
its facet's name) and the digests of the profiles it shows, in the order it shows them, rather
than of its whole view model: a rebuild hashes 10,000 small tuples once instead of pickling
10,500 view models, and never builds the view model of a page it reuses.

What a profile shows anywhere is a function of its own fields, its provenance record (git's
dates, its edit links) and its card: the names and addresses of its city and sector facets
(a facet's name is the spelling most profiles use, so it is site-wide, and it is in here).
Its fields are a function of its file's bytes, its kind and its slug: when the incremental
loader has hashed the bytes (Profile.content), those stand for the fields, at a third of the
cost of pickling every field of 10,000 profiles.
Everything else a page shows (its lists, their order, their titles) is in the page's inputs.
Equal pickles mean equal values, so equal digests never hide a change; the code that turns
them into HTML is covered by the cache's salt. The pickles are made without the pickler's memo
(``stable_pickle``), so that equal values also give equal pickles: with it, a string met twice
was written once and then referred to, and a profile just parsed (equal strings often one
object) and the same profile read back from the cache (each string its own object) had two
digests, so the first rebuild after a full build found none of its similar lists again.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from dataclasses import fields

from .provenance import ProfileRecord
from .relations import Directory
from .validation import Profile

PROFILE_FIELDS = tuple(field.name for field in fields(Profile) if field.init)  # not key, url
RECORD_FIELDS = tuple(field.name for field in fields(ProfileRecord))
PROTOCOL = 5


def profile_digests(directory: Directory,
                    records: dict[tuple[str, str], ProfileRecord]) -> dict[tuple[str, str], bytes]:
    """Profile key -> SHA-256 of everything any page can show of that profile."""
    digests = {}
    for profile in directory.profiles:
        record = records[profile.key]
        city = directory.city_facet(profile)
        shown = ((profile.content, profile.key) if profile.content is not None
                 else tuple(getattr(profile, name) for name in PROFILE_FIELDS),
                 tuple(getattr(record, name) for name in RECORD_FIELDS),
                 (city.name, city.url) if city else None,
                 tuple((facet.name, facet.url) for facet in directory.sector_facets(profile)))
        digests[profile.key] = hashlib.sha256(stable_pickle(shown)).digest()
    return digests


def digest_of(value) -> bytes:
    """SHA-256 of a plain value (strings, numbers, bytes, tuples, lists, dicts of them)."""
    return hashlib.sha256(stable_pickle(value)).digest()


def stable_pickle(value, pickler_type: type[pickle.Pickler] = pickle.Pickler, *args) -> bytes:
    """A pickle of ``value`` that depends on its values alone, not on which of its objects
    are one object: made without the memo (``fast``). A value that contains itself raises
    ValueError. ``pickler_type`` (made with ``args`` after the file) may reduce more types."""
    buffer = io.BytesIO()
    pickler = pickler_type(buffer, PROTOCOL, *args)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


def everything(directory: Directory, digests: dict[tuple[str, str], bytes]) -> bytes:
    """One digest of every profile in the directory's order: the input of the pages that
    show the whole directory (the home page's counts and charts, the lists of facets)."""
    return hashlib.sha256(b"".join(digests[profile.key]
                                   for profile in directory.profiles)).digest()
