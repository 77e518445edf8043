"""Images: content/images/ is published as it is, so everything in it must be an image, and an
SVG (which can carry scripts that run when the file is opened on its own) must be inert.

The SVG check refuses what is known to be active (scripts, foreign objects, event handlers,
script or data addresses, DOCTYPEs with their entities, outside stylesheets) rather than
rewriting the file: a contributor's logo is published byte for byte or not at all.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.parsers import expat

from .problems import Problem

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MAX_SVG_BYTES = 256 * 1024


def image_problems(folder: Path, relative: tuple, dirnames: list, filenames: list) -> list[Problem]:
    """Everything in content/images/ is published as is, so it must be an image and inert."""
    problems = []
    if any(part.startswith(".") for part in relative):
        return problems  # the hidden folder itself is reported
    for name in sorted(dirnames + filenames):
        path = folder / name
        if path.is_symlink():
            continue  # reported already
        if name.startswith("."):
            problems.append(Problem(path, 1, 1, "hidden files and folders are not allowed in "
                                    "content/images/, where everything is published; remove it"))
        elif name in filenames and not name.lower().endswith(IMAGE_EXTENSIONS):
            problems.append(Problem(path, 1, 1, "only images (png, jpg, jpeg, gif, svg or webp) "
                                    "belong in content/images/, where everything is published; "
                                    "remove this file or move it out of content/"))
        elif name in filenames and name.lower().endswith(".svg"):
            problems.extend(check_svg(path))
    return problems


# SVG can carry scripts, which run when the image is opened on its own (not as an <img>).
_ACTIVE_SVG_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler",
                        "listener"}
_UNSAFE_URL = re.compile(r"(javascript|vbscript|data(?!:image/(png|jpe?g|gif|webp)[;,])):")


def check_svg(path: Path) -> list[Problem]:
    """Problems that make an SVG file unsafe to publish: scripts, event handlers, script URLs."""
    try:
        if path.lstat().st_size > MAX_SVG_BYTES:
            return [Problem(path, 1, 1, f"SVG images may be at most {MAX_SVG_BYTES // 1024} KB; "
                            f"simplify or compress it")]
        raw = path.read_bytes()
    except OSError as error:
        return [Problem(path, 1, 1, f"cannot read the image ({error.strerror})")]
    parser = expat.ParserCreate(namespace_separator="|")
    problems: list[Problem] = []

    def refuse(message: str, fix: str = "an image must not run code: remove it") -> None:
        problems.append(Problem(path, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1,
                                f"{message}; {fix}"))

    def start(name: str, attributes: dict) -> None:
        element = name.rpartition("|")[2]
        if element.lower() in _ACTIVE_SVG_ELEMENTS:
            refuse(f"the SVG contains the element <{element}>")
        for qualified, value in attributes.items():
            attribute = qualified.rpartition("|")[2]
            if attribute.lower().startswith("on"):
                refuse(f"the SVG contains an event handler ({attribute}=...)")
            elif _UNSAFE_URL.match(re.sub(r"[\x00-\x20\x7f]+", "", value).lower()):
                refuse(f"the SVG contains a script or data address in {attribute}=...")
            elif attribute == "attributeName" and (value.lower().startswith("on")
                                                   or "href" in value.lower()):
                refuse(f"the SVG animates the {value} attribute")  # <set to="javascript:...">

    def doctype(*_) -> None:
        refuse("the SVG has a DOCTYPE", "remove it: images need no entity declarations")
        raise _StopParsing

    def instruction(target: str, _data: str) -> None:
        if target.lower() == "xml-stylesheet":
            refuse("the SVG loads an outside stylesheet", "remove the <?xml-stylesheet?> line")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as error:
        problems.append(Problem(path, error.lineno, error.offset + 1, f"not a well-formed SVG "
                                f"image ({expat.ErrorString(error.code)}); export it again"))
    except _StopParsing:
        pass
    return problems


class _StopParsing(Exception):
    pass
