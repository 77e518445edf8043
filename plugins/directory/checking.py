"""`invoke validate` and the pre-commit hook: check the content and print every problem, in the
terminal's form (``path:line:col: error: message``) or as GitHub Actions workflow commands.

Given file paths, only problems in those files are shown (and fail the check), but every
profile is still read, so references and near duplicates are resolved against the whole folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from .pipeline import check_content
from .problems import Problem, github_command, repository_root

FORMATS = ("text", "github")


def run_check(content: Path, files: list[str] | tuple = (), format: str = "text",
              out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Check ``content`` (or only ``files`` in it); print the problems; return the exit status."""
    if format not in FORMATS:
        print(f"unknown format '{format}'; use one of: {', '.join(FORMATS)}", file=err)
        return 2
    content = Path(content)
    focus = {Path(os.path.abspath(name)) for name in files} or None
    outside = sorted(path for path in focus or ()
                     if not path.is_relative_to(Path(os.path.abspath(content))))
    checked = check_content(content, focus)
    problems = [Problem(path, 1, 1, f"not in the content folder {content}; profiles live in "
                        f"{content}/startups/, {content}/programs/ or {content}/mentors/")
                for path in outside]
    problems += [Problem(path, 1, 1, "no such file; give the path of a profile, such as "
                         f"{content}/startups/pick-my-solar.yaml")
                 for path in sorted(focus or ()) if path not in outside and not path.exists()]
    problems += checked.errors + checked.notices
    hidden = 0
    if focus is not None:
        kept = [problem for problem in problems if Path(os.path.abspath(problem.path)) in focus]
        hidden = sum(problem.is_error for problem in problems) - sum(p.is_error for p in kept)
        problems = kept
    problems.sort()  # by path, line and column, as the pipeline orders them
    if format == "github":
        root = repository_root(content)
        for problem in problems:
            print(github_command(problem, root), file=out)
    else:
        for problem in problems:
            print(problem, file=err)
    errors = sum(problem.is_error for problem in problems)
    if hidden:
        print(f"({hidden} more problem{'s' * (hidden != 1)} in files not given; run "
              f"invoke validate to see them)", file=err)
    if errors:
        print(f"{errors} problem{'s' * (errors != 1)} found", file=err)
        return 1
    if focus is None:
        print(f"{len(checked.directory.profiles)} profiles OK", file=out)
    else:
        print(f"{len(focus)} file{'s' * (len(focus) != 1)} OK", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """The pre-commit entry point: ``validate-profiles [--content DIR] [--format F] FILE...``."""
    import argparse

    parser = argparse.ArgumentParser(prog="validate-profiles", description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", default="content", help="folder of profiles (default: content)")
    parser.add_argument("--format", default="text", choices=FORMATS)
    parser.add_argument("files", nargs="*", help="only these files (default: every profile)")
    options = parser.parse_args(argv)
    return run_check(Path(options.content), options.files, options.format)
