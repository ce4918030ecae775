"""Validation in a child process (``generator/isolation.py``): the command line validates in a
forked child, so that the validator's imports never share memory with datamodel-code-generator's;
the result, the problems and their messages are exactly those of validating in process.

The forked path runs in fresh interpreters (a pytest process has threads and imports of its own,
where ``isolating`` rightly refuses to fork); the in-process path runs here.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from generator import isolation
from generator.cli import Result, build
from generator.problems import GenerationError
from tests import fresh

REPO = Path(__file__).resolve().parents[2]
SPECS = Path(__file__).parent / "specs"


def fresh_python(code: str, seed: str | None = None) -> Any:
    """What ``code`` prints as JSON on its last line, in a fresh interpreter (under the hash seed
    ``seed`` when one is given)."""
    return fresh.fresh_python(
        textwrap.dedent(code), env={"PYTHONHASHSEED": seed} if seed is not None else None
    )


def summary(result: Result) -> str:
    files = {path: hashlib.sha256(text.encode()).hexdigest() for path, text in result.files.items()}
    return repr(
        (
            sorted(files.items()),
            result.skipped,
            result.warnings,
            result.notes,
            result.operations,
            result.left_out,
        )
    )


_BUILDS = """
    import contextlib, hashlib, io, json, sys, tempfile
    from pathlib import Path
    from generator import cli

    apart = []
    isolated = cli.run_isolated

    def recording(work, *, modules=(), allowed=True, meanwhile=None):
        value, in_child = isolated(work, modules=modules, allowed=allowed, meanwhile=meanwhile)
        apart.append(in_child)
        return value, in_child

    def said(path, index, lenient):
        try:
            result = cli.build(Path(path), f"client{index}", lenient=lenient)
            files = {p: hashlib.sha256(t.encode()).hexdigest() for p, t in result.files.items()}
            return repr((sorted(files.items()), result.skipped, result.warnings, result.notes,
                         result.operations, result.left_out))
        except cli.GenerationError as error:
            return f"GenerationError: {error}"

    def loaded():
        return [name for name in ("openapi_spec_validator", "datamodel_code_generator.parser.openapi")
                if name in sys.modules]

    cli.run_isolated = recording
    cases = json.loads(CASES)
    # The first build of the process (the first case), as the command line makes it, then another
    # (of the last case, the smallest spec).
    first = [said(cases[0][0], 0, cases[0][1]), apart, loaded()]
    apart = []
    said(cases[-1][0], 1, cases[-1][1])
    second = apart
    found = [first[:2]]
    for index, (path, lenient) in enumerate(cases[1:], start=1):
        # Each other case forks too, as if it were the first build of a fresh process.
        cli._STAGE_MODULES = cli._MODEL_MODULES = ("a_module_nobody_imports",)
        cli._BUILT.clear()
        apart = []
        found.append([said(path, index, lenient), apart])
    # What the command line says of the lenient spec (the second case), forked as a first build.
    cli._BUILT.clear()
    with contextlib.redirect_stderr(io.StringIO()) as stderr:
        status = cli.main(["generate", "--spec", cases[1][0], "--out", tempfile.mkdtemp(), "--package",
                           "client", "--lenient"])
    warned = [status, stderr.getvalue()]
    print(json.dumps({"first": first, "second": second, "cases": found, "warned": warned}))
"""


def _deep_example_spec(tmp_path: Path) -> Path:
    """An example nested 900 levels: linted on the child's deep stack."""
    deep: Any = "bottom"
    for _ in range(900):
        deep = {"level": deep}
    schema = {"type": "object", "additionalProperties": True}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Deep", "version": "1.0.0"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": schema, "examples": {"deep": {"value": deep}}}
                        }
                    },
                    "responses": {"204": {"description": "created"}},
                }
            }
        },
    }
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _uncompiled_rule_spec(tmp_path: Path) -> Path:
    """Valid, but with a rule that the models stage refuses in strict mode (in its child)."""
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "dependentSchemas": {"a": {"required": ["b"]}},
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Rules", "version": "1.0.0"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
                    },
                    "responses": {"204": {"description": "created"}},
                }
            }
        },
        "components": {"schemas": {"Thing": schema}},
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# Two seeds that gave the lenient spec's warnings in two orders before (see the last tests).
FORKED_SEED, COMMAND_SEED = "1", "2"


@pytest.fixture(scope="module")
def forked(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[tuple[str, bool]], Any]:
    """The cases of ``_BUILDS`` and what one fresh interpreter said of them (one interpreter for
    the tests that read it: each costs the imports and two forked builds of the spec), under the
    hash seed ``FORKED_SEED``."""
    tmp_path = tmp_path_factory.mktemp("isolation")
    cases = [
        (str(REPO / "spec" / "openapi.yaml"), False),  # the project's own spec, strict
        (str(SPECS / "lenient.yaml"), True),  # problems loosened and operations left out
        (str(SPECS / "schema_mistakes.yaml"), False),  # refused, every problem listed
        (str(_deep_example_spec(tmp_path)), False),
        (str(_uncompiled_rule_spec(tmp_path)), False),  # refused by the models' child
        (str(_uncompiled_rule_spec(tmp_path)), True),  # the rule left out with a warning
    ]
    return cases, fresh_python(_BUILDS.replace("CASES", repr(json.dumps(cases))), seed=FORKED_SEED)


