"""Publishing to a branch (gh-pages), for hosts without GitHub Actions: build with the publish
settings into a fresh temporary folder, then make that folder the branch's whole content and
push it. ghp-import does the git part (one commit whose tree is exactly the folder, written
with git fast-import, so the working tree and index of the checkout are never touched).

A build that fails raises before ghp-import runs, so nothing is committed or pushed.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from pathlib import Path

from ghp_import import ghp_import

from .building import build_site


def source_commit() -> str | None:
    """The checked-out commit, named in the published commit's message so a published site
    can be traced to its source; None outside a git checkout."""
    result = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                            text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def publish_site(settings_file: Path, content: Path, remote: str = "origin",
                 branch: str = "gh-pages", message: str | None = None) -> str:
    """Build into a temporary folder and push it as ``branch`` of ``remote`` (a remote's name
    or a repository's URL or path), from the git repository of the current folder. Adds
    .nojekyll (GitHub Pages must not run Jekyll over the site: it would drop files whose names
    start with '_', such as _headers) and a CNAME file when the settings give one. Returns
    the commit message. Raises BuildFailed or the build's exception when the build fails,
    ghp_import.GhpError or CalledProcessError when git does."""
    if message is None:
        commit = source_commit()
        message = f"Publish the directory built from {commit}" if commit else "Publish the directory"
    with tempfile.TemporaryDirectory(prefix="directory-publish-") as folder:
        output = Path(folder) / "site"
        pelican = build_site(settings_file, content=content, output=output)
        cname = pelican.settings.get("CNAME") or None
        with commit_date_from_source_date_epoch():
            ghp_import(str(output), remote=remote, branch=branch, mesg=message, push=True,
                       nojekyll=True, cname=cname)
    return message


@contextlib.contextmanager
def commit_date_from_source_date_epoch():
    """The published commit is dated SOURCE_DATE_EPOCH when it is set (reproducible-builds.org:
    the date to use where a build needs one), instead of the wall clock ghp-import reads
    otherwise; an explicit GIT_COMMITTER_DATE still wins."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit() or "GIT_COMMITTER_DATE" in os.environ:
        yield
        return
    os.environ["GIT_COMMITTER_DATE"] = f"{epoch} +0000"
    try:
        yield
    finally:
        del os.environ["GIT_COMMITTER_DATE"]
