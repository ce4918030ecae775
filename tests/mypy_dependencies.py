"""``python tests/mypy_dependencies.py`` (make install): prints a Python program that imports every
module from outside the project that the type-checked sources import.

``make install`` type-checks that program with mypy, so mypy's cache (``.mypy_cache``) holds the
standard library's stubs and the locked dependencies from then on, the way ``uv sync
--compile-bytecode`` leaves their byte code: they change only when the environment does. On a
fresh clone they were ~8 s of the ~10 s that ``mypy --strict generator generated/seedance_client``
takes from a cold cache; ``make check`` and ``make test`` now spend theirs on the project's code.
The program is made from the sources each time, so no list goes stale; a module left out would
only cost time.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What the Makefile's MYPY_ARGS checks: its folders, and the packages they make importable.
CHECKED = (REPO / "generator", REPO / "generated" / "seedance_client")
OWN = frozenset({"generator", "seedance_client"})


def imported_modules(folders: Iterable[Path], own: frozenset[str] = OWN) -> list[str]:
    """The absolute imports of the ``.py`` files under ``folders`` whose top-level package is not
    one of ``own``, sorted (``from a.b import c`` counts as ``a.b``: ``c`` may be a name in it)."""
    modules: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module)
    return sorted(module for module in modules if module.partition(".")[0] not in own)


def program(modules: Iterable[str]) -> str:
    return "".join(f"import {module}\n" for module in modules)


if __name__ == "__main__":
    sys.stdout.write(program(imported_modules(CHECKED)))
