"""Building: every page lands at its URL; a build with any validation error stops with the
same messages as `invoke validate` before anything is written, leaving the previous output
byte for byte as it was; builds are reproducible; no staging folder is ever left behind."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from conftest import CONTENT, KIND_FOLDERS, ROOT, build, copy_content, run_module, write_profile

from directory.pipeline import read_directory
from directory.problems import BuildFailed

PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: error: .+$")


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> SHA-256), and every folder (-> 'dir')."""
    hashes = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        hashes[relative] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def problem_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if PROBLEM_LINE.match(line)]


# --- every URL --------------------------------------------------------------------------

def test_build_writes_every_page(sample_site):
    output = sample_site.output
    expected = ["index.html", "404.html", "startups/index.html", "programs/index.html",
                "mentors/index.html", "sectors/index.html", "cities/index.html",
                "sectors/urban-tech/index.html", "sectors/clean-energy/index.html",
                "cities/san-jose/index.html", "cities/los-angeles/index.html"]
    for folder in KIND_FOLDERS:
        expected += [f"{folder}/{path.stem}/index.html"
                     for path in sorted((sample_site.content / folder).glob("*.yaml"))]
    missing = [path for path in expected if not (output / path).is_file()]
    assert not missing, missing
    assert len(expected) > 40


def test_build_copies_the_images(sample_site):
    images = sorted((sample_site.content / "images").iterdir())
    assert images
    for image in images:
        assert (sample_site.output / "images" / image.name).read_bytes() == image.read_bytes()


def test_build_of_the_repository_content_succeeds(tmp_path):
    output = build(CONTENT, tmp_path / "output")
    assert (output / "index.html").is_file()
    assert (output / "startups" / "pick-my-solar" / "index.html").is_file()


# --- reproducible, whichever way it is started -----------------------------------------

def test_two_builds_are_byte_identical(sample_site, tmp_path):
    again = build(sample_site.content, tmp_path / "again")
    assert tree_hashes(again) == tree_hashes(sample_site.output)


def test_invoke_build_builds_the_same_site(sample_site, tmp_path):
    output = tmp_path / "site" / "output"
    result = run_module("invoke", "build", "--content", str(sample_site.content),
                        "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert tree_hashes(output) == tree_hashes(sample_site.output)
    assert os.listdir(output.parent) == ["output"]


def test_invoke_build_with_another_task_after_it_runs_both(sample_site, tmp_path):
    """`invoke build` ends its process without the interpreter's teardown (tasks.py), but only
    when it is the last task: the next one on the command line still runs."""
    output = tmp_path / "site" / "output"
    result = run_module("invoke", "build", "--content", str(sample_site.content),
                        "--output", str(output), "validate", "--content", str(sample_site.content))
    assert result.returncode == 0, result.stderr
    assert "Site built in" in result.stdout
    assert result.stdout.rstrip().endswith("profiles OK"), result.stdout
    assert tree_hashes(output) == tree_hashes(sample_site.output)


def test_pelican_cli_builds_the_same_site(sample_site, tmp_path):
    output = tmp_path / "site" / "output"
    result = run_module("pelican", str(sample_site.content), "-s", "pelicanconf.py",
                        "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert tree_hashes(output) == tree_hashes(sample_site.output)
    assert os.listdir(output.parent) == ["output"]


# --- a failed build changes nothing ---------------------------------------------------------

def break_content(content: Path) -> None:
    """Two broken profiles in two folders: every problem must be reported, not only the first."""
    write_profile(content, "startups", "bad-startup", """\
        name: Bad Startup
        sumary: Spelled wrong.
        city: Oakland
        """)
    write_profile(content, "mentors", "bad-mentor", """\
        name: Bad Mentor
        summary: Mentors a program that does not exist.
        programs:
          - laci
          - nowhere
        """)


@pytest.fixture
def previous(tmp_path, monkeypatch):
    """A good build in site/output, then the content broken; returns (content, output, hashes).
    Runs from the repository root, as the CLIs do, so paths print the same way."""
    monkeypatch.chdir(ROOT)
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    hashes = tree_hashes(output)
    assert len(hashes) > 40
    break_content(content)
    _, problems = read_directory(content)
    expected = [str(problem) for problem in problems]
    assert len(expected) == 3, expected
    return content, output, hashes, expected


def assert_unchanged(output: Path, hashes: dict, inode: int) -> None:
    assert tree_hashes(output) == hashes
    assert output.stat().st_ino == inode  # the very same folder, not a copy put back
    assert os.listdir(output.parent) == ["output"], "a staging folder was left behind"


def test_failed_in_process_build_keeps_the_previous_output(previous, capsys):
    content, output, hashes, expected = previous
    inode = output.stat().st_ino
    with pytest.raises(BuildFailed) as failure:
        build(content, output)
    assert [str(problem) for problem in failure.value.problems] == expected
    assert problem_lines(capsys.readouterr().err) == expected
    assert_unchanged(output, hashes, inode)


@pytest.mark.parametrize("command", [
    ["invoke", "build", "--content", "{content}", "--output", "{output}"],
    ["pelican", "{content}", "-s", "pelicanconf.py", "-o", "{output}"],
], ids=["invoke-build", "pelican"])
def test_failed_cli_build_keeps_the_previous_output(previous, command):
    content, output, hashes, expected = previous
    inode = output.stat().st_ino
    args = [part.format(content=content, output=output) for part in command]
    result = run_module(*args)
    assert result.returncode != 0
    assert problem_lines(result.stderr) == expected
    assert_unchanged(output, hashes, inode)

    # The same messages as `invoke validate`.
    validated = run_module("invoke", "validate", "--content", str(content))
    assert validated.returncode == 1
    assert problem_lines(validated.stderr) == expected


@pytest.mark.parametrize("how", ["in-process", "invoke-build"])
def test_failed_first_build_writes_nothing(tmp_path, how):
    content = copy_content(tmp_path / "content")
    break_content(content)
    output = tmp_path / "site" / "output"
    output.parent.mkdir()
    if how == "in-process":
        with pytest.raises(BuildFailed):
            build(content, output)
    else:
        result = run_module("invoke", "build", "--content", str(content), "--output", str(output))
        assert result.returncode == 1
        assert len(problem_lines(result.stderr)) == 3
    assert os.listdir(output.parent) == []


# --- staging folders ----------------------------------------------------------------------

def test_successful_build_leaves_only_the_output(sample_site):
    assert os.listdir(sample_site.output.parent) == ["output"]


def test_rebuild_replaces_the_output_and_leaves_no_staging(tmp_path):
    content = copy_content(tmp_path / "content")
    output = build(content, tmp_path / "site" / "output")
    (output / "stale.html").write_text("from an older build")
    write_profile(content, "mentors", "new-mentor", "name: New Mentor\nsummary: Just joined.\n")
    build(content, output)
    assert not (output / "stale.html").exists()
    assert (output / "mentors" / "new-mentor" / "index.html").is_file()
    assert os.listdir(output.parent) == ["output"]


def test_leftovers_of_a_killed_build_are_cleared(tmp_path):
    content = copy_content(tmp_path / "content")
    site = tmp_path / "site"
    stale = site / ".output.staging-999999"
    stale.mkdir(parents=True)
    (stale / "index.html").write_text("half-written")
    build(content, site / "output")
    assert os.listdir(site) == ["output"]
