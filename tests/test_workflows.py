"""GitHub Actions workflows: valid against the workflow schema that check-jsonschema vendors,
free of zizmor findings of medium severity or above, every action pinned to a full commit SHA
with its version beside it, least privilege per job, and each workflow running what it is for:
pull requests validate, test and build; main deploys to Pages; links are checked weekly only."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:")


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def load(name: str) -> dict:
    return yaml.load((WORKFLOWS / name).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def triggers(workflow: dict) -> set[str]:
    on = workflow["on"]  # BaseLoader keeps 'on' a string key (YAML 1.1 would make it True)
    return {on} if isinstance(on, str) else set(on)


def steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def run_commands(workflow: dict) -> list[str]:
    return [step["run"] for _, step in steps(workflow) if "run" in step]


def test_the_three_workflows_exist():
    assert [path.name for path in workflow_files()] == ["ci.yml", "links.yml", "pages.yml"]


def test_workflows_match_the_github_workflow_schema():
    result = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                             "vendor.github-workflows", *map(str, workflow_files())],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    """The check above can fail: a job without runs-on, a misspelled key."""
    broken = tmp_path / "broken.yml"
    broken.write_text((WORKFLOWS / "ci.yml").read_text().replace("runs-on:", "runs_on:"))
    result = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                             "vendor.github-workflows", str(broken)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout


def zizmor(files: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "zizmor"), "--offline", "--min-severity", "medium",
                           "--format", "plain", *map(str, files)],
                          capture_output=True, text=True, timeout=120)


def test_zizmor_finds_nothing_of_medium_severity_or_above():
    result = zizmor(workflow_files())
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_flags_a_weakened_workflow(tmp_path):
    """The audit above can fail: credentials left in .git/config, an action on a moving tag,
    and a step output pasted into a shell script are each reported."""
    weakened = tmp_path / "workflows"
    weakened.mkdir()
    text = (WORKFLOWS / "pages.yml").read_text()
    text = text.replace("persist-credentials: false", "fetch-tags: true")
    text = re.sub(r"actions/setup-python@[0-9a-f]{40}", "actions/setup-python@v7", text)
    text = text.replace("--output output", "--output output --settings ${{ github.head_ref }}")
    (weakened / "pages.yml").write_text(text)
    result = zizmor([weakened / "pages.yml"])
    assert result.returncode != 0
    for audit in ("artipacked", "unpinned-uses", "template-injection"):
        assert audit in result.stdout, result.stdout


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if USES_LINE.match(line)]
    parsed = [step["uses"] for _, step in steps(load(path.name)) if "uses" in step]
    assert len(uses) == len(parsed) > 0  # no `uses:` written in a form the regex misses
    unpinned = [line.strip() for line in uses if not PINNED.match(line)]
    assert not unpinned, f"pin to a 40-hex commit SHA with '# vX.Y.Z': {unpinned}"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_least_privilege_and_bounded_runs(path):
    workflow = load(path.name)
    assert workflow["permissions"] in ({}, {"contents": "read"})
    assert workflow["concurrency"]["group"]
    for name, job in workflow["jobs"].items():
        assert int(job["timeout-minutes"]) <= 30, name
        assert "permissions" in job, f"job {name} must say which permissions it needs"
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        if name == "deploy":
            assert writes == {"pages", "id-token"}
        else:
            assert not writes, f"job {name} asks to write {writes}"
    for _, step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] == "false"


def test_pull_requests_validate_test_and_build():
    ci = load("ci.yml")
    assert triggers(ci) == {"pull_request"}
    commands = run_commands(ci)
    assert "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt" in commands
    expected = [".venv/bin/invoke validate --format github", ".venv/bin/invoke test",
                ".venv/bin/invoke build"]
    assert [command for command in commands if command in expected] == expected


def test_main_is_built_for_its_pages_address_and_deployed_by_the_official_actions():
    pages = load("pages.yml")
    assert triggers(pages) >= {"push"} and pages["on"]["push"]["branches"] == ["main"]
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    step = next(step for step in build["steps"] if "publishconf.py" in step.get("run", ""))
    assert step["env"]["SITEURL"] == "${{ steps.pages.outputs.base_url }}"
    assert "--output output" in step["run"]
    uses = [step.get("uses", "").partition("@")[0] for step in build["steps"]]
    assert uses.index("actions/configure-pages") < uses.index("actions/upload-pages-artifact")
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "output"
    assert deploy["needs"] == "build"
    assert [s["uses"].partition("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["environment"]["name"] == "github-pages"


def test_links_are_checked_weekly_never_on_pull_requests():
    links = load("links.yml")
    assert triggers(links) == {"schedule", "workflow_dispatch"}
    assert len(links["on"]["schedule"]) == 1
    assert ".venv/bin/invoke check-links --report link-report.md" in run_commands(links)
    summary = next(command for command in run_commands(links) if "GITHUB_STEP_SUMMARY" in command)
    assert "link-report.md" in summary
    assert any(step.get("uses", "").startswith("actions/upload-artifact@")
               and step["with"]["path"] == "link-report.md" for _, step in steps(links))
    for path in workflow_files():
        if "pull_request" in triggers(load(path.name)):
            assert "check-links" not in path.read_text(), path.name


def test_the_tools_are_pinned_in_requirements():
    requirements = (ROOT / "requirements.txt").read_text()
    for package in ("check-jsonschema", "zizmor"):
        assert re.search(rf"^{package}==\d+(\.\d+)+$", requirements, re.MULTILINE), package
    assert shutil.which("zizmor", path=str(BIN)) and shutil.which("check-jsonschema", path=str(BIN))


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_every_invoke_command_of_a_workflow_exists_with_its_options(path):
    """A workflow that calls a task or an option that does not exist fails only on GitHub:
    ask invoke itself for each task's help and check every --option the workflow passes."""
    for command in run_commands(load(path.name)):
        for line in command.splitlines():
            words = line.split()
            if ".venv/bin/invoke" not in words[:1]:
                continue
            task = words[1]
            shown = subprocess.run([sys.executable, "-m", "invoke", "--help", task], cwd=ROOT,
                                   capture_output=True, text=True, timeout=60)
            assert shown.returncode == 0, f"{path.name}: no task {task!r}: {shown.stderr}"
            for option in (word for word in words[2:] if word.startswith("--")):
                assert option in shown.stdout, f"{path.name}: {task} has no option {option}"
