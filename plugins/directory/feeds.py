"""The Atom feed of newly added profiles, /feeds/new.atom.xml, newest first.

Written with feedgenerator, the library Pelican's own feeds use. Each entry is dated by when
its profile was added (provenance.py: its added: field, else git history); a profile with no
such date is left out rather than dated by the clock. The feed's <updated> is its newest entry's
date, so the same content always gives the same bytes.
"""

from __future__ import annotations

import datetime
import html
import io

from feedgenerator import Atom1Feed

from .markup import render_markdown
from .provenance import ProfileRecord
from .relations import Directory

FEED_LIMIT = 50  # entries; NEW_PROFILES_FEED_LIMIT in the settings overrides it
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
KIND_LABELS = {"startup": "Startup", "program": "Program", "mentor": "Mentor"}


class ReproducibleAtomFeed(Atom1Feed):
    """feedgenerator dates an empty feed by the clock; ours says 1970 instead."""

    def latest_post_date(self):
        return super().latest_post_date() if self.items else EPOCH


def new_profiles(directory: Directory, records: dict[tuple, ProfileRecord], limit: int) -> list:
    """Profiles with an added date, newest first; the directory's order breaks ties."""
    order = {profile.key: index for index, profile in enumerate(directory.profiles)}
    dated = [p for p in directory.profiles if records[p.key].added]
    dated.sort(key=lambda p: (-records[p.key].added.timestamp(), order[p.key]))
    return dated[:limit]


def new_profiles_feed(directory: Directory, records: dict[tuple, ProfileRecord], base: str,
                      site_name: str, feed_path: str, limit: int = FEED_LIMIT) -> str:
    feed = ReproducibleAtomFeed(
        title=f"{site_name}: new profiles",
        link=f"{base}/",
        description=f"Startups, programs and mentors as they join the {site_name}.",
        language="en",
        author_name=site_name,
        feed_url=f"{base}/{feed_path}",
        feed_guid=f"{base}/{feed_path}",
    )
    for profile in new_profiles(directory, records, limit):
        added = records[profile.key].added
        url = f"{base}/{profile.url}"
        feed.add_item(
            title=profile.name,
            link=url,
            unique_id=url,
            # Atom's type="html" summary is read as HTML: the plain-text summary is escaped first.
            description=html.escape(profile.summary),
            content=str(render_markdown(profile.description)) or None,
            pubdate=added,
            updateddate=added,
            categories=[KIND_LABELS[profile.kind], *profile.sectors],
        )
    out = io.StringIO()
    feed.write(out, "utf-8")
    return out.getvalue()
