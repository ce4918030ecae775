"""Public specs that nobody here wrote (../shared/corpus/ and ../shared/corpus/real/): under
lenient mode each generates a package that imports and passes mypy --strict, nothing is refused
whole, and every generated operation, called once with arguments built from the spec, sends a
request that openapi-core finds valid against the spec.
"""

from __future__ import annotations

import copy
import datetime
import functools
import importlib
import json
import re
import sys
import uuid
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import hypothesis
import pytest
from hypothesis import strategies
from openapi_core import Config, OpenAPI
from werkzeug.datastructures import ImmutableMultiDict

from generator.cli import Result, build
from generator.ir import Api, Operation, build_api
from generator.output import write_atomically
from tests.contract.openapi_adapter import OpenAPIRequest

REPO = Path(__file__).resolve().parents[2]
# The shared folder stands beside the repository (or beside the folder of its worktrees).
CORPUS = next(
    (parent / "shared" / "corpus" for parent in REPO.parents if (parent / "shared" / "corpus").is_dir()),
    REPO.parent / "shared" / "corpus",
)
SPECS = sorted(CORPUS.glob("*.yaml")) + sorted((CORPUS / "real").glob("*.*"))

# (operations in the spec, operations generated). The peer (openapi-python-client 0.29.1)
# generates: uspto 3, opc-baseline-3.1 49, spotify 96, discourse 91, twilio-messaging-v1 58.
EXPECTED = {
    "oai-api-with-examples": (2, 2),
    "oai-petstore": (3, 3),
    "oai-petstore-expanded": (4, 4),
    "oai-uspto": (3, 3),
    "opc-3.1-specific": (2, 2),
    "opc-baseline-3.1": (50, 50),
    "discourse": (93, 93),
    "spotify": (97, 97),
    "twilio-messaging-v1": (58, 58),
}


# Requests that openapi-core 0.23 cannot check, by (spec, operation): they are still sent, and
# their other checks (method, a binary body) still run. Each entry says why.
CHECKER_LIMITS = {
    # A 3.1 `type: [string, null]` query parameter: openapi-core raises "Expected a string value".
    ("opc-baseline-3.1", "get_location_query_optionality"): "TypeError",
    ("opc-baseline-3.1", "defaults_tests_defaults_post"): "TypeError",
    # Multipart parts with an array: openapi-core's multipart reader raises the same TypeError.
    ("opc-baseline-3.1", "upload_file_tests_upload_post"): "TypeError",
    # AModel's `oneOf: [ModelWithUnionProperty, FreeFormModel]`: both accept any object without
    # required fields, so no object is valid under exactly one (the spec's own ambiguity).
    ("opc-baseline-3.1", "refs"): "InvalidRequestBody",
    ("opc-baseline-3.1", "json_body_tests_json_body_post"): "InvalidRequestBody",
    ("opc-baseline-3.1", "callback_test"): "InvalidRequestBody",
    # An enum whose only value is null, in the query: no spelling of null in a URL satisfies it.
    ("opc-baseline-3.1", "get_user_list"): "InvalidParameter",
}


def package_name(spec: Path) -> str:
    return "corpus_" + re.sub(r"\W", "_", spec.stem)


# The corpus tests form one xdist group: they run on one worker, which generates each spec once
# and type-checks all the packages in one mypy run (a run pays ~0.5 s to start and to load
# httpx's and pydantic's types from the cache, and each package's own analysis after that).
pytestmark = pytest.mark.xdist_group("corpus")
PARAMS = [pytest.param(spec, id=spec.stem) for spec in SPECS]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], tuple[Path, Result]]:
    """``corpus(spec)``: the spec generated in lenient mode into a temporary folder, once."""
    root = tmp_path_factory.mktemp("corpus")
    made: dict[str, tuple[Path, Result]] = {}

    def generated(spec: Path) -> tuple[Path, Result]:
        if spec.stem not in made:
            out = root / spec.stem
            result = build(spec, package_name(spec), out, lenient=True)
            write_atomically(result.files, out)
            made[spec.stem] = (out, result)
        return made[spec.stem]

    return generated


def test_the_corpus_is_complete() -> None:
    assert sorted(spec.stem for spec in SPECS) == sorted(EXPECTED)


@pytest.mark.parametrize("spec", PARAMS)
def test_corpus_spec_generates_and_imports(corpus: Callable[[Path], tuple[Path, Result]], spec: Path) -> None:
    out, result = corpus(spec)
    total, generated = EXPECTED[spec.stem]
    assert (result.operations + result.left_out, result.operations) == (total, generated)
    for problem in (*result.skipped, *result.warnings):
        assert problem.line is not None, problem
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(package_name(spec))
        assert module.Client and module.AsyncClient
    finally:
        sys.path.remove(str(out))