@pytest.mark.xdist_group("test_isolation-forked")  # one fresh interpreter per run
def test_the_command_line_validates_in_a_child_with_the_same_result(
    forked: tuple[list[tuple[str, bool]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cases, said_there = forked
    # In this process: validation in process, as in any test run.
    monkeypatch.setattr(isolation, "isolating", lambda modules=(): False)
    for index, ((path, lenient), (said, in_child)) in enumerate(zip(cases, said_there["cases"], strict=True)):
        try:
            here = summary(build(Path(path), f"client{index}", lenient=lenient))
        except GenerationError as error:
            here = f"GenerationError: {error}"
        assert in_child and all(in_child), path  # each stage that ran, ran in a child
        assert said == here, path
        if index == 0:  # the command line's first build: the same, and its own process never
            # imported either library
            said_first, in_child_first, loaded = said_there["first"]
            assert said_first == here
            assert (in_child_first, loaded) == ([True, True], [])
    refused = [said for said, _ in said_there["cases"] if said.startswith("GenerationError")]
    assert len(refused) == 2
    assert "dependentSchemas" in refused[1]


_CHILD = """
    import json, os
    from generator.isolation import run_isolated
    from generator.problems import GenerationError, Problem

    fresh = ("a_module_nobody_imports",)
    seen = []

    def work():
        seen.append("child")
        return [Problem("/paths", "a problem", 3)]

    found = {}
    value, apart = run_isolated(work, modules=fresh)
    found["value"] = [repr(value), apart, seen]

    def fails():
        raise ValueError("no such thing at /paths")

    def refuses():
        raise GenerationError("spec.yaml", [Problem("/info", "no version")], hint="a hint")

    class Odd(Exception):
        def __init__(self, first, second):
            super().__init__(f"{first} and {second}")

    def odd():
        raise Odd("one", "two")

    def dies():
        os._exit(3)

    for name, failing in (("fails", fails), ("refuses", refuses), ("odd", odd), ("dies", dies)):
        try:
            run_isolated(failing, modules=fresh)
            found[name] = "no error"
        except Exception as error:
            found[name] = f"{type(error).__name__}: {error}"

    # The parent's own work while the child works: the child, started before it, never sees it.
    state = {"parent": False}

    def meanwhile():
        state["parent"] = True

    value, apart = run_isolated(lambda: state["parent"], modules=fresh, meanwhile=meanwhile)
    found["meanwhile"] = [value, apart, state["parent"]]

    def broken():
        raise KeyError("meanwhile")

    try:
        run_isolated(lambda: os.getpid(), modules=fresh, meanwhile=broken)
        found["broken"] = "no error"
    except KeyError as error:
        found["broken"] = f"KeyError: {error}"
    try:  # a child not waited for would be here
        found["zombies"] = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        found["zombies"] = None
    print(json.dumps(found))
"""


def test_a_child_answers_its_value_and_raises_its_errors_here() -> None:
    found = fresh_python(_CHILD)
    # The value came back; what the work changed stayed in the child.
    assert found["value"] == [
        "[Problem(pointer='/paths', message='a problem', line=3, warning=False)]",
        True,
        [],
    ]
    assert found["fails"] == "ValueError: no such thing at /paths"
    # The generator's own error comes back whole; one that does not survive pickling still says
    # what it was.
    assert found["refuses"] == "GenerationError: spec.yaml: 1 problem:\n  /info: no version\na hint"
    assert found["odd"] == "RuntimeError: Odd: one and two"
    assert (
        found["dies"]
        == "RuntimeError: a child process of the generator ended without an answer (exit status 3)"
    )
    # The parent's work meanwhile ran here, after the child started: the child did not see it.
    assert found["meanwhile"] == [False, True, True]
    # When it fails, its error is raised here, and the child was ended and waited for.
    assert found["broken"] == "KeyError: 'meanwhile'"
    assert found["zombies"] is None


def test_no_fork_while_another_thread_runs_or_when_the_modules_are_loaded() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not isolation.isolating(("a_module_nobody_imports",))
        seen: list[str] = []
        value, apart = isolation.run_isolated(
            lambda: seen.append("here") or 5, modules=("a_module_nobody_imports",)
        )
    finally:
        stop.set()
        other.join()
    assert (value, apart, seen) == (5, False, ["here"])
    # In process, the parent's work meanwhile runs after the work.
    order: list[str] = []
    value, apart = isolation.run_isolated(
        lambda: order.append("work") or 6, modules=("json",), meanwhile=lambda: order.append("meanwhile")
    )
    assert (value, apart, order) == (6, False, ["work", "meanwhile"])
    assert not isolation.isolating(("json",))  # imported already: a child would save nothing


@pytest.mark.xdist_group("test_isolation-forked")  # one fresh interpreter per run
def test_warnings_come_in_the_same_order_whatever_the_hash_seed(
    tmp_path: Path, forked: tuple[list[tuple[str, bool]], Any]
) -> None:
    """The validators report some problems in the order of a set: sorted into the document's
    order, a child (or any run) says them in one order. The command, under one seed, says what
    the fresh interpreter of ``forked`` said under another."""
    status, said_there = forked[1]["warned"]
    assert status == 0
    command = [sys.executable, "-m", "generator", "generate", "--spec", str(SPECS / "lenient.yaml")]
    done = subprocess.run(
        [*command, "--out", str(tmp_path / "out"), "--package", "client", "--lenient"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": COMMAND_SEED},
    )
    assert done.stderr == said_there
    assert "'$recursiveAnchor' ignored" in said_there


@pytest.mark.xdist_group("test_isolation-forked")  # one fresh interpreter per run
def test_only_the_first_build_of_a_process_forks(forked: tuple[list[tuple[str, bool]], Any]) -> None:
    """A long-lived caller builds in process after its first build: children would import the
    libraries again each time, which the parent never keeps."""
    _, said_there = forked
    (_, first, _), second = said_there["first"], said_there["second"]
    assert first + second == [True, True, False, False]
