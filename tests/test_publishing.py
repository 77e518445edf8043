"""`invoke publish`: the branch it pushes holds exactly the site that the publish settings
build (compared file by file and byte by byte with a separate build), plus .nojekyll and the
CNAME file; a failed build pushes nothing. Real git throughout: a bare repository in tmp is
the remote, a fresh repository is the checkout publish runs from."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, build, run_module, write_profile

SITEURL = "https://civic.example.github.io/directory"
DOMAIN = "directory.civic.example"


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout


def blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes: equal ids mean equal bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def branch_files(remote: Path, branch: str = "gh-pages") -> dict[str, str]:
    """Every file on the branch: path -> blob id."""
    listing = git("ls-tree", "-r", "-z", branch, cwd=remote)
    files = {}
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, blob = meta.split()
        assert kind == "blob" and mode == "100644", entry
        files[path] = blob
    return files


def folder_files(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): blob_id(path.read_bytes())
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def repositories(tmp_path):
    """(checkout, remote): an empty bare repository and a checkout whose origin it is."""
    remote, checkout = tmp_path / "remote.git", tmp_path / "checkout"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    git("remote", "add", "origin", str(remote), cwd=checkout)
    return checkout, remote


def publish(checkout: Path, content: Path, *options: str, **env: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SITEURL=SITEURL, CNAME=DOMAIN, GIT_COMMITTER_NAME="Publisher",
               GIT_COMMITTER_EMAIL="publisher@civic.example", **env)
    env.pop("GIT_COMMITTER_DATE", None)
    return run_module("invoke", "--search-root", str(ROOT), "publish", "--content",
                      str(content), *options, cwd=checkout, env=env)


def refs(remote: Path) -> str:
    return git("for-each-ref", cwd=remote)


def test_publish_pushes_exactly_the_built_site(repositories, content, tmp_path):
    checkout, remote = repositories
    result = publish(checkout, content, "--message", "Publish for the test")
    assert result.returncode == 0, result.stderr

    separate = build(content, tmp_path / "separate", settings=ROOT / "publishconf.py",
                     SITEURL=SITEURL)
    expected = folder_files(separate)
    assert len(expected) > 100
    expected[".nojekyll"] = blob_id(b"")
    expected["CNAME"] = blob_id(DOMAIN.encode())
    assert branch_files(remote) == expected
    assert git("log", "-1", "--format=%s", "gh-pages", cwd=remote).strip() == "Publish for the test"
    # Built with the publish settings: absolute URLs under SITEURL.
    home = (separate / "index.html").read_text(encoding="utf-8")
    assert f'href="{SITEURL}/startups/"' in home

    # Publishing again replaces the branch's content: a removed profile's page is gone.
    (content / "mentors" / "jay-nath.yaml").unlink()
    assert "mentors/jay-nath/index.html" in expected
    result = publish(checkout, content, "--branch", "site", SOURCE_DATE_EPOCH="1700000000")
    assert result.returncode == 0, result.stderr
    assert git("log", "-1", "--format=%ct", "site", cwd=remote).strip() == "1700000000"
    published = branch_files(remote, "site")
    assert "mentors/jay-nath/index.html" not in published
    assert published.keys() < expected.keys()


def test_a_failed_build_pushes_nothing(repositories, content):
    checkout, remote = repositories
    write_profile(content, "startups", "broken", "name: Broken\nsumary: misspelled key\n")
    result = publish(checkout, content)
    assert result.returncode == 1
    assert "error: unknown key 'sumary'" in result.stderr
    assert "nothing was pushed" in result.stderr
    assert refs(remote) == "" and refs(checkout) == ""

    (content / "startups" / "broken.yaml").unlink()
    assert publish(checkout, content).returncode == 0
    before = refs(remote)
    assert "refs/heads/gh-pages" in before
    write_profile(content, "startups", "broken", "name: Broken\nsumary: misspelled key\n")
    result = publish(checkout, content)
    assert result.returncode == 1
    assert refs(remote) == before, "a failed build changed the published branch"
