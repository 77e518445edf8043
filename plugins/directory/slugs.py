"""Slugs: the URL-safe names of profiles (from file names) and of facets (from display names)."""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@lru_cache(maxsize=4096)  # the same few hundred sectors and cities, for every card and page
def slugify(text: str) -> str:
    """'Urban Tech' -> 'urban-tech', 'San José' -> 'san-jose': ASCII, lower case, runs of other
    characters folded into one '-'. Only [a-z0-9-] can come out, so no path can be built from it."""
    return re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
