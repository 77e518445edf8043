"""Tools for contributors: `invoke new`, the editor's schema mapping, `invoke validate --format
github` and `--file`, the pre-commit hook and the issue forms. Real CLI runs, real files."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CONTENT, ROOT, copy_content, run_module, write_profile
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from directory.problems import escape_data, escape_property
from directory.scaffold import profile_slug

SCHEMAS = ROOT / "schemas"
KINDS = ("startup", "program", "mentor")


# --- invoke new -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, slug", [
    ("Cicló Cargo", "ciclo-cargo"), ("Grace O'Donnell", "grace-odonnell"),
    ("Rosa’s Rooftops!", "rosas-rooftops"), ("  São Paulo   Urban Lab, Inc. ", "sao-paulo-urban-lab-inc"),
])
def test_slug_from_name(name, slug):
    assert profile_slug(name) == slug


def invoke(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_module("invoke", "--search-root", str(ROOT), *args, cwd=cwd)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A repository-like folder with a copy of the sample content, the CLI's working folder."""
    copy_content(tmp_path / "content")
    return tmp_path


def fill(path: Path, **values: str) -> None:
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        text, count = re.subn(rf"^{key}:$", f"{key}: {value}", text, flags=re.M)
        assert count == 1, f"no empty '{key}:' line to fill in {path}"
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("kind", KINDS)
def test_new_writes_a_template_that_validates_once_the_required_keys_are_filled(site, kind):
    result = invoke("new", kind, "Cicló Cargo", cwd=site)
    assert result.returncode == 0, result.stderr
    path = site / "content" / f"{kind}s" / "ciclo-cargo.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema_path = (path.parent / first.split("=", 1)[1]).resolve()
    assert schema_path == SCHEMAS / f"{kind}.schema.json"
    schema = json.loads(schema_path.read_text())
    for key in schema["properties"]:  # every field, commented or not
        assert re.search(rf"^(# )?{key}:", text, re.M), key
    assert "name: Cicló Cargo" in text.splitlines()
    # As written, the required keys are empty: validation says so, at the line of each.
    unfilled = invoke("validate", cwd=site)
    assert unfilled.returncode == 1
    empty = [key for key in schema["required"] if key != "name"]
    assert sorted(re.findall(r"ciclo-cargo\.yaml:\d+:\d+: error: (\w+) has no value",
                             unfilled.stderr)) == sorted(empty)
    fill(path, **{key: "A test value." if key == "summary" else "Oakland" for key in empty})
    validated = invoke("validate", cwd=site)
    assert validated.returncode == 0, validated.stderr
    assert validated.stdout.strip() == "35 profiles OK"


