"""Reproducible builds: the same content gives byte-identical output whatever the folder, hash
seed, time zone or file modification times, and so do fresh clones of the same commit, shallow
(`git clone --depth 1`) or full. Real builds in subprocesses (a hash seed is per process), real
git repositories made in tmp with fixed commit dates."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import KIND_FOLDERS, ROOT, copy_content, run_module
from test_build import tree_hashes

from directory.history import first_added


def build_cli(content: Path, output: Path, settings: str = "pelicanconf.py", **env: str) -> Path:
    result = run_module("invoke", "build", "--content", str(content), "--output", str(output),
                        "--settings", settings, env=dict(os.environ, **env), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return output


def profiles(content: Path) -> list[Path]:
    return sorted(path for folder in KIND_FOLDERS for path in (content / folder).glob("*.yaml"))


@pytest.mark.parametrize("settings", ["pelicanconf.py", "publishconf.py"])
def test_builds_differing_in_folder_seed_time_zone_and_mtimes_are_identical(tmp_path, settings):
    first = copy_content(tmp_path / "a" / "content")
    second = copy_content(tmp_path / "elsewhere" / "deeper" / "profiles")
    # Modification times in the opposite order, decades apart.
    files = sorted(path for path in second.rglob("*") if path.is_file())
    for number, path in enumerate(reversed(files)):
        os.utime(path, (1_000_000_000 + number * 86_400, 1_000_000_000 + number * 86_400))
    siteurl = "https://civic.example.github.io/directory"
    one = build_cli(first, tmp_path / "a" / "output", settings, SITEURL=siteurl,
                    PYTHONHASHSEED="1", TZ="UTC")
    two = build_cli(second, tmp_path / "elsewhere" / "site", settings, SITEURL=siteurl,
                    PYTHONHASHSEED="4242", TZ="Pacific/Kiritimati", LC_ALL="C.UTF-8")
    hashes = tree_hashes(one)
    assert len(hashes) > 100
    assert tree_hashes(two) == hashes


# --- fresh clones ------------------------------------------------------------------------------

DAY = 86_400
FIRST_COMMIT = 1_704_067_200  # 2024-01-01 00:00 UTC


def commit(repository: Path, message: str, when: int) -> None:
    env = dict(os.environ, GIT_AUTHOR_DATE=f"@{when} +0000", GIT_COMMITTER_DATE=f"@{when} +0000")
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@civic.example",
                    "commit", "-q", "-m", message], cwd=repository, env=env, check=True)


@pytest.fixture(scope="module")
def origin(tmp_path_factory) -> Path:
    """A repository whose content/ grew in three commits, a day apart: a third of the profiles,
    the rest, then an edit."""
    repository = tmp_path_factory.mktemp("origin") / "directory"
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    content = copy_content(repository / "content")
    later = profiles(content)[::3]
    stash = repository.parent / "later"
    for path in later:
        (stash / path.relative_to(content)).parent.mkdir(parents=True, exist_ok=True)
        path.rename(stash / path.relative_to(content))
    subprocess.run(["git", "add", "content"], cwd=repository, check=True)
    commit(repository, "First profiles", FIRST_COMMIT)
    shutil.copytree(stash, content, dirs_exist_ok=True)
    subprocess.run(["git", "add", "content"], cwd=repository, check=True)
    commit(repository, "More profiles", FIRST_COMMIT + DAY)
    edited = content / "startups" / "pick-my-solar.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    subprocess.run(["git", "add", "content"], cwd=repository, check=True)
    commit(repository, "An edit", FIRST_COMMIT + 2 * DAY)
    return repository


def clone(origin: Path, destination: Path, *options: str) -> Path:
    subprocess.run(["git", "clone", "-q", *options, f"file://{origin}", str(destination)],
                   check=True)
    return destination


def test_dates_in_a_full_clone_are_the_commits_that_added_each_file(origin, tmp_path):
    content = clone(origin, tmp_path / "full") / "content"
    added = first_added(content)
    stamps = {added[path.resolve()] for path in profiles(content)}
    assert stamps == {FIRST_COMMIT, FIRST_COMMIT + DAY}


def test_a_shallow_clone_dates_every_file_by_its_boundary_commit(origin, tmp_path):
    """The decision documented in history.py: the shallow boundary commit seems to add every
    file present then; each gets its time ('added no later than'), the same in every clone."""
    content = clone(origin, tmp_path / "shallow", "--depth", "1") / "content"
    added = first_added(content)
    assert {added[path.resolve()] for path in profiles(content)} == {FIRST_COMMIT + 2 * DAY}
    deeper = clone(origin, tmp_path / "deeper", "--depth", "2") / "content"
    added = first_added(deeper)
    assert {added[path.resolve()] for path in profiles(deeper)} == {FIRST_COMMIT + DAY}


@pytest.mark.parametrize("options", [["--depth", "1"], []], ids=["shallow", "full"])
def test_fresh_clones_of_a_commit_build_identically(origin, tmp_path, options):
    one = clone(origin, tmp_path / "one" / "directory", *options)
    two = clone(origin, tmp_path / "two" / "checkout", *options)
    os.utime(two / "content" / "startups" / "pick-my-solar.yaml", (0, 0))
    first = build_cli(one / "content", one / "output", PYTHONHASHSEED="7", TZ="UTC")
    second = build_cli(two / "content", two / "output", PYTHONHASHSEED="8",
                       TZ="America/Los_Angeles")
    assert tree_hashes(second) == tree_hashes(first)
