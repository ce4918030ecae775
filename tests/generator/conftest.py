"""Generate packages from small specs into temporary folders, and import them."""

from __future__ import annotations

import importlib
import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from generator.cli import build
from generator.output import write_atomically

REPO = Path(__file__).resolve().parents[2]
_counter = itertools.count()


@pytest.fixture
def generate_package(tmp_path: Path) -> Iterator[Callable[..., ModuleType]]:
    """``generate_package(spec_dict_or_path) -> module``: generate, write and import a package."""
    added: list[str] = []

    def generate(spec: dict[str, Any] | Path, package: str | None = None) -> ModuleType:
        package = package or f"generated_pkg_{next(_counter)}"
        if isinstance(spec, dict):
            spec_path = tmp_path / f"{package}.yaml"
            spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        else:
            spec_path = spec
        out = tmp_path / f"out_{package}"
        result = build(spec_path, package, out)
        write_atomically(result.files, out)
        sys.path.insert(0, str(out))
        added.append(str(out))
        module = importlib.import_module(package)
        module.__dict__["__generation__"] = result
        return module

    yield generate
    for entry in added:
        sys.path.remove(entry)
    for name in [name for name in sys.modules if name.startswith("generated_pkg_")]:
        del sys.modules[name]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
