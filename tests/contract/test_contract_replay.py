"""Replay every example pair of the spec against the committed client, and hold both to the spec.

For each operation, each named pair, the sync and the async client, and keyword arguments or
the request model: the client must send exactly the example request (respx checks it, and a
difference fails with a diff) and parse the paired answer back into exactly the example. Each
request it sent is then validated against the spec itself with openapi-core, and so is each
documented answer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest
import seedance_client
from invalid_bodies import INVALID_CASES
from openapi_adapter import OpenAPIRequest, OpenAPIResponse
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError
from replay import expected_request, load_api, replay, replay_cases

from generator.naming import class_name

API = load_api()
CASES = replay_cases(API)
PAIRS = [(operation, pair) for operation in API.operations for pair in operation.examples]


def _pair_id(item: Any) -> str:
    operation, pair = item
    return f"{operation.name}/{pair.name}"


def test_every_operation_has_pairs_and_every_pair_is_replayed() -> None:
    assert API.operations and all(operation.examples for operation in API.operations)
    replayed = {(case.operation.name, case.pair.name, case.flavour) for case in CASES}
    assert replayed == {(o.name, p.name, f) for o, p in PAIRS for f in ("sync", "async")}
    bodies = [case for case in CASES if case.pair.has_body]
    assert {case.form for case in bodies} == {"keywords", "model"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_client_sends_the_example_request_and_parses_the_paired_answer(case, openapi: OpenAPI) -> None:
    replayed = replay(seedance_client, API, case)
    openapi.validate_request(OpenAPIRequest(replayed.request))


@pytest.mark.parametrize("item", PAIRS, ids=[_pair_id(item) for item in PAIRS])
def test_each_documented_answer_matches_its_response_schema(item, openapi: OpenAPI) -> None:
    operation, pair = item
    request = OpenAPIRequest(expected_request(API, operation, pair).to_httpx())
    openapi.validate_response(request, OpenAPIResponse(httpx.Response(pair.status, json=pair.response)))


# -- the validation above is not a no-op ------------------------------------------------------------


def _rejected(openapi: OpenAPI, request: httpx.Request) -> bool:
    try:
        openapi.validate_request(OpenAPIRequest(request))
    except OpenAPIError:
        return True
    return False


@pytest.mark.parametrize("item", PAIRS[:1] + [p for p in PAIRS if p[1].path][:1], ids=_pair_id)
def test_openapi_core_rejects_requests_that_break_the_spec(item, openapi: OpenAPI) -> None:
    operation, pair = item
    good = expected_request(API, operation, pair)
    assert not _rejected(openapi, good.to_httpx())
    no_credentials = good.to_httpx()
    for name in good.headers:
        if name.lower() == "authorization":
            del no_credentials.headers[name]
    assert _rejected(openapi, no_credentials)
    wrong_path = httpx.Request(good.method, good.url + "/unknown", headers=good.headers)
    assert _rejected(openapi, wrong_path)
    wrong_method = httpx.Request(
        "DELETE" if good.method != "DELETE" else "PATCH", good.url, headers=good.headers
    )
    assert _rejected(openapi, wrong_method)


BODY_OPERATIONS = {operation.body.model: operation for operation in API.operations if operation.body}


@pytest.mark.parametrize("case", INVALID_CASES, ids=[case.id for case in INVALID_CASES])
def test_openapi_core_rejects_the_invalid_bodies_of_the_spec_tests(case, openapi: OpenAPI) -> None:
    operation = BODY_OPERATIONS[class_name(case.schema)]
    pair = next(pair for pair in operation.examples if pair.has_body)
    good = expected_request(API, operation, pair)
    assert not _rejected(openapi, replace(good, body=case.base).to_httpx())
    assert _rejected(openapi, replace(good, body=case.body).to_httpx())


@pytest.mark.parametrize("item", PAIRS, ids=[_pair_id(item) for item in PAIRS])
def test_openapi_core_rejects_answers_without_a_required_field(item, openapi: OpenAPI) -> None:
    operation, pair = item
    request = OpenAPIRequest(expected_request(API, operation, pair).to_httpx())
    if not isinstance(pair.response, dict) or not pair.response:
        pytest.skip("the answer is not an object")
    model = getattr(seedance_client.models, next(r.model for r in operation.responses if r.model))
    required = [name for name, info in model.model_fields.items() if info.is_required()]
    assert required, f"{model.__name__} has no required field to drop"
    for name in required:
        key = model.model_fields[name].alias or name
        broken = {k: v for k, v in pair.response.items() if k != key}
        with pytest.raises(OpenAPIError):
            openapi.validate_response(request, OpenAPIResponse(httpx.Response(pair.status, json=broken)))
