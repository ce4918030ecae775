"""The client's methods of a large spec are spread over modules of a few operations (issue 12).

One module of every method was 2.7 MB at 400 operations, and formatting it held more memory
than the rest of the generation. Past ``render.CLIENT_PART_OPERATIONS`` operations, the methods
go into ``_client_1.py``, ``_client_2.py``, ... (that many each, in the spec's order), and the
classes of ``_client.py`` inherit them: what a caller sees does not change. The spec here has
five operations, and the tests lower the number to 2. With no more operations than that,
``_client.py`` is as before: ``make check`` compares the committed package byte for byte.
"""

from __future__ import annotations

import ast
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from generator import cli, naming, render
from generator.output import write_atomically

SPEC = Path(__file__).parent / "specs" / "parts.yaml"
PACKAGE = "parts_pkg"
PER_MODULE = 2
HELPERS = {"wait_for_job", "job_urls", "with_raw_response"}


def _build(out: Path, per_module: int) -> cli.Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "CLIENT_PART_OPERATIONS", per_module)
        return cli.build(SPEC, PACKAGE, out)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[cli.Result, Path]]:
    out = tmp_path_factory.mktemp("parts") / "out"
    result = _build(out, PER_MODULE)
    write_atomically(result.files, out)
    yield result, out
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def package(built: tuple[cli.Result, Path]) -> Iterator[ModuleType]:
    sys.path.insert(0, str(built[1]))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(built[1]))


