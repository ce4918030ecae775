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

from tests import fast_yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"

S20 = "Seedance20Request"
P15 = "SeedancePro15Request"
_LABEL = {S20: "2.0", P15: "pro1.5"}

PROMPT = "A red fox trots through fresh snow at dawn."
FIRST = "https://example.com/first_frame.jpg"
LAST = "https://example.com/last_frame.jpg"
REFS = [f"https://example.com/refs/{n}.png" for n in range(1, 4)]

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
        return fast_yaml.safe_load(f)


def _null_cases(spec: dict[str, Any]) -> list[InvalidCase]:
    cases = []
    for schema in (S20, P15):
        definition = spec["components"]["schemas"][schema]
        required = set(definition.get("required", []))
        for prop in definition["properties"]:
            if prop not in required:
                cases.append(_case(f"{prop}-null", schema, MINIMAL_BODIES[schema], put={prop: None}))
    return cases


def _property(spec: dict[str, Any], schema: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][schema]["properties"][name]
    return found


def _enum(spec: dict[str, Any], schema: str, name: str) -> list[Any]:
    """The values of the enum schema that a property names with ``$ref``."""
    reference = _property(spec, schema, name)["$ref"].rpartition("/")[2]
    return list(spec["components"]["schemas"][reference]["enum"])


def _bound_cases(spec: dict[str, Any]) -> list[InvalidCase]:
    """Cases at the edges of the bounds, read from the spec so that a changed bound moves them."""
    p = {"prompt": PROMPT}
    cases = []
    for schema in (S20, P15):
        # duration: only -1 or A..B, inconsistency 3
        branches = _property(spec, schema, "duration")["anyOf"]
        [constant] = [branch["const"] for branch in branches if "const" in branch]
        [span] = [branch for branch in branches if "minimum" in branch]
        low, high = span["minimum"], span["maximum"]
        cases += [
            _case(f"duration-{low - 1}", schema, {**p, "duration": low}, put={"duration": low - 1}),
            _case(f"duration-{high + 1}", schema, {**p, "duration": high}, put={"duration": high + 1}),
            _case("duration-string", schema, {**p, "duration": low}, put={"duration": str(low)}),
            _case("duration-true", schema, {**p, "duration": low}, put={"duration": True}),
        ]
        if constant - 1 < low:
            below = f"duration-{constant - 1}".replace("-" + "-", "-minus-")
            cases.append(_case(below, schema, {**p, "duration": constant}, put={"duration": constant - 1}))
        if constant + 1 < low:  # between the constant and the span (0 today)
            between = {**p, "duration": constant}
            cases.append(_case(f"duration-{constant + 1}", schema, between, put={"duration": constant + 1}))
        # prompt length, in characters, not bytes (the pro 1.5 base uses CJK text)
        limit = _property(spec, schema, "prompt")["maxLength"]
        letter = "a" if schema == S20 else "狐"
        cases.append(
            _case(
                f"prompt-{limit + 1}-chars",
                schema,
                {"prompt": letter * limit},
                put={"prompt": letter * (limit + 1)},
            )
        )
    # reference_images: A..B items
    images = _property(spec, S20, "reference_images")
    most, least = images["maxItems"], images["minItems"]
    refs = [f"https://example.com/refs/{n}.png" for n in range(1, most + 2)]
    cases += [
        _case(
            f"{most + 1}-reference-images",
            S20,
            {"reference_images": refs[:most]},
            put={"reference_images": refs},
        ),
        _case(
            f"{least - 1}-reference-images",
            S20,
            {"reference_images": refs[:least]},
            put={"reference_images": refs[: least - 1]},
        ),
    ]
    return cases


def _enum_cases(spec: dict[str, Any]) -> list[InvalidCase]:
    """A value the enum lacks, from a valid one of the spec (the first and last, so a removed one shows)."""
    p = {"prompt": PROMPT}
    s20_resolutions, p15_resolutions = _enum(spec, S20, "resolution"), _enum(spec, P15, "resolution")
    model = _enum(spec, S20, "model")[-1]
    ratio = _enum(spec, S20, "ratio")[0]
    only_pro = [value for value in p15_resolutions if value not in s20_resolutions]
    cases = [
        _case("unknown-ratio", S20, {**p, "ratio": ratio}, put={"ratio": "2:1"}),
        _case("unknown-ratio", P15, {**p, "ratio": ratio}, put={"ratio": "2:1"}),
        _case("model-turbo", S20, {**p, "model": model}, put={"model": "turbo"}),
    ]
    # a resolution that only pro 1.5 offers (1080p, inconsistency 5)
    cases += [
        _case(f"resolution-{value}", S20, {**p, "resolution": s20_resolutions[0]}, put={"resolution": value})
        for value in only_pro
    ]
    return cases


def _hand_written_cases() -> list[InvalidCase]:
    p = {"prompt": PROMPT}
    frames = {**p, "first_frame": FIRST, "last_frame": LAST}
    draft = {**p, "draft": True, "resolution": "480p"}
    docs_frames = {k: v for k, v in PUBLISHED_SEEDANCE_2_0_EXAMPLE.items() if k != "reference_images"}
    return [
        _case("empty-prompt", P15, {"prompt": "x"}, put={"prompt": ""}),
        _case("missing-prompt", P15, {**p, "duration": 5}, drop=("prompt",)),
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


_SPEC = load_spec()
INVALID_CASES: list[InvalidCase] = (
    _hand_written_cases() + _bound_cases(_SPEC) + _enum_cases(_SPEC) + _null_cases(_SPEC)
)

INVALID_BODIES: list[tuple[str, str, dict[str, Any]]] = [(c.id, c.schema, c.body) for c in INVALID_CASES]
