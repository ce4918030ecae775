"""The rule of tests/mypy_stand_ins.py: which modules of a checked package the committed package's
modules stand in for in a test's mypy run, and the config and arguments of that run."""

from __future__ import annotations

import configparser
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import mypy_stand_ins
from tests.mypy_stand_ins import STAND_IN, _stand_ins, errors_in_stand_in, package_modules, plan


def _package(root: Path, name: str, models: str) -> Path:
    (root / name / "models").mkdir(parents=True)
    files = {
        "__init__.py": "from ._client import Client\n",
        "_types.py": f"# Made for --package {name}.\nRetry = int\n",
        "_base.py": "from . import _types\n",
        "_client.py": (
            "from ._base import _types\nclass Client:\n    def models(self) -> None:\n"
            "        try:\n            pass\n        finally:\n            from . import models\n"
        ),
        "models/__init__.py": models,
    }
    for file, text in files.items():
        (root / name / file).write_text(text, encoding="utf-8")
    return root / name


def test_a_module_stands_in_only_when_it_and_what_it_imports_are_the_same_code(tmp_path: Path) -> None:
    first, later = (
        _package(tmp_path, "first", "class Pet: ...\n"),
        _package(tmp_path, "later", "class Order: ...\n"),
    )
    # _client.py is the same text, but the models it imports (in a block of a method) are not
    # the same code.
    assert _stand_ins(first, [later]) == {
        "later._types": (later / "_types.py", first / "_types.py"),
        "later._base": (later / "_base.py", first / "_base.py"),
    }
    # A package's __init__ that binds the name of a submodule is what ``from . import`` reads.
    (later / "__init__.py").write_text("from ._client import Client\n_types = 1\n", encoding="utf-8")
    assert _stand_ins(first, [later]) == {"later._types": (later / "_types.py", first / "_types.py")}
    # Code that differs beyond a comment naming the package is not the same code.
    (later / "_types.py").write_text("# Made for --package later.\nRetry = str\n", encoding="utf-8")
    assert _stand_ins(first, [later]) == {}


def test_the_committed_packages_modules_stand_in_for_a_copy_that_differs_in_header_comments(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "copied_client"
    for path in STAND_IN.rglob("*.py"):
        target = copy / path.relative_to(STAND_IN)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        first, rest = text.split("\n", 1)
        assert first.startswith("#")
        target.write_text(f"# Made for copied_client by another command.\n{rest}", encoding="utf-8")
    config = tmp_path / "mypy.ini"
    arguments, stand_ins = plan(["use.py", "copied_client"], tmp_path, config)
    assert arguments == ["--config-file", str(config), "use.py", "copied_client", str(STAND_IN)]
    modules = package_modules(STAND_IN)
    assert stand_ins == {
        ".".join(filter(None, ("copied_client", name))): (copy / path.relative_to(STAND_IN), path)
        for name, path in modules.items()
    }
    written = configparser.RawConfigParser()
    written.read(config)
    assert written["mypy"]["strict"] == "True"  # the project's settings (pyproject.toml)
    (section,) = [name for name in written.sections() if name != "mypy"]
    assert sorted(section.removeprefix("mypy-").split(",")) == sorted(stand_ins)
    assert dict(written[section]) == {"ignore_errors": "True"}
    # A directive to mypy in the header is code; so is any change below it, and it reaches
    # every module that imports the changed one. A module stands in only line for line.
    version = (copy / "_version.py").read_text().split("\n", 1)[1]
    (copy / "_version.py").write_text(f"# mypy: warn-unreachable\n{version}")
    (copy / "_redact.py").write_text((copy / "_redact.py").read_text() + "\nCHANGED = 1\n")
    (copy / "_auth.py").write_text("# One more line of comment.\n" + (copy / "_auth.py").read_text())
    _, stand_ins = plan(["copied_client"], tmp_path, config)
    changed = {"copied_client._version", "copied_client._redact", "copied_client._auth", "copied_client"}
    assert changed.isdisjoint(stand_ins)
    assert "copied_client._types" in stand_ins


def test_nothing_stands_in_where_the_callers_config_sets_options_for_either_package(tmp_path: Path) -> None:
    first = _package(tmp_path, "first", "class Pet: ...\n")
    (first / "_redact.py").write_text((STAND_IN / "_redact.py").read_text())  # imports no module of its own
    caller = tmp_path / "caller.ini"
    caller.write_text("[mypy]\n[mypy-elsewhere.*]\nfollow_imports = silent\n")
    _, stand_ins = plan(["--config-file", "caller.ini", "first"], tmp_path, tmp_path / "run.ini")
    assert stand_ins == {"first._redact": (first / "_redact.py", STAND_IN / "_redact.py")}
    for section in ("seedance_client.*", "first._types", "*"):
        caller.write_text(f"[mypy]\nwarn_unreachable = True\n[mypy-{section}]\nfollow_imports = silent\n")
        given = ["--config-file", "caller.ini"] if section != "*" else ["--config-file=caller.ini"]
        arguments, stand_ins = plan([*given, "first"], tmp_path, tmp_path / "run.ini")
        assert arguments == ["--config-file", str(tmp_path / "run.ini"), "first", str(STAND_IN)]
        assert stand_ins == {}
        written = configparser.RawConfigParser()
        written.read(tmp_path / "run.ini")
        assert written["mypy"]["warn_unreachable"] == "True"
        assert written[f"mypy-{section}"]["follow_imports"] == "silent"
    # A package of the committed package's name is checked as it is, with nothing added.
    _package(tmp_path, "seedance_client", "class Pet: ...\n")
    arguments, stand_ins = plan(["seedance_client"], tmp_path, tmp_path / "run.ini")
    assert stand_ins == {} and str(STAND_IN) not in arguments


def test_errors_in_the_committed_package_are_found_by_path_however_mypy_writes_it(tmp_path: Path) -> None:
    said = (
        f"{STAND_IN}/_client.py:3: error: Name 'x' is not defined  [name-defined]\n"
        "generated/seedance_client/_types.py:4: error: Bad  [misc]\n"
        "use.py:1: error: Other  [misc]\n"
        f"{STAND_IN}/_client.py:5: note: See this\n"
    )
    assert errors_in_stand_in(said, STAND_IN.parents[1]) == said.splitlines()[:2]
    assert errors_in_stand_in(said, tmp_path) == said.splitlines()[:1]


def test_an_error_in_a_stand_in_fails_the_run_naming_it_and_the_packages_it_stood_in_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_mypy: Callable[..., Any]
) -> None:
    """The checked package's copy of the broken module is read with ignore_errors, so only its
    stand-in reports the error: the run must fail on it all the same."""
    for root, name in ((tmp_path / "committed", "fake_client"), (tmp_path / "checked", "other_client")):
        (root / name).mkdir(parents=True)
        (root / name / "__init__.py").write_text("from ._broken import WRONG\n")
        (root / name / "_broken.py").write_text(f"# Made for {name}.\nWRONG: int = 'not an int'\n")
    monkeypatch.setattr(mypy_stand_ins, "STAND_IN", tmp_path / "committed" / "fake_client")
    with pytest.raises(pytest.fail.Exception) as failed:
        run_mypy("other_client", cwd=tmp_path / "checked")
    said = str(failed.value)
    assert f"errors in {tmp_path / 'committed' / 'fake_client'}" in said and "['other_client']" in said
    assert "_broken.py:2: error: Incompatible types in assignment" in said