def _methods(source: str) -> dict[str, list[str]]:
    """The methods each class of a module defines (an overloaded one once), in order."""
    classes: dict[str, list[str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            names = [
                item.name for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
            classes[node.name] = list(dict.fromkeys(names))
    return classes


def _operations(result: cli.Result) -> list[str]:
    """The operations in the spec's order: the request builders' ``__all__``."""
    tree = ast.parse(result.files[f"{PACKAGE}/_operations.py"])
    exported = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
    )
    return list(ast.literal_eval(exported))


def test_the_methods_are_spread_over_modules_of_at_most_n_operations_in_the_spec_order(
    built: tuple[cli.Result, Path],
) -> None:
    result = built[0]
    operations = _operations(result)
    assert len(operations) == 5
    parts = sorted(
        (path for path in result.files if path.startswith(f"{PACKAGE}/_client_")),
        key=lambda path: int(path.rsplit("_", 1)[1].removesuffix(".py")),
    )
    assert parts == [f"{PACKAGE}/_client_{number}.py" for number in (1, 2, 3)]
    spread: list[str] = []
    for path in parts:
        classes = _methods(result.files[path])
        assert set(classes) == {
            "ClientPart",
            "AsyncClientPart",
            "ClientWithRawResponsePart",
            "AsyncClientWithRawResponsePart",
        }
        held = [name for name in classes["ClientPart"] if name not in HELPERS]
        assert 1 <= len(held) <= PER_MODULE, path
        assert [name for name in classes["AsyncClientPart"] if name not in HELPERS] == held
        assert classes["ClientWithRawResponsePart"] == held == classes["AsyncClientWithRawResponsePart"]
        spread += held
        # The module says what it holds, and where the public class is.
        docstring = ast.get_docstring(ast.parse(result.files[path])) or ""
        assert all(name in docstring for name in held) and "``_client.py``" in docstring
    assert spread == operations
    # _client.py composes them and defines no operation's method itself.
    composed = _methods(result.files[f"{PACKAGE}/_client.py"])
    assert composed["Client"] == ["with_raw_response"] and composed["ClientWithRawResponse"] == ["__init__"]


def test_the_public_classes_have_every_method_with_its_signature_and_docstring(package: ModuleType) -> None:
    raw = package.ClientWithRawResponse
    for cls in (package.Client, package.AsyncClient, raw, package.AsyncClientWithRawResponse):
        for name in ("create_job", "list_jobs", "get_job", "delete_job", "put_note"):
            assert callable(getattr(cls, name)), (cls, name)
    assert "``GET /jobs/{id}``" in package.Client.get_job.__doc__
    assert callable(package.Client.wait_for_job) and callable(package.AsyncClient.job_urls)
    assert package.__all__.count("Client") == 1 and "ClientPart" not in package.__all__
    assert package.Client.__module__ == f"{PACKAGE}._client"


def _recorder() -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.url.path.startswith("/v1/notes/"):
            return httpx.Response(200, json=json.loads(request.content))
        job = {"id": "j1", "status": "done", "result": ["https://cdn.example.com/a.mp4"]}
        return httpx.Response(
            200, json=[job] if request.method == "GET" and request.url.path == "/v1/jobs" else job
        )

    return seen, httpx.MockTransport(answer)


def _sent(seen: list[httpx.Request]) -> list[tuple[str, str, object]]:
    return [
        (request.method, str(request.url), json.loads(request.content) if request.content else None)
        for request in seen
    ]


EXPECTED = [
    ("POST", "https://parts.example.com/v1/jobs", {"prompt": "a fox", "size": 3}),
    ("GET", "https://parts.example.com/v1/jobs?limit=2", None),
    ("GET", "https://parts.example.com/v1/jobs/j1", None),
    ("DELETE", "https://parts.example.com/v1/jobs/j1", None),
    ("PUT", "https://parts.example.com/v1/notes/n1", {"text": "hello"}),
    ("GET", "https://parts.example.com/v1/jobs/j1", None),  # wait_for_job
]


def test_the_sync_client_and_its_raw_responses_send_each_operations_request(package: ModuleType) -> None:
    seen, transport = _recorder()
    client = package.Client(api_key="key", http_client=httpx.Client(transport=transport), max_retries=0)
    assert client.create_job(prompt="a fox", size=3).id == "j1"
    assert [job.status for job in client.list_jobs(limit=2)] == ["done"]
    job = client.get_job("j1")
    assert client.delete_job("j1") is None
    assert client.put_note("n1", text="hello").text == "hello"
    assert client.wait_for_job("j1", poll_interval=0.01).status == "done"
    assert client.job_urls(job) == ["https://cdn.example.com/a.mp4"]
    assert _sent(seen) == EXPECTED
    assert all(request.headers["Authorization"] == "Bearer key" for request in seen)

    seen.clear()
    raw = client.with_raw_response
    assert raw.create_job(prompt="a fox", size=3).status_code == 200
    assert raw.list_jobs(limit=2).parse()[0].id == "j1"
    assert raw.get_job("j1").parse().status == "done"
    assert raw.delete_job("j1").status_code == 204
    assert raw.put_note("n1", package.models.Note(text="hello")).parse().text == "hello"
    assert _sent(seen) == EXPECTED[:5]
    # Nothing the spec forbids is sent.
    with pytest.raises(ValueError, match="size"):
        client.create_job(prompt="a fox", size=11)
    assert len(seen) == 5


@pytest.mark.anyio
async def test_the_async_client_and_its_raw_responses_send_each_operations_request(
    package: ModuleType,
) -> None:
    seen, transport = _recorder()
    client = package.AsyncClient(
        api_key="key", http_client=httpx.AsyncClient(transport=transport), max_retries=0
    )
    assert (await client.create_job(prompt="a fox", size=3)).id == "j1"
    assert [job.status for job in await client.list_jobs(limit=2)] == ["done"]
    job = await client.get_job("j1")
    assert await client.delete_job("j1") is None
    assert (await client.put_note("n1", text="hello")).text == "hello"
    assert (await client.wait_for_job("j1", poll_interval=0.01)).status == "done"
    assert client.job_urls(job) == ["https://cdn.example.com/a.mp4"]
    assert _sent(seen) == EXPECTED

    seen.clear()
    raw = client.with_raw_response
    assert (await raw.create_job(prompt="a fox", size=3)).status_code == 200
    assert (await raw.list_jobs(limit=2)).parse()[0].id == "j1"
    assert (await raw.get_job("j1")).parse().status == "done"
    assert (await raw.delete_job("j1")).status_code == 204
    assert (await raw.put_note("n1", text="hello")).parse().text == "hello"
    assert _sent(seen) == EXPECTED[:5]


def test_the_package_passes_mypy_strict_with_calls_through_the_composed_classes(
    built: tuple[cli.Result, Path], run_mypy
) -> None:
    out = built[1]
    (out / "use_parts.py").write_text(
        "from parts_pkg import AsyncClient, Client\n"
        "from parts_pkg.models import Job, Note\n\n\n"
        "def use(client: Client) -> Job:\n"
        "    note: Note = client.put_note('n', text='t')\n"
        "    assert client.with_raw_response.get_job('j').parse().id\n"
        "    return client.create_job(prompt=note.text, size=2)\n\n\n"
        "async def use_async(client: AsyncClient) -> list[str]:\n"
        "    return client.job_urls(await client.wait_for_job('j'))\n\n\n"
        "def wrong(client: Client) -> None:\n"
        "    client.create_job(prompt=1)\n",
        encoding="utf-8",
    )
    checked = run_mypy(PACKAGE, "use_parts.py", cwd=out)
    lines = [line for line in checked.stdout.splitlines() if ": error:" in line]
    # The one error is the wrong call: the overloads reach mypy through the composed classes.
    assert len(lines) == 1 and lines[0].startswith("use_parts.py:16:"), checked.stdout
    assert "create_job" in lines[0]


def test_with_no_more_operations_than_a_module_holds_the_methods_stay_in_client_py(
    tmp_path: Path,
) -> None:
    result = _build(tmp_path / "out", 5)
    assert not [path for path in result.files if path.startswith(f"{PACKAGE}/_client_")]
    classes = _methods(result.files[f"{PACKAGE}/_client.py"])
    assert [name for name in classes["Client"] if name not in HELPERS] == _operations(result)
    assert classes["ClientWithRawResponse"][1:] == _operations(result)


def test_the_part_modules_use_only_names_that_operations_and_arguments_cannot_take(
    built: tuple[cli.Result, Path], package: ModuleType
) -> None:
    """A method or argument named like something a part module uses in its bodies or imports
    would shadow it: the reserved names are read from the part template too."""
    models = set(dir(package.models))
    for number in (1, 2, 3):
        tree = ast.parse(built[0].files[f"{PACKAGE}/_client_{number}.py"])
        used = {
            node.id
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for statement in function.body
            for node in ast.walk(statement)
            if isinstance(node, ast.Name)
        }
        arguments = {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
        assert used - models - arguments <= naming.reserved_argument_names() | {"_client"}, number
        imported = {
            (alias.asname or alias.name)
            for node in tree.body
            if isinstance(node, ast.ImportFrom | ast.Import)
            for alias in node.names
        }
        assert imported - {"annotations"} <= naming.reserved_method_names(), number


def test_regenerating_with_fewer_operations_removes_the_part_modules(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_atomically(_build(out, PER_MODULE).files, out)
    assert (out / PACKAGE / "_client_3.py").is_file()
    write_atomically(_build(out, 5).files, out)
    assert sorted(path.name for path in (out / PACKAGE).glob("_client*.py")) == ["_client.py"]
