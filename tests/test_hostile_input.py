"""Hostile and broken input: every bad profile gets a clear, located error, never a traceback;
a failed or killed build leaves the previous output exactly as it was; nothing edits content/.

Each case below is a set of files written into a copy of the sample content and the exact
problems expected: file, line, column and the words of the message (what is wrong and how to
fix it). Every case is checked in-process through read_directory; a representative subset, and
all of them at once, go through the real `python -m invoke build` against an output folder
that already holds a good build.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hostile_support import (ROOT, assert_no_traceback, build_cli, contents, copy_content,
                             leftovers, run_cli, shown, snapshot)

from directory.pipeline import read_directory  # noqa: E402  (path set by hostile_support)

OUTSIDE_FILE = "/etc/hostname" if Path("/etc/hostname").is_file() else "/etc/passwd"
MARKER = "pwned-XYZ"  # the python tag payload would create this file


@dataclass(frozen=True)
class Link:
    """A symbolic link to write instead of a file."""

    target: str


@dataclass
class Case:
    id: str
    files: dict  # path under content/ -> str, bytes or Link
    # (path under content/, line, col, words the message must contain); "{content}" in a word
    # stands for the content folder as the CLI prints it.
    expected: list = field(default_factory=list)


def base(slug: str, **extra: str) -> str:
    """A valid startup profile: name, summary and city on lines 1-3, then ``extra``."""
    lines = [f"name: Case {slug}", "summary: A test profile.", "city: Los Angeles"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


QUOTE_IT = "put it in quotes"
SYNTAX = ("YAML syntax error", "check the indentation, colons and quotes around here")
EMPTY = ("the file is empty; a profile needs at least 'name:' and 'summary:'",)
TOP_LEVEL = ("the top level must be a mapping of keys to values, like 'name: Pick My Solar' on "
             "its own line",)
SYMLINK = ("symbolic links are not allowed in content/; replace the link with the file itself",)
MISPLACED = ("profiles live directly in content/startups/, content/programs/ or content/mentors/; "
             "move this file",)
NOT_YAML = ("only .yaml profiles belong here; rename it to end in .yaml or move it out",)
WEBSITE = ("website must be an http:// or https:// address such as https://example.org/, got ",)
LOGO_PATTERN = ("logo must be a path like images/logo.svg inside content/images/ (png, jpg, jpeg, "
                "gif, svg or webp), got ",)
TAG = ("is not allowed; profiles use plain text, numbers and lists only: remove the tag",)
EXPANDS = ("the file expands to more than 2000 values (anchors and aliases?); "
           "write the values out plainly",)
TOO_DEEP = ("values are nested more than 8 levels deep; a profile is a flat list of keys",)


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh"):
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    return "\n".join(lines) + "\n"


def big_file() -> tuple[str, int]:
    text = base("too-large") + "description: |\n" + ("  " + "x" * 68 + "\n") * 1024
    return text, len(text.encode())


BIG_TEXT, BIG_SIZE = big_file()
DEEP_BLOCK = base("deep-block") + "".join("  " * i + f"k{i}:\n" for i in range(50)) + "  " * 50 + "v\n"
FLOW_DUPLICATE = "{name: Case flow-duplicate, summary: y, city: LA, summary: z}\n"
MANY_ALIASES = (base("many-aliases").replace("summary: A test", "summary: &s A test")
                + "sectors: [" + ", ".join(["*s"] * 2100) + "]\n")
NOT_UTF8_LATER = base("not-utf8-later").encode() + b"region: Caf\xc3\xa9 \xff\n"
BAD_BYTE_AT = NOT_UTF8_LATER.index(b"\xff")
SAFE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">'
            '<rect width="8" height="8" fill="#0f766e"/></svg>\n')


def yaml11_case(field_name: str, literal: str, reads_as: str | None) -> Case:
    """``literal`` written plainly where text is expected; reads_as None: YAML 1.2 only."""
    slug = "yaml11-" + field_name + "-" + (re.sub(r"[^a-z0-9]+", "-", literal.lower()).strip("-")
                                           or "x")
    values = {"name": f"Case {slug}", "city": "Los Angeles", "region": "California",
              "sectors": "Energy"}
    values[field_name] = literal
    text = (f"name: {values['name']}\nsummary: A test profile.\ncity: {values['city']}\n"
            f"region: {values['region']}\nsectors:\n  - {values['sectors']}\n")
    where = {"name": (1, 7), "city": (3, 7), "region": (4, 9), "sectors": (6, 5)}[field_name]
    shown_field = "sectors.0" if field_name == "sectors" else field_name
    if reads_as is None:
        words = (f"{shown_field}: YAML 1.2 and most tools read {literal} as a number, but text "
                 f"is expected; put it in quotes: \"{literal}\"",)
    else:
        words = (f"{shown_field}: YAML reads {literal} as {reads_as}, but text is expected; "
                 f"put it in quotes: \"{literal}\"",)
    return Case(f"yaml11-{field_name}-{literal}", {f"startups/{slug}.yaml": text},
                [(f"startups/{slug}.yaml", *where, words)])


YAML11 = [("name", "NO", "the boolean false"), ("name", "yes", "the boolean true"),
          ("city", "yes", "the boolean true"), ("region", "on", "the boolean true"),
          ("region", "Off", "the boolean false"), ("sectors", "no", "the boolean false"),
          ("name", "1e3", None), ("name", "0o17", None), ("city", "2024-01-02", "the date 2024-01-02"),
          ("city", "0777", "the number 511"), ("region", "0x1F", "the number 31"),
          ("name", "1_000", "the number 1000"), ("city", "12:30", "the number 750"),
          ("name", ".inf", "the number inf"), ("name", "3.14", "the number 3.14")]

CASES: list[Case] = [
    # YAML that does not parse.
    Case("yaml-unclosed-flow", {"startups/yaml-unclosed-flow.yaml": "name: [unclosed\nsummary: x\n"},
         [("startups/yaml-unclosed-flow.yaml", 2, 8, SYNTAX + ("did not find expected ',' or ']'",))]),
    Case("yaml-bad-indentation", {"startups/yaml-bad-indentation.yaml": "name: a\n  summary: b\ncity: c\n"},
         [("startups/yaml-bad-indentation.yaml", 2, 10, SYNTAX + ("mapping values are not allowed",))]),
    Case("yaml-tab-indentation", {"startups/yaml-tab-indentation.yaml": "name:\ta\n\tsummary: b\n"},
         [("startups/yaml-tab-indentation.yaml", 2, 1, SYNTAX + ("tab character",))]),
    Case("yaml-unclosed-quote", {"startups/yaml-unclosed-quote.yaml": 'name: "Case\nsummary: x\n'},
         [("startups/yaml-unclosed-quote.yaml", 3, 1, SYNTAX + ("found unexpected end of stream",))]),
    Case("yaml-two-documents", {"startups/yaml-two-documents.yaml": base("yaml-two-documents") + "---\nname: E\n"},
         [("startups/yaml-two-documents.yaml", 4, 1, SYNTAX + ("expected a single document",))]),
    Case("yaml-nesting-beyond-parser", {"startups/yaml-nesting-beyond-parser.yaml": "x: " + "[" * 1100 + "]" * 1100 + "\n"},
         [("startups/yaml-nesting-beyond-parser.yaml", 1, 1003, SYNTAX + ("exceeded maximum nesting depth",))]),
    # Empty files.
    Case("empty-file", {"startups/empty-file.yaml": b""}, [("startups/empty-file.yaml", 1, 1, EMPTY)]),
    Case("comments-only", {"startups/comments-only.yaml": "# to do\n\n   \n"},
         [("startups/comments-only.yaml", 1, 1, EMPTY)]),
    Case("document-markers-only", {"startups/document-markers-only.yaml": "---\n...\n"},
         [("startups/document-markers-only.yaml", 1, 1, EMPTY)]),
    # Not UTF-8 (the byte and its offset are named); a byte-order mark is fine.
    Case("not-utf8", {"startups/not-utf8.yaml": b"name: Caf\xe9 Zed\nsummary: x\ncity: LA\n"},
         [("startups/not-utf8.yaml", 1, 10, ("not UTF-8: byte 0xE9 at offset 9; save the file as UTF-8",))]),
    Case("not-utf8-later", {"startups/not-utf8-later.yaml": NOT_UTF8_LATER},
         [("startups/not-utf8-later.yaml", 4, 15,
           (f"not UTF-8: byte 0xFF at offset {BAD_BYTE_AT}; save the file as UTF-8",))]),
    Case("utf16", {"startups/utf16.yaml": base("utf16").encode("utf-16")},
         [("startups/utf16.yaml", 1, 1, ("not UTF-8: byte 0xFF at offset 0; save the file as UTF-8",))]),
    Case("nul-character", {"startups/nul-character.yaml": base("nul-character", region="Cali\x00fornia")},
         [("startups/nul-character.yaml", 4, 13, ("the file contains a NUL character; profiles are plain text: remove it",))]),
    Case("control-character", {"startups/control-character.yaml": base("control-character", region="Cali\x1bfornia")},
         [("startups/control-character.yaml", 4, 13, ("the file contains the control character U+001B; profiles are "
                                                      "plain text: remove it",))]),
    Case("byte-order-mark-is-fine", {"startups/byte-order-mark-is-fine.yaml": b"\xef\xbb\xbf" + base("bom").encode()}),
    # A top level that is not a mapping.
    Case("top-level-list", {"startups/top-level-list.yaml": "- name: Case x\n- summary: y\n"},
         [("startups/top-level-list.yaml", 1, 1, TOP_LEVEL)]),
    Case("top-level-scalar", {"startups/top-level-scalar.yaml": "We build solar roofs.\n"},
         [("startups/top-level-scalar.yaml", 1, 1, TOP_LEVEL)]),
    Case("top-level-flow-list", {"startups/top-level-flow-list.yaml": "\n[name, summary]\n"},
         [("startups/top-level-flow-list.yaml", 2, 1, TOP_LEVEL)]),
    # Duplicate keys.
    Case("duplicate-key", {"startups/duplicate-key.yaml": base("duplicate-key") + "name: Other Name\n"},
         [("startups/duplicate-key.yaml", 4, 1,
           ("duplicate key 'name' (first given on line 1); keep only one of them",))]),
    Case("duplicate-key-flow", {"startups/duplicate-key-flow.yaml": FLOW_DUPLICATE},
         [("startups/duplicate-key-flow.yaml", 1, FLOW_DUPLICATE.index("summary: z") + 1,
           ("duplicate key 'summary' (first given on line 1); keep only one of them",))]),
    # YAML 1.1 surprises where text is expected.
    *[yaml11_case(*args) for args in YAML11],
    # Alias expansion, size, string length and nesting limits.
    Case("billion-laughs", {"startups/billion-laughs.yaml": billion_laughs()},
         [("startups/billion-laughs.yaml", 1, 4, EXPANDS)]),
    Case("many-aliases", {"startups/many-aliases.yaml": MANY_ALIASES},
         [("startups/many-aliases.yaml", 4, 10, EXPANDS)]),
    Case("file-too-large", {"startups/file-too-large.yaml": BIG_TEXT},
         [("startups/file-too-large.yaml", 1, 1,
           (f"file is {BIG_SIZE:,} bytes; a profile may be at most 64 KB: shorten the description",))]),
    Case("string-too-long", {"startups/string-too-long.yaml": base("string-too-long", description="x" * 30_000)},
         [("startups/string-too-long.yaml", 4, 14,
           ("this value is 30,000 characters long; the limit is 20,000",))]),
    Case("nesting-flow-50", {"startups/nesting-flow-50.yaml": base("nesting-flow-50", sectors="[" * 50 + "]" * 50)},
         [("startups/nesting-flow-50.yaml", 4, 17, TOO_DEEP)]),
    Case("nesting-block-50", {"startups/nesting-block-50.yaml": DEEP_BLOCK},
         [("startups/nesting-block-50.yaml", 12, 17, TOO_DEEP)]),
    # Tags: Python-specific or unknown; none of them constructs anything.
    Case("python-apply-value", {"startups/python-apply-value.yaml":
                                'name: !!python/object/apply:os.system ["touch {marker}"]\nsummary: x\ncity: LA\n'},
         [("startups/python-apply-value.yaml", 1, 7, ("the tag '!!python/object/apply:os.system'",) + TAG)]),
    Case("python-apply-top-level", {"startups/python-apply-top-level.yaml":
                                    '!!python/object/apply:os.system ["touch {marker}"]\n'},
         [("startups/python-apply-top-level.yaml", 1, 1, ("the tag '!!python/object/apply:os.system'",) + TAG)]),
    Case("python-object-new-mapping", {"startups/python-object-new-mapping.yaml":
                                       "!!python/object/new:subprocess.Popen\nargs: [[touch, '{marker}']]\n"},
         [("startups/python-object-new-mapping.yaml", 1, 1, ("the tag '!!python/object/new:subprocess.Popen'",) + TAG)]),
    Case("python-name", {"startups/python-name.yaml": base("python-name", region="!!python/name:os.system ''")},
         [("startups/python-name.yaml", 4, 9, ("the tag '!!python/name:os.system'",) + TAG)]),
    Case("python-tuple-sequence", {"startups/python-tuple-sequence.yaml": base("python-tuple-sequence", sectors="!!python/tuple [a, b]")},
         [("startups/python-tuple-sequence.yaml", 4, 10, ("the tag '!!python/tuple'",) + TAG)]),
    Case("binary-tag", {"startups/binary-tag.yaml": base("binary-tag", region="!!binary aGVsbG8=")},
         [("startups/binary-tag.yaml", 4, 9, ("the tag '!!binary'",) + TAG)]),
    Case("set-tag", {"startups/set-tag.yaml": "!!set {a, b}\n"},
         [("startups/set-tag.yaml", 1, 1, ("the tag '!!set'",) + TAG)]),
    Case("unknown-tag", {"startups/unknown-tag.yaml": base("unknown-tag", region="!foo bar")},
         [("startups/unknown-tag.yaml", 4, 9, ("the tag '!foo'",) + TAG)]),
    Case("verbatim-tag", {"startups/verbatim-tag.yaml": base("verbatim-tag", region="!<tag:example.com,2000:x> y")},
         [("startups/verbatim-tag.yaml", 4, 9, ("the tag 'tag:example.com,2000:x'",) + TAG)]),
    Case("tag-directive", {"startups/tag-directive.yaml":
                           "%TAG !e! tag:yaml.org,2002:python/\n---\nname: !e!object/apply:os.system ['touch {marker}']\n"
                           "summary: x\ncity: LA\n"},
         [("startups/tag-directive.yaml", 3, 7, ("the tag '!!python/object/apply:os.system'",) + TAG)]),
    # File names and places.
    Case("not-a-slug", {"startups/Pick_My_Solar.yaml": base("not-a-slug")},
         [("startups/Pick_My_Solar.yaml", 1, 1,
           ("file name 'Pick_My_Solar.yaml' is not a slug: use lower-case letters, digits and single "
            "hyphens, like 'pick-my-solar.yaml'",))]),
    Case("not-a-slug-accents", {"mentors/José Ölund.yaml": base("not-a-slug-accents")},
         [("mentors/José Ölund.yaml", 1, 1, ("is not a slug", "like 'jose-olund.yaml'"))]),
    Case("not-a-slug-double-hyphen", {"programs/big--lab.yaml": base("not-a-slug-double-hyphen")},
         [("programs/big--lab.yaml", 1, 1, ("is not a slug", "like 'big-lab.yaml'"))]),
    Case("yaml-at-content-root", {"stray.yaml": base("yaml-at-content-root")},
         [("stray.yaml", 1, 1, MISPLACED)]),
    Case("yaml-in-other-folder", {"other/stray.yaml": base("yaml-in-other-folder")},
         [("other/stray.yaml", 1, 1, MISPLACED)]),
    Case("yaml-in-nested-folder", {"startups/2024/stray.yaml": base("yaml-in-nested-folder")},
         [("startups/2024/stray.yaml", 1, 1, MISPLACED)]),
    Case("yml-extension", {"startups/stray.yml": base("yml-extension")},
         [("startups/stray.yml", 1, 1, NOT_YAML)]),
    Case("text-file-in-type-folder", {"mentors/notes.txt": "notes"},
         [("mentors/notes.txt", 1, 1, NOT_YAML)]),
    # Symbolic links, anywhere in content/: nothing outside it is ever read.
    Case("symlink-to-outside-file", {"startups/symlink-to-outside-file.yaml": Link(OUTSIDE_FILE)},
         [("startups/symlink-to-outside-file.yaml", 1, 1, SYMLINK)]),
    Case("symlink-to-outside-folder", {"startups/linked-folder": Link("/etc")},
         [("startups/linked-folder", 1, 1, SYMLINK)]),
    Case("symlink-to-content-file", {"programs/laci-again.yaml": Link("laci.yaml")},
         [("programs/laci-again.yaml", 1, 1, SYMLINK)]),
    Case("dangling-symlink", {"mentors/nobody.yaml": Link("/nonexistent/nobody.yaml")},
         [("mentors/nobody.yaml", 1, 1, SYMLINK)]),
    Case("symlink-in-images", {"images/linked-image.svg": Link(OUTSIDE_FILE)},
         [("images/linked-image.svg", 1, 1, SYMLINK)]),
    Case("symlink-in-hidden-folder", {".cache/etc": Link("/etc")},
         [(".cache/etc", 1, 1, SYMLINK)]),
    # content/images/ is published as is: images only, and no SVG that can run code.
    Case("html-in-images", {"images/page.html": "<script>alert(1)</script>"},
         [("images/page.html", 1, 1, ("only images (png, jpg, jpeg, gif, svg or webp) belong in "
                                      "content/images/", "remove this file or move it out"))]),
    Case("hidden-file-in-images", {"images/.htaccess": "Options +Includes\n"},
         [("images/.htaccess", 1, 1, ("hidden files and folders are not allowed in content/images/",))]),
    Case("svg-with-script", {"images/scripted.svg": '<svg xmlns="http://www.w3.org/2000/svg">\n  <script>alert(1)</script>\n</svg>\n'},
         [("images/scripted.svg", 2, 3, ("the SVG contains the element <script>; an image must not run code: remove it",))]),
    Case("svg-with-handler", {"images/handler.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>\n'},
         [("images/handler.svg", 1, 1, ("the SVG contains an event handler (onload=...)",))]),
    Case("svg-with-javascript-link", {"images/linking.svg":
                                      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                                      '<a xlink:href=" &#106;avascript:alert(1)"><text>x</text></a></svg>\n'},
         [("images/linking.svg", 1, 84, ("the SVG contains a script or data address in href=...",))]),
    Case("svg-with-doctype", {"images/entities.svg": '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "b">]>\n'
                                                     '<svg xmlns="http://www.w3.org/2000/svg"/>\n'},
         [("images/entities.svg", 2, 15, ("the SVG has a DOCTYPE; remove it",))]),
    Case("safe-svg-is-fine", {"images/safe.svg": SAFE_SVG}),
    # The same organisation or person twice.
    Case("duplicate-name", {"startups/pick-my-solar-inc.yaml":
                            "name: Pick My Solar, Inc.\nsummary: Solar panels.\ncity: Los Angeles\n"},
         [("startups/pick-my-solar.yaml", 1, 7,
           ("this looks like the same startup as {content}/startups/pick-my-solar-inc.yaml:1:7 "
            "('Pick My Solar, Inc.'): names match once case, accents, punctuation and words like "
            "Inc or LLC are ignored; merge the two profiles into one, or, if they really are "
            "different, add 'same_as_ok: [pick-my-solar-inc]' to this file",))]),
    Case("duplicate-name-accents-llc", {"startups/ciclo-mobility-llc.yaml":
                                        "name: CICLO MOBILITY LLC\nsummary: Bikes.\ncity: Los Angeles\n"},
         [("startups/ciclo-mobility.yaml", 2, 7,
           ("this looks like the same startup as {content}/startups/ciclo-mobility-llc.yaml:1:7 "
            "('CICLO MOBILITY LLC')", "merge the two profiles into one"))]),
    Case("duplicate-name-the-labs", {"startups/the-pothole-radar-labs.yaml":
                                     "name: The Pothole Radar Labs\nsummary: Potholes.\ncity: Sacramento\n"},
         [("startups/the-pothole-radar-labs.yaml", 1, 7,
           ("this looks like the same startup as {content}/startups/pothole-radar.yaml:",
            "names match once case, accents, punctuation and words like Inc or LLC are ignored"))]),
    Case("duplicate-website", {"startups/web-one.yaml": base("web-one", website="http://www.same-page.example/page/"),
                               "startups/web-two.yaml": base("web-two", website="https://same-page.example/page")},
         [("startups/web-two.yaml", 4, 10,
           ("this looks like the same startup as {content}/startups/web-one.yaml:4:10 "
            "('http://www.same-page.example/page/'): both websites are the same page; merge the "
            "two profiles into one",))]),
    Case("shared-domain-is-not-a-duplicate", {
        "startups/repo-a.yaml": base("repo-a", website="https://github.com/a"),
        "startups/repo-b.yaml": base("repo-b", website="https://github.com/b")}),
    # References to profiles that do not exist, at the line of the list item.
    Case("unknown-program", {"startups/unknown-program.yaml":
                             base("unknown-program") + "programs:\n  - laci\n  - lacy\n"},
         [("startups/unknown-program.yaml", 6, 5,
           ("unknown program 'lacy': there is no content/programs/lacy.yaml — did you mean 'laci'?",))]),
    Case("unknown-startup", {"mentors/unknown-startup.yaml":
                             "name: Case unknown-startup\nsummary: x\nstartups: [pick-my-solar, pick-my-solr]\n"},
         [("mentors/unknown-startup.yaml", 3, 27,
           ("unknown startup 'pick-my-solr': there is no content/startups/pick-my-solr.yaml — did "
            "you mean 'pick-my-solar'?",))]),
    Case("unknown-program-no-match", {"mentors/unknown-program-no-match.yaml":
                                      "name: Case unknown-program-no-match\nsummary: x\nprograms:\n  - zzz-nothing\n"},
         [("mentors/unknown-program-no-match.yaml", 4, 5,
           ("unknown program 'zzz-nothing': there is no content/programs/zzz-nothing.yaml",))]),
    Case("unknown-key", {"startups/unknown-key.yaml": base("unknown-key", websit="https://a.example/")},
         [("startups/unknown-key.yaml", 4, 1, ("unknown key 'websit' — did you mean 'website'?",))]),
    # Websites: http and https only, whatever the case, whitespace or entity tricks.
    *[Case(f"website-{label}", {f"startups/website-{label}.yaml": base(f"website-{label}", website=written)},
           [(f"startups/website-{label}.yaml", 4, 10, WEBSITE + (f"got '{value}'",))])
      for label, written, value in [
          ("javascript", "javascript:alert(1)", "javascript:alert(1)"),
          ("javascript-mixed-case", '" JaVaScRiPt:alert(1)"', " JaVaScRiPt:alert(1)"),
          ("javascript-tab", '"java\\tscript:alert(1)"', "java\\tscript:alert(1)"),  # shown escaped
          ("javascript-entity", "'&#106;avascript:alert(1)'", "&#106;avascript:alert(1)"),
          ("javascript-slashes", "javascript://example.com/%0Aalert(1)", "javascript://example.com/%0Aalert(1)"),
          ("data", "data:text/html,<script>alert(1)</script>", "data:text/html,<script>alert(1)</script>"),
          ("data-base64", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
           "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
          ("vbscript", "vbscript:msgbox(1)", "vbscript:msgbox(1)"),
          ("scheme-relative", "//evil.example/", "//evil.example/"),
          ("ftp", "ftp://files.example/", "ftp://files.example/"),
      ]],
    # A value quoted in a message cannot break its line, forge another problem or colour a log.
    Case("message-cannot-forge-lines", {"startups/message-cannot-forge-lines.yaml": base(
        "message-cannot-forge-lines", website='"https://x.example/\\nstray.yaml:1:1: error: \\e[31mforged"')},
         [("startups/message-cannot-forge-lines.yaml", 4, 10,
           WEBSITE + ("got 'https://x.example/\\nstray.yaml:1:1: error: \\x1b[31mforged'",))]),
    # Logos: a file under content/images/, nowhere else.
    *[Case(f"logo-{label}", {f"startups/logo-{label}.yaml": base(f"logo-{label}", logo=written)},
           [(f"startups/logo-{label}.yaml", 4, 7, LOGO_PATTERN + (f"got '{written}'",))])
      for label, written in [("traversal", "images/../../etc/passwd.png"),
                             ("parent", "../outside.svg"), ("absolute", "/etc/logo.png"),
                             ("other-folder", "startups/pick-my-solar.svg"),
                             ("not-an-image", "images/page.html")]],
    Case("logo-missing", {"startups/logo-missing.yaml": base("logo-missing", logo="images/missing.svg")},
         [("startups/logo-missing.yaml", 4, 7,
           ("no image at content/images/missing.svg; add the file under content/images/ or fix the path",))]),
    Case("logo-symlink", {"images/logo-link.svg": Link("../startups/pick-my-solar.yaml"),
                          "startups/logo-symlink.yaml": base("logo-symlink", logo="images/logo-link.svg")},
         [("images/logo-link.svg", 1, 1, SYMLINK),
          ("startups/logo-symlink.yaml", 4, 7, ("no image at content/images/logo-link.svg",))]),
    # Facets need letters or digits for their page's address.
    Case("sector-without-letters", {"startups/sector-without-letters.yaml":
                                    base("sector-without-letters") + 'sectors:\n  - "../.."\n'},
         [("startups/sector-without-letters.yaml", 5, 5,
           ("sector '../..' has no letters or digits; write a name such as 'Clean Energy'",))]),
    Case("city-without-letters", {"startups/city-without-letters.yaml":
                                  'name: Case city-without-letters\nsummary: x\ncity: "%%"\n'},
         [("startups/city-without-letters.yaml", 3, 7, ("city '%%' has no letters or digits; write the place's name",))]),
]

BY_ID = {case.id: case for case in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"


def write_case(content: Path, case: Case, marker: Path) -> None:
    for relative, data in case.files.items():
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Link):
            os.symlink(data.target, path)
        elif isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data.replace("{marker}", str(marker)), encoding="utf-8")


def expected_words(words: tuple, content: Path, cwd: Path) -> list[str]:
    return [word.replace("{content}", shown(content, cwd)) for word in words]


def match_problems(problems, case: Case, content: Path) -> None:
    """The problems are exactly the expected ones: same files, lines and columns, and every
    expected word in each message."""
    actual = [(problem.path.relative_to(content).as_posix(), problem.line, problem.col,
               problem.message) for problem in problems]
    remaining = list(actual)
    for relative, line, col, words in case.expected:
        wanted = expected_words(words, content.resolve(), Path.cwd())
        found = next((item for item in remaining if item[:3] == (relative, line, col)
                      and all(word in item[3] for word in wanted)), None)
        assert found, f"expected {relative}:{line}:{col} with {wanted}\nproblems: {actual}"
        remaining.remove(found)
    assert remaining == [], f"unexpected problems: {remaining}"
    for *_, message in actual:
        assert message and "\n" not in message and "Traceback" not in message


@pytest.fixture(scope="module")
def previous_output(tmp_path_factory) -> Path:
    """A good build of the sample content, made with the real CLI: the 'previous output' that
    every failed build below must leave alone."""
    root = tmp_path_factory.mktemp("previous")
    result = build_cli(ROOT / "content", root / "output")
    assert result.returncode == 0, result.stderr
    return root / "output"


@pytest.fixture
def site(tmp_path, previous_output):
    """tmp_path/content (a copy of the samples) and tmp_path/output (a copy of a good build)."""
    content = copy_content(tmp_path / "content")
    output = tmp_path / "output"
    shutil.copytree(previous_output, output, symlinks=True)
    return content, output


def assert_failed_cleanly(result, output: Path, before: dict, problems: int) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert_no_traceback(result)
    noun = "problem" if problems == 1 else "problems"
    assert f"build stopped: {problems} {noun} in the content; nothing was written; " in result.stderr
    assert sum(": error: " in line for line in result.stderr.splitlines()) == problems, result.stderr
    assert "\x1b" not in result.stderr
    assert contents(output) == before, "the previous output changed"
    assert leftovers(output) == [], "the failed build left its staging folder behind"
    assert sorted(p.name for p in output.parent.iterdir()) == ["content", "output"]


# --- every case, in-process ---------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_broken_input_gets_a_located_error(case, tmp_path):
    content = copy_content(tmp_path / "content")
    marker = tmp_path / MARKER
    write_case(content, case, marker)
    before = snapshot(content)
    started = time.monotonic()
    directory, problems = read_directory(content)
    assert time.monotonic() - started < 5, "validation must stay fast on hostile input"
    match_problems(problems, case, content)
    assert (directory is None) == bool(case.expected)
    assert snapshot(content) == before, "validation modified content/"
    assert not marker.exists() and not Path("/tmp", MARKER).exists(), "a YAML tag ran code"


def test_billion_laughs_is_refused_quickly(tmp_path):
    content = copy_content(tmp_path / "content")
    (content / "startups" / "lol.yaml").write_text(billion_laughs(), encoding="utf-8")
    started = time.monotonic()
    _, problems = read_directory(content)
    assert time.monotonic() - started < 2
    assert [p.message for p in problems] == [EXPANDS[0]]


def test_quoted_yaml11_scalars_stay_text(tmp_path):
    """The fix the messages ask for works: quoted, every one of them is kept as written."""
    content = copy_content(tmp_path / "content")
    literals = ["NO", "yes", "on", "Off", "1e3", "0o17", "2024-01-02", "0777", "0x1F", "1_000",
                "12:30", ".inf"]
    sectors = "".join(f'\n  - "{literal}"' for literal in literals)
    (content / "startups" / "quoted.yaml").write_text(
        f"name: \"NO\"\nsummary: '1e3'\ncity: \"0777\"\nregion: \"2024-01-02\"\nsectors:{sectors}\n",
        encoding="utf-8")
    directory, problems = read_directory(content)
    assert problems == []
    profile = next(p for p in directory.profiles if p.slug == "quoted")
    assert (profile.name, profile.summary, profile.city, profile.region) == ("NO", "1e3", "0777", "2024-01-02")
    assert list(profile.sectors) == literals


def test_broken_profile_does_not_hide_references_to_it(tmp_path):
    """A profile that fails to load still exists: others pointing at it get no second error."""
    content = copy_content(tmp_path / "content")
    (content / "programs" / "laci.yaml").write_bytes(b"name: LACI \xff\n")
    _, problems = read_directory(content)
    assert [(p.path.name, p.line, p.col) for p in problems] == [("laci.yaml", 1, 12)]


# --- the real CLI ---------------------------------------------------------------------------

CLI_CASES = ["not-utf8", "duplicate-key", "yaml11-name-NO", "python-apply-value",
             "python-apply-top-level", "symlink-to-outside-file", "symlink-in-hidden-folder",
             "duplicate-name", "unknown-program", "website-javascript-mixed-case",
             "logo-traversal", "billion-laughs", "message-cannot-forge-lines"]


@pytest.mark.parametrize("case_id", CLI_CASES)
def test_cli_build_reports_the_problem_and_keeps_the_previous_output(case_id, site, tmp_path):
    content, output = site
    case = BY_ID[case_id]
    marker = tmp_path.parent / f"{tmp_path.name}-{MARKER}"
    write_case(content, case, marker)
    before = contents(output)
    started = time.monotonic()
    result = build_cli(content, output)
    assert time.monotonic() - started < 60
    for relative, line, col, words in case.expected:
        assert f"{shown(content / relative)}:{line}:{col}: error: " in result.stderr, result.stderr
        for word in expected_words(words, content, ROOT):
            assert word in result.stderr
    assert_failed_cleanly(result, output, before, len(case.expected))
    assert not marker.exists() and not Path("/tmp", MARKER).exists(), "a YAML tag ran code"
    if isinstance(next(iter(case.files.values())), Link):
        secret = Path(OUTSIDE_FILE).read_text(errors="replace").strip()
        assert not secret or secret not in result.stdout + result.stderr


def test_cli_prints_paths_relative_to_the_working_folder(site, tmp_path):
    """Run from the folder holding content/, paths read content/startups/x.yaml:LINE:COL."""
    content, output = site
    write_case(content, BY_ID["yaml11-city-2024-01-02"], tmp_path / MARKER)
    before = contents(output)
    result = run_cli("--search-root", str(ROOT), "build", "--content", "content", "--output",
                     "output", cwd=tmp_path)
    assert ("content/startups/yaml11-city-2024-01-02.yaml:3:7: error: city: YAML reads "
            "2024-01-02 as the date 2024-01-02, but text is expected; put it in quotes: \"2024-01-02\"\n"
            in result.stderr), result.stderr
    assert_failed_cleanly(result, output, before, 1)


def test_cli_reports_every_problem_of_many_broken_files_in_one_run(site, tmp_path):
    content, output = site
    marker = tmp_path.parent / f"{tmp_path.name}-{MARKER}"
    written: set[str] = set()
    for case in CASES:
        assert not written & set(case.files), f"{case.id} reuses a path"
        written |= set(case.files)
        write_case(content, case, marker)
    before_content = snapshot(content)
    before = contents(output)
    result = build_cli(content, output)
    expected = [(relative, line, col, words) for case in CASES
                for relative, line, col, words in case.expected]
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    for relative, line, col, words in expected:
        prefix = f"{shown(content / relative)}:{line}:{col}: error: "
        matching = [text for text in lines if text.startswith(prefix)
                    and all(word in text for word in expected_words(words, content, ROOT))]
        assert matching, f"missing {prefix} {words}"
    assert_failed_cleanly(result, output, before, len(expected))
    assert snapshot(content) == before_content
    assert not marker.exists()
    # The same problems through `invoke validate`, which never writes anything.
    validated = run_cli("validate", "--content", str(content))
    assert validated.returncode == 1
    assert_no_traceback(validated)
    assert sorted(l for l in validated.stderr.splitlines() if ": error: " in l) == sorted(lines)
    assert snapshot(content) == before_content


def test_validate_and_build_never_modify_content(tmp_path):
    content = copy_content(tmp_path / "content")
    (content / "startups" / "bad.yaml").write_text("name: yes\nsummary: x\ncity: LA\n", encoding="utf-8")
    before = snapshot(content)
    for args in (["validate", "--content", str(content)],
                 ["build", "--content", str(content), "--output", str(tmp_path / "output")]):
        result = run_cli(*args)
        assert result.returncode == 1
        assert snapshot(content) == before
    (content / "startups" / "bad.yaml").unlink()
    before = snapshot(content)
    assert run_cli("validate", "--content", str(content)).returncode == 0
    assert build_cli(content, tmp_path / "output").returncode == 0
    assert snapshot(content) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "output"]


def test_build_writes_no_temporary_files(tmp_path, monkeypatch):
    """A build writes nothing outside its output folder, not even temporary files: Whoosh's
    RamStorage used <tmp>/MAIN.tmp, one folder shared by every build on the machine, so that
    concurrent builds deleted each other's files and crashed (FileNotFoundError)."""
    from directory.building import build_site

    content = copy_content(tmp_path / "content")
    monkeypatch.setattr(tempfile, "tempdir", os.devnull)  # any temporary file is now an error
    build_site(ROOT / "pelicanconf.py", content=content, output=tmp_path / "output")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "output"]


