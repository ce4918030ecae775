"""Record once, replay offline: ``Recorder`` -> cassette -> ``MockAPI.from_cassette`` -> example pairs.

The traffic is real: a generated client talks over HTTP to the mock served on a loopback port,
through the recording transport.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import seedance_client
from mock_calls import call
from replay import call_arguments, dump
from seedance_client.testing import CassetteError, MockAPI, Recorder
from served import serving

from generator.cli import main
from generator.ir import build_api
from generator.load import load_spec
from tests import fast_yaml

# The module's fixtures are made once per run: under xdist (make test) its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_testing_cassette")

KEY = "sk-recorded-SECRET-0d9e1f"
SPEC = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"
ZOO_SPEC = Path(__file__).resolve().parents[1] / "generator" / "specs" / "zoo.yaml"


def _record(server, path: Path) -> tuple[list[object], Recorder]:  # type: ignore[no-untyped-def]
    """A small session: create a task, wait on it, look up a documented one; answers returned."""
    recorder = Recorder(httpx.HTTPTransport(), path, base_url=server.url)
    with httpx.Client(transport=recorder) as http:
        client = seedance_client.Client(api_key=KEY, base_url=server.url, http_client=http)
        created = client.generate_seedance_2_0(prompt="A fox in the snow", duration=5)
        server.mock.script_statuses(created.task_id, ["pending", "processing", "completed"])
        task = client.wait_for_task(created.task_id, poll_interval=0.001)
        documented = client.get_task("cf049c71-6da7-4fc9-b186-13fff304ae47")
    return [dump(created), dump(task), dump(documented)], recorder


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[object], Recorder]:
    path = tmp_path_factory.mktemp("cassettes") / "session.json"
    with serving(seedance_client) as server:
        answers, recorder = _record(server, path)
    return path, answers, recorder


def test_the_cassette_is_stable_json_without_the_key(recorded) -> None:  # type: ignore[no-untyped-def]
    path, _, recorder = recorded
    text = path.read_text(encoding="utf-8")
    assert KEY not in text
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    operations = [item["operation"] for item in data["interactions"]]
    assert operations == ["generate_seedance_2_0", "get_task", "get_task", "get_task", "get_task"]
    assert {item["request"]["headers"]["authorization"] for item in data["interactions"]} == {"<redacted>"}
    assert data["interactions"][0]["request"]["body"] == {"prompt": "A fox in the snow", "duration": 5}
    assert recorder.drift == []


def test_the_cassette_replays_offline_with_the_same_answers(recorded) -> None:  # type: ignore[no-untyped-def]
    path, answers, _ = recorded
    mock = MockAPI.from_cassette(path, unrecorded="error")
    client = mock.client()
    created = client.generate_seedance_2_0(prompt="A fox in the snow", duration=5)
    task = client.wait_for_task(created.task_id, poll_interval=0.001)
    documented = client.get_task("cf049c71-6da7-4fc9-b186-13fff304ae47")
    assert [dump(created), dump(task), dump(documented)] == answers
    assert [operation for operation, _ in mock.calls] == ["generate_seedance_2_0"] + ["get_task"] * 4
    with pytest.raises(seedance_client.APIStatusError, match="was not recorded in the cassette") as raised:
        client.get_task("never-recorded")
    assert raised.value.status_code == 501
    # By default an unrecorded request gets the spec's answer.
    assert MockAPI.from_cassette(path).client().get_task("never-recorded").status == "completed"


def test_the_async_client_records_too(tmp_path: Path) -> None:
    path = tmp_path / "async.json"

    async def session(url: str) -> None:
        recorder = Recorder(httpx.AsyncHTTPTransport(), path, base_url=url)
        async with httpx.AsyncClient(transport=recorder) as http:
            client = seedance_client.AsyncClient(api_key=KEY, base_url=url, http_client=http)
            await client.get_task("t-async")

    with serving(seedance_client) as server:
        asyncio.run(session(server.url))
    (item,) = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    assert (item["operation"], item["response"]["status"]) == ("get_task", 200)


def test_the_recorder_flags_drift(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "drift.json"
    with serving(seedance_client) as server:
        server.mock.script(
            "get_task", [{"id": "t-new", "status": "queued", "priority": 1}], path={"id": "t-new"}
        )
        server.mock.script("get_task", [httpx.Response(201, json={})], path={"id": "t-201"})
        with httpx.Client(transport=Recorder(httpx.HTTPTransport(), path, base_url=server.url)) as http:
            client = seedance_client.Client(api_key=KEY, base_url=server.url, http_client=http)
            client.get_task("t-new")
            with pytest.raises(seedance_client.APIResponseValidationError):
                client.get_task("t-201")
    data = json.loads(path.read_text(encoding="utf-8"))
    drift = [note for item in data["interactions"] for note in item.get("drift", [])]
    assert drift == [
        "/status: 'queued' is not one of the documented values ('pending', 'processing', 'completed', 'failed')",
        "/priority: field 'priority' is not in the schema (documented fields: error_code, error_msg, id, result, status)",
        "/: status 201 is not documented (documented: 200)",
    ]
    assert "drifts from the spec" in caplog.text


def test_a_file_that_is_not_a_cassette_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"version": 1, "interactions": [{"request": {}}]}', encoding="utf-8")
    with pytest.raises(CassetteError, match=r"bad\.json: /interactions/0 needs request\.method"):
        MockAPI.from_cassette(path)
    with pytest.raises(CassetteError, match="cannot read the cassette"):
        MockAPI.from_cassette(tmp_path / "missing.json")


def test_examples_from_the_cassette_lint_clean_and_replay(
    recorded,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    generate_package: Callable[..., ModuleType],
) -> None:
    path, _, _ = recorded
    assert main(["examples", "--from-cassette", str(path), "--spec", str(SPEC)]) == 0
    blocks = fast_yaml.safe_load(capsys.readouterr().out)
    names = {name for block in blocks.values() for name in block}
    # The task polled three times is one pair (its last answer); the documented lookup is left out.
    assert names == {"recorded_generate_seedance_2_0_1", "recorded_get_task_1"}
    assert all(pointer.startswith("/paths/") and pointer.endswith("/examples") for pointer in blocks)

    copy = tmp_path / "openapi.recorded.yaml"
    assert main(["examples", "--from-cassette", str(path), "--spec", str(SPEC), "--write", str(copy)]) == 0
    package = generate_package(copy)  # generate lints the new pairs like any other
    importlib.import_module(f"{package.__name__}.testing")
    api = build_api(load_spec(copy), package.__name__)
    pairs = [
        (operation, pair) for operation in api.operations for pair in operation.examples if pair.name in names
    ]
    assert len(pairs) == 2
    for operation, pair in pairs:
        mock = package.testing.MockAPI()
        args, kwargs = call_arguments(package, operation, pair, "keywords")
        assert dump(call(mock.client(), operation.name, args, kwargs)) == pair.response
    completed = next(pair for operation, pair in pairs if operation.name == "get_task")
    assert completed.response["status"] == "completed"


def test_the_served_mock_replays_a_cassette(recorded) -> None:  # type: ignore[no-untyped-def]
    """What ``serve --cassette PATH`` serves: the recorded answers, over HTTP."""
    path, answers, _ = recorded
    testing = seedance_client.testing
    with (
        serving(seedance_client, lambda url: testing._served_mock(url, str(path))) as server,
        seedance_client.Client(api_key=KEY, base_url=server.url) as client,
    ):
        created = client.generate_seedance_2_0(prompt="A fox in the snow", duration=5)
        assert dump(created) == answers[0]
        assert dump(client.wait_for_task(created.task_id, poll_interval=0.001)) == answers[1]


KEYED = {
    "openapi": "3.1.0",
    "info": {"title": "Keyed", "version": "1"},
    "servers": [{"url": "https://keyed.example.com"}],
    "security": [{"key": []}],
    "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "api_key"}}},
    "paths": {
        "/items/{id}": {
            "get": {
                "operationId": "get_item",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "an item",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": {"name": {"type": "string"}}}
                            }
                        },
                    }
                },
            }
        }
    },
}


def test_a_key_sent_as_a_query_parameter_is_redacted_and_replays(
    tmp_path: Path, generate_package: Callable[..., ModuleType]
) -> None:
    package = generate_package(KEYED)
    testing = importlib.import_module(f"{package.__name__}.testing")
    live = testing.MockAPI()
    live.script("get_item", [{"name": "recorded"}], path={"id": "a"})
    path = tmp_path / "keyed.json"
    with httpx.Client(transport=testing.Recorder(live, path)) as http:
        client = package.Client(api_key=KEY, http_client=http)
        assert dump(client.get_item("a")) == {"name": "recorded"}
    text = path.read_text(encoding="utf-8")
    assert KEY not in text
    assert json.loads(text)["interactions"][0]["request"]["query"] == [["api_key", "<redacted>"]]
    replay = testing.MockAPI.from_cassette(path, unrecorded="error")
    assert dump(replay.client(api_key="another-key").get_item("a")) == {"name": "recorded"}


def test_recorded_query_and_header_parameters_become_typed_example_pairs(
    zoo: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    generate_package: Callable[..., ModuleType],
) -> None:
    """Another spec (the zoo): an integer and an array in the query, a header parameter."""
    live = zoo.testing.MockAPI()
    cassette = tmp_path / "zoo.json"
    with httpx.Client(transport=zoo.testing.Recorder(live, cassette)) as http:
        client = zoo.Client(api_key=KEY, http_client=http)
        client.list_pets(limit=5, tags=["a", "b"], x_request_id="r-1")
        client.list_pets(tags=["solo"], x_request_id="r-2")
    copy = tmp_path / "zoo.recorded.yaml"
    assert (
        main(["examples", "--from-cassette", str(cassette), "--spec", str(ZOO_SPEC), "--write", str(copy)])
        == 0
    )
    capsys.readouterr()
    package = generate_package(copy)
    importlib.import_module(f"{package.__name__}.testing")
    (operation,) = [o for o in build_api(load_spec(copy), package.__name__).operations if o.examples]
    pairs = {pair.name: pair for pair in operation.examples}
    assert set(pairs) == {"recorded_list_pets_1", "recorded_list_pets_2"}
    first, second = pairs["recorded_list_pets_1"], pairs["recorded_list_pets_2"]
    assert (first.query, first.headers) == ({"limit": 5, "tags": ["a", "b"]}, {"X-Request-Id": "r-1"})
    assert (second.query, second.headers) == ({"tags": ["solo"]}, {"X-Request-Id": "r-2"})
    for pair in (first, second):
        mock = package.testing.MockAPI()
        args, kwargs = call_arguments(package, operation, pair, "keywords")
        assert dump(call(mock.client(), operation.name, args, kwargs)) == pair.response
        assert [name for name, _ in mock.calls] == [operation.name]


PET = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
SHARED = {
    "openapi": "3.1.0",
    "info": {"title": "Shared", "version": "1"},
    "servers": [{"url": "https://shared.example.com"}],
    "paths": {
        "/pets": {
            "post": {
                "operationId": "create_pet",
                "requestBody": {"$ref": "#/components/requestBodies/NewPet"},
                "responses": {"201": {"$ref": "#/components/responses/Pet"}},
            }
        }
    },
    "components": {
        "requestBodies": {"NewPet": {"required": True, "content": {"application/json": {"schema": PET}}}},
        "responses": {
            "Pet": {"description": "a pet", "content": {"application/json; charset=utf-8": {"schema": PET}}}
        },
    },
}


def test_recorded_pairs_go_where_a_shared_body_and_answer_are_defined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], generate_package: Callable[..., ModuleType]
) -> None:
    """A body and an answer given by ``$ref`` keep their examples in the objects they refer to,
    under the media type as the spec spells it, and the copy generates with the new pair."""
    spec = tmp_path / "shared.json"
    spec.write_text(json.dumps(SHARED), encoding="utf-8")
    package = generate_package(spec)
    testing = importlib.import_module(f"{package.__name__}.testing")
    live = testing.MockAPI()
    live.script("create_pet", [{"name": "Rex"}])
    cassette = tmp_path / "shared.cassette.json"
    with httpx.Client(transport=testing.Recorder(live, cassette)) as http:
        package.Client(http_client=http).create_pet(name="Rex")
    copy = tmp_path / "shared.recorded.json"
    assert (
        main(["examples", "--from-cassette", str(cassette), "--spec", str(spec), "--write", str(copy)]) == 0
    )
    capsys.readouterr()
    document = fast_yaml.safe_load(copy.read_text(encoding="utf-8"))
    assert document["paths"] == SHARED["paths"]
    components = document["components"]
    body = components["requestBodies"]["NewPet"]["content"]["application/json"]["examples"]
    answer = components["responses"]["Pet"]["content"]["application/json; charset=utf-8"]["examples"]
    assert body["recorded_create_pet_1"]["value"] == {"name": "Rex"}
    assert answer["recorded_create_pet_1"]["value"] == {"name": "Rex"}
    recorded = generate_package(copy)
    (operation,) = build_api(load_spec(copy), recorded.__name__).operations
    (pair,) = operation.examples
    assert (pair.name, pair.body, pair.status, pair.response) == (
        "recorded_create_pet_1",
        {"name": "Rex"},
        201,
        {"name": "Rex"},
    )