@pytest.fixture(scope="module")
def corpus_mypy(
    corpus: Callable[[Path], tuple[Path, Result]], run_mypy: Callable[..., Any]
) -> tuple[list[Path], Any]:
    """Every corpus package and one ``mypy --strict`` run over them all: the modules that are
    the same code as the committed package's are checked once, as its own (run_mypy)."""
    packages = [corpus(spec)[0] / package_name(spec) for spec in SPECS]
    return packages, run_mypy(*map(str, packages))


@pytest.mark.parametrize("spec", PARAMS)
def test_corpus_package_passes_mypy_strict(
    corpus: Callable[[Path], tuple[Path, Result]], spec: Path, corpus_mypy: tuple[list[Path], Any]
) -> None:
    packages, result = corpus_mypy
    said = result.stdout + result.stderr
    # Exit status 1 is errors found (2 would be mypy failing): every error of the run is in one
    # of the packages (run_mypy fails on any in the committed package's modules, which stand in
    # for the same code in these), and none is in this one.
    assert result.returncode in (0, 1), said
    errors = [line for line in said.splitlines() if ": error:" in line]
    assert all(line.startswith(tuple(f"{package}/" for package in packages)) for line in errors), said
    package = corpus(spec)[0] / package_name(spec)
    assert not [line for line in errors if line.startswith(f"{package}/")], said
    assert result.returncode == 0 or errors, said


# -- the smoke test: every operation called once, the request checked by openapi-core ----------


