"""The fast yes/no schema check (validation.fast_check, compiled by fastjsonschema) may only let
through what jsonschema accepts: a document it passes is never looked at again. It must also
pass the profiles real directories are made of, or it saves nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory import validation  # noqa: E402
from directory.bench.synthetic import generate  # noqa: E402
from directory.validation import KINDS, passes_fast, schema_validator, schema_view  # noqa: E402

CONTENT = Path(__file__).resolve().parents[1] / "content"


def jsonschema_accepts(kind: str, view) -> bool:
    return not any(True for _ in schema_validator(kind).iter_errors(view))


def samples() -> list[tuple[str, dict]]:
    return [(path.parent.name[:-1], yaml.safe_load(path.read_text(encoding="utf-8")))
            for path in sorted(CONTENT.glob("*/*.yaml"))]


# Values of every type YAML's safe loader makes, including the edges where JSON Schema
# validators differ: booleans as numbers, 1.0 as an integer, dates, huge and empty strings.
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
              st.just(1.0), st.just(2024.0), st.text(max_size=30), st.text(min_size=150, max_size=400),
              st.sampled_from(["", " ", "https://example.org/", "http://x.y/z", "ftp://x.y/",
                               "javascript:alert(1)", "mailto:a@b.example", "images/x.svg",
                               "2024-02-30", "2024-02-29", "2023-02-29", "24-01-01", "2024-1-1",
                               "２０２４-０１-０１", "2024-01-01\n", "laci", "LACI", "a b",
                               "incubator", "Incubator", "other"]),
              st.dates(), st.datetimes(), st.binary(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(st.text(max_size=8), children, max_size=3)),
    max_leaves=8)


@st.composite
def mutated(draw) -> tuple[str, dict]:
    kind, data = draw(st.sampled_from(samples()))
    data = dict(data)
    properties = list(schema_validator(kind).schema["properties"])
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(st.sampled_from(["set", "set", "delete", "extra", "duplicate-item"]))
        key = draw(st.sampled_from(properties))
        if operation == "set":
            data[key] = draw(values)
        elif operation == "delete":
            data.pop(key, None)
        elif operation == "extra":
            data[draw(st.text(max_size=10))] = draw(values)
        elif isinstance(data.get(key), list) and data[key]:
            data[key] = data[key] + [data[key][0]]
    return kind, data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_fast_check_never_passes_what_jsonschema_rejects(case):
    kind, data = case
    view = schema_view(data, schema_validator(kind).schema)
    if passes_fast(kind, view):
        assert jsonschema_accepts(kind, view), data


# Where two validators are known to part ways: dates that match the pattern but do not exist,
# booleans and floats for whole numbers, duplicates, and text at and past its limits.
EDGES = [("added", "2024-02-30"), ("added", "2023-02-29"), ("added", "2024-1-1"),
         ("added", "２０２４-０１-０１"), ("added", "2024-01-01\n"), ("added", "2024-01-01T10:00:00"),
         ("added", datetime.date(2024, 2, 29)), ("added", datetime.datetime(2024, 1, 1, 10)),
         ("founded", True), ("founded", 1.0), ("founded", 2024.0), ("founded", 2024.5),
         ("founded", "2024"), ("founded", 10**30), ("sectors", ["Energy", "Energy"]),
         ("sectors", ["Energy", 1]), ("sectors", []), ("sectors", "Energy"),
         ("programs", ["laci", "laci"]), ("programs", ["LACI"]), ("website", "ftp://x.example/"),
         ("website", "https://"), ("website", "javascript:alert(1)"), ("website", " https://x.example/"),
         ("name", ""), ("name", " "), ("name", "x" * 200), ("summary", "x" * 1000),
         ("summary", None), ("city", 5), ("logo", "../x.svg"), ("logo", "images/x.svg\n")]


@pytest.mark.parametrize("field, value", EDGES)
def test_the_fast_check_agrees_at_the_known_edges(field, value):
    for kind, data in samples():
        view = schema_view({**data, field: value}, schema_validator(kind).schema)
        if passes_fast(kind, view):
            assert jsonschema_accepts(kind, view), (kind, field, value)


def test_a_broken_profile_still_gets_every_explained_problem(tmp_path):
    (tmp_path / "startups").mkdir()
    (tmp_path / "startups" / "broken.yaml").write_text(
        "name: Broken\nsummary: 5\nfounded: 1200\nwebsite: ftp://x.example/\nfoo: 1\n", encoding="utf-8")
    from directory.pipeline import read_directory

    _, problems = read_directory(tmp_path)
    messages = "\n".join(str(problem) for problem in problems)
    for field in ("summary", "founded", "website", "foo"):
        assert field in messages, messages


def test_the_samples_and_a_synthetic_directory_take_the_fast_path(tmp_path):
    for kind, data in samples():
        assert passes_fast(kind, schema_view(data, schema_validator(kind).schema)), data
    generate(tmp_path, 300, seed=3)
    for path in sorted(tmp_path.glob("*/*.yaml")):
        kind = path.parent.name[:-1]
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert passes_fast(kind, schema_view(data, schema_validator(kind).schema)), path


def test_a_schema_with_a_keyword_outside_the_known_set_gets_no_fast_path(monkeypatch):
    real = validation.profile_schema("startup")
    monkeypatch.setattr(validation, "profile_schema",
                        lambda kind: {**real, "dependentRequired": {"city": ["region"]}})
    validation.fast_check.cache_clear()
    try:
        assert validation.fast_check("startup") is None
        assert not passes_fast("startup", {"name": "A", "summary": "B"})
    finally:
        monkeypatch.undo()
        validation.fast_check.cache_clear()


@pytest.mark.parametrize("kind", KINDS)
def test_every_schema_is_within_the_known_keywords(kind):
    assert validation.fast_check(kind) is not None


DATE_EDGES = ["2024-02-29", "2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01T00:00",
              "２０２４-01-01", "2024-01-01\n", " 2024-01-01", "0000-01-01", "9999-12-31",
              "2024/01/01", "", "20240101", "2024-W01-1", "2024-001", 20240101, None]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(st.sampled_from(DATE_EDGES), st.text(max_size=14),
                 st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
                 st.dates().map(lambda day: day.isoformat())))
def test_the_fast_checks_date_rule_is_jsonschemas(value):
    """validation.is_date is jsonschema's "date" format rule, written out so that the fast
    check needs no jsonschema import."""
    from jsonschema import Draft202012Validator

    assert validation.is_date(value) == Draft202012Validator.FORMAT_CHECKER.conforms(value, "date")


def test_a_valid_profile_is_checked_without_importing_jsonschema(tmp_path):
    """jsonschema (a tenth of a rebuild's start) is imported only for a profile that fails
    the fast check."""
    import subprocess
    import sys

    program = (
        "import sys; sys.path.insert(0, 'plugins')\n"
        "from pathlib import Path\n"
        "from directory.pipeline import read_directory\n"
        "directory, problems = read_directory(Path('content'))\n"
        "assert directory and not problems, problems\n"
        "print('jsonschema' in sys.modules)\n")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", program], cwd=root, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "False"
