"""Fixtures of the ``verify`` tests: the spec's own mock and mocks of drifted specs, served over HTTP."""

from __future__ import annotations

import copy
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import fast_yaml

_HERE = Path(__file__).resolve().parent
for folder in (_HERE, _HERE.parent / "testing"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

SPEC_PATH = _HERE.parents[1] / "spec" / "openapi.yaml"


def _spec() -> dict[str, Any]:
    return fast_yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def drifted_spec(*, breaking: bool) -> dict[str, Any]:
    """The spec as a server that moved on would describe it.

    Always: a status the docs do not list (``queued``, answered for the ``pending`` example).
    With ``breaking``: ``TaskCreated.task_id`` renamed ``id``; ``result`` of the
    ``completed_urls`` example in another shape (an object); the second generate operation
    answering 201 instead of 200.
    """
    spec = copy.deepcopy(_spec())
    schemas = spec["components"]["schemas"]
    schemas["TaskStatus"]["anyOf"][0]["enum"].append("queued")
    task = spec["paths"]["/tasks/{id}"]["get"]
    task["responses"]["200"]["content"]["application/json"]["examples"]["pending"]["value"]["status"] = (
        "queued"
    )
    if not breaking:
        return spec
    created = schemas["TaskCreated"]
    created["required"] = ["id"]
    created["properties"] = {"id": created["properties"]["task_id"]}
    for path in ("/generate/vol/seedance-2.0", "/generate/vol/seedance-pro-1.5"):
        examples = spec["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["examples"]
        for example in examples.values():
            example["value"] = {"id": example["value"]["task_id"]}
    schemas["Task"]["properties"]["result"] = {
        "type": "object",
        "properties": {"videos": {"type": "array", "items": {"type": "string"}}},
    }
    for example in task["responses"]["200"]["content"]["application/json"]["examples"].values():
        if "result" in example["value"]:
            example["value"]["result"] = {"videos": ["https://storage.example.com/v.mp4"]}
    responses = spec["paths"]["/generate/vol/seedance-pro-1.5"]["post"]["responses"]
    responses["201"] = responses.pop("200")
    return spec


@pytest.fixture(scope="session")
def real_package() -> ModuleType:
    package = importlib.import_module("seedance_client")
    importlib.import_module("seedance_client.testing")
    return package


@pytest.fixture(scope="module")
def drifted(generate_package: Callable[..., ModuleType]) -> ModuleType:
    package = generate_package(drifted_spec(breaking=True), "drifted_client")
    importlib.import_module(f"{package.__name__}.testing")
    return package


@pytest.fixture(scope="module")
def drifted_softly(generate_package: Callable[..., ModuleType]) -> ModuleType:
    package = generate_package(drifted_spec(breaking=False), "drifted_softly_client")
    importlib.import_module(f"{package.__name__}.testing")
    return package
