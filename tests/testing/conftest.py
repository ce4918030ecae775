"""Fixtures of the tests of ``<package>.testing``: generated packages and helper modules.

Like tests/contract, this folder has no ``__init__.py``; the contract tests' helpers (the
intermediate model, the call arguments of an example pair, the openapi-core adapters) and its
own are put on ``sys.path`` here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

_HERE = Path(__file__).resolve().parent
for folder in (_HERE, _HERE.parent / "contract", _HERE.parent / "spec"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

ZOO_SPEC = _HERE.parent / "generator" / "specs" / "zoo.yaml"


@pytest.fixture(scope="module")
def zoo(generate_package: Callable[..., ModuleType]) -> ModuleType:
    """The generator's zoo spec: no examples, no x-wait, an apiKey header, a 204, a 201..."""
    package = generate_package(ZOO_SPEC)
    importlib.import_module(f"{package.__name__}.testing")  # not imported by the package itself
    return package
