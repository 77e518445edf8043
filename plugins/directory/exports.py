"""Open data: the directory graph -> /directory.json, its JSON Schema and /directory.csv.

directory.json is the complete, lossless export: every profile with its type, slug, address,
every field its type's schema defines (null or [] when not given), the description as written
(Markdown) and as the site shows it (sanitised HTML, from markup.py), its links to other
profiles both ways, and its dates. Its JSON Schema, /directory.schema.json, is generated from
the profile schemas in schemas/, the single source of truth for fields, so the two cannot drift.
directory.csv is the same data flattened for spreadsheets: one row per profile, lists joined
by ';'.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from functools import lru_cache

from .markup import render_markdown
from .provenance import ProfileRecord
from .relations import Directory
from .validation import KINDS, SCHEMAS, profile_schema

# Bump the major number when a consumer's code would break (a key removed or renamed), the
# minor number when keys are only added.
SCHEMA_VERSION = "1.0"
JSON_FILE = "directory.json"
SCHEMA_FILE = "directory.schema.json"
CSV_FILE = "directory.csv"
LIST_SEPARATOR = ";"
# A cell that starts with one of these is a formula to Excel, LibreOffice and Google Sheets
# (CSV injection): such cells get a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def field_names(kind: str) -> list[str]:
    """The fields a profile of ``kind`` may have, in its schema's order."""
    return list(profile_schema(kind)["properties"])


def all_field_names() -> list[str]:
    names: list[str] = []
    for kind in KINDS:
        names += [name for name in field_names(kind) if name not in names]
    return names


def plain(value):
    """A profile's value as JSON: lists as lists, a field not given (None, "") as null."""
    if isinstance(value, tuple):
        return list(value)
    return None if value == "" else value


def directory_document(directory: Directory, records: dict[tuple, ProfileRecord],
                       base: str | None, site_name: str, license: dict) -> dict:
    """The content of directory.json."""
    names = {kind: field_names(kind) for kind in KINDS}  # the schema's, looked up once
    return document_header(directory, base, site_name, license) | {
        "profiles": [profile_entry(directory, profile, records[profile.key], base, names)
                     for profile in directory.profiles]}


def document_header(directory: Directory, base: str | None, site_name: str,
                    license: dict) -> dict:
    """directory.json without its profiles (they come last)."""
    return {
        "$schema": f"{base}/{SCHEMA_FILE}" if base else SCHEMA_FILE,
        "schema_version": SCHEMA_VERSION,
        "site": {"name": site_name, "url": f"{base}/" if base else None},
        "license": {"name": license["name"], "url": license["url"]},
        "counts": {f"{kind}s": count for kind, count in directory.counts().items()},
    }


def profile_entry(directory: Directory, profile, record: ProfileRecord, base: str | None,
                  names: dict[str, list[str]]) -> dict:
    """One profile of directory.json: a function of the profile, its record, its card's
    facets and its related profiles' slugs (open_data.py reuses it by those)."""
    city = directory.city_facet(profile)
    related = directory.related[profile.key]
    return {
        "type": profile.kind,
        "slug": profile.slug,
        "path": profile.url,
        "url": f"{base}/{profile.url}" if base else None,
        "fields": {name: plain(getattr(profile, name)) for name in names[profile.kind]},
        "description_html": str(render_markdown(profile.description)),
        "relations": {f"{kind}s": [other.slug for other in related[kind]] for kind in KINDS},
        "facets": {"sectors": [facet.slug for facet in directory.sector_facets(profile)],
                   "city": city.slug if city else None},
        "added": record.added_day,
        "updated": record.updated_day,
    }


def json_with_profiles(header: dict, profiles: list[str]):
    """to_json(header | {"profiles": [...]}) in pieces, from the profiles already encoded, one
    each (to_json of each entry without its newline): compact JSON joins them with commas.
    In pieces: at 10,000 profiles the whole is 16 MB, and each copy of it counted."""
    empty = to_json(header | {"profiles": []})
    assert empty.endswith("[]}\n")
    yield empty[:-3]
    for index, profile in enumerate(profiles):
        if index:
            yield ","
        yield profile
    yield "]}\n"


