"""`invoke new TYPE "Name"`: a new profile file with every field as a commented template.

The template is generated from the JSON Schema of its type (the single source of truth), so a
field added to a schema shows up here with its description. The first line tells YAML language
servers (VS Code's YAML extension and others) which schema to check the file against.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .duplicates import identity_name, is_shared_host, website_host
from .loading import KIND_FOLDERS, _YAML12_NUMBER, load_content
from .paging import RESERVED_SLUG
from .slugs import slugify
from .validation import SCHEMAS, profile_schema

KINDS = tuple(KIND_FOLDERS.values())
SIMILAR = 0.85  # difflib ratio of two normalised names above which we warn


@dataclass
class Scaffolded:
    path: Path
    warnings: list[str] = field(default_factory=list)


class ScaffoldError(Exception):
    """The profile cannot be created; the message says why and what to do."""


def profile_slug(name: str) -> str:
    """'Cicló Cargo' -> 'ciclo-cargo', "Grace O'Donnell" -> 'grace-odonnell': accents folded,
    apostrophes and other punctuation dropped (an apostrophe does not split a word)."""
    return slugify(re.sub(r"['\u2019`]", "", name))


def new_profile(kind: str, name: str, content: Path, website: str | None = None) -> Scaffolded:
    """Write content/<kind>s/<slug>.yaml from the template; never overwrite a file."""
    kind = kind.lower().removesuffix("s") if kind.lower().removesuffix("s") in KINDS else kind
    if kind not in KINDS:
        raise ScaffoldError(f"unknown type '{kind}'; use one of: {', '.join(KINDS)}")
    name = " ".join(name.split())
    slug = profile_slug(name)
    if not slug:
        raise ScaffoldError(f"the name '{name}' has no letters or digits to make a file name from")
    if slug == RESERVED_SLUG:
        raise ScaffoldError(f"'{slug}.yaml' is taken by the listing's later pages "
                            f"(/{kind}s/{slug}/2/); choose a more precise name")
    content = Path(content)
    path = content / f"{kind}s" / f"{slug}.yaml"
    if path.exists() or path.is_symlink():
        raise ScaffoldError(f"{path} already exists; edit it instead, or choose a more precise name")
    warnings = similar_profiles(kind, name, website, content)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = template(kind, name, slug, path, website, content)
    try:
        with open(path, "x", encoding="utf-8") as file:  # "x": never replace a file
            file.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; edit it instead") from None
    return Scaffolded(path, warnings)


def similar_profiles(kind: str, name: str, website: str | None, content: Path) -> list[str]:
    """Warnings for profiles of the same kind with a very similar name or the same domain."""
    wanted = identity_name(name)
    host = website_host(website) if website else ""
    warnings = []
    documents, _ = load_content(content) if content.is_dir() else ([], [])
    for document in documents:
        data = document.data
        if document.kind != kind or not isinstance(data, dict):
            continue
        other = data.get("name")
        if isinstance(other, str):
            theirs = identity_name(other)
            matcher = difflib.SequenceMatcher(None, wanted, theirs)
            if theirs == wanted or (matcher.real_quick_ratio() >= SIMILAR
                                    and matcher.quick_ratio() >= SIMILAR
                                    and matcher.ratio() >= SIMILAR):
                warnings.append(f"{document.path} is called '{other}': if it is the same {kind}, "
                                f"edit that file instead")
        other_site = data.get("website")
        if host and isinstance(other_site, str) and website_host(other_site) == host \
                and not is_shared_host(host):
            warnings.append(f"{document.path} has a website on {host} too ({other_site}): check "
                            f"that it is not the same {kind}")
    return warnings


def template(kind: str, name: str, slug: str, path: Path, website: str | None,
             content: Path) -> str:
    schema = profile_schema(kind)
    required = set(schema.get("required", []))
    schema_path = Path(os.path.relpath(SCHEMAS / f"{kind}.schema.json", path.parent)).as_posix()
    lines = [
        f"# yaml-language-server: $schema={schema_path}",
        f"# {name}: a {kind} profile, shown at /{kind}s/{slug}/. See CONTRIBUTING.md.",
        "# Fill in the keys that are not commented out (they are required); for any other,",
        "# remove the leading '# ' and write the value. Then check: .venv/bin/invoke validate",
        "",
    ]
    examples = example_values(kind, slug, content)
    for key, rule in schema["properties"].items():
        hint = rule.get("description", "").rstrip(".")
        lines.append(f"# {hint}{' (required)' if key in required else ''}.")
        if key == "name":
            lines.append(f"name: {scalar(name)}")
        elif key == "website" and website:
            lines.append(f"website: {scalar(website)}")
        elif key in required:
            lines.append(f"{key}:")
        else:
            example = examples.get(key, "...").splitlines()
            lines.append(f"# {key}: {example[0]}".rstrip())
            lines.extend(f"# {more}" for more in example[1:])
    return "\n".join(lines) + "\n"


def example_values(kind: str, slug: str, content: Path) -> dict[str, str]:
    """Values that pass validation once uncommented (the references name existing profiles)."""
    def first(folder: str, fallback: str) -> str:
        found = sorted(path.stem for path in (content / folder).glob("*.yaml"))
        return found[0] if found else fallback

    formats = profile_schema("program")["properties"]["format"]["enum"]
    return {
        "description": "|\n  A few paragraphs in Markdown: **bold**, *italic*, lists and ### headings.",
        "website": f"https://{slug}.example/",
        "city": "Los Angeles",
        "region": "California",
        "sectors": "[Urban Tech]",
        "logo": f"images/{slug}.svg   # put the file in content/images/",
        "founded": "2024",
        "launched": "2024",
        "operator": "City of Los Angeles",
        "format": f"accelerator   # one of: {', '.join(formats)}",
        "duration_weeks": "12",
        "role": "Chief Innovation Officer",
        "programs": f"[{first('programs', 'program-slug')}]",
        "startups": f"[{first('startups', 'startup-slug')}]",
        "same_as_ok": f"[{first(f'{kind}s', 'other-slug')}]   # only if the duplicate check "
                      f"flags a different {kind}",
        "added": "2024-03-15   # only if git history cannot tell when it was added",
    }


def scalar(text: str) -> str:
    """Text as a YAML value: plain when YAML reads it back as the same text, else quoted."""
    try:
        plain_ok = yaml.safe_load(text) == text and not _YAML12_NUMBER.fullmatch(text)
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok and "#" not in text else json.dumps(text, ensure_ascii=False)
