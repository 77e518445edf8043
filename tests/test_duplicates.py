"""Near duplicates: the same organisation twice is an error naming both files (line:col) and the
way out; a shared domain is a notice that fails nothing; `same_as_ok` lets knowingly similar
profiles be. Every case writes real files into a copy of the sample content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import write_profile

from directory.duplicates import identity_name, identity_website
from directory.pipeline import check_content


def startup(name: str, website: str | None = None, extra: str = "") -> str:
    """A valid startup: name on line 1, summary line 2, city line 3, website line 4."""
    text = f"name: {name}\nsummary: A test profile.\ncity: Oakland\n"
    if website:
        text += f"website: {website}\n"
    return text + extra


def errors_in(content: Path) -> list[str]:
    return [str(problem) for problem in check_content(content).errors]


@pytest.mark.parametrize("existing, written", [
    ("pick-my-solar", "Pick My Solar, Inc."),
    ("pick-my-solar", "PICK MY SOLAR LLC"),
    ("pick-my-solar", "Pick-My-Solar Ltd."),
    ("ciclo-mobility", "Ciclo Mobility Corp"),  # accents folded: Cicló
    ("rosas-rooftops", "Rosas Rooftops Co."),  # apostrophe dropped: Rosa's
    ("voltshed", "The VoltShed Labs"),
])
def test_same_name_after_folding_is_an_error_naming_both_files(content, monkeypatch, existing,
                                                                written):
    monkeypatch.chdir(content.parent)
    write_profile(content, "startups", "zz-new-entry", startup(written))
    errors = errors_in(content)
    assert len(errors) == 1, errors
    line = next(number for number, text in enumerate(
        (content / "startups" / f"{existing}.yaml").read_text().splitlines(), 1)
        if text.startswith("name: "))
    assert errors[0] == (
        f"content/startups/zz-new-entry.yaml:1:7: error: this looks like the same startup as "
        f"content/startups/{existing}.yaml:{line}:7 "
        f"('{identity_source_name(content, existing)}'): names match once case, accents, "
        f"punctuation and words like Inc or LLC are ignored; merge the two profiles into one, "
        f"or, if they really are different, add 'same_as_ok: [{existing}]' to this file")


def identity_source_name(content: Path, slug: str) -> str:
    text = (content / "startups" / f"{slug}.yaml").read_text()
    return re.search(r"^name: (.*)$", text, re.M).group(1)


@pytest.mark.parametrize("name", ["Pick My Solar Two", "My Solar", "Pick My Solaris"])
def test_different_names_are_not_duplicates(content, name):
    write_profile(content, "startups", "zz-new-entry", startup(name))
    assert errors_in(content) == []


@pytest.mark.parametrize("first, second", [
    ("https://makers.org/tools/radar", "http://www.makers.org/tools/radar/"),
    ("https://makers.org/tools/radar?utm_source=x", "https://MAKERS.org/tools/radar#team"),
])
def test_same_web_page_is_an_error(content, monkeypatch, first, second):
    monkeypatch.chdir(content.parent)
    write_profile(content, "startups", "page-a", startup("Alpha Radar", first))
    write_profile(content, "startups", "page-b", startup("Beta Radar", second))
    assert errors_in(content) == [
        f"content/startups/page-b.yaml:4:10: error: this looks like the same startup as "
        f"content/startups/page-a.yaml:4:10 ('{first}'): both websites are the same page; merge "
        f"the two profiles into one, or, if they really are different, add "
        f"'same_as_ok: [page-a]' to this file"]


def test_a_shared_domain_is_a_notice_not_a_failure(content, monkeypatch):
    monkeypatch.chdir(content.parent)
    write_profile(content, "startups", "tool-a", startup("Alpha Tool", "https://makers.org/alpha"))
    write_profile(content, "startups", "tool-b", startup("Beta Tool", "https://www.makers.org/beta"))
    checked = check_content(content)
    assert checked.errors == [] and checked.directory is not None
    assert [str(notice) for notice in checked.notices] == [
        "content/startups/tool-b.yaml:4:10: notice: website shares the domain makers.org with "
        "content/startups/tool-a.yaml:4:10 ('Alpha Tool'); fine for two products of one maker, "
        "but if they are one startup, merge them (add 'same_as_ok: [tool-a]' to silence this)"]


def test_no_notice_on_hosting_sites_where_projects_meet(content):
    write_profile(content, "startups", "repo-a", startup("Alpha", "https://github.com/civic/a"))
    write_profile(content, "startups", "repo-b", startup("Beta", "https://github.com/civic/b"))
    checked = check_content(content)
    assert (checked.errors, checked.notices) == ([], [])


@pytest.mark.parametrize("side", ["new", "old"])
def test_same_as_ok_on_either_side_lets_them_be(content, side):
    hatch = "same_as_ok: [pick-my-solar]\n"
    write_profile(content, "startups", "pick-my-solar-inc",
                  startup("Pick My Solar Inc", extra=hatch if side == "new" else ""))
    if side == "old":
        path = content / "startups" / "pick-my-solar.yaml"
        path.write_text(path.read_text() + "same_as_ok: [pick-my-solar-inc]\n")
    checked = check_content(content)
    assert checked.errors == []
    assert "same_as_ok" not in " ".join(str(notice) for notice in checked.notices)


def test_same_as_ok_must_name_a_profile_of_the_same_kind(content, monkeypatch):
    monkeypatch.chdir(content.parent)
    write_profile(content, "startups", "hatch", startup("Hatch", extra="same_as_ok:\n  - laci\n  - hatch\n"))
    assert errors_in(content) == [
        "content/startups/hatch.yaml:5:5: error: same_as_ok: there is no content/startups/laci.yaml; "
        "list the slug of the similar startup, or remove the entry",
        "content/startups/hatch.yaml:6:5: error: same_as_ok lists this profile itself ('hatch'); "
        "remove it"]


def test_kinds_are_compared_separately(content):
    """A mentor may share a startup's name and page: a founder and a founder-named company."""
    write_profile(content, "mentors", "pick-my-solar-mentor",
                  "name: Pick My Solar\nsummary: x\nwebsite: https://makers.org/pms\n")
    write_profile(content, "startups", "pms-two", startup("Other", "https://makers.org/pms"))
    checked = check_content(content)
    assert (checked.errors, checked.notices) == ([], [])
    # ...while within one kind the same page is an error: the test would notice a regression.
    write_profile(content, "mentors", "pms-three", "name: Third\nsummary: x\nwebsite: https://makers.org/pms\n")
    assert [p.path.name for p in check_content(content).errors] == ["pms-three.yaml"]


def test_focus_puts_the_error_on_the_file_being_checked(content, monkeypatch):
    """A pre-commit run on the earlier file of a pair must still see the error."""
    monkeypatch.chdir(content.parent)
    new = write_profile(content, "startups", "aaa-pick-my-solar", startup("Pick My Solar LLC"))
    unfocused = check_content(content).errors
    assert [p.path.name for p in unfocused] == ["pick-my-solar.yaml"]
    focused = check_content(content, focus={new.resolve()}).errors
    assert [p.path.name for p in focused] == ["aaa-pick-my-solar.yaml"]
    assert "content/startups/pick-my-solar.yaml:1:7" in focused[0].message


def test_normalisation_rules():
    assert identity_name("Cicló Mobility, Inc.") == identity_name("ciclo mobility") == "ciclo mobility"
    assert identity_name("Labs") == "labs" and identity_name("The Labs")  # never reduced to nothing
    assert identity_name("Co") == "co"
    assert identity_website("HTTPS://www.Example.org/a/?q=1#x") == "example.org/a"
    assert identity_website("https://example.org:8443/a") == "example.org:8443/a"
    assert identity_website("https://example.org/A") != identity_website("https://example.org/a")