def to_json(document: dict, indent: int | None = None) -> str:
    """Compact by default: at 10,000 profiles, indenting makes the file bigger and json's C
    encoder only runs without it (twice as fast). Sorted lists and insertion-ordered keys: the
    same content gives the same bytes."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(document, ensure_ascii=False, indent=indent, separators=separators) + "\n"


def directory_schema(base: str | None) -> dict:
    """JSON Schema (2020-12) of directory.json, built from the profile schemas."""
    common = json.loads((SCHEMAS / "common.schema.json").read_text(encoding="utf-8"))
    defs = copy.deepcopy(common["$defs"])
    slug = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}
    day = {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}]}
    for kind in KINDS:
        fields = {}
        schema = profile_schema(kind)
        for name, rule in schema["properties"].items():
            rule = local_refs(copy.deepcopy(rule))
            target = defs[rule["$ref"].rsplit("/", 1)[1]] if "$ref" in rule else rule
            optional = name not in schema.get("required", [])
            if optional and target.get("type") != "array":  # lists are [] when empty, others null
                description = rule.pop("description", None)
                rule = {"anyOf": [rule, {"type": "null"}]}
                if description:
                    rule["description"] = description
            fields[name] = rule
        defs[f"{kind}_profile"] = {
            "type": "object", "additionalProperties": False,
            "required": ["type", "slug", "path", "url", "fields", "description_html",
                         "relations", "facets", "added", "updated"],
            "properties": {
                "type": {"const": kind},
                "slug": slug,
                "path": {"type": "string", "pattern": f"^{kind}s/[a-z0-9]+(-[a-z0-9]+)*/$",
                         "description": "The profile page, relative to the site's address."},
                "url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}],
                        "description": "The profile page's absolute address; null when the "
                                       "site was built without one."},
                "fields": {"type": "object", "additionalProperties": False,
                           "required": list(fields), "properties": fields,
                           "description": "Every field of the profile as its file gives it; "
                                          "description is Markdown."},
                "description_html": {"type": "string", "description": "The description as "
                                     "sanitised HTML, as the profile page shows it."},
                "relations": {"type": "object", "additionalProperties": False,
                              "required": [f"{k}s" for k in KINDS],
                              "properties": {f"{k}s": {"type": "array", "items": slug}
                                             for k in KINDS},
                              "description": "Slugs of linked profiles, by type, whichever "
                                             "side of the link names the other."},
                "facets": {"type": "object", "additionalProperties": False,
                           "required": ["sectors", "city"],
                           "properties": {"sectors": {"type": "array", "items": slug},
                                          "city": {"anyOf": [slug, {"type": "null"}]}},
                           "description": "Slugs of the sector and city pages listing it."},
                "added": day | {"description": "The day the profile was added (its added: "
                                               "field, else git history)."},
                "updated": day | {"description": "The day its file last changed (git history)."},
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **({"$id": f"{base}/{SCHEMA_FILE}"} if base else {}),
        "title": "Civic Innovation Directory export",
        "description": "Every profile of the directory, as published in directory.json.",
        "type": "object", "additionalProperties": False,
        "required": ["$schema", "schema_version", "site", "license", "counts", "profiles"],
        "properties": {
            "$schema": {"type": "string"},
            "schema_version": {"const": SCHEMA_VERSION},
            "site": {"type": "object", "required": ["name", "url"],
                     "properties": {"name": {"type": "string"},
                                    "url": {"anyOf": [{"type": "string", "format": "uri"},
                                                      {"type": "null"}]}}},
            "license": {"type": "object", "required": ["name", "url"],
                        "properties": {"name": {"type": "string"},
                                       "url": {"type": "string", "format": "uri"}}},
            "counts": {"type": "object", "required": [f"{k}s" for k in KINDS],
                       "additionalProperties": {"type": "integer", "minimum": 0}},
            "profiles": {"type": "array",
                         "items": {"oneOf": [{"$ref": f"#/$defs/{k}_profile"} for k in KINDS]}},
        },
        "$defs": defs,
    }


def local_refs(rule: dict) -> dict:
    """common.schema.json#/$defs/name -> #/$defs/name: the export's schema stands alone."""
    if "$ref" in rule:
        rule["$ref"] = "#" + rule["$ref"].split("#", 1)[1]
    return rule


def csv_columns() -> list[str]:
    return (["type", "slug", "path", "url"] + all_field_names() + ["description_html"]
            + [f"related_{kind}s" for kind in KINDS] + ["added", "updated"])


def safe_cell(value) -> str:
    """A value as CSV text: lists joined by ';', nothing a spreadsheet would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(document: dict) -> str:
    """directory.csv, flattened from the same document as directory.json."""
    return csv_header() + "".join(csv_line(item) for item in document["profiles"])


def csv_header() -> str:
    return _csv_text(csv_columns())


def csv_line(item: dict) -> str:
    """One profile's row of directory.csv, with its line ending."""
    row = {"type": item["type"], "slug": item["slug"], "path": item["path"],
           "url": item["url"], **item["fields"], "description_html": item["description_html"],
           **{f"related_{kind}": slugs for kind, slugs in item["relations"].items()},
           "added": item["added"], "updated": item["updated"]}
    return _csv_text([safe_cell(row.get(column)) for column in _columns()])


@lru_cache(maxsize=1)
def _columns() -> tuple[str, ...]:
    return tuple(csv_columns())


def _csv_text(cells) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)  # RFC 4180
    return out.getvalue()