class _Sampler:
    """A small valid value for a JSON schema: examples first, else the least the schema asks."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def resolve(self, schema: Any) -> Any:
        seen = 0
        while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and seen < 50:
            target: Any = self.document
            for token in schema["$ref"].removeprefix("#/").split("/"):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            schema, seen = target, seen + 1
        return schema

    def value(self, schema: Any, depth: int = 0) -> Any:
        schema = self.resolve(schema)
        if not isinstance(schema, Mapping) or depth > 8:
            return "x"
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return next((value for value in schema["enum"] if value is not None), schema["enum"][0])
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                branches = [branch for branch in schema[key] if self.resolve(branch).get("type") != "null"]
                return self.value((branches or schema[key])[0], depth + 1)
        if schema.get("allOf"):
            parts = [self.resolve(part) for part in schema["allOf"]]
            if not any(part.get("type") == "object" or "properties" in part for part in parts):
                typed = [part for part in parts if set(part) & {"type", "enum", "const", "anyOf", "oneOf"}]
                return self.value((typed or parts)[0], depth + 1)
            merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
            for part in parts:
                merged["properties"].update(part.get("properties") or {})
                merged["required"] += part.get("required") or []
            return self.value(merged, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((item for item in kind if item != "null"), "null")
        if kind == "object" or "properties" in schema:
            required = schema.get("required") or []
            properties = schema.get("properties") or {}
            return {name: self.value(properties.get(name, {}), depth + 1) for name in required}
        if kind == "array":
            return [self.value(schema.get("items", {}), depth + 1) for _ in range(schema.get("minItems", 1))]
        if kind == "integer":
            return int(schema.get("minimum", 1)) + (1 if schema.get("exclusiveMinimum") is True else 0)
        if kind == "number":
            return float(schema.get("minimum", 1.5))
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        if schema.get("format") == "binary":
            return b"data"
        formats: dict[str, Any] = {
            "date-time": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
            "date": datetime.date(2024, 1, 2),
            "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "email": "a@example.com",
            "uri": "https://example.com/",
        }
        if schema.get("format") in formats:
            return formats[schema["format"]]
        if isinstance(schema.get("pattern"), str):
            return _matching(schema["pattern"])
        return "x" * max(1, int(schema.get("minLength", 1)))


# Any string of the pattern will do, the same on every run: no shrinking (about 1 s a pattern,
# 2 minutes on twilio under the CI profile, which has no example database) and no database.
_FIND = hypothesis.settings(derandomize=True, database=None, phases=[hypothesis.Phase.generate])


@functools.cache
def _matching(pattern: str) -> str:
    """A string of the pattern, found once per pattern (twilio's 130 patterns are 16 distinct ones:
    hypothesis found each one again for every schema that has it, ~1 s of the test's CPU)."""
    found: str = hypothesis.find(
        strategies.from_regex(pattern, fullmatch=True), lambda _: True, settings=_FIND
    )
    return found


def _parameters(document: Mapping[str, Any], sampler: _Sampler, operation: Operation) -> dict[str, Any]:
    path_item = sampler.resolve(document["paths"][operation.path])
    raw = path_item[operation.method.lower()]
    found: dict[tuple[str, str], Any] = {}
    for item in [*(path_item.get("parameters") or []), *(raw.get("parameters") or [])]:
        parameter = sampler.resolve(item)
        found[(parameter["in"], parameter["name"])] = parameter
    return {f"{location}:{name}": parameter for (location, name), parameter in found.items()}


def _arguments(document: Mapping[str, Any], operation: Operation) -> dict[str, Any]:
    """Keyword arguments for every required argument of ``operation``, from the spec."""
    sampler = _Sampler(document)
    parameters = _parameters(document, sampler, operation)
    values: dict[str, Any] = {}
    for argument in operation.path_args + operation.query_args + operation.header_args:
        if argument.required:
            parameter = parameters[f"{argument.location}:{argument.wire_name}"]
            example = parameter.get("example")
            values[argument.name] = (
                example
                if example is not None and argument.location == "path"
                else sampler.value(parameter["schema"])
            )
    body = operation.body
    if body is None:
        return values
    if body.is_raw:
        values["body"] = "text" if body.kind == "text" else b"binary data"
        return values
    raw = sampler.resolve(document["paths"][operation.path])[operation.method.lower()]
    media = sampler.resolve(raw["requestBody"])["content"][body.media_type]
    whole = sampler.value(media.get("schema", {"type": "object"}))
    for argument in body.fields:
        if argument.required:
            values[argument.name] = (
                b"file content" if argument.location == "file" else whole[argument.wire_name]
            )
    if body.required and not body.fields:
        values["body"] = whole
    return values


class _CookieRequest(OpenAPIRequest):
    """The contract tests' adapter, with the cookies the request carries."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__(request)
        pairs = [part.strip().partition("=") for part in request.headers.get("Cookie", "").split(";")]
        self.parameters.cookie = ImmutableMultiDict([(name, value) for name, _, value in pairs if name])

    @property
    def path(self) -> str:
        # Decoded like a server does, except an escaped "/" that must not split a segment.
        return unquote(super().path.replace("%2F", "%252F"))


def _imported(out: Path, package: str) -> Any:
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(out))


@pytest.mark.parametrize("spec", PARAMS)
def test_every_operation_sends_a_request_the_spec_accepts(
    corpus: Callable[[Path], tuple[Path, Result]], spec: Path
) -> None:
    out, result = corpus(spec)
    loaded = result.spec  # the document as build() loosened it, which the package carries
    assert loaded is not None
    document = copy.deepcopy(loaded.document)
    api: Api = build_api(loaded, package_name(spec))
    package = _imported(out, package_name(spec))
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    # The spec as lenient mode loosened it (the validator's complaints are the generator's to handle).
    openapi = OpenAPI.from_dict(
        json.loads(json.dumps(document, default=str)), config=Config(spec_validator_cls=None)
    )
    client = package.Client(
        api_key="user:secret",
        base_url=_server(document),
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        max_retries=0,
        allow_insecure_http=True,
    )
    failures = []
    for operation in api.operations:
        arguments = _arguments(document, operation)
        # Path parameters and a whole body are positional.
        positional = [arguments.pop(argument.name) for argument in operation.path_args]
        positional += [arguments.pop("body")] if "body" in arguments else []
        sent.clear()
        try:
            getattr(client.with_raw_response, operation.name)(*positional, **arguments)
        except Exception as error:
            failures.append(f"{operation.name}: the call failed: {type(error).__name__}: {error}"[:400])
            continue
        (request,) = sent
        assert request.method == operation.method
        binary = operation.body is not None and operation.body.kind == "binary"
        if binary:
            # openapi-core reads a binary body as a string and refuses bytes: checked here instead
            # (its body check comes after those of security and parameters).
            assert request.headers["Content-Type"] == operation.body.media_type
            assert request.content == b"binary data"
        try:
            with warnings.catch_warnings():
                # openapi-core does not check OAuth2/OpenID tokens and says so with a warning.
                warnings.simplefilter("ignore", UserWarning)
                openapi.validate_request(_CookieRequest(request))
        except Exception as error:
            if binary and type(error).__name__ == "InvalidRequestBody":
                continue
            if CHECKER_LIMITS.get((spec.stem, operation.name)) == type(error).__name__:
                continue
            causes = getattr(error, "__cause__", None)
            failures.append(f"{operation.name}: {type(error).__name__}: {error} ({causes!r})"[-600:])
    assert not failures, "\n".join(failures)


def _server(document: Mapping[str, Any]) -> str:
    servers = document.get("servers") or [{"url": "/"}]
    url = str(servers[0].get("url", "/"))
    for name, variable in (servers[0].get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return url.rstrip("/") if url.startswith("http") else "https://corpus.example.com" + url.rstrip("/")
