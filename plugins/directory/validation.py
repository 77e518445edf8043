"""Validation: documents -> profiles.

The JSON Schemas in schemas/ are the single source of truth for what each field may hold; this
module only turns the validator's findings into located, actionable messages. The rules a schema
cannot express (files that must exist, references between profiles, the same organisation
written twice) follow, once every file has been checked on its own.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
from dataclasses import MISSING, dataclass, field, fields
from functools import lru_cache
from pathlib import Path

import fastjsonschema

from .duplicates import check_escape_hatch, find_duplicates
from .duplicates import identity_name  # noqa: F401  (bench/synthetic.py imports it from here)
from .loading import IMAGES_FOLDER, Document
from .parallel import split
from .problems import Problem
from .slugs import slugify

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
KINDS = ("startup", "program", "mentor")
# Which kind of profile each list of slugs points at.
REFERENCE_KINDS = {"programs": "program", "startups": "startup"}
INLINED_FROM = "x-inlined-from"  # not a JSON Schema keyword: validators ignore it


@dataclass(frozen=True)
class Profile:
    """A validated profile: every value has the type its schema promises."""

    kind: str
    slug: str
    source: Path
    name: str
    summary: str
    description: str = ""
    website: str | None = None
    city: str | None = None
    region: str | None = None
    sectors: tuple[str, ...] = ()
    logo: str | None = None
    founded: int | None = None
    launched: int | None = None
    operator: str | None = None
    format: str | None = None
    duration_weeks: int | None = None
    role: str | None = None
    programs: tuple[str, ...] = ()
    startups: tuple[str, ...] = ()
    # Slugs of profiles of the same kind that only look like this one (see duplicates.py).
    same_as_ok: tuple[str, ...] = ()
    added: str | None = None  # YYYY-MM-DD, when git history cannot tell

    # Made once from kind and slug: a build reads them some 500,000 times (every list, page
    # and digest), and a property made a new tuple or string at each read.
    key: tuple[str, str] = field(init=False, repr=False, compare=False)
    url: str = field(init=False, repr=False, compare=False)  # the page, from the site root
    # SHA-1 of the bytes of its file, when an incremental build read them: its fields are a
    # function of those, its kind and its slug (digests.py)
    content: bytes | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.kind, self.slug))
        object.__setattr__(self, "url", f"{self.kind}s/{self.slug}/")


@lru_cache(maxsize=None)
def schema_documents(schemas: Path = SCHEMAS) -> dict[str, dict]:
    return {path.name: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(schemas.glob("*.schema.json"))}


@lru_cache(maxsize=None)
def profile_schema(kind: str) -> dict:
    """The JSON Schema of a kind of profile, its references to the shared definitions
    inlined (inline_references)."""
    documents = schema_documents()
    return inline_references(documents[f"{kind}.schema.json"], documents)


@lru_cache(maxsize=None)
def schema_validator(kind: str):
    """jsonschema's validator of a kind of profile: it finds and explains every problem.
    Imported here, when a profile needs it: valid profiles never do (fast_check), and the
    import was a tenth of a rebuild's start."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (name, Resource.from_contents(contents)) for name, contents in schema_documents().items())
    # The format checker checks "format": "date" (the 'added' field) with date.fromisoformat.
    return Draft202012Validator(profile_schema(kind), registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


# jsonschema's "date" format rule (jsonschema/_format.py, is_date), written out so that the
# fast check needs no jsonschema; tests/test_validation_fast_path.py holds the two to one
# verdict.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def is_date(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return bool(_DATE.fullmatch(value) and datetime.date.fromisoformat(value))
    except ValueError:
        return False


# The keywords our schemas use. For these, draft 7 (what fastjsonschema compiles) and draft
# 2020-12 (what jsonschema checks, with its messages) mean the same thing; a schema using any
# other keyword gets no fast path (tests/test_validation_fast_path.py holds both to one verdict).
FAST_KEYWORDS = frozenset({
    "$defs", "$schema", "additionalProperties", "description", "enum", "format", "items",
    "maxItems", "maxLength", "maximum", "minLength", "minimum", "pattern", "properties",
    "required", "title", "type", "uniqueItems", INLINED_FROM})


def schema_keywords(schema) -> set[str]:
    """Every keyword used anywhere in ``schema`` (names of properties and definitions, and the
    values of enum and required, aside)."""
    found: set[str] = set()
    if isinstance(schema, list):
        for item in schema:
            found |= schema_keywords(item)
    elif isinstance(schema, dict):
        for key, value in schema.items():
            found.add(key)
            if key in ("properties", "$defs"):
                found |= schema_keywords(list(value.values()))
            elif key not in ("enum", "required"):
                found |= schema_keywords(value)
    return found


@lru_cache(maxsize=None)
def fast_check(kind: str):
    """A yes/no check of the document's kind compiled to Python by fastjsonschema, or None when
    the schema uses a keyword outside FAST_KEYWORDS. It is about fifteen times faster than
    jsonschema, which walks the schema for every value to be able to explain each error; a
    build of 10,000 profiles spent most of its validation there. Valid documents (nearly all of
    them) stop here; any other goes to jsonschema, which finds and explains every problem."""
    schema = profile_schema(kind)
    if not schema_keywords(schema) <= FAST_KEYWORDS:
        return None
    draft7 = {key: value for key, value in schema.items() if key != "$schema"}
    return fastjsonschema.compile(draft7, formats={"date": is_date})


def passes_fast(kind: str, view) -> bool:
    check = fast_check(kind)
    if check is None:
        return False
    try:
        check(view)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_view(data, schema: dict):
    """The document as the schema sees it: YAML 1.1 reads an unquoted 2024-03-15 as a date, and
    for a date field that is just what the contributor meant, so it is checked as its text."""
    if not isinstance(data, dict):
        return data
    view = dict(data)
    for key, value in data.items():
        if is_date_field(schema, key) and isinstance(value, datetime.date):
            view[key] = value.isoformat()  # a datetime gives 2024-03-15T10:00:00: not a date
    return view


def is_date_field(schema: dict, key: str) -> bool:
    field = schema.get("properties", {}).get(key, {})
    reference = field.get("$ref", field.get(INLINED_FROM, ""))  # inline_references keeps it
    return reference.endswith("/$defs/date")


def inline_references(schema, documents: dict[str, dict]):
    """``schema`` with each "$ref" to another file's "#/$defs/..." replaced by the definition
    itself, the referring schema's own keywords (its description) winning. The same rules,
    checked about five times faster: jsonschema resolves every $ref anew for every value."""
    if isinstance(schema, list):
        return [inline_references(item, documents) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: inline_references(value, documents) for key, value in schema.items()}
    reference = schema.get("$ref", "")
    name, _, pointer = reference.partition("#")
    if name in documents and pointer.startswith("/$defs/") and pointer.count("/") == 2:
        target = inline_references(documents[name]["$defs"][pointer.split("/")[2]], documents)
        schema = {**target, **{key: value for key, value in schema.items() if key != "$ref"},
                  INLINED_FROM: reference}
    return schema



def validate(documents: list[Document], content: Path, focus: set[Path] | None = None,
             progress=None) -> tuple[list[Profile], list[Problem]]:
    """Profiles for every document that passes, and every problem found in any of them
    (notices, which fail nothing, among them). ``focus``: the files a contributor is checking,
    which near-duplicate errors are put on when one of the pair is among them. ``progress``
    (a progress.Stage) counts the documents."""
    problems: list[Problem] = []
    profiles: list[Profile] = []
    if progress is not None:
        progress.total = len(documents)
    unchecked = [document for document in documents
                 if document.data is not None and document.schema_problems is None]
    for document, found in zip(unchecked, split(unchecked, schema_problems, results=True)):
        document.schema_problems = found
    content = Path(content)
    for document in documents:
        if progress is not None:
            progress.advance()
        if document.data is None:  # unreadable: loading has said why
            continue
        found = check_document(document, content)
        problems.extend(found)
        if not found and not document.refused:
            profiles.append(make_profile(document))
    existing = {(document.kind, document.slug) for document in documents}
    problems.extend(check_references(documents, existing))
    problems.extend(check_escape_hatch(documents, existing))
    problems.extend(find_duplicates(profiles, {document.path: document for document in documents},
                                    focus))
    return profiles, problems


def check_document(document: Document, content: Path) -> list[Problem]:
    if document.schema_problems is None:  # kept with the document by incremental builds
        document.schema_problems = schema_problems(document)
    if document.checks is None:  # so are the checks that read nothing but the document
        document.checks = (own_problems(document), None)
    own, facets = document.checks
    if own or document.refused:  # refused values are placeholders: check no further
        return own
    if facets is None:  # the values have the schema's types: the facets can be checked
        facets = facet_problems(document)
        document.checks = (own, facets)
    return logo_problems(document, content) or facets


def own_problems(document: Document) -> list[Problem]:
    """The schema's problems, and values that YAML 1.2 would read as something else."""
    problems = list(document.schema_problems)
    data = document.data
    located = {(problem.line, problem.col) for problem in problems}
    for location, literal in document.retyped.items():
        if isinstance(value_at(data, location), str) and document.mark(location) not in located:
            field = ".".join(str(part) for part in location)
            problems.append(document.problem(location, f"{field}: YAML 1.2 and most tools read "
                                             f"{literal} as a number, but text is expected; put it "
                                             f"in quotes: \"{literal}\""))
    return sorted(problems)


def logo_problems(document: Document, content: Path) -> list[Problem]:
    """The logo must be a file under content/images/: asked on every build, as the file may
    come and go while the profile stays the same."""
    data = document.data
    if not data.get("logo"):
        return []
    images = (content / IMAGES_FOLDER).resolve()
    image = content / data["logo"]
    if (image.is_symlink() or not image.is_file()
            or not image.resolve().is_relative_to(images)):
        return [document.problem(("logo",), f"no image at content/{data['logo']}; add "
                                 f"the file under content/{IMAGES_FOLDER}/ or fix the path")]
    return []


def facet_problems(document: Document) -> list[Problem]:
    """Facet pages need a slug for every sector and city."""
    data = document.data
    problems = []
    for key in ("city", "region"):
        if data.get(key) is not None and not slugify(data[key]):
            problems.append(document.problem((key,), f"{key} '{data[key]}' has no letters or "
                                             f"digits; write the place's name"))
    seen: dict[str, str] = {}
    for index, sector in enumerate(data.get("sectors", [])):
        slug = slugify(sector)
        if not slug:
            problems.append(document.problem(("sectors", index), f"sector '{sector}' has no "
                                             f"letters or digits; write a name such as 'Clean Energy'"))
        elif slug in seen:
            problems.append(document.problem(("sectors", index), f"sector '{sector}' is the same "
                                             f"sector as '{seen[slug]}'; remove one of them"))
        seen.setdefault(slug, sector)
    return sorted(problems)


def schema_problems(document: Document) -> list[Problem]:
    """What the JSON Schema of the document's kind says of its data."""
    view = schema_view(document.data, profile_schema(document.kind))
    if passes_fast(document.kind, view):
        return []
    validator = schema_validator(document.kind)
    return [
        problem
        for error in validator.iter_errors(view)
        if tuple(error.absolute_path) not in document.refused  # loading has said why
        for problem in explain(error, document, validator.schema)
    ]


def value_at(data, location: tuple):
    """The value at a location of a document's data, or None when there is none."""
    for part in location:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


# Names of JSON types as a contributor would say them.
TYPE_NAMES = {
    "string": "text", "integer": "a whole number", "number": "a number", "array": "a list",
    "object": "a mapping of keys to values", "boolean": "true or false", "null": "nothing",
}


def describe(value) -> str:
    if isinstance(value, bool):
        return "true or false"
    if value is None:
        return "nothing"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "text"
    return "a date"


def reading(value) -> str:
    """What YAML 1.1 made of an unquoted scalar: 'the boolean false', 'the number 511'."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the date {value}"


def explain(error, document: Document, schema: dict) -> list[Problem]:
    """One or more located problems for one jsonschema error."""
    location = tuple(error.absolute_path)
    field = ".".join(str(part) for part in location) or "profile"
    validator = error.validator
    if validator == "additionalProperties":
        known = sorted(schema["properties"])
        return [document.problem(location + (key,), unknown_key_message(key, known, document.kind),
                                 key=True)
                for key in error.instance if key not in schema["properties"]]
    if validator == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        return [document.problem(location, f"missing required key '{key}': add a line "
                                 f"'{key}: ...' ({property_hint(schema, key)})") for key in missing]
    if error.schema.get("format") == "date" and validator in ("type", "format"):
        literal = document.retyped.get(location, error.instance)
        return [document.problem(location, f"{field}: '{literal}' is not a date; write the day as "
                                 f"YYYY-MM-DD, such as 2024-03-15")]
    if validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(TYPE_NAMES[name] for name in expected)
        literal = document.retyped.get(location)
        if literal is not None:
            message = (f"{field}: YAML reads {literal} as {reading(error.instance)}, but {wanted} "
                       f"is expected")
            if "string" in expected:
                message += f"; put it in quotes: \"{literal}\""
            return [document.problem(location, message)]
        if error.instance is None and len(location) == 1 and location[0] in schema["properties"]:
            optional = "" if location[0] in schema.get("required", ()) else " or remove the line"
            return [document.problem(location, f"{field} has no value; write it after the colon "
                                     f"({property_hint(schema, location[0])}){optional}")]
        if "integer" in expected and isinstance(error.instance, str) and error.instance.strip().isdigit():
            return [document.problem(location, f"{field}: expected {wanted}; remove the quotes "
                                     f"around {error.instance.strip()}")]
        return [document.problem(location, f"{field}: expected {wanted}, got {describe(error.instance)}")]
    if validator == "maxLength":
        return [document.problem(location, f"{field} is {len(error.instance)} characters long; the "
                                 f"limit is {error.validator_value}: shorten it")]
    if validator == "minLength":
        return [document.problem(location, f"{field} is empty; write something or remove the key")]
    if validator == "pattern":
        return [document.problem(location, pattern_message(location, field, error.instance))]
    if validator == "enum":
        choices = ", ".join(str(choice) for choice in error.validator_value)
        return [document.problem(location, f"{field} must be one of {choices}; got '{error.instance}'")]
    if validator in ("minimum", "maximum"):
        return [document.problem(location, f"{field} is {error.instance}; it must be "
                                 f"{'at least' if validator == 'minimum' else 'at most'} "
                                 f"{error.validator_value}")]
    if validator == "uniqueItems":
        return [document.problem(location, f"{field} lists the same item twice; remove the repeat")]
    if validator == "maxItems":
        return [document.problem(location, f"{field} has {len(error.instance)} items; at most "
                                 f"{error.validator_value} are allowed")]
    return [document.problem(location, f"{field}: {error.message}")]


def unknown_key_message(key: str, known: list[str], kind: str) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key '{key}' — did you mean '{close[0]}'?"
    return f"unknown key '{key}'; a {kind} profile may use: {', '.join(known)}"


def property_hint(schema: dict, key: str) -> str:
    return schema["properties"][key].get("description", "").rstrip(".")


def pattern_message(location: tuple, field: str, value: str) -> str:
    if location == ("website",):
        return (f"website must be an http:// or https:// address such as https://example.org/, "
                f"got '{value}'")
    if location == ("logo",):
        return (f"logo must be a path like images/logo.svg inside content/images/ (png, jpg, jpeg, "
                f"gif, svg or webp), got '{value}'")
    return (f"{field}: '{value}' is not a slug; use the file name of the profile without .yaml, "
            f"such as 'pick-my-solar'")


# Every field of a Profile that its data may leave out, with its default.
PROFILE_DEFAULTS = {item.name: item.default for item in fields(Profile)
                    if item.init and item.default is not MISSING}


def make_profile(document: Document) -> Profile:
    """The profile of a document that passed every check. Its fields are set as the frozen
    dataclass's __init__ would set them, in one dict update: __init__ sets each of its 23
    fields through object.__setattr__, two thirds of the cost of 10,000 profiles a build.
    The schema allows no key that is not a field (tests/test_validation.py holds the two
    ways to the same profile)."""
    data = dict(document.data)
    if isinstance(data.get("added"), datetime.date):
        data["added"] = data["added"].isoformat()
    for key in ("sectors", "programs", "startups", "same_as_ok"):
        if key in data:
            data[key] = tuple(data[key])
    for key in ("name", "summary", "city", "region", "role", "operator"):
        if isinstance(data.get(key), str):
            data[key] = " ".join(data[key].split())  # folded YAML leaves stray newlines
    profile = object.__new__(Profile)
    values = profile.__dict__
    values.update(PROFILE_DEFAULTS)
    values.update(data)
    values.update(kind=document.kind, slug=document.slug, source=document.path,
                  key=(document.kind, document.slug), url=f"{document.kind}s/{document.slug}/",
                  content=document.content)
    return profile


def check_references(documents: list[Document], existing: set) -> list[Problem]:
    """Every slug in a list of programs or startups must name a profile that exists. Checked on
    every readable file, even one with other problems, so that all are reported at once."""
    problems = []
    slugs = {kind: sorted(slug for k, slug in existing if k == kind) for kind in KINDS}
    for document in documents:
        if not isinstance(document.data, dict):
            continue
        allowed = profile_schema(document.kind)["properties"]
        for key, kind in REFERENCE_KINDS.items():
            items = document.data.get(key) if key in allowed else None
            for index, slug in enumerate(items if isinstance(items, list) else []):
                if not isinstance(slug, str) or (kind, slug) in existing:
                    continue  # a non-text item is the schema's to report
                close = difflib.get_close_matches(slug, slugs[kind], n=1)
                hint = f" — did you mean '{close[0]}'?" if close else ""
                problems.append(document.problem(
                    (key, index), f"unknown {kind} '{slug}': there is no content/{kind}s/{slug}.yaml{hint}"))
    return problems
