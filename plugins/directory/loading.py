"""Loading: files in content/ -> documents, plain Python values with the position of every key
and value.

Contributors are untrusted, so this module reads as little as it must and never constructs
arbitrary objects: it walks content/ without following links, refuses large or non-UTF-8 files,
asks PyYAML's safe C parser for the node tree only (``compose``, never ``load``), and builds the
values itself. Building them here, rather than with a PyYAML constructor, is what lets it keep
the line and column of every node, catch duplicate keys (PyYAML silently keeps the last one),
refuse every tag outside the plain JSON-like core, bound alias expansion ("billion laughs"),
and remember which plain scalars YAML 1.1 turned into booleans, numbers or dates so that
validation can say "put it in quotes".
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .images import image_problems
from .paging import RESERVED_SLUG
from .problems import Problem
from .slugs import SLUG, slugify

SafeParser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KIND_FOLDERS = {"startups": "startup", "programs": "program", "mentors": "mentor"}
IMAGES_FOLDER = "images"

EMPTY_FILE = "the file is empty; a profile needs at least 'name:' and 'summary:'"

MAX_FILE_BYTES = 64 * 1024
MAX_VALUES = 2_000  # nodes after alias expansion; a real profile has a few dozen
MAX_DEPTH = 8  # a profile is a mapping of scalars and lists of scalars
MAX_STRING = 20_000  # characters in one value

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE_TAG = f"{_CORE}merge"
# Plain scalars that PyYAML (YAML 1.1) keeps as text but YAML 1.2, and so most other tools and
# editors, read as numbers: 1e3, 1.5E+2, 0o17. They are as surprising as NO, so they need quotes.
_YAML12_NUMBER = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                            r"|0o[0-7]+|0x[0-9a-fA-F]+")
_constructor = yaml.constructor.SafeConstructor()
# Characters YAML does not accept anywhere in a stream (PyYAML's Reader.NON_PRINTABLE).
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD"
                            "\U00010000-\U0010FFFF]")

# A path inside a document: ("programs", 2) is the third item of the programs list.
Location = tuple


@dataclass
class Document:
    """One profile file as plain values, before any rule about profiles is applied."""

    path: Path
    kind: str
    slug: str
    data: object
    # Where each value (and each mapping key) starts, as 1-based (line, col).
    value_marks: dict[Location, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Location, tuple[int, int]] = field(default_factory=dict)
    # Source text of plain scalars that YAML 1.1 resolved to something other than a string, or that
    # YAML 1.2 would (such values are kept as text here, and validation asks for quotes).
    retyped: dict[Location, str] = field(default_factory=dict)
    # Values refused while loading (a forbidden tag): loading has said why, validation need not.
    refused: set[Location] = field(default_factory=set)
    # What the JSON Schema says of ``data``, once validation has asked (None: not yet).
    schema_problems: list[Problem] | None = None
    # What else validation finds in the document alone (validation.check_document), and its
    # identity keys (duplicates.identity_keys), once asked: kept with the document by
    # incremental builds, as its schema problems are, so an unchanged file is not checked again.
    checks: tuple[list[Problem], list[Problem] | None] | None = None
    identity: tuple[str, str, str] | None = None
    # SHA-1 of the file's bytes, when an incremental build has read them (digests.py)
    content: bytes | None = None

    # Pickled (the incremental cache keeps every document), the marks travel as one marshal
    # blob, unpacked only if a problem is reported: the two dicts of tuples were half a
    # million objects at 10,000 profiles, a third of the time the cache took to read.
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if "value_marks" in state:
            state["packed_marks"] = marshal.dumps((state.pop("value_marks"),
                                                   state.pop("key_marks")))
        return state

    def __getattr__(self, name: str):
        """The marks of an unpickled document, unpacked on first use."""
        packed = self.__dict__.get("packed_marks")
        if name not in ("value_marks", "key_marks") or packed is None:
            raise AttributeError(name)
        self.value_marks, self.key_marks = marshal.loads(packed)
        del self.packed_marks
        return getattr(self, name)

    def mark(self, location: Location, key: bool = False) -> tuple[int, int]:
        """The closest known position: the key or value itself, else its nearest parent."""
        marks = self.key_marks if key else self.value_marks
        while location not in marks and location:
            location = location[:-1]
        return marks.get(location, (1, 1))

    def problem(self, location: Location, message: str, key: bool = False) -> Problem:
        line, col = self.mark(location, key)
        return Problem(self.path, line, col, message)


def load_content(content: Path, progress=None,
                 load_many=None) -> tuple[list[Document], list[Problem]]:
    """Every profile under ``content``, sorted by path, and every problem met on the way.
    ``progress`` (a progress.Stage) counts the files; ``load_many`` may replace load_files
    (with a cached one)."""
    documents: list[Document] = []
    problems: list[Problem] = []
    files = list(_profile_files(Path(content), problems))
    if progress is not None:
        progress.total = len(files)
    for (path, kind), (document, found) in zip(files, (load_many or load_files)(files, progress)):
        problems.extend(found)
        # An unreadable file still exists: other profiles may point at its slug.
        documents.append(document or Document(path=path, kind=kind, slug=path.stem, data=None))
    return documents, problems


def load_files(files: list[tuple[Path, str]], progress=None, keyed: bool = False) -> list[tuple]:
    """load_file (load_file_keyed when ``keyed``) for each (path, kind), on two cores when
    there are many."""
    from .parallel import split

    return split(files, _load_keyed_pair if keyed else _load_pair, progress, results=True)


def _load_pair(item: tuple[Path, str]):
    return load_file(*item)


def _load_keyed_pair(item: tuple[Path, str]):
    return load_file_keyed(*item)


def _profile_files(content: Path, problems: list[Problem]):
    """Yield (path, kind) for each profile file, refusing links and misplaced files."""
    if content.is_symlink() or not content.is_dir():
        problems.append(Problem(content, 1, 1, "the content folder does not exist or is a link"))
        return
    found = []
    for folder, relative, folders, files in _walk(str(content), ()):
        folder_path = Path(folder)
        for entry in (*folders.values(), *files):
            if entry.is_symlink():
                problems.append(Problem(folder_path / entry.name, 1, 1, "symbolic links are not "
                                        "allowed in content/; replace the link with the file itself"))
        if relative[:1] == (IMAGES_FOLDER,):
            problems.extend(image_problems(folder_path, relative, list(folders),
                                           [entry.name for entry in files]))
            continue
        if any(part.startswith(".") for part in relative):
            continue
        for entry in files:
            name = entry.name
            if name.startswith(".") or entry.is_symlink():
                continue
            path = folder_path / name
            is_yaml = name.endswith((".yaml", ".yml"))
            kind = KIND_FOLDERS.get(relative[0]) if len(relative) == 1 else None
            if kind is None:
                if is_yaml or relative:
                    problems.append(Problem(path, 1, 1, "profiles live directly in content/startups/, "
                                            "content/programs/ or content/mentors/; move this file"))
                continue
            if not name.endswith(".yaml"):
                problems.append(Problem(path, 1, 1, "only .yaml profiles belong here; "
                                        "rename it to end in .yaml or move it out"))
                continue
            slug = name[: -len(".yaml")]
            if not SLUG.fullmatch(slug):
                problems.append(Problem(path, 1, 1, f"file name '{name}' is not a slug: use lower-case "
                                        f"letters, digits and single hyphens, like "
                                        f"'{suggest_slug(slug)}.yaml'"))
                continue
            if slug == RESERVED_SLUG:
                problems.append(Problem(path, 1, 1, f"file name '{name}' is taken by the "
                                        f"listing's later pages (/{relative[0]}/{slug}/2/); "
                                        f"name the file after the profile, like "
                                        f"'{slug}-{kind}.yaml'"))
                continue
            found.append((relative, name, path, kind))
    found.sort(key=lambda item: item[:2])  # as paths sort, by strings: Path's comparison costs
    for relative, name, path, kind in found:
        yield path, kind


def _walk(folder: str, relative: tuple):
    """Like os.walk, top down, never into links (hidden folders too: Pelican would copy, and
    follow, what they hold): yield (folder, its parts below content/, {name: entry} of its
    folders, [entries] of everything else, by name). os.scandir's entries know from the
    folder listing whether they are links; os.walk with Path.is_symlink asked the system
    twice per file, a tenth of a rebuild's reading at 10,000 profiles."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return  # unreadable: as os.walk, skipped
    folders = {entry.name: entry for entry in entries if _is_folder(entry)}
    yield folder, relative, folders, [entry for entry in entries if entry.name not in folders]
    for name, entry in folders.items():
        if not entry.is_symlink():
            yield from _walk(entry.path, relative + (name,))


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # a link to a folder counts, as in os.walk (and is refused)
    except OSError:
        return False


