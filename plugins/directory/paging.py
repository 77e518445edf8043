"""Long lists of cards split into pages: a kind's listing and a sector's or city's page.

At 10,000 profiles the startups' listing held 7,000 cards, 4.4 MB of HTML for a phone to
download and lay out, and a rebuild after one edit wrote all of it again. A list of more than
PAGE_SIZE cards is now cut into pages of PAGE_SIZE, in the list's own order (a listing's by
name, a facet's by type and then name): the
first stays at the list's address (/startups/), the others follow it at /startups/page/2/,
/startups/page/3/... (Pelican's own pattern for paginated lists). An edit then rewrites the
one page that shows the edited card. Which page a profile is on follows from the names of its
kind (or facet), part of the directory's structure (layout.py), so it moves only when a
profile is added, removed or renamed.

A profile's page lives at /startups/<slug>/, so a profile called "page" would have its page at
the address under which the listing's later pages live: the file name page.yaml is refused
(loading.py, scaffold.py).
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 100  # cards per page: about 65 KB of HTML, 10 KB gzipped
PAGE_SIZE_SETTING = "DIRECTORY_PAGE_SIZE"  # another size, for a site (or a test) that wants one
PAGES_FOLDER = "page"  # /<list>/page/<number>/
RESERVED_SLUG = PAGES_FOLDER  # no profile's file may be named page.yaml
NEIGHBOURS = 2  # pages a pager links on each side of its own, besides the first and the last


def page_size(settings: dict) -> int:
    size = settings.get(PAGE_SIZE_SETTING, PAGE_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ValueError(f"{PAGE_SIZE_SETTING} must be a whole number of cards, 1 or more; "
                         f"it is {size!r}")
    return size


def page_url(first: str, number: int) -> str:
    """The address of page ``number`` of the list whose first page is at ``first`` ('x/')."""
    return first if number == 1 else f"{first}{PAGES_FOLDER}/{number}/"


def split(items: list, size: int) -> list[list]:
    """``items`` in pages of ``size``; an empty list is one empty page."""
    return [items[start:start + size] for start in range(0, len(items), size)] or [[]]


@dataclass(frozen=True)
class PageLink:
    """A link of the pager, or a gap (``number`` 0) where it skips pages."""

    number: int
    url: str
    current: bool

    @property
    def gap(self) -> bool:
        return self.number == 0


@dataclass(frozen=True)
class Pager:
    """What a page of a list shows of where it is: for the pager's links and the count line."""

    number: int  # 1-based
    count: int  # pages in the list
    total: int  # cards in the whole list
    first_shown: int  # 1-based positions, in the whole list, of this page's first and last card
    last_shown: int
    links: tuple[PageLink, ...]  # the first, the last and this one's neighbours; gaps between
    previous: str | None  # addresses
    next: str | None


@dataclass(frozen=True)
class Place:
    """A page's place in its list: plain values, part of the page's inputs (incremental.py);
    the Pager is made from it only for a page that is rendered."""

    first: str  # the list's address ('startups/')
    number: int
    count: int
    total: int
    size: int

    def pager(self) -> Pager:
        first, number, count = self.first, self.number, self.count
        return Pager(number, count, self.total,
                     first_shown=min(self.total, (number - 1) * self.size + 1),
                     last_shown=min(self.total, number * self.size),
                     links=tuple(PageLink(n, page_url(first, n), n == number) if n
                                 else PageLink(0, "", False)
                                 for n in shown_pages(number, count)),
                     previous=page_url(first, number - 1) if number > 1 else None,
                     next=page_url(first, number + 1) if number < count else None)


def shown_pages(number: int, count: int) -> list[int]:
    """The page numbers a pager links, 0 for a gap: 1, 0, 5, 6, 7, 8, 9, 0, 70 on page 7 of
    70. Linking all 70 pages of a listing took ten rows of buttons on a phone and 8 KB of each
    page; the window moves with the page, and a gap of one page is that page, not a gap."""
    wanted = {1, count, *range(number - NEIGHBOURS, number + NEIGHBOURS + 1)}
    shown: list[int] = []
    for n in sorted(n for n in wanted if 1 <= n <= count):
        if shown and n - shown[-1] == 2:
            shown.append(n - 1)
        elif shown and n - shown[-1] > 2:
            shown.append(0)
        shown.append(n)
    return shown


def paged(first: str, items: list, size: int) -> list[tuple[str, list, Place]]:
    """Each page of a list whose first page is at ``first``: its address, items and place."""
    pages = split(items, size)
    return [(page_url(first, number), chunk, Place(first, number, len(pages), len(items), size))
            for number, chunk in enumerate(pages, start=1)]
