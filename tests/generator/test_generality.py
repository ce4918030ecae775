"""The generator handles the constructs of a spec in general, not just today's three operations.

The zoo spec (specs/zoo.yaml) is this project's own: every HTTP method, path/query/header
parameters, arrays, nested objects, $ref, oneOf, nullable fields, an inline response schema,
a 204 answer and several response codes. Each test generates it, imports the result and calls
it through respx.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import httpx
import pydantic
import pytest
import respx

BASE = "https://zoo.example.com/api"
ZOO = Path(__file__).parent / "specs" / "zoo.yaml"
PET = {"id": 5, "name": "Rex", "nickname": None, "kind": {"barks": True}}


@pytest.fixture
def zoo(generate_package) -> ModuleType:
    return generate_package(ZOO, "zoo_generality")


@pytest.fixture
def client(zoo: ModuleType):
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield zoo.Client(api_key="zoo-key", max_retries=0), router


def test_camel_case_operation_ids_become_snake_case_methods(zoo: ModuleType) -> None:
    methods = {"list_pets", "create_pet", "get_pet", "replace_pet", "update_pet", "delete_pet", "get_stats"}
    assert methods <= set(dir(zoo.Client))
    assert methods <= set(dir(zoo.AsyncClient))


def test_get_with_query_array_and_header_parameters(client) -> None:
    api, router = client
    route = router.get("/pets").respond(200, json=[PET, {"id": 6, "name": "Tom", "kind": {"meows": False}}])
    pets = api.list_pets(limit=10, tags=["a", "b c"], x_request_id="req-1")
    request = route.calls.last.request
    assert request.url.params.multi_items() == [("limit", "10"), ("tags", "a"), ("tags", "b c")]
    assert request.headers["X-Request-Id"] == "req-1"
    assert request.headers["X-Zoo-Key"] == "zoo-key"
    assert [pet.name for pet in pets] == ["Rex", "Tom"]
    assert type(pets[0].kind).__name__ == "Dog" and type(pets[1].kind).__name__ == "Cat"


def test_parameter_bounds_are_checked_before_sending(client) -> None:
    api, router = client
    route = router.get("/pets").respond(200, json=[])
    with pytest.raises(pydantic.ValidationError):
        api.list_pets(limit=0, x_request_id="r")
    with pytest.raises(pydantic.ValidationError):
        api.list_pets(limit="10", x_request_id="r")  # no coercion from strings
    assert not route.called


def test_post_nested_objects_and_201(zoo: ModuleType, client) -> None:
    api, router = client
    route = router.post("/pets").respond(201, json={"id": 7, "name": "Rex", "tags": ["x"]})
    owner = zoo.models.Owner(name="Ann", address=zoo.models.Address(city="Oslo"))
    pet = api.create_pet(name="Rex", tags=["x"], owner=owner)
    sent = json.loads(route.calls.last.request.content)
    assert sent == {"name": "Rex", "tags": ["x"], "owner": {"name": "Ann", "address": {"city": "Oslo"}}}
    assert pet.id == 7


def test_nested_constraints_and_unknown_fields_are_refused(zoo: ModuleType, client) -> None:
    api, router = client
    route = router.post("/pets").respond(201, json=PET)
    with pytest.raises(pydantic.ValidationError):
        api.create_pet(name="Rex", owner={"name": "Ann", "address": {"city": ""}})
    with pytest.raises(pydantic.ValidationError):
        api.create_pet(name="Rex", tags=["a", "b", "c", "d"])
    changed = zoo.models.NewPet(name="Rex")
    changed.tags = ["a", "b", "c", "d"]  # models do not validate assignments; the client does
    with pytest.raises(pydantic.ValidationError):
        api.create_pet(changed)
    assert not route.called


def test_path_parameter_and_error_status(zoo: ModuleType, client) -> None:
    api, router = client
    router.get("/pets/5").respond(200, json=PET)
    router.get("/pets/6").respond(404, json={"message": "no pet 6"})
    assert api.get_pet(5).kind.barks is True
    with pytest.raises(zoo.NotFoundError) as caught:
        api.get_pet(6)
    assert caught.value.status_code == 404
    assert "no pet 6" in str(caught.value)


def test_put_with_a_model_and_patch_with_null(zoo: ModuleType, client) -> None:
    api, router = client
    put = router.put("/pets/5").respond(200, json=PET)
    patch = router.patch("/pets/5").respond(200, json=PET)
    api.replace_pet(5, zoo.models.Pet(id=5, name="Rex"))
    assert json.loads(put.calls.last.request.content) == {"id": 5, "name": "Rex"}
    api.update_pet(5, nickname=None)
    assert json.loads(patch.calls.last.request.content) == {"nickname": None}
    api.update_pet(5, kind=zoo.models.Cat(meows=True))
    assert json.loads(patch.calls.last.request.content) == {"kind": {"meows": True}}


def test_non_nullable_fields_refuse_none(client) -> None:
    api, router = client
    route = router.post("/pets").respond(201, json=PET)
    with pytest.raises(pydantic.ValidationError):
        api.create_pet(name="Rex", tags=None)
    assert not route.called


def test_delete_with_204_returns_none(client) -> None:
    api, router = client
    route = router.delete("/pets/5").respond(204)
    assert api.delete_pet(5) is None
    assert route.calls.last.request.method == "DELETE"


def test_inline_response_schema_and_operation_without_security(client) -> None:
    api, router = client
    route = router.get("/stats").respond(200, json={"count": 2, "by_kind": {"cat": 1, "dog": 1}})
    stats = api.get_stats()
    assert type(stats).__name__ == "GetStatsResponse"
    assert stats.count == 2 and stats.by_kind == {"cat": 1, "dog": 1}
    assert "X-Zoo-Key" not in route.calls.last.request.headers


@pytest.mark.anyio
async def test_async_client_has_the_same_behaviour(zoo: ModuleType) -> None:
    async with respx.mock(base_url=BASE) as router:
        route = router.get("/pets/5").respond(200, json=PET)
        async with zoo.AsyncClient(api_key="zoo-key", max_retries=0) as api:
            pet = await api.get_pet(5)
    assert pet.name == "Rex"
    assert route.calls.last.request.headers["X-Zoo-Key"] == "zoo-key"


def test_version_and_server_come_from_the_spec(zoo: ModuleType) -> None:
    assert zoo.__version__ == "2.1.0"
    api = zoo.Client(api_key="k", http_client=httpx.Client())
    assert str(api.base_url).rstrip("/") == BASE
