"""The synthetic directory (`invoke synth`, plugins/directory/bench/synthetic.py): valid,
deterministic from its seed, and shaped like a real directory."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from pathlib import Path

import pytest

from conftest import run_module
from directory.bench.synthetic import CITIES, MORE_CITIES, SECTORS, VOCABULARY, generate
from directory.pipeline import read_directory
from directory.search.analyzer import words

SIZE = 400


def files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*.yaml"))}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    content = tmp_path_factory.mktemp("synthetic") / "content"
    generate(content, SIZE, seed=7)
    return content


@pytest.fixture(scope="module")
def directory(synthetic):
    directory, problems = read_directory(synthetic)
    assert not problems, problems[:5]  # every profile is valid, links included
    return directory


def test_the_same_seed_gives_the_same_files_and_another_seed_others(synthetic, tmp_path):
    again = tmp_path / "again"
    generate(again, SIZE, seed=7)
    assert files(again) == files(synthetic)
    other = tmp_path / "other"
    generate(other, SIZE, seed=8)
    assert files(other) != files(synthetic)


def test_kinds_are_about_70_10_20(directory):
    kinds = Counter(profile.kind for profile in directory.profiles)
    assert len(directory.profiles) == SIZE
    assert kinds == {"startup": 280, "program": 40, "mentor": 80}


def test_sectors_and_cities_are_as_many_as_a_real_directory_has(directory):
    assert 30 <= len(SECTORS) <= 60
    assert 30 <= len(directory.sectors) <= 60
    places = CITIES + MORE_CITIES
    assert 200 <= len({city for city, _ in places}) <= 900  # a few hundred to draw from
    # A few cities hold many profiles, most hold a few (a long tail, as in real life).
    sizes = sorted((len(city.profiles) for city in directory.cities), reverse=True)
    assert len(sizes) >= 100
    assert sizes[0] >= 5 * statistics.median(sizes)


def test_text_follows_a_zipf_like_distribution_over_a_few_thousand_words(directory):
    counts = Counter(word for profile in directory.profiles
                     for word in words(f"{profile.summary} {profile.description}"))
    assert 1000 <= len(counts) <= VOCABULARY + 500
    frequencies = [n for _, n in counts.most_common(200)]
    xs = [math.log(rank) for rank in range(1, 201)]
    ys = [math.log(n) for n in frequencies]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
             / sum((x - mean_x) ** 2 for x in xs))
    assert -1.3 <= slope <= -0.6  # Zipf's law: frequency ~ 1 / rank


def test_lengths_are_realistic(directory):
    summaries = [len(profile.summary) for profile in directory.profiles]
    assert max(summaries) <= 280 and 60 <= statistics.median(summaries) <= 250
    descriptions = [len(profile.description) for profile in directory.profiles]
    assert 150 <= statistics.median(descriptions) <= 1500
    one_word = [p.name for p in directory.profiles if p.kind == "startup" and " " not in p.name]
    assert len(one_word) >= 40 and statistics.median(map(len, one_word)) >= 9


def test_profiles_are_related(directory):
    startups = [p for p in directory.profiles if p.kind == "startup"]
    mentors = [p for p in directory.profiles if p.kind == "mentor"]
    assert sum(bool(p.programs) for p in startups) > len(startups) / 2
    assert sum(bool(p.startups) for p in mentors) > len(mentors) / 4


def test_invoke_synth_writes_a_directory_and_refuses_a_folder_in_use(tmp_path):
    out = tmp_path / "synth"
    result = run_module("invoke", "synth", "--count", "30", "--out", str(out), "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "21 startups" in result.stdout and "writing 30 profiles" in result.stderr
    assert "\r" not in result.stderr  # not a terminal: plain stage lines
    assert len(files(out)) == 30 and not read_directory(out)[1]
    again = run_module("invoke", "synth", "--count", "30", "--out", str(out))
    assert again.returncode == 1 and "not empty" in again.stderr
