"""Provenance: when each profile was added and last changed, and where to edit or correct it.

Dates come from git (history.py: two `git log` calls for the whole folder, whatever its size),
so they are meaningful and reproducible; never from the clock or from file times, which change
with every clone. A profile's own `added:` field wins over git's date for when it was added: it
exists for the cases where git's answer is wrong (a shallow clone, a bulk import).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .history import first_added, last_modified
from .relations import Directory

# Where profiles live in the hosting repository, whatever folder this build read them from.
REPOSITORY_CONTENT = "content"
CORRECTION_TEMPLATE = "correction.yml"  # .github/ISSUE_TEMPLATE/correction.yml
CORRECTION_QUERY = quote(CORRECTION_TEMPLATE, safe="")
UTC = datetime.timezone.utc
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


@dataclass(frozen=True)
class ProfileRecord:
    added: datetime.datetime | None  # for the feed of new profiles
    updated: datetime.datetime | None  # the last commit that changed the file
    edit_url: str | None  # None when the build has no REPO_URL
    correction_url: str | None

    @property
    def updated_day(self) -> str | None:
        return self.updated.date().isoformat() if self.updated else None

    @property
    def updated_label(self) -> str | None:
        """'26 November 2026': the same in every locale (strftime's %B is English in C)."""
        if not self.updated:
            return None
        day = self.updated.date()
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"

    @property
    def added_day(self) -> str | None:
        return self.added.date().isoformat() if self.added else None


# quote(text, safe="") of ASCII text, as one str.translate: quote works byte by byte in
# Python, and the two links of every profile were a fifth of its records' time.
_ALWAYS_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_PERCENT_ENCODED = {code: f"%{code:02X}" for code in range(128) if chr(code) not in _ALWAYS_SAFE}


def quote_all(text: str) -> str:
    """urllib.parse.quote(text, safe=""): every character but letters, digits and _.-~
    percent-encoded (as UTF-8)."""
    return text.translate(_PERCENT_ENCODED) if text.isascii() else quote(text, safe="")


def from_timestamp(seconds: int | None) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(seconds, UTC) if seconds is not None else None


def from_day(day: str) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(), UTC)


def repository_url(settings: dict) -> str | None:
    """REPO_URL when it is an http(s) address; None turns the edit and correction links off."""
    url = (settings.get("REPO_URL") or "").strip().rstrip("/")
    return url if url.startswith(("https://", "http://")) else None


def profile_records(directory: Directory, content: Path, settings: dict,
                    page_url) -> dict[tuple[str, str], ProfileRecord]:
    """One record per profile. ``page_url(profile)`` is the address to quote in a correction:
    the page's absolute address, or None (a local build) to quote the file instead."""
    # Looked up by the file's path as a string: a Path per profile cost more than the rest.
    added_by_git = {str(path): stamp for path, stamp in first_added(Path(content)).items()}
    changed = {str(path): stamp for path, stamp in last_modified(Path(content)).items()}
    repo = repository_url(settings)
    branch = quote(settings.get("REPO_BRANCH") or "main", safe="/")  # release/2026 stays a path
    records = {}
    folders: dict[Path, str] = {}  # resolved once each: content/ holds no links (loading.py)
    for profile in directory.profiles:
        folder = profile.source.parent
        if folder not in folders:
            folders[folder] = str(folder.resolve())
        source = os.path.join(folders[folder], profile.source.name)
        added = from_day(profile.added) if profile.added else from_timestamp(added_by_git.get(source))
        edit = correction = None
        if repo:
            source_file = f"{REPOSITORY_CONTENT}/{profile.kind}s/{profile.slug}.yaml"
            edit = f"{repo}/edit/{branch}/{source_file}"
            # The issue form's title starts "Fix: "; its "profile" field takes the page's
            # address (or the file); GitHub fills form fields from query parameters of their
            # id. Written out as urlencode(..., quote_via=quote) writes it, at a third of its
            # cost: the parameter names need no quoting.
            correction = (f"{repo}/issues/new?template={CORRECTION_QUERY}"
                          f"&title={quote_all(f'Fix: {profile.name}')}"
                          f"&profile={quote_all(page_url(profile) or source_file)}")
        records[profile.key] = ProfileRecord(added, from_timestamp(changed.get(source)), edit,
                                             correction)
    return records
