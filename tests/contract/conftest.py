"""Shared pieces of the contract tests: the spec as a dict, openapi-core and JSON Schema validators.

This folder has no ``__init__.py`` (like tests/spec), so its helper modules (``replay``,
``openapi_adapter``) and the spec tests' table of invalid bodies (tests/spec/invalid_bodies.py)
are put on ``sys.path`` here, which works under every pytest import mode.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_core import OpenAPI
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests import fast_yaml

_HERE = Path(__file__).resolve().parent
for folder in (_HERE, _HERE.parent / "spec"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from replay import SPEC_PATH  # noqa: E402

from generator.load import escape_pointer  # noqa: E402

_SPEC_URI = "urn:spec"


def load_document(path: Path = SPEC_PATH) -> dict[str, Any]:
    document: dict[str, Any] = fast_yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def body_schema_pointer(document: dict[str, Any], path: str, method: str) -> str:
    """The JSON pointer of an operation's JSON request body schema."""
    content = document["paths"][path][method.lower()]["requestBody"]["content"]
    media_type = next(name for name in content if name.split(";")[0].strip().endswith("json"))
    operation = f"/paths/{escape_pointer(path)}/{method.lower()}"
    return f"{operation}/requestBody/content/{escape_pointer(media_type)}/schema"


def schema_validator(document: dict[str, Any], pointer: str) -> Draft202012Validator:
    """A 2020-12 validator for the schema at ``pointer``, refs resolved in the whole document.

    Formats are not checked: the models keep ``uri`` strings as plain strings on purpose.
    """
    registry: Registry[Any] = Registry().with_resource(
        _SPEC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": f"{_SPEC_URI}#{pointer}"}, registry=registry)


@pytest.fixture(scope="session")
def spec_document() -> dict[str, Any]:
    return load_document()


@pytest.fixture(scope="session")
def openapi(spec_document: dict[str, Any]) -> OpenAPI:
    return OpenAPI.from_dict(spec_document)


@pytest.fixture(scope="session")
def body_validator(spec_document: dict[str, Any]) -> Callable[[str, str], Draft202012Validator]:
    """``body_validator(path, method)``: the JSON Schema validator of that operation's body."""
    made: dict[tuple[str, str], Draft202012Validator] = {}

    def get(path: str, method: str) -> Draft202012Validator:
        if (path, method) not in made:
            made[(path, method)] = schema_validator(
                spec_document, body_schema_pointer(spec_document, path, method)
            )
        return made[(path, method)]

    return get
