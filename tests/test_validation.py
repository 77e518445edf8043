"""Validation: every kind of mistake is reported as PATH:LINE:COL: error: MESSAGE, with the
line and column (1-based) of the offending key or value, and all of them in one run.

Each test breaks a copy of the sample content with one small profile and checks the exact
position, counted by hand from the YAML written in the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, profile_count, run_module, write_profile

from directory.pipeline import read_directory


@pytest.fixture
def problems(content: Path, monkeypatch):
    """Run the validation over the content copy, from the folder that holds it, so every
    problem names its file as content/<folder>/<file>, as a contributor at the root sees it."""
    monkeypatch.chdir(content.parent)

    def run() -> list[str]:
        directory, found = read_directory(content)
        assert (directory is None) == bool(found)
        return [str(problem) for problem in found]

    return run


def only(lines: list[str], prefix: str, *parts: str) -> str:
    """The single problem reported, which must start with ``prefix`` and mention ``parts``."""
    assert len(lines) == 1, "\n".join(lines)
    assert_problem(lines[0], prefix, *parts)
    return lines[0]


def assert_problem(line: str, prefix: str, *parts: str) -> None:
    assert line.startswith(prefix), f"expected {prefix!r}..., got {line!r}"
    for part in parts:
        assert part in line[len(prefix):], f"{part!r} missing from {line!r}"


def test_sample_content_is_valid(problems):
    assert problems() == []


# --- YAML syntax ------------------------------------------------------------------------

@pytest.mark.parametrize("text, prefix, reason", [
    # 'region: a: b': the second ':' (column 10) cannot start a mapping inside a value.
    ("name: Broken Startup\nsummary: Fine so far.\ncity: Oakland\nregion: a: b\n",
     "content/startups/broken.yaml:4:10: error: ", "mapping values are not allowed"),
    # A list item indented one space less than its siblings: the parser stops at its '-'.
    ("name: Broken\nsummary: Fine.\ncity: Oakland\nsectors:\n  - Mobility\n - Health\n",
     "content/startups/broken.yaml:6:2: error: ", "did not find expected key"),
    # An unclosed quote runs to the end of the file (line 4, column 1).
    ('name: Broken\nsummary: "never closed\ncity: Oakland\n',
     "content/startups/broken.yaml:4:1: error: ", "unexpected end of stream"),
])
def test_yaml_syntax_error_points_at_the_parsers_position(content, problems, text, prefix, reason):
    write_profile(content, "startups", "broken", text)
    only(problems(), prefix, "YAML syntax error", reason)


# --- the top level ----------------------------------------------------------------------

@pytest.mark.parametrize("text, prefix", [
    ("# A list is not a profile.\n- name: Listy\n- summary: Nope\n",
     "content/programs/listy.yaml:2:1: error: "),
    ("\nJust a sentence about us.\n", "content/programs/listy.yaml:2:1: error: "),
])
def test_top_level_must_be_a_mapping(content, problems, text, prefix):
    write_profile(content, "programs", "listy", text)
    only(problems(), prefix, "top level must be a mapping")


# --- required keys ----------------------------------------------------------------------

def test_missing_required_key_points_at_the_mapping(content, problems):
    write_profile(content, "startups", "no-city", """\
        # Startups must say where they are.
        name: No City
        summary: A startup that forgot its city.
        """)
    only(problems(), "content/startups/no-city.yaml:2:1: error: ", "missing required key 'city'")


def test_every_missing_required_key_is_reported(content, problems):
    write_profile(content, "programs", "bare", """\
        website: https://bare.example/
        """)
    lines = problems()
    assert len(lines) == 3, lines
    for key in ("city", "name", "summary"):
        assert any(line.startswith("content/programs/bare.yaml:1:1: error: ")
                   and f"missing required key '{key}'" in line for line in lines), (key, lines)


def test_city_is_required_for_startups_and_programs_but_not_mentors(content, problems):
    text = "name: Placeless\nsummary: Works from anywhere.\n"
    write_profile(content, "mentors", "placeless", text)
    assert problems() == []
    write_profile(content, "programs", "placeless", text)
    only(problems(), "content/programs/placeless.yaml:1:1: error: ", "missing required key 'city'")


# --- unknown keys -----------------------------------------------------------------------

def test_unknown_key_suggests_the_nearest_key(content, problems):
    write_profile(content, "startups", "typo", """\
        name: Typo Startup
        sumary: Spelled wrong.
        city: Oakland
        """)
    lines = problems()
    assert len(lines) == 2, lines
    assert_problem(lines[0], "content/startups/typo.yaml:1:1: error: ", "missing required key 'summary'")
    assert lines[1] == ("content/startups/typo.yaml:2:1: error: "
                        "unknown key 'sumary' — did you mean 'summary'?")


def test_key_of_another_profile_type_is_unknown(content, problems):
    # 'founded' belongs to startups; a mentor has no such key.
    write_profile(content, "mentors", "old-hand", """\
        name: Old Hand
        summary: Has mentored since the nineties.
        founded: 1994
        """)
    only(problems(), "content/mentors/old-hand.yaml:3:1: error: ", "unknown key 'founded'")


# --- wrong types and values -------------------------------------------------------------

@pytest.mark.parametrize("line, prefix, parts", [
    ("founded: soon", "content/startups/typed.yaml:4:10: error: ",
     ("founded", "expected a whole number, got text")),
    ("founded: 2016.5", "content/startups/typed.yaml:4:10: error: ",
     ("founded", "a whole number is expected")),
    ('founded: "2016"', "content/startups/typed.yaml:4:10: error: ",
     ("founded", "remove the quotes")),
    ("sectors: Mobility", "content/startups/typed.yaml:4:10: error: ",
     ("sectors", "expected a list, got text")),
    ("programs: laci", "content/startups/typed.yaml:4:11: error: ",
     ("programs", "expected a list, got text")),
    ("region: [Bay, Area]", "content/startups/typed.yaml:4:9: error: ",
     ("region", "expected text, got a list")),
])
def test_wrong_type_points_at_the_value(content, problems, line, prefix, parts):
    write_profile(content, "startups", "typed",
                  f"name: Typed Startup\nsummary: One field has the wrong type.\ncity: Oakland\n{line}\n")
    only(problems(), prefix, *parts)


def test_wrong_type_inside_a_list_points_at_the_item(content, problems):
    write_profile(content, "startups", "typed", """\
        name: Typed Startup
        summary: A sector is a mapping.
        city: Oakland
        sectors:
          - Mobility
          - {name: Health}
        """)
    only(problems(), "content/startups/typed.yaml:6:5: error: ", "sectors.1", "expected text")


def test_program_format_must_be_a_known_kind(content, problems):
    write_profile(content, "programs", "camp", """\
        name: Code Camp
        summary: Not a format we know.
        city: Oakland
        format: bootcamp
        duration_weeks: 6
        """)
    only(problems(), "content/programs/camp.yaml:4:9: error: ", "format must be one of",
         "incubator, accelerator, residency, challenge, fellowship, other", "'bootcamp'")


# --- summary length ---------------------------------------------------------------------

def test_summary_over_280_characters(content, problems):
    write_profile(content, "startups", "wordy",
                  "name: Wordy\nsummary: " + "x" * 281 + "\ncity: Oakland\n")
    only(problems(), "content/startups/wordy.yaml:2:10: error: ",
         "summary is 281 characters long", "280")


def test_summary_of_exactly_280_characters_is_fine(content, problems):
    write_profile(content, "startups", "wordy",
                  "name: Wordy\nsummary: " + "x" * 280 + "\ncity: Oakland\n")
    assert problems() == []


# --- website ----------------------------------------------------------------------------

@pytest.mark.parametrize("website", ["ftp://example.org/", "javascript:alert(1)", "www.example.org",
                                     "mailto:team@example.org", "//example.org/"])
def test_website_must_be_http_or_https(content, problems, website):
    write_profile(content, "programs", "webby",
                  f"name: Webby\nsummary: A program.\ncity: Oakland\nwebsite: '{website}'\n")
    only(problems(), "content/programs/webby.yaml:4:10: error: ",
         "website must be an http:// or https:// address", website)


@pytest.mark.parametrize("website", ["http://example.org", "https://example.org/path?q=1"])
def test_http_and_https_websites_are_fine(content, problems, website):
    write_profile(content, "programs", "webby",
                  f"name: Webby\nsummary: A program.\ncity: Oakland\nwebsite: {website}\n")
    assert problems() == []


# --- file names -------------------------------------------------------------------------

@pytest.mark.parametrize("file_name", ["Bad_Name.yaml", "double--hyphen.yaml", "-leading.yaml",
                                       "trailing-.yaml", "café.yaml", "two words.yaml"])
def test_file_name_must_be_a_slug(content, problems, file_name):
    write_profile(content, "startups", file_name,
                  "name: Badly Named\nsummary: Fine inside.\ncity: Oakland\n")
    only(problems(), f"content/startups/{file_name}:1:1: error: ",
         f"file name '{file_name}' is not a slug")


def test_only_yaml_files_are_profiles(content, problems):
    write_profile(content, "startups", "short.yml", "name: Short\nsummary: Wrong suffix.\ncity: Oakland\n")
    only(problems(), "content/startups/short.yml:1:1: error: ", ".yaml")


# --- duplicate keys ---------------------------------------------------------------------

def test_duplicate_key_points_at_the_second_one(content, problems):
    write_profile(content, "startups", "twice", """\
        name: Twice Named
        summary: Has two names.
        city: Oakland
        name: Second Name
        """)
    only(problems(), "content/startups/twice.yaml:4:1: error: ",
         "duplicate key 'name'", "line 1")


def test_the_same_sector_twice_in_other_spellings(content, problems):
    write_profile(content, "startups", "twin-sectors", """\
        name: Twin Sectors
        summary: Lists one sector twice.
        city: Oakland
        sectors:
          - Clean Energy
          - clean energy
        """)
    only(problems(), "content/startups/twin-sectors.yaml:6:5: error: ",
         "'clean energy' is the same sector as 'Clean Energy'")


# --- references -------------------------------------------------------------------------

def test_unknown_program_points_at_the_list_item(content, problems):
    write_profile(content, "startups", "ghost-alumni", """\
        name: Ghost Alumni
        summary: Lists a program that does not exist.
        city: Oakland
        programs:
          - laci
          - lacy
        """)
    only(problems(), "content/startups/ghost-alumni.yaml:6:5: error: ",
         "unknown program 'lacy'", "did you mean 'laci'?")


def test_unknown_programs_and_startups_of_a_mentor(content, problems):
    write_profile(content, "mentors", "ghost-mentor", """\
        name: Ghost Mentor
        summary: Mentors things that do not exist.
        programs: [stir, no-such-program]
        startups:
          - voltshed
          - volt-shed
          - laci
        """)
    lines = problems()
    assert len(lines) == 3, lines
    assert_problem(lines[0], "content/mentors/ghost-mentor.yaml:3:18: error: ",
                   "unknown program 'no-such-program'")
    assert_problem(lines[1], "content/mentors/ghost-mentor.yaml:6:5: error: ",
                   "unknown startup 'volt-shed'", "did you mean 'voltshed'?")
    # laci exists, but as a program: a mentor's startups must be startups.
    assert_problem(lines[2], "content/mentors/ghost-mentor.yaml:7:5: error: ", "unknown startup 'laci'")


def test_reference_to_a_broken_profile_is_not_reported_twice(content, problems):
    # The program file is broken, but it exists: only its own problem is reported.
    write_profile(content, "programs", "half-done", "name: Half Done\nsummary: [unclosed\n")
    write_profile(content, "startups", "alumni", """\
        name: Alumni
        summary: Took part in a program whose file is broken.
        city: Oakland
        programs:
          - half-done
        """)
    lines = problems()
    assert len(lines) == 1, lines
    assert lines[0].startswith("content/programs/half-done.yaml:")


# --- YAML 1.1 plain scalars -------------------------------------------------------------

@pytest.mark.parametrize("line, prefix, literal", [
    ("city: NO", "content/startups/norway.yaml:3:7: error: ", "NO"),
    ("city: yes", "content/startups/norway.yaml:3:7: error: ", "yes"),
    ("city: 2024-01-01", "content/startups/norway.yaml:3:7: error: ", "2024-01-01"),
    ("city: Oslo\nregion: 0777", "content/startups/norway.yaml:4:9: error: ", "0777"),
    ("city: Oslo\nsectors:\n  - Energy\n  - 1.5", "content/startups/norway.yaml:6:5: error: ", "1.5"),
])
def test_yaml_11_scalars_ask_for_quotes(content, problems, line, prefix, literal):
    write_profile(content, "startups", "norway",
                  f"name: Norway Startup\nsummary: Plain scalars YAML retypes.\n{line}\n")
    only(problems(), prefix, f"YAML reads {literal} as", f'put it in quotes: "{literal}"')


def test_quoted_scalars_stay_text(content, problems):
    write_profile(content, "startups", "norway", """\
        name: "Yes"
        summary: 'Quoted values are text.'
        city: "NO"
        region: "0777"
        """)
    assert problems() == []


# --- everything at once -----------------------------------------------------------------

def test_every_problem_in_one_file_is_reported(content, problems):
    write_profile(content, "startups", "messy", """\
        name: Messy
        summary: %s
        city: Oakland
        website: ftp://messy.example/
        founded: soon
        sectros: [Mobility]
        """ % ("y" * 300))
    lines = problems()
    assert len(lines) == 4, lines
    assert_problem(lines[0], "content/startups/messy.yaml:2:10: error: ", "summary is 300 characters")
    assert_problem(lines[1], "content/startups/messy.yaml:4:10: error: ", "website")
    assert_problem(lines[2], "content/startups/messy.yaml:5:10: error: ", "founded")
    assert_problem(lines[3], "content/startups/messy.yaml:6:1: error: ",
                   "unknown key 'sectros' — did you mean 'sectors'?")


# --- the `invoke validate` command ------------------------------------------------------

PROBLEM_LINE = r"^.+:\d+:\d+: error: .+$"


def validate_cli(content: Path):
    assert not content.resolve().is_relative_to(ROOT), "paths would be shown relative to the repo"
    return run_module("invoke", "validate", "--content", str(content))


def test_invoke_validate_reports_every_problem_across_files(content):
    write_profile(content, "startups", "broken", "name: Broken\nsummary: a: b\ncity: Oakland\n")
    write_profile(content, "programs", "typo", """\
        name: Typo Program
        summary: Spelled wrong.
        ctiy: Oakland
        """)
    write_profile(content, "mentors", "ghost", """\
        name: Ghost
        summary: Mentors a program that does not exist.
        programs:
          - stir
          - nowhere
        """)
    write_profile(content, "mentors", "Not_A_Slug", "name: Fine\nsummary: Fine.\n")
    result = validate_cli(content)
    assert result.returncode == 1, result
    printed = [line for line in (result.stdout + result.stderr).splitlines()
               if line.startswith(str(content))]
    c = str(content)
    expected = [
        (f"{c}/mentors/Not_A_Slug.yaml:1:1: error: ", "not a slug"),
        (f"{c}/mentors/ghost.yaml:5:5: error: ", "unknown program 'nowhere'"),
        (f"{c}/programs/typo.yaml:1:1: error: ", "missing required key 'city'"),
        (f"{c}/programs/typo.yaml:3:1: error: ", "unknown key 'ctiy' — did you mean 'city'?"),
        (f"{c}/startups/broken.yaml:2:11: error: ", "YAML syntax error"),
    ]
    assert len(printed) == len(expected), printed
    for line, (prefix, part) in zip(printed, expected):
        assert_problem(line, prefix, part)
    assert "profiles OK" not in result.stdout


def test_invoke_validate_prints_one_problem_per_line(content):
    write_profile(content, "startups", "typed", "name: T\nsummary: S\ncity: NO\nfounded: soon\n")
    result = validate_cli(content)
    assert result.returncode == 1
    problem_lines = [line for line in result.stderr.splitlines() if re.match(PROBLEM_LINE, line)]
    assert problem_lines == [
        f"{content}/startups/typed.yaml:3:7: error: city: YAML reads NO as the boolean false, but "
        f'text is expected; put it in quotes: "NO"',
        f"{content}/startups/typed.yaml:4:10: error: founded: expected a whole number, got text",
    ]


def test_invoke_validate_ok(content):
    result = validate_cli(content)
    assert result.returncode == 0, result.stderr
    count = profile_count(content)
    assert result.stdout.splitlines() == [f"{count} profiles OK"]

    write_profile(content, "mentors", "new-mentor", "name: New Mentor\nsummary: Just joined.\n")
    result = validate_cli(content)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{count + 1} profiles OK"]


def test_invoke_validate_defaults_to_the_repository_content():
    result = run_module("invoke", "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{profile_count(ROOT / 'content')} profiles OK"


def test_profiles_are_made_as_the_dataclass_makes_them(tmp_path):
    """validation.make_profile fills a profile's fields in one update, not through the frozen
    dataclass's __init__: for every profile of the sample and of a synthetic directory (every
    kind, optional fields present and absent, dates, lists, folded text), the two are the same
    profile, field for field."""
    from dataclasses import fields

    from directory.bench.synthetic import generate
    from directory.loading import load_content
    from directory.validation import Profile, make_profile

    generate(tmp_path / "synthetic", 300, seed=5)
    compared = 0
    for content in (ROOT / "content", tmp_path / "synthetic"):
        documents, problems = load_content(content)
        assert not problems
        for document in documents:
            profile = make_profile(document)
            made = Profile(**{item.name: getattr(profile, item.name)
                              for item in fields(Profile) if item.init})
            assert set(vars(profile)) <= {item.name for item in fields(Profile)}  # no stray
            assert all(getattr(made, item.name) == getattr(profile, item.name)
                       for item in fields(Profile))
            assert vars(made) == {name: value for name, value in vars(profile).items()
                                  if name != "content" or value is not None}
            compared += 1
    assert compared > 300
