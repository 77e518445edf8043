"""The build's Whoosh storage survives a sorting pool that spills its postings to temporary
runs, as it does for a large directory (some 50,000 profiles at Whoosh's default 128 MB pool;
here a 1 MB pool makes a few hundred profiles spill), and still writes no temporary file."""

from __future__ import annotations

import os
import tempfile

from directory.bench.synthetic import generate
from directory.pipeline import read_directory
from directory.search.index import PrivateRamStorage, searchable_fields, whoosh_schema


def test_an_index_whose_postings_spill_to_runs_is_written_whole(tmp_path, monkeypatch):
    generate(tmp_path / "content", 600, seed=2)
    directory, _ = read_directory(tmp_path / "content")
    monkeypatch.setattr(tempfile, "tempdir", os.devnull)  # any temporary file is now an error
    index = PrivateRamStorage().create_index(whoosh_schema())
    writer = index.writer(limitmb=1)
    for profile in directory.profiles:
        writer.add_document(id=f"{profile.kind}/{profile.slug}", **searchable_fields(profile))
    writer.commit()
    with index.searcher() as searcher:
        assert searcher.doc_count() == 600
        assert searcher.document(id=f"{profile.kind}/{profile.slug}")
