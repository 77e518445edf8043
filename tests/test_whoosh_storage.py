"""The build's Whoosh storage survives a sorting pool that spills to temporary runs, as it does
for a large directory (some 50,000 profiles at Whoosh's default 128 MB pool; here a 1 MB pool
makes a few hundred profiles spill)."""

from __future__ import annotations

import os

from directory.bench.synthetic import generate
from directory.pipeline import read_directory
from directory.search.index import PrivateRamStorage, searchable_fields, whoosh_schema


def test_an_index_whose_postings_spill_to_runs_is_written_whole(tmp_path):
    generate(tmp_path / "content", 600, seed=2)
    directory, _ = read_directory(tmp_path / "content")
    storage = PrivateRamStorage()
    index = storage.create_index(whoosh_schema())
    writer = index.writer(limitmb=1)
    for profile in directory.profiles:
        writer.add_document(id=f"{profile.kind}/{profile.slug}", **searchable_fields(profile))
    writer.commit()
    temporary = list(storage.temporary)
    storage.remove_temporary()
    assert index.doc_count() == 600
    with index.searcher() as searcher:  # readable once its temporary folders are gone
        assert searcher.doc_count() == 600 and searcher.document(id=f"{profile.kind}/{profile.slug}")
    assert temporary and not any(os.path.exists(folder) for folder in temporary)