@pytest.mark.parametrize("kind", KINDS)
def test_every_commented_example_is_valid_once_uncommented(site, kind):
    assert invoke("new", kind, "Example Everything", cwd=site).returncode == 0
    path = site / "content" / f"{kind}s" / "example-everything.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^# (?=[a-z_]+:)", "", text, flags=re.M)  # uncomment every key...
    text = re.sub(r"^#   ", "  ", text, flags=re.M)  # ...and the lines of a block value
    path.write_text(text, encoding="utf-8")
    fill(path, **{key: "Oakland" if key == "city" else "A test value."
                  for key in ("summary", "city") if re.search(rf"^{key}:$", text, re.M)})
    (site / "content" / "images" / "example-everything.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n')
    result = invoke("validate", cwd=site)
    assert result.returncode == 0, result.stderr + text


def test_new_refuses_to_overwrite(site):
    path = site / "content" / "startups" / "pick-my-solar.yaml"
    before = path.read_bytes()
    result = invoke("new", "startup", "Pick My Solar", cwd=site)
    assert result.returncode == 1
    assert "content/startups/pick-my-solar.yaml already exists; edit it instead" in result.stderr
    assert path.read_bytes() == before
    plural = invoke("new", "mentors", "Jay Nath", cwd=site)  # the folder's name works too
    assert plural.returncode == 1 and "content/mentors/jay-nath.yaml already exists" in plural.stderr
    unknown = invoke("new", "company", "Anything", cwd=site)
    assert unknown.returncode == 1
    assert "unknown type 'company'; use one of: startup, program, mentor" in unknown.stderr


def test_new_warns_about_similar_names_and_shared_domains(site):
    write_profile(site / "content", "startups", "makers-tool",
                  "name: Makers Tool\nsummary: x\ncity: Oakland\nwebsite: https://makers.org/tool\n")
    result = invoke("new", "startup", "Cicló Mobility LLC", "--website", "https://www.makers.org/other",
                    cwd=site)
    assert result.returncode == 0, result.stderr
    assert ("warning: content/startups/ciclo-mobility.yaml is called 'Cicló Mobility': if it is "
            "the same startup, edit that file instead") in result.stderr
    assert ("warning: content/startups/makers-tool.yaml has a website on makers.org too "
            "(https://makers.org/tool)") in result.stderr
    assert "website: https://www.makers.org/other" in \
        (site / "content" / "startups" / "ciclo-mobility-llc.yaml").read_text()
    quiet = invoke("new", "startup", "Entirely Different", cwd=site)
    assert quiet.returncode == 0 and "warning" not in quiet.stderr


def test_names_that_yaml_would_misread_are_quoted(site):
    assert invoke("new", "mentor", "2024", cwd=site).returncode == 0
    path = site / "content" / "mentors" / "2024.yaml"
    assert 'name: "2024"' in path.read_text()
    fill(path, summary="x")
    assert invoke("validate", cwd=site).returncode == 0


# --- the editor's view ------------------------------------------------------------------------

def test_vscode_maps_each_schema_to_its_folder_and_recommends_the_yaml_extension():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text())
    mapping = settings["yaml.schemas"]
    assert sorted(mapping.values()) == sorted(f"content/{kind}s/*.yaml" for kind in KINDS)
    profiles = sorted(path.relative_to(ROOT).as_posix() for path in CONTENT.glob("*/*.yaml"))
    for schema, glob in mapping.items():
        assert (ROOT / schema).resolve().is_file(), schema
        kind = Path(schema).name.split(".")[0]
        matched = [path for path in profiles if fnmatch.fnmatch(path, glob)]
        assert matched == [path for path in profiles if path.startswith(f"content/{kind}s/")]
        assert matched
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text())
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_every_sample_profile_validates_against_its_schema_with_jsonschema_itself():
    """What the editor's YAML language server checks (the schema alone, plain YAML) agrees with
    the build: every sample passes, and a broken one fails both."""
    registry = Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text())))
        for path in SCHEMAS.glob("*.schema.json"))
    validators = {kind: Draft202012Validator(json.loads((SCHEMAS / f"{kind}.schema.json").read_text()),
                                             registry=registry) for kind in KINDS}
    for kind in KINDS:
        paths = sorted((CONTENT / f"{kind}s").glob("*.yaml"))
        assert paths
        for path in paths:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            errors = [error.message for error in validators[kind].iter_errors(data)]
            assert errors == [], (path, errors)
    assert list(validators["startup"].iter_errors({"name": "x", "summary": "y"}))  # no city


# --- invoke validate --format github and --file -----------------------------------------------

