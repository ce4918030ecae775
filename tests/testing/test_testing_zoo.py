"""The generated ``testing`` module works for any spec the generator handles: here the zoo.

The zoo spec has no examples and no x-wait, an apiKey header (X-Zoo-Key), an operation without
security, an integer path parameter, a required header, a query array, a 201 and a 204: every
answer comes from the schemas.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import httpx
import pytest
from mock_calls import answer_of, call, minimal_arguments
from openapi_adapter import OpenAPIRequest, OpenAPIResponse
from openapi_core import OpenAPI
from replay import load_api

from tests import fast_yaml

# The module's fixtures are made once per run: under xdist (make test) its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_testing_zoo")

ZOO_SPEC = Path(__file__).resolve().parents[1] / "generator" / "specs" / "zoo.yaml"
API = load_api(ZOO_SPEC, "zoo")
BASE = API.server_url
KEY = "zoo-key"


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(fast_yaml.safe_load(ZOO_SPEC.read_text(encoding="utf-8")))


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("operation", API.operations, ids=lambda operation: operation.name)
def test_every_operation_answers_from_its_schemas(
    zoo: ModuleType, operation, flavour: str, openapi: OpenAPI
) -> None:
    mock = zoo.testing.MockAPI()
    client = mock.client(api_key=KEY) if flavour == "sync" else mock.async_client(api_key=KEY)
    args, kwargs = minimal_arguments(zoo, operation)
    result = call(client, operation.name, args, kwargs)
    ((name, request),) = mock.calls
    assert name == operation.name
    response = answer_of(mock, request)
    success = next(r for r in operation.responses if r.status.startswith("2"))
    assert response.status_code == int(success.status)
    assert (result is None) == (success.model is None)
    openapi.validate_response(OpenAPIRequest(request), OpenAPIResponse(response))


def test_an_array_answer_holds_one_item_built_from_its_schema(zoo: ModuleType) -> None:
    operation = next(o for o in API.operations if o.method == "GET" and not o.path_args and o.security)
    pets = getattr(zoo.testing.MockAPI().client(), operation.name)(
        *minimal_arguments(zoo, operation)[0], **minimal_arguments(zoo, operation)[1]
    )
    assert isinstance(pets, list) and len(pets) == 1


def test_the_api_key_header_is_required_where_the_spec_says_so(zoo: ModuleType) -> None:
    mock = zoo.testing.MockAPI()
    secured = [o for o in API.operations if o.security and o.method == "GET" and o.path_args]
    open_ = [o for o in API.operations if not o.security]
    assert secured and open_
    with httpx.Client(transport=mock, base_url=BASE) as http:
        path = secured[0].path.replace("{petId}", "5")
        assert http.get(path).status_code == 401
        assert http.get(path, headers={"X-Zoo-Key": ""}).status_code == 401
        assert http.get(path, headers={"X-Zoo-Key": KEY}).status_code == 200
        assert http.get(open_[0].path).status_code == 200


def test_parameters_are_validated(zoo: ModuleType) -> None:
    mock = zoo.testing.MockAPI()
    headers = {"X-Zoo-Key": KEY}
    with httpx.Client(transport=mock, base_url=BASE, headers=headers) as http:
        not_an_int = http.get("/pets/abc")
        assert not_an_int.status_code == 422
        assert not_an_int.json()["detail"][0]["loc"][:2] == ["path", "petId"]
        assert http.get("/pets/0").status_code == 422  # minimum: 1
        missing_header = http.get("/pets")
        assert missing_header.status_code == 422
        assert missing_header.json()["detail"][0]["loc"] == ["header", "X-Request-Id"]
        assert http.get("/pets", params={"limit": 0}, headers={"X-Request-Id": "r"}).status_code == 422
        listed = http.get("/pets", params={"limit": 5, "tags": ["a", "b"]}, headers={"X-Request-Id": "r"})
        assert listed.status_code == 200


def test_bodies_are_validated_with_the_models(zoo: ModuleType) -> None:
    mock = zoo.testing.MockAPI()
    with httpx.Client(transport=mock, base_url=BASE, headers={"X-Zoo-Key": KEY}) as http:
        assert http.post("/pets", json={"name": "Rex"}).status_code == 201
        too_long = http.post("/pets", json={"name": "R" * 21})
        assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["body", "name"]
        assert (
            http.post("/pets", json={"name": "Rex", "owner": {"name": "Ann", "address": {}}}).status_code
            == 422
        )
        assert http.patch("/pets/5", json={"nickname": None}).status_code == 200
        assert http.delete("/pets/5").status_code == 204


@pytest.mark.anyio
async def test_the_async_client_gets_a_built_answer_and_a_204(zoo: ModuleType) -> None:
    mock = zoo.testing.MockAPI()
    client = mock.async_client(api_key=KEY)
    pet = await client.create_pet(name="Rex")
    assert isinstance(pet, zoo.models.Pet)
    assert await client.delete_pet(5) is None
    assert [name for name, _ in mock.calls] == ["create_pet", "delete_pet"]


def test_a_spec_without_x_wait_cannot_script_statuses(zoo: ModuleType) -> None:
    mock = zoo.testing.MockAPI()
    with pytest.raises(ValueError, match="polling rule"):
        mock.script_statuses("1", ["done"])
    mock.script("get_pet", [{"id": 9, "name": "Scripted"}], path={"petId": 9})
    assert mock.client().get_pet(9).name == "Scripted"
    assert mock.client().get_pet(8).name != "Scripted"
