"""Property-based tests: random YAML-ish text and mutations of the sample profiles never crash
validation or the build. Each either passes or yields located problems (a file inside content/,
line and column from 1, a one-line message); a build either succeeds or raises BuildFailed,
leaves the previous output untouched when it fails, never edits content/ and never writes
anywhere but its output folder."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_support import CONTENT, SETTINGS, contents, copy_content, snapshot

from directory.building import build_site  # noqa: E402
from directory.pipeline import read_directory  # noqa: E402
from directory.problems import BuildFailed  # noqa: E402

SAMPLES = sorted((path.relative_to(CONTENT).as_posix(), path.read_bytes())
                 for path in CONTENT.glob("*/*.yaml"))

YAML_CHARS = list(":-[]{}&*!|>'\"#%@`,?~\\\n\t ") + ["\r", "\ufeff", "\u2028", "\x85", "\x00"]
TOKENS = ["name: ", "summary: ", "city: ", "region: ", "sectors:", "programs:", "website: ",
          "logo: ", "founded: ", "description: |\n  ", "\n", "\n  - ", "  ", "- ", "&a ", "*a",
          "*b", "<<: ", "? ", "---\n", "...\n", "%YAML 1.1\n", "!!python/object/apply:os.system ",
          "!!str ", "!!binary ", "!foo ", "[", "]", "{", "}", ", ", "'", '"', "#", "yes", "NO",
          "0777", "1e3", "~", "2024-01-02", "laci", "images/ciclo-mobility.svg", "https://x.example/",
          "javascript:alert(1)", "<script>alert(1)</script>"]
SCALARS = ["yes", "NO", "on", "off", "0777", "1e3", "0o17", "0x1F", "12:30", "~", "null", "[]",
           "{}", "2024-01-02", "2024-02-31", ".nan", "-.inf", "!!python/object/apply:os.system ['touch {sentinel}/pwned']",
           "!!python/name:os.system", "!foo x", "&a x", "*a", "*undefined", "|", ">-", "'open",
           '"\\x41\\u00e9\\n"', '"two\\nlines"', "<script>alert(1)</script>", "javascript:alert(1)",
           "../../etc/passwd", "images/../../x.svg", "images/missing.svg", "laci", "[laci, nope]",
           "{a: 1}", "- x", "'" + "x" * 21_000 + "'", "[" * 20 + "]" * 20, "\"\\u0000\""]

yaml_text = st.one_of(
    st.text(alphabet=st.one_of(st.sampled_from(YAML_CHARS), st.characters()), max_size=300),
    st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=40).map("".join),
)


@st.composite
def mutated_profile(draw) -> tuple[str, bytes]:
    """A sample profile after a few random edits: lines deleted, duplicated, swapped or
    re-indented, characters inserted, values replaced with YAML's surprises, bytes corrupted."""
    relative, original = draw(st.sampled_from(SAMPLES))
    lines = original.decode("utf-8").splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "indent",
                                          "dedent", "value", "item"]))
        at = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if operation == "delete" and lines:
            del lines[at]
        elif operation == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif operation == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif operation == "insert" and lines:
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            extra = draw(st.text(alphabet=st.one_of(st.sampled_from(YAML_CHARS), st.characters()),
                                 min_size=1, max_size=6))
            lines[at] = line[:cut] + extra + line[cut:]
        elif operation == "indent" and lines:
            lines[at] = draw(st.sampled_from([" ", "  ", "    ", "\t"])) + lines[at]
        elif operation == "dedent" and lines:
            lines[at] = lines[at].lstrip(" ")
        elif operation == "value" and lines and ":" in lines[at]:
            key = lines[at].split(":", 1)[0]
            lines[at] = f"{key}: {draw(st.sampled_from(SCALARS) | st.text(max_size=12))}\n"
        elif operation == "item":
            lines.insert(at, f"{draw(st.sampled_from(['  - ', '- ', '    - ']))}"
                             f"{draw(st.sampled_from(SCALARS))}\n")
    data = "".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 4)) == 0:  # now and then, bytes that are not UTF-8 or a stray BOM
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00",
                                                  b"\xef\xbb\xbf"]) | st.binary(min_size=1, max_size=4)) + data[cut:]
    return relative, data