# --- an interrupted build -------------------------------------------------------------------

def write_many_profiles(content: Path, count: int) -> None:
    cities = ["Los Angeles", "Oakland", "Fresno", "San José", "Long Beach"]
    for number in range(count):
        (content / "startups" / f"generated-{number}.yaml").write_text(
            f"name: Generated Startup {number}\n"
            f"summary: Generated profile number {number}, for a build that takes a while.\n"
            f"description: |\n  About number {number}, with **bold** text and a "
            f"[link](https://g{number}.example/).\n\n  - one\n  - two\n"
            f"website: https://g{number}.example/\ncity: {cities[number % 5]}\n"
            f"sectors:\n  - Sector {number % 40}\n  - Clean Energy\nprograms:\n  - laci\n",
            encoding="utf-8")


def test_killed_build_leaves_the_previous_output_and_the_next_build_cleans_up(site, tmp_path):
    content, output = site
    write_many_profiles(content, 1500)
    before = contents(output)
    log = tmp_path.parent / f"{tmp_path.name}-build.log"
    with open(log, "wb") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "build", "--content", str(content), "--output", str(output)],
            cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT)
        staging = None
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline and process.poll() is None:
                found = [path for path in tmp_path.iterdir() if path.name.startswith(".output.staging-")]
                if found and any(found[0].iterdir()):  # it has started writing pages
                    staging = found[0]
                    break
                time.sleep(0.005)
            ended = process.poll()
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    printed = log.read_text(errors="replace")
    assert staging is not None and ended is None, f"the build ended before the kill ({ended}): {printed}"
    assert process.returncode == -signal.SIGKILL
    assert contents(output) == before, "a killed build changed the previous output"
    assert staging.exists(), "the kill should have left the half-written staging folder"

    result = build_cli(content, output)
    assert result.returncode == 0, result.stderr
    assert leftovers(output) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "output"]
    assert (output / "startups" / "generated-1499" / "index.html").is_file()
