"""Request bodies that the spec's request schemas must reject.

Each case starts from a valid base body and makes one change. The spec tests check
that the base is accepted and the changed body is rejected; other suites (for
example the generated Pydantic models) can reuse the same table:

    from invalid_bodies import INVALID_BODIES   # [(case id, schema name, body), ...]

No case depends on ``format: uri`` (the generated models map URIs to plain
strings), so every rejection comes from types, bounds, enums, required fields,
``additionalProperties`` or the cross-field rules.

The ``<field> is null`` cases are generated from the spec: one per optional
property of each request schema.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, NamedTuple

import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"

S20 = "Seedance20Request"
P15 = "SeedancePro15Request"
_LABEL = {S20: "2.0", P15: "pro1.5"}

PROMPT = "A red fox trots through fresh snow at dawn."
FIRST = "https://example.com/first_frame.jpg"
LAST = "https://example.com/last_frame.jpg"
REFS = [f"https://example.com/refs/{n}.png" for n in range(1, 11)]

# The request example of the seedance-2.0 page, exactly as published (inconsistency 2:
# it combines reference_images with first_frame and last_frame).
PUBLISHED_SEEDANCE_2_0_EXAMPLE: dict[str, Any] = {
    "reference_images": ["<string>"],
    "duration": 5,
    "first_frame": "https://example.com/first_frame.jpg",
    "generate_audio": True,
    "last_frame": "https://example.com/last_frame.jpg",
    "model": "fast",
    "prompt": "女孩抱着狐狸,女孩睁开眼,温柔地看向镜头",
    "ratio": "adaptive",
    "resolution": "720p",
    "watermark": False,
}

# Base bodies of the generated "is null" cases.
MINIMAL_BODIES: dict[str, dict[str, Any]] = {S20: {"prompt": PROMPT}, P15: {"prompt": PROMPT}}


class InvalidCase(NamedTuple):
    id: str
    schema: str
    base: dict[str, Any]
    body: dict[str, Any]


def _case(
    name: str,
    schema: str,
    base: dict[str, Any],
    put: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
) -> InvalidCase:
    """The base body with the keys in ``drop`` removed and the items of ``put`` set."""
    body = {k: copy.deepcopy(v) for k, v in base.items() if k not in drop}
    body.update(copy.deepcopy(put or {}))
    if body == base:
        raise ValueError(f"case {name!r} changes nothing")
    return InvalidCase(f"{_LABEL[schema]}-{name}", schema, copy.deepcopy(base), body)


def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _null_cases(spec: dict[str, Any]) -> list[InvalidCase]:
    cases = []
    for schema in (S20, P15):
        definition = spec["components"]["schemas"][schema]
        required = set(definition.get("required", []))
        for prop in definition["properties"]:
            if prop not in required:
                cases.append(_case(f"{prop}-null", schema, MINIMAL_BODIES[schema], put={prop: None}))
    return cases


def _hand_written_cases() -> list[InvalidCase]:
    p = {"prompt": PROMPT}
    frames = {**p, "first_frame": FIRST, "last_frame": LAST}
    draft = {**p, "draft": True, "resolution": "480p"}
    docs_frames = {k: v for k, v in PUBLISHED_SEEDANCE_2_0_EXAMPLE.items() if k != "reference_images"}
    return [
        # duration: only -1 or 4..15 (2.0) / 4..12 (pro 1.5), inconsistency 3
        _case("duration-3", S20, {**p, "duration": 4}, put={"duration": 3}),
        _case("duration-0", S20, {**p, "duration": -1}, put={"duration": 0}),
        _case("duration-minus-2", S20, {**p, "duration": -1}, put={"duration": -2}),
        _case("duration-16", S20, {**p, "duration": 15}, put={"duration": 16}),
        _case("duration-13", P15, {**p, "duration": 12}, put={"duration": 13}),
        _case("duration-3", P15, {**p, "duration": 4}, put={"duration": 3}),
        _case("duration-string", S20, {**p, "duration": 5}, put={"duration": "5"}),
        _case("duration-string", P15, {**p, "duration": 5}, put={"duration": "5"}),
        _case("duration-true", S20, {**p, "duration": 5}, put={"duration": True}),
        _case("duration-true", P15, {**p, "duration": 5}, put={"duration": True}),
        # reference_images: 1..9 items
        _case("10-reference-images", S20, {"reference_images": REFS[:9]}, put={"reference_images": REFS}),
        _case("empty-reference-images", S20, {"reference_images": REFS[:1]}, put={"reference_images": []}),
        # prompt length (2000 characters, not bytes: the base uses CJK text for pro 1.5)
        _case("prompt-2001-chars", S20, {"prompt": "a" * 2000}, put={"prompt": "a" * 2001}),
        _case("prompt-2001-chars", P15, {"prompt": "狐" * 2000}, put={"prompt": "狐" * 2001}),
        _case("empty-prompt", P15, {"prompt": "x"}, put={"prompt": ""}),
        _case("missing-prompt", P15, {**p, "duration": 5}, drop=("prompt",)),
        # enums
        _case("resolution-1080p", S20, {**p, "resolution": "720p"}, put={"resolution": "1080p"}),
        _case("unknown-ratio", S20, {**p, "ratio": "16:9"}, put={"ratio": "2:1"}),
        _case("unknown-ratio", P15, {**p, "ratio": "16:9"}, put={"ratio": "2:1"}),
        _case("model-turbo", S20, {**p, "model": "standard"}, put={"model": "turbo"}),
        # draft needs an explicit 480p, inconsistency 4
        _case("draft-720p", P15, draft, put={"resolution": "720p"}),
        _case("draft-without-resolution", P15, draft, drop=("resolution",)),
        # last_frame needs first_frame, inconsistency 6
        _case("last-frame-alone", S20, frames, drop=("first_frame",)),
        _case("last-frame-alone", P15, frames, drop=("first_frame",)),
        # reference images exclude first/last frame, inconsistency 2
        _case(
            "reference-images-with-first-frame",
            S20,
            {**p, "reference_images": REFS[:2]},
            put={"first_frame": FIRST},
        ),
        _case(
            "reference-images-with-first-and-last-frame",
            S20,
            frames,
            put={"reference_images": REFS[:2]},
        ),
        _case(
            "published-docs-example",
            S20,
            docs_frames,
            put={"reference_images": PUBLISHED_SEEDANCE_2_0_EXAMPLE["reference_images"]},
        ),
        # unknown fields are refused
        _case("unknown-field-promt", S20, p, put={"promt": PROMPT}),
        _case("unknown-field-promt", P15, p, put={"promt": PROMPT}),
    ]


INVALID_CASES: list[InvalidCase] = _hand_written_cases() + _null_cases(load_spec())

INVALID_BODIES: list[tuple[str, str, dict[str, Any]]] = [(c.id, c.schema, c.body) for c in INVALID_CASES]
