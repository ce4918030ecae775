"""Public specs that nobody here wrote (../shared/corpus/): each generates a package that imports,
passes mypy --strict and sends what the spec describes, or is refused operation by operation
with a message that names the construct and where it stands. Never a traceback.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.cli import build
from generator.ir import Argument, Operation, build_api
from generator.load import load_spec
from generator.output import write_atomically

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
SPECS = sorted(CORPUS.glob("*.yaml"))

# Operations each corpus spec has, and how many of them generate (the rest are refused with a
# reason: form-encoded, multipart or binary bodies, non-JSON answers, cookie parameters, and one
# operation object that the OpenAPI schema itself rejects). A change in these figures is a change
# in what the generator supports, so it must show up here.
EXPECTED = {
    "oai-api-with-examples": (2, 2),
    "oai-petstore": (3, 3),
    "oai-petstore-expanded": (4, 4),
    "oai-uspto": (3, 2),
    "opc-3.1-specific": (2, 2),
    "opc-baseline-3.1": (50, 37),
}
CONSTRUCTS = re.compile(
    r"not supported|is not of type|Unevaluated properties|clashes|is not a Python identifier|lacks"
)


def package_name(spec: Path) -> str:
    return "corpus_" + re.sub(r"\W", "_", spec.stem)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every corpus spec generated once into a temporary folder."""
    if not SPECS:
        pytest.fail(f"no corpus specs found in {CORPUS}")
    root = tmp_path_factory.mktemp("corpus")
    results = {}
    for spec in SPECS:
        out = root / spec.stem
        result = build(spec, package_name(spec), out, skip_unsupported=True)
        write_atomically(result.files, out)
        results[spec.stem] = (out, result)
    return results


def test_the_corpus_is_complete() -> None:
    assert sorted(spec.stem for spec in SPECS) == sorted(EXPECTED)


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.stem)
def test_corpus_spec_generates_and_imports(corpus: dict[str, Any], spec: Path) -> None:
    out, result = corpus[spec.stem]
    total, generated = EXPECTED[spec.stem]
    assert (result.operations + len(result.skipped), result.operations) == (total, generated)
    for problem in result.skipped:
        assert problem.pointer.startswith("/paths/"), problem
        assert problem.line is not None, problem
        assert CONSTRUCTS.search(problem.message), problem
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(package_name(spec))
        assert module.Client and module.AsyncClient
    finally:
        sys.path.remove(str(out))


def test_corpus_packages_pass_mypy_strict(corpus: dict[str, Any]) -> None:
    packages = [str(out / package_name(REPO / f"{stem}.yaml")) for stem, (out, _) in sorted(corpus.items())]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *packages],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


_SAMPLES = {"str": "x", "int": 1, "float": 1.5, "bool": True}


def _sample(argument: Argument) -> Any:
    literal = re.fullmatch(r"Literal\[(.+?)(, .*)?\]", argument.annotation)
    if literal:
        return eval(literal.group(1))
    return _SAMPLES.get(argument.annotation.removesuffix(" | None"))


def _expected_path(operation: Operation, values: dict[str, Any]) -> str:
    path = operation.path
    for argument in operation.path_args:
        value = values[argument.name]
        text = (
            {True: "true", False: "false"}.get(value, str(value)) if isinstance(value, bool) else str(value)
        )
        path = path.replace("{" + argument.wire_name + "}", text)
    return path


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.stem)
def test_corpus_operations_build_the_request_the_spec_describes(corpus: dict[str, Any], spec: Path) -> None:
    """Each generated operation called with sample arguments builds its method, path and parameters."""
    out, _ = corpus[spec.stem]
    api = build_api(load_spec(spec), package_name(spec))
    sys.path.insert(0, str(out))
    try:
        operations = importlib.import_module(package_name(spec) + "._operations")
    finally:
        sys.path.remove(str(out))
    checked = 0
    for operation in api.operations:
        if not hasattr(operations, operation.name):
            continue  # left out by --skip-unsupported; counted in the test above
        required = [argument for argument in operation.arguments if argument.required]
        values = {argument.name: _sample(argument) for argument in required}
        if any(value is None for value in values.values()):
            continue  # needs a value this simple sampler cannot make
        if operation.body and operation.body.required and not operation.body.fields:
            continue  # a body that is not an object with properties
        request = getattr(operations, operation.name)(**values)
        assert request.method == operation.method
        assert request.path == _expected_path(operation, values)
        for argument in required:
            if argument.location == "query":
                assert argument.wire_name in request.params
            elif argument.location == "header":
                assert argument.wire_name in request.headers
            elif argument.location == "body":
                assert request.json[argument.wire_name] == values[argument.name]
        checked += 1
    assert checked >= 1