def suggest_slug(text: str) -> str:
    return slugify(text) or "my-profile"


def load_file(path: Path, kind: str) -> tuple[Document | None, list[Problem]]:
    """One profile file as a Document, or None and the reasons it could not be read."""
    raw, problems, _ = _read(path)
    return (None, problems) if raw is None else _parse(path, kind, raw)


def load_file_keyed(path: Path, kind: str) -> tuple[Document | None, list[Problem], tuple | None]:
    """load_file, and what an incremental build knows the file by (incremental.cached_loader):
    its status (size, modification and change times, inode, device) and the SHA-1 of its
    bytes; None when it could not be read."""
    raw, problems, status = _read(path)
    if raw is None:
        return None, problems, None
    identity = ((status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino,
                 status.st_dev), hashlib.sha1(raw).digest())
    return (*_parse(path, kind, raw), identity)


def _read(path: Path) -> tuple[bytes | None, list[Problem], os.stat_result | None]:
    """The bytes of a profile file and its status, or None and why it cannot be read."""
    try:
        status = path.lstat()
        if not stat.S_ISREG(status.st_mode):
            return None, [Problem(path, 1, 1, "not a regular file; a profile is a plain .yaml "
                                  "file")], None
        size = status.st_size
        raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as error:
        return None, [Problem(path, 1, 1, f"cannot read the file ({error.strerror}); check its "
                              f"permissions")], None
    if size > MAX_FILE_BYTES:
        return None, [Problem(path, 1, 1, f"file is {size:,} bytes; a profile may be at most "
                              f"{MAX_FILE_BYTES // 1024} KB: shorten the description")], None
    return raw, [], status


