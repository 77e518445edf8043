"""Near duplicates: the same organisation or person written twice.

Two profiles of one kind are the same when their names match once case, accents, punctuation
and legal-form words ("Inc", "LLC", "Labs"...) are ignored, or when their websites are the same
page. That is an error naming both files, with the way out: merge them, or, when they really
are different (two mentors called Jordan Lee), list the other's slug under `same_as_ok`.

A shared domain alone is not a duplicate (one maker can have several products, many projects
live on github.com): it is only a notice, and not even that on the hosting sites where
unrelated profiles meet as a matter of course.

Profiles are compared within a kind only. Each kind has its own pages and URL space, and a
name shared across kinds is usually a real relation, not a mistake: a founder-named company and
its founder, a program named after the startup that runs it, a mentor whose page is the page
of the program she leads.

Every check is one pass with a dictionary of normalised keys, so a directory of 10,000
profiles costs 10,000 look-ups, not 50 million comparisons.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from .loading import Document
from .problems import Problem, display_path, notice

# Words that name a legal form or a generic add-on rather than the organisation itself.
NAME_SUFFIXES = {"inc", "incorporated", "llc", "ltd", "limited", "labs", "lab", "co", "corp",
                 "corporation", "company", "pbc", "plc", "gmbh", "the"}

# Hosts where unrelated profiles share a domain as a matter of course.
SHARED_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "sourceforge.net",
                "linkedin.com", "medium.com", "facebook.com", "instagram.com", "twitter.com",
                "x.com", "youtube.com", "sites.google.com", "docs.google.com"}
# Names reserved for documentation and testing (RFC 2606, RFC 6761), with their subdomains:
# every fictional sample and synthetic profile uses them.
RESERVED_NAMES = ("example.com", "example.org", "example.net", "example", "test", "invalid",
                  "localhost")

ESCAPE_HATCH = "same_as_ok"


def identity_name(name: str) -> str:
    """A name reduced to what makes it the same organisation:
    'Pick My Solar, Inc.' == 'pick my solar' == 'The Pick-My-Solar Co'."""
    if name.isascii():  # nothing to decompose (most names: this is a third of the time)
        folded = name.lower()
    else:
        folded = unicodedata.normalize("NFKD", name)
        folded = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    folded = folded.replace("'", "").replace("\u2019", "")  # O'Donnell == ODonnell
    words = [word for word in _NOT_NAME.split(folded) if word]
    while len(words) > 1 and words[-1] in NAME_SUFFIXES:
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


_NOT_NAME = re.compile(r"[^a-z0-9]+")


def website_host(url: str) -> str:
    """The host people would call the site's domain: lower case, without 'www.'."""
    return website_keys(url)[1]


def identity_website(url: str) -> str:
    """A website reduced to its page: the scheme, 'www.', a trailing slash, the query and the
    fragment do not count (tracking parameters and anchors point at the same page)."""
    return website_keys(url)[0]


def website_keys(url: str) -> tuple[str, str]:
    """(identity_website, website_host) of ``url``, from one parse of it."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:
        return url.strip(), ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return url.strip(), host
    return host + port + parts.path.rstrip("/"), host


def identity_keys(profile) -> tuple[str, str, str]:
    """What makes two profiles look like one: (identity_name, identity_website and
    website_host, or two empty strings without a website)."""
    page, host = website_keys(profile.website) if profile.website else ("", "")
    return identity_name(profile.name), page, host


def is_reserved_host(host: str) -> bool:
    return any(host == name or host.endswith(f".{name}") for name in RESERVED_NAMES)


def is_shared_host(host: str) -> bool:
    return host in SHARED_HOSTS or is_reserved_host(host)


def find_duplicates(profiles: list, documents: dict[Path, Document],
                    focus: set[Path] | None = None) -> list[Problem]:
    """Errors for profiles that look like another of their kind, notices for shared domains.

    The problem is put on the later file by path; when ``focus`` names the files being checked
    (a pre-commit run), it goes on whichever of the two is in focus, so that it is not hidden.
    """
    problems: list[Problem] = []
    groups: dict[tuple, list] = defaultdict(list)
    for profile in sorted(profiles, key=lambda p: str(p.source)):
        document = documents[profile.source]
        if document.identity is None:  # kept with the document by incremental builds
            document.identity = identity_keys(profile)
        name, page, host = document.identity
        keys = [("name", name)]
        if profile.website:
            keys.append(("website", page))
        duplicated = set()
        for field, identity in keys:
            group = groups[(field, profile.kind, identity)]
            other = first_unwaived(group, profile)
            group.append(profile)
            if other is not None:
                duplicated.add(field)
                problems.append(duplicate_problem(field, other, profile, documents, focus))
        if profile.website and "website" not in duplicated:
            group = groups[("host", profile.kind, host)]
            other = first_unwaived(group, profile)
            group.append(profile)
            if other is not None and host and not is_shared_host(host):
                problems.append(shared_domain_notice(other, profile, documents, host))
    return problems


def first_unwaived(group: list, profile):
    """The first profile of ``group`` that ``profile`` has not waived, if any (most groups are
    empty: a loop, not a generator, which cost a fifth of the check at 10,000 profiles)."""
    for earlier in group:
        if not waived(earlier, profile):
            return earlier
    return None


def waived(first, second) -> bool:
    """Either profile may say the other is knowingly similar."""
    return first.slug in second.same_as_ok or second.slug in first.same_as_ok


def duplicate_problem(field: str, first, second, documents: dict, focus) -> Problem:
    if focus is not None and second.source not in focus and first.source in focus:
        first, second = second, first
    line, col = documents[first.source].mark((field,))
    how = ("names match once case, accents, punctuation and words like Inc or LLC are ignored"
           if field == "name" else "both websites are the same page")
    return documents[second.source].problem(
        (field,), f"this looks like the same {first.kind} as {display_path(first.source)}:{line}:"
                  f"{col} ('{getattr(first, field)}'): {how}; merge the two profiles into one, or, "
                  f"if they really are different, add '{ESCAPE_HATCH}: [{first.slug}]' to this file")


def shared_domain_notice(first, second, documents: dict, host: str) -> Problem:
    line, col = documents[first.source].mark(("website",))
    there_line, there_col = documents[second.source].mark(("website",))
    return notice(second.source, there_line, there_col,
                  f"website shares the domain {host} with {display_path(first.source)}:{line}:{col} "
                  f"('{first.name}'); fine for two products of one maker, but if they are one "
                  f"{first.kind}, merge them (add '{ESCAPE_HATCH}: [{first.slug}]' to silence this)")


def check_escape_hatch(documents: list[Document], existing: set) -> list[Problem]:
    """Every slug under same_as_ok names another profile of the same kind."""
    problems = []
    for document in documents:
        data = document.data
        items = data.get(ESCAPE_HATCH) if isinstance(data, dict) else None
        for index, slug in enumerate(items if isinstance(items, list) else []):
            if not isinstance(slug, str):
                continue  # the schema reports it
            if slug == document.slug:
                problems.append(document.problem((ESCAPE_HATCH, index), f"{ESCAPE_HATCH} lists "
                                                 f"this profile itself ('{slug}'); remove it"))
            elif (document.kind, slug) not in existing:
                problems.append(document.problem(
                    (ESCAPE_HATCH, index), f"{ESCAPE_HATCH}: there is no content/{document.kind}s/"
                                           f"{slug}.yaml; list the slug of the similar "
                                           f"{document.kind}, or remove the entry"))
    return problems