def test_github_escaping_follows_the_toolkit():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_github_format_prints_workflow_commands_relative_to_the_repository(tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    content = copy_content(repo / "odd,name:content")
    write_profile(content, "startups", "percent",
                  "name: 100% Solar\nsummary: x\ncity: Oakland\nfounded: '2019'\n")
    write_profile(content, "startups", "aaa-maker",
                  "name: Maker A\nsummary: x\ncity: Oakland\nwebsite: https://makers.org/a\n")
    write_profile(content, "startups", "bbb-maker",
                  "name: Maker B\nsummary: x\ncity: Oakland\nwebsite: https://makers.org/b\n")
    env = {key: value for key, value in os.environ.items() if key != "GITHUB_WORKSPACE"}
    result = run_module("invoke", "--search-root", str(ROOT), "validate", "--content",
                        "odd,name:content", "--format", "github", cwd=repo, env=env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert ("::error file=odd%2Cname%3Acontent/startups/percent.yaml,line=4,col=10::founded: "
            "expected a whole number; remove the quotes around 2019") in lines, result.stdout
    assert any(line.startswith("::notice file=odd%2Cname%3Acontent/startups/bbb-maker.yaml,line=4,"
                               "col=10::website shares the domain makers.org") for line in lines)
    # GitHub resolves paths against the workspace when there is one.
    env["GITHUB_WORKSPACE"] = str(repo.parent)
    moved = run_module("invoke", "--search-root", str(ROOT), "validate", "--content",
                       str(content), "--format", "github", cwd=ROOT, env=env)
    assert "::error file=repo/odd%2Cname%3Acontent/startups/percent.yaml,line=4,col=10::" in moved.stdout
    # The default format is unchanged.
    text = run_module("invoke", "--search-root", str(ROOT), "validate", "--content",
                      "odd,name:content", cwd=repo, env=env)
    assert ("odd,name:content/startups/percent.yaml:4:10: error: founded: expected a whole "
            "number; remove the quotes around 2019") in text.stderr.splitlines()


def test_a_message_percent_sign_is_escaped(tmp_path):
    content = copy_content(tmp_path / "content")
    write_profile(content, "startups", "aaa-solar", "name: 100% Solar Inc\nsummary: x\ncity: LA\n")
    write_profile(content, "startups", "bbb-solar", "name: 100% Solar\nsummary: x\ncity: LA\n")
    result = run_module("invoke", "--search-root", str(ROOT), "validate", "--format", "github",
                        cwd=tmp_path)
    assert "('100%25 Solar Inc')" in result.stdout and "('100% Solar" not in result.stdout


def test_file_mode_checks_only_the_given_files_against_the_whole_folder(tmp_path):
    content = copy_content(tmp_path / "content")
    write_profile(content, "startups", "links-to-laci",
                  "name: Links To Laci\nsummary: x\ncity: LA\nprograms: [laci, lacy]\n")
    write_profile(content, "startups", "broken-elsewhere", "name: Broken\ncity: LA\n")
    result = run_module("invoke", "--search-root", str(ROOT), "validate", "--file",
                        "content/startups/links-to-laci.yaml", cwd=tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == ["content/startups/links-to-laci.yaml:4:18: error: unknown program 'lacy': "
                      "there is no content/programs/lacy.yaml — did you mean 'laci'?"]
    assert "(1 more problem in files not given; run invoke validate to see them)" in result.stderr


# --- the pre-commit hook ----------------------------------------------------------------------

def test_pre_commit_hook_entry_checks_the_changed_profiles(tmp_path):
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    [hook] = repo["hooks"]
    assert hook["language"] == "system" and hook.get("pass_filenames", True)
    pattern = re.compile(hook["files"])
    entry = shlex.split(hook["entry"])
    assert entry[0] == ".venv/bin/python"  # the README's virtual environment
    # pre-commit runs the entry from the repository root; this one is a copy with its own content.
    (tmp_path / "scripts").symlink_to(ROOT / "scripts")
    content = copy_content(tmp_path / "content")
    write_profile(content, "startups", "broken", "name: Broken\nsummary: x\ncity: LA\nfounded: '2019'\n")
    write_profile(content, "startups", "fine", "name: Fine\nsummary: x\ncity: LA\nprograms: [laci]\n")
    changed = ["content/startups/broken.yaml", "content/startups/fine.yaml", "README.md",
               "content/images/ciclo-mobility.svg", "theme/templates/base.html"]
    files = [name for name in changed if pattern.search(name)]
    assert files == changed[:2]

    def run(names):
        return subprocess.run([sys.executable, *entry[1:], *names], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    failed = run(files)
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[0] == ("content/startups/broken.yaml:4:10: error: founded: "
                                            "expected a whole number; remove the quotes around 2019")
    passed = run(["content/startups/fine.yaml"])
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout.strip() == "1 file OK"


# --- issue forms ------------------------------------------------------------------------------

FORMS = ROOT / ".github" / "ISSUE_TEMPLATE"


@pytest.mark.parametrize("name", ["suggest-profile.yml", "correction.yml"])
def test_issue_forms_have_what_github_requires(name):
    form = yaml.safe_load((FORMS / name).read_text(encoding="utf-8"))
    assert form["name"] and form["description"] and form["body"]
    ids = [field["id"] for field in form["body"] if field["type"] != "markdown"]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z_-]+", id_) for id_ in ids)
    for field in form["body"]:
        if field["type"] != "markdown":
            assert field["attributes"]["label"]
    assert any(field.get("validations", {}).get("required") for field in form["body"])


def test_issue_forms_pass_check_jsonschema_builtin_schemas():
    forms = [str(FORMS / "suggest-profile.yml"), str(FORMS / "correction.yml")]
    checks = [("vendor.github-issue-forms", forms), ("vendor.github-issue-config",
                                                     [str(FORMS / "config.yml")])]
    for schema, files in checks:
        result = run_module("check_jsonschema", "--builtin-schema", schema, *files)
        assert result.returncode == 0, result.stdout + result.stderr


# --- CONTRIBUTING.md's example is what the tools print ----------------------------------------

def test_contributing_example_error_is_the_real_output(site):
    """The guide's example: `invoke new`, a summary written, the city left empty and the year
    in quotes; `invoke validate` prints exactly the lines quoted in CONTRIBUTING.md, and the
    fix it describes makes the check pass."""
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    quoted = re.search(r"year written in quotes.*?```text\n(.*?)```", guide, re.S).group(1)
    assert invoke("new", "startup", "Cicló Cargo", cwd=site).returncode == 0
    path = site / "content" / "startups" / "ciclo-cargo.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nsummary:\n", "\nsummary: Cargo e-bikes for neighbourhood deliveries.\n")
    text = text.replace("\n# founded: 2024\n", '\nfounded: "2021"\n')
    path.write_text(text, encoding="utf-8")
    result = invoke("validate", cwd=site)
    assert result.returncode == 1
    assert result.stderr == quoted
    path.write_text(text.replace('founded: "2021"', "founded: 2021").replace("\ncity:\n", "\ncity: Oakland\n"))
    fixed = invoke("validate", cwd=site)
    assert (fixed.returncode, fixed.stdout) == (0, "35 profiles OK\n")
