"""make install's mypy warm-up (tests/mypy_dependencies.py) imports what the checked sources import."""

from __future__ import annotations

import re
from pathlib import Path

from tests import mypy_dependencies

REPO = Path(__file__).resolve().parents[1]


def test_the_modules_are_the_absolute_imports_from_outside_the_project(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text(
        "import os, json as j\nimport httpx\nfrom pydantic.dataclasses import dataclass\n"
        "from . import sibling\nfrom .sub import thing\nimport generator.cli\nfrom seedance_client import x\n",
        encoding="utf-8",
    )
    (tmp_path / "pkg" / "sub" / "b.py").write_text(
        "def late() -> None:\n    import anyio  # imported in a function: mypy follows it all the same\n",
        encoding="utf-8",
    )
    modules = mypy_dependencies.imported_modules([tmp_path / "pkg"])
    assert modules == ["anyio", "httpx", "json", "os", "pydantic.dataclasses"]
    assert mypy_dependencies.program(modules[:2]) == "import anyio\nimport httpx\n"


def test_the_warm_up_reads_the_folders_that_the_makefile_type_checks() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    arguments = re.search(r"^MYPY_ARGS := (.*)$", makefile, re.MULTILINE)
    assert arguments is not None
    folders = [REPO / argument for argument in arguments.group(1).split() if not argument.startswith("-")]
    assert folders == list(mypy_dependencies.CHECKED)
    assert {folder.name for folder in folders} == mypy_dependencies.OWN
    assert 'mypy --strict -c "$$($(BIN)/python tests/mypy_dependencies.py)"' in makefile
    # The sources import the heavy dependencies, so the program names them.
    assert {"datamodel_code_generator.parser", "httpx", "pydantic"} <= set(
        mypy_dependencies.imported_modules(mypy_dependencies.CHECKED)
    )
