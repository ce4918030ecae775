"""Names from the spec never break the client, and the package name never shadows a module.

specs/names.yaml names an operation ``close``, another ``list`` with an ``x-wait`` helper called
``with_options``, a third ``withOptions``, a fourth ``str``; body properties ``encode_body``,
``path_value``, ``payload`` and ``self``; schemas ``MISSING``, ``SpecModel``, ``StrictStr``,
``TypeAliasType``, ``Client``, ``APIError`` and ``SPEC_SHA256``.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Generic

import httpx
import pytest

from generator import cli, naming, render
from generator.cli import build
from generator.problems import GenerationError

# The module's fixtures are made once per run: under xdist (make test) its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_names")

SPECS = Path(__file__).parent / "specs"
NAMES = SPECS / "names.yaml"
SMALL = SPECS / "small.yaml"
BASE = "https://names.example.com"


@pytest.fixture(scope="module")
def names_result() -> cli.Result:
    return build(NAMES, "names_pkg", Path("out"))


@pytest.fixture
def names(generate_package) -> ModuleType:
    return generate_package(NAMES, "names_pkg")


def recording_client(names: ModuleType, answer: object) -> tuple[object, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=answer)

    client = names.Client(http_client=httpx.Client(transport=httpx.MockTransport(handler)), max_retries=0)
    return client, sent


# -- 4. the package name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("package", "why"),
    [
        ("class", "is a Python keyword"),
        ("os", "would shadow the standard library's module os"),
        ("json", "standard library"),
        ("typing", "standard library"),
        ("logging", "standard library"),
        ("httpx", "would shadow the module httpx"),
        ("pydantic", "would shadow the module pydantic"),
        ("typing_extensions", "would shadow the module typing_extensions"),
        ("anyio", "would shadow the module anyio"),  # required by httpx, not named by the package
        ("my-client", "not a Python identifier"),
    ],
)
def test_a_package_name_that_cannot_be_imported_as_intended_is_refused(
    package: str, why: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(GenerationError, match=why):
        build(SMALL, package, tmp_path / "out")
    code = cli.main(["generate", "--spec", str(SMALL), "--out", str(tmp_path / "out"), "--package", package])
    err = capsys.readouterr().err
    assert code == 2 and "--package" in err and why in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_an_ordinary_package_name_is_accepted(tmp_path: Path) -> None:
    assert naming.package_problem("names_pkg") is None
    assert naming.package_problem("seedance_client") is None


def test_the_dependencies_file_lists_are_read_only_for_a_name_that_a_module_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[str] = []
    original = naming._dependency_modules.__wrapped__

    def counted() -> frozenset[str]:
        read.append("read")
        return original()

    monkeypatch.setattr(naming, "_dependency_modules", counted)
    assert naming.package_problem("no_module_has_this_name") is None
    assert read == []
    assert "would shadow the module h11" in (naming.package_problem("h11") or "")
    assert naming.package_problem("json_checker_of_nothing") is None
    assert read == ["read"]


# -- 3. names from the spec ------------------------------------------------------------------------


def test_every_rename_is_a_warning_with_its_line(names_result: cli.Result) -> None:
    notes = "\n".join(names_result.notes)
    for line, what, new_name in [
        (17, "operation 'close'", "close_"),
        (17, "body argument 'encode_body'", "encode_body_"),
        (17, "body argument 'self'", "self_"),
        (35, "operation 'list'", "list_"),
        (35, "query argument 'rule'", "rule_"),
        (38, "x-wait name 'with_options'", "with_options_"),
        (42, "operation 'withOptions'", "with_options__"),
        (47, "operation 'str'", "str_"),
    ]:
        assert (
            f"line {line}, " in notes
            and f"{what} takes one of the generated package's own names; it is {new_name} in Python" in notes
        ), what
    for schema in ("MISSING", "SpecModel", "StrictStr", "TypeAliasType", "Client", "APIError", "SPEC_SHA256"):
        assert (
            f"schema '{schema}' takes one of the generated package's own names; its model is {schema}_"
            in notes
        )


def test_the_clients_own_methods_stay_the_runtimes(names: ModuleType) -> None:
    base = sys.modules["names_pkg._base_client"]
    sync_client, async_client = base.SyncAPIClient, base.AsyncAPIClient
    for attribute in ("close", "with_options", "timeout", "base_url", "max_retries", "is_closed", "_send"):
        assert getattr(names.Client, attribute) is getattr(sync_client, attribute), attribute
    assert names.AsyncClient.aclose is async_client.aclose
    client, sent = recording_client(names, {})
    with client:
        pass
    assert sent == []  # leaving `with` sends no `close` request...
    with names.Client() as own:
        assert not own.is_closed
    assert own.is_closed  # ...and closes the client
    assert isinstance(client.with_options(timeout=3), names.Client)


def test_renamed_operations_and_arguments_send_the_spec_names(names: ModuleType) -> None:
    client, sent = recording_client(names, {"b": 1})
    answer = client.close_(encode_body_="e", path_value_=2, payload_="p", self_="s")
    assert type(answer).__name__ == "SpecModel_" and answer.b == 1
    assert sent[-1].method == "POST" and sent[-1].url == f"{BASE}/close"
    assert json.loads(sent[-1].content) == {"encode_body": "e", "path_value": 2, "payload": "p", "self": "s"}
    client.list_("t1", rule_="r")
    assert sent[-1].url == f"{BASE}/things/t1?rule=r"
    client.with_options__()
    assert sent[-1].url == f"{BASE}/wait"
    assert client.with_raw_response.str_().status_code == 200
    assert sent[-1].url == f"{BASE}/str"


def test_the_wait_helper_keeps_its_own_method(names: ModuleType) -> None:
    client, sent = recording_client(names, {"s": "a"})
    assert client.with_options_("t9", poll_interval=0.01, timeout=5).s == "a"
    assert [request.url.path for request in sent] == ["/things/t9"]


def test_an_operation_named_like_an_x_wait_helper_stays_reachable(
    names: ModuleType, names_result: cli.Result
) -> None:
    assert (
        "line 59, /paths/~1fetch/get: operation 'fetchIt' takes one of the generated package's own names; it is fetch_it_ in Python"
        in names_result.notes
    )
    client, sent = recording_client(names, {"s": "a"})
    client.with_raw_response.fetch_it_(list=["a", "b"], str_="c")  # `list` breaks nothing; `str` would
    assert sent[-1].url == f"{BASE}/fetch?list=a&list=b&str=c"
    assert client.fetch_it("t2", poll_interval=0.01, timeout=5).s == "a"  # the helper polls pollThing
    assert sent[-1].url == f"{BASE}/poll/t2"


def test_schema_names_never_replace_the_package_roots_exports(names: ModuleType) -> None:
    exceptions, client = sys.modules["names_pkg._exceptions"], sys.modules["names_pkg._client"]
    assert names.APIError is exceptions.APIError and names.Client is client.Client
    assert isinstance(names.SPEC_SHA256, str) and len(names.SPEC_SHA256) == 64
    for schema in ("MISSING", "SpecModel", "StrictStr", "TypeAliasType", "Client", "APIError", "SPEC_SHA256"):
        assert hasattr(names.models, f"{schema}_"), schema
    assert names.models.Client_(c="abc").c == "abc"
    assert names.models.MISSING_().model_dump() == {}


def test_the_package_with_taken_names_passes_mypy_strict(
    tmp_path: Path, names_result: cli.Result, run_mypy
) -> None:
    for relative, text in names_result.files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    result = run_mypy("names_pkg", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_two_schema_names_for_one_python_name_are_refused(tmp_path: Path) -> None:
    spec = tmp_path / "merged.yaml"
    spec.write_text(
        SMALL.read_text().replace(
            "    Thing:\n", "    pet-info: {type: object}\n    PetInfo: {type: string}\n    Thing:\n"
        )
    )
    with pytest.raises(GenerationError) as caught:
        build(spec, "merged", tmp_path / "out")
    assert "line 8, /components/schemas/PetInfo: schema names 'pet-info', 'PetInfo' all become" in str(
        caught.value
    )


# -- the reserved names follow what the package really uses -----------------------------------------


def _names_used_in_function_bodies(source: str) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            own = {argument.arg for argument in ast.walk(node.args) if isinstance(argument, ast.arg)}
            for statement in node.body:
                used.update(
                    name.id
                    for name in ast.walk(statement)
                    if isinstance(name, ast.Name) and name.id not in own
                )
    return used


def test_reserved_names_cover_what_the_generated_modules_use(
    names: ModuleType, names_result: cli.Result
) -> None:
    models = set(dir(names.models))
    for module in ("names_pkg/_operations.py", "names_pkg/_client.py"):
        used = _names_used_in_function_bodies(names_result.files[module]) - models
        assert used <= naming.reserved_argument_names() | {"_client"}, module
    # snake_name never makes a dunder, and Generic's own private names start with a letter.
    attributes = {
        name
        for name in dir(sys.modules["names_pkg._base_client"].SyncAPIClient)
        if not name.startswith("__") and name not in dir(Generic)
    }
    assert attributes <= naming.reserved_method_names()
    assert set(render._STDLIB_MODULE.pattern.strip("\\b().").split("|")) <= naming.reserved_method_names()
    assert set(names.__all__) - set(dir(names.models)) <= naming.reserved_class_names()


@pytest.mark.parametrize(
    "spec", [SPECS / "zoo.yaml", Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"]
)
def test_ordinary_names_are_not_renamed(spec: Path, tmp_path: Path) -> None:
    # Reserving too much would rename plain names (`name`, `id`, `type`, `Task`) for nothing.
    result = build(spec, "ordinary", tmp_path / "out")
    assert [note for note in result.notes if "own names" in note] == []
