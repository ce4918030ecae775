"""Fixtures of the tests of ``<package>.testing``: generated packages and helper modules.

Like tests/contract, this folder has no ``__init__.py``; the contract tests' helpers (the
intermediate model, the call arguments of an example pair, the openapi-core adapters) and its
own are put on ``sys.path`` here.
"""

from __future__ import annotations

import importlib
import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.cli import build
from generator.output import write_atomically

_HERE = Path(__file__).resolve().parent
for folder in (_HERE, _HERE.parent / "contract", _HERE.parent / "spec"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

ZOO_SPEC = _HERE.parent / "generator" / "specs" / "zoo.yaml"
_counter = itertools.count()


@pytest.fixture(scope="module")
def generate_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], ModuleType]]:
    """``generate_package(spec_path) -> module``: generate, write and import a package (the
    pattern of tests/generator/conftest.py, once per module)."""
    root = tmp_path_factory.mktemp("mock_packages")
    made: list[tuple[str, str]] = []

    def generate(spec_path: Path) -> ModuleType:
        package = f"mock_pkg_{next(_counter)}"
        out = root / f"out_{package}"
        write_atomically(build(spec_path, package, out).files, out)
        sys.path.insert(0, str(out))
        made.append((package, str(out)))
        importlib.import_module(f"{package}.testing")  # not imported by the package itself
        return importlib.import_module(package)

    yield generate
    for package, out in made:
        sys.path.remove(out)
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def zoo(generate_package: Callable[[Path], ModuleType]) -> ModuleType:
    """The generator's zoo spec: no examples, no x-wait, an apiKey header, a 204, a 201..."""
    return generate_package(ZOO_SPEC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