class Sandbox:
    """root/sandbox/{content,output} and an empty root/sentinel beside them: anything written
    outside the sandbox's output would show up there or as an extra entry in the sandbox."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="hostile-properties-"))
        self.sandbox = self.root / "sandbox"
        self.content = copy_content(self.sandbox / "content")
        self.output = self.sandbox / "output"
        self.sentinel = self.root / "sentinel"
        self.sentinel.mkdir()

    def write(self, relative: str, data: bytes) -> Path:
        path = self.content / relative
        data = data.replace(b"{sentinel}", str(self.sentinel).encode())
        path.write_bytes(data)
        return path

    def restore(self, relative: str) -> None:
        original = CONTENT / relative
        path = self.content / relative
        if original.is_file():
            shutil.copyfile(original, path)
        else:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    yield box
    box.close()


def check_reading(box: Sandbox, relative: str, data: bytes) -> None:
    path = box.write(relative, data)
    try:
        before = snapshot(box.content)
        directory, problems = read_directory(box.content)
        assert snapshot(box.content) == before, "validation modified content/"
        if not problems:
            assert directory is not None
            return
        assert directory is None
        # Any YAML line break counts (PyYAML also breaks lines at NEL, LS and PS).
        lines = len(re.split("\r\n|[\n\r\x85\u2028\u2029]", data.decode("utf-8", "replace"))) + 1
        content = box.content.resolve()
        for problem in problems:
            assert Path(problem.path).parent.resolve().is_relative_to(content), problem
            assert problem.line >= 1 and problem.col >= 1, problem
            assert isinstance(problem.message, str) and problem.message.strip(), problem
            assert "\n" not in problem.message and "\r" not in problem.message, problem
            if Path(problem.path) == path:
                assert problem.line <= lines, (problem, data[:200])
            text = str(problem)
            assert f":{problem.line}:{problem.col}: error: " in text
            assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", text), text  # one plain line
        assert list(box.sentinel.iterdir()) == [], "a YAML tag ran code"
    finally:
        box.restore(relative)


COMMON = dict(deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])


@settings(max_examples=80, **COMMON)
@given(text=yaml_text)
def test_random_yaml_never_crashes_validation(sandbox, text):
    check_reading(sandbox, "startups/fuzzed.yaml", text.encode("utf-8", "surrogatepass"))


@settings(max_examples=100, **COMMON)
@given(mutation=mutated_profile())
def test_mutated_profiles_never_crash_validation(sandbox, mutation):
    check_reading(sandbox, *mutation)


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("properties-good") / "output"
    build_site(SETTINGS, output=output)
    return output


@settings(max_examples=12, **COMMON)
@given(mutation=st.one_of(mutated_profile(),
                          yaml_text.map(lambda t: ("startups/fuzzed.yaml", t.encode("utf-8", "surrogatepass")))))
def test_the_build_succeeds_or_fails_cleanly(good_build, mutation):
    box = Sandbox()
    try:
        shutil.copytree(good_build, box.output)
        box.write(*mutation)
        before_output = contents(box.output)
        before_content = snapshot(box.content)
        saved_tempdir, tempfile.tempdir = tempfile.tempdir, os.devnull  # temporary files fail
        try:
            build_site(SETTINGS, content=box.content, output=box.output)
            succeeded = True
        except BuildFailed as failure:
            succeeded = False
            assert failure.problems
        finally:
            tempfile.tempdir = saved_tempdir
        assert snapshot(box.content) == before_content, "the build modified content/"
        assert sorted(p.name for p in box.sandbox.iterdir()) == ["content", "output"]
        assert sorted(p.name for p in box.root.iterdir()) == ["sandbox", "sentinel"]
        assert list(box.sentinel.iterdir()) == []
        if not succeeded:
            assert contents(box.output) == before_output, "a failed build changed the output"
        output = box.output.resolve()
        for path in box.output.rglob("*"):
            assert not path.is_symlink() and path.resolve().is_relative_to(output), path
    finally:
        box.close()


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_a_correction_links_quoting_is_urllibs(text):
    """provenance.quote_all, the translate table behind every correction link, is
    urllib.parse.quote(text, safe="") for any text."""
    from urllib.parse import quote

    from directory.provenance import quote_all

    assert quote_all(text) == quote(text, safe="")