def _parse(path: Path, kind: str, raw: bytes) -> tuple[Document | None, list[Problem]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark is harmless
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [Problem(path, line, col, f"not UTF-8: byte 0x{raw[error.start]:02X} at offset "
                              f"{error.start}; save the file as UTF-8")]
    unprintable = _NOT_PRINTABLE.search(text)
    if unprintable:  # YAML refuses these, with an offset rather than a line
        offset = unprintable.start()
        code = ord(unprintable.group())
        what = "a NUL character" if code == 0 else f"the control character U+{code:04X}"
        return None, [Problem(path, text.count("\n", 0, offset) + 1,
                              offset - (text.rfind("\n", 0, offset) + 1) + 1,
                              f"the file contains {what}; profiles are plain text: remove it")]
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return None, [Problem(path, 1, 1, EMPTY_FILE)]
    try:
        root = yaml.compose(text, Loader=SafeParser)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = error.problem or error.context or "the file is not valid YAML"
        if error.context and error.context_mark and error.problem:
            reason += (f" ({error.context} at line {error.context_mark.line + 1}, column "
                       f"{error.context_mark.column + 1})")
        return None, [Problem(path, line, col, f"YAML syntax error: {reason}; check the "
                              f"indentation, colons and quotes around here")]
    except yaml.YAMLError as error:
        return None, [Problem(path, 1, 1, f"YAML error: {' '.join(str(error).split())}")]

    document = Document(path=path, kind=kind, slug=path.stem, data=None)
    problems: list[Problem] = []
    if root is None or (root.tag == f"{_CORE}null" and root.value == ""):  # '---' or '...' only
        return None, [Problem(path, 1, 1, EMPTY_FILE)]
    if root.tag not in _SCALAR_TAGS | {f"{_CORE}seq", f"{_CORE}map"}:
        _Builder(document, problems).bad_tag(root, ())
        return None, problems
    if not isinstance(root, yaml.MappingNode):
        problems.append(Problem(path, root.start_mark.line + 1, root.start_mark.column + 1,
                                "the top level must be a mapping of keys to values, like "
                                "'name: Pick My Solar' on its own line"))
        return None, problems
    builder = _Builder(document, problems)
    try:
        document.data = builder.value(root, ())
    except _TooLarge as error:
        return None, problems + [document.problem(error.location, str(error))]
    return document, problems


class _TooLarge(Exception):
    def __init__(self, location: Location, message: str):
        super().__init__(message)
        self.location = location


class _Builder:
    """Turns a composed node tree into plain values, recording marks on the way."""

    def __init__(self, document: Document, problems: list[Problem]):
        self.document = document
        self.problems = problems
        self.count = 0

    def value(self, node: yaml.Node, location: Location):
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooLarge(location, f"the file expands to more than {MAX_VALUES} values "
                            f"(anchors and aliases?); write the values out plainly")
        if len(location) > MAX_DEPTH:
            raise _TooLarge(location, f"values are nested more than {MAX_DEPTH} levels deep; "
                            f"a profile is a flat list of keys")
        start = node.start_mark
        self.document.value_marks[location] = (start.line + 1, start.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, location)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != f"{_CORE}seq":
                return self.bad_tag(node, location)
            return [self.value(item, location + (index,)) for index, item in enumerate(node.value)]
        return self.scalar(node, location)

    def mapping(self, node: yaml.MappingNode, location: Location) -> dict:
        if node.tag != f"{_CORE}map":
            return self.bad_tag(node, location)
        result: dict = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS | {_MERGE_TAG}:
                self.problems.append(Problem(self.document.path, mark.line + 1, mark.column + 1,
                                            "keys must be plain words like 'name'"))
                continue
            key = key_node.value  # the text as written: 'on:' is the key "on", not True
            if key in first_seen:
                self.problems.append(Problem(
                    self.document.path, mark.line + 1, mark.column + 1,
                    f"duplicate key '{key}' (first given on line {first_seen[key]}); "
                    f"keep only one of them"))
                continue
            first_seen[key] = mark.line + 1
            self.document.key_marks[location + (key,)] = (mark.line + 1, mark.column + 1)
            result[key] = self.value(value_node, location + (key,))
        return result

    def scalar(self, node: yaml.ScalarNode, location: Location):
        if node.tag not in _SCALAR_TAGS:
            return self.bad_tag(node, location)
        if len(node.value) > MAX_STRING:
            raise _TooLarge(location, f"this value is {len(node.value):,} characters long; "
                            f"the limit is {MAX_STRING:,}")
        kind = node.tag[len(_CORE):]
        if kind == "str":
            if not node.style and _YAML12_NUMBER.fullmatch(node.value):
                self.document.retyped[location] = node.value  # text here, a number elsewhere
            return node.value
        if kind == "null":
            return None
        try:
            value = getattr(_constructor, f"construct_yaml_{kind}")(node)
        except (ValueError, yaml.YAMLError):  # e.g. an impossible date such as 2024-02-31
            value = node.value
        if not node.style:  # plain, unquoted: YAML 1.1 chose the type, not the contributor
            self.document.retyped[location] = node.value
        return value

    def bad_tag(self, node: yaml.Node, location: Location):
        tag = node.tag.replace(_CORE, "!!")
        self.document.refused.add(location)
        self.problems.append(self.document.problem(
            location, f"the tag '{tag}' is not allowed; profiles use plain text, numbers "
                      f"and lists only: remove the tag"))
        return None
