"""The build computes the search statistics straight from the profiles instead of reading them
back from a Whoosh index; Whoosh stays the reference. The client index made either way must be
the same, file for file and byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONTENT
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.bench.synthetic import generate
from directory.pipeline import read_directory
from directory.search.index import (build_whoosh_index, dumps, export, shard_json, shard_of,
                                    statistics, whoosh_statistics)


def directory_of(content: Path):
    directory, problems = read_directory(content)
    assert not problems, problems[:3]
    return directory


@pytest.fixture(scope="module")
def synthetic_directory(tmp_path_factory):
    return directory_of(generate(tmp_path_factory.mktemp("synthetic") / "content", 400).content)


def directory_for(which: str, request):
    """The sample content, or (only when asked: generating it takes seconds) the synthetic."""
    if which == "sample":
        return directory_of(CONTENT)
    return request.getfixturevalue("synthetic_directory")


@pytest.mark.parametrize("which", ["sample", "synthetic"])
def test_direct_statistics_equal_whoosh(which, request):
    directory = directory_for(which, request)
    direct = statistics(directory)
    reference = whoosh_statistics(build_whoosh_index(directory))
    assert direct.doc_count == reference.doc_count
    assert direct.average_lengths == reference.average_lengths
    assert sorted(direct.postings) == sorted(reference.postings)
    different = [term for term in reference.postings
                 if direct.postings[term] != reference.postings[term]]
    assert not different, different[:5]


@pytest.mark.parametrize("which", ["sample", "synthetic"])
def test_client_index_is_byte_identical_to_the_whoosh_export(which, request):
    directory = directory_for(which, request)
    direct = export(directory).files
    reference = export(directory, build_whoosh_index(directory)).files
    assert list(direct) == list(reference)
    assert [name for name in reference if dumps(direct[name]) != dumps(reference[name])] == []


@pytest.mark.parametrize("which", ["sample", "synthetic"])
def test_every_file_written_is_its_value_encoded(which, request):
    """The shards' bytes are put together from the postings encoded once to weigh them
    (shard_json): they must be what encoding each shard whole writes."""
    client = export(directory_for(which, request))
    assert client.encoded
    assert [name for name, data in client.encoded.items()
            if data != dumps(client.files[name]).encode("utf-8")] == []


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.lists(st.integers(0, 999), max_size=6),
                       max_size=5), st.data())
def test_a_shard_put_together_is_the_shard_encoded(postings, data):
    terms = list(postings)
    encoded = {term: dumps(postings[term]) for term in data.draw(st.lists(st.sampled_from(terms))
                                                                 if terms else st.just([]))}
    assert shard_json(postings, terms, encoded) == dumps(shard_of(postings, terms))
