"""previews/<key>.json holds what the first page of each term of terms/<key>.json shows."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from directory.building import build_site  # noqa: E402
from directory.pipeline import read_directory  # noqa: E402
from directory.search.index import PREVIEW_DEPTH, build_whoosh_index, weighting  # noqa: E402
from directory.search.query import word_query  # noqa: E402


@pytest.fixture(scope="module")
def index_folder(tmp_path_factory):
    output = tmp_path_factory.mktemp("previews") / "output"
    build_site(ROOT / "pelicanconf.py", content=ROOT / "content", output=output)
    return output / "search" / "index"


def read(folder: Path, name: str):
    return json.loads((folder / name).read_text(encoding="utf-8"))


def test_previews_hold_each_terms_first_page_as_whoosh_ranks_it(index_folder):
    directory, _ = read_directory(ROOT / "content")
    index = build_whoosh_index(directory)
    doc_of = {f"{p.kind}/{p.slug}": doc for doc, p in enumerate(directory.profiles)}
    manifest = read(index_folder, "manifest.json")
    chunk = manifest["docChunk"]
    checked = 0
    with index.searcher(weighting=weighting()) as searcher:
        for key in manifest["keys"]:
            previews = {row[0]: row[1:] for row in read(index_folder, f"previews/{key}.json")}
            for doc, record in previews.items():
                assert record == read(index_folder, f"docs/{doc // chunk}.json")[doc % chunk]
            for term in read(index_folder, f"terms/{key}.json"):
                hits = list(searcher.search(word_query(term), limit=PREVIEW_DEPTH + 1))
                # A tie at the edge of the page may go either way: only hits that beat it count.
                edge = hits[PREVIEW_DEPTH].score if len(hits) > PREVIEW_DEPTH else 0
                for hit in hits[:PREVIEW_DEPTH]:
                    if hit.score > edge * (1 + 1e-9):
                        assert doc_of[hit["id"]] in previews, (key, term, hit["id"])
                        checked += 1
    assert checked > 500
