"""The request models and the spec never disagree about which bodies are valid.

Bodies come from the spec itself: schemathesis generates schema-valid ones (positive mode) and
schema-invalid ones (negative mode) for each operation, and the spec tests' table of invalid
bodies adds the cross-field rules. Every body's verdict is first taken from JSON Schema
(jsonschema, Draft 2020-12, formats unchecked like the models), then the models must agree:
valid bodies are accepted and dump back to exactly themselves, invalid ones raise
``ValidationError``, in both of pydantic's input modes (Python objects and JSON text).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pydantic
import pytest
import seedance_client
from hypothesis import HealthCheck, given, settings
from invalid_bodies import INVALID_CASES
from jsonschema import Draft202012Validator
from replay import load_api

from generator.naming import class_name

# The module's fixtures are made once per run: under xdist (make test) its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_contract_models")

API = load_api()
BODY_OPERATIONS = [operation for operation in API.operations if operation.body]
# Derandomized: CI sees the same 60 examples every run, so a pass or a failure is reproducible.
SETTINGS = settings(
    max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
# Values that JSON Schema keeps apart from strings, integers, numbers and booleans but that
# pydantic's lax mode would coerce ("5" -> 5, 1 -> True, 5.0 -> 5...), plus null and containers.
WRONG_TYPES: list[Any] = ["5", "true", "1.5", 5, 1, 0, 1.5, 5.0, True, False, None, [], {}]

ValidatorFor = Callable[[str, str], Draft202012Validator]


@pytest.fixture(scope="module")
def st_schema(spec_document: dict[str, Any]) -> Any:
    """The spec for schemathesis, without security: negative cases then break the body itself
    rather than the Authorization header.

    schemathesis is imported here, not at the top: the pytest processes that never run these
    tests (every xdist worker collects every module) skip its ~0.2 s of imports."""
    import schemathesis  # noqa: PLC0415

    document = copy.deepcopy(spec_document)
    document.pop("security", None)
    for path_item in document["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    return schemathesis.openapi.from_dict(document)


def _model(operation) -> Any:
    return getattr(seedance_client.models, operation.body.model)


def _accepted_and_round_trips(model: Any, body: Any) -> None:
    canonical = json.dumps(body, sort_keys=True)
    for parsed in (model.model_validate(body), model.model_validate_json(json.dumps(body))):
        dumped = parsed.model_dump(mode="json", by_alias=True, exclude_unset=True)
        assert json.dumps(dumped, sort_keys=True) == canonical


def _integral_floats_as_ints(value: Any) -> Any:
    """4.0 -> 4, everywhere in a JSON value."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    return value


def _rejected(model: Any, body: Any) -> None:
    with pytest.raises(pydantic.ValidationError):
        model.model_validate(body)
    with pytest.raises(pydantic.ValidationError):
        model.model_validate_json(json.dumps(body))


@pytest.mark.parametrize("operation", BODY_OPERATIONS, ids=lambda operation: operation.name)
def test_schema_valid_bodies_are_accepted_and_round_trip(
    operation, st_schema, body_validator: ValidatorFor
) -> None:
    model, validator = _model(operation), body_validator(operation.path, operation.method)
    strategy = st_schema[operation.path][operation.method].as_strategy()
    checked: list[Any] = []

    @SETTINGS
    @given(case=strategy)
    def check(case: Any) -> None:
        # The verdict is jsonschema's, except for integral floats (4.0), which the models
        # refuse on purpose (test_integral_floats_are_refused_for_integer_fields).
        body = _integral_floats_as_ints(case.body)
        if validator.is_valid(body):
            checked.append(body)
            _accepted_and_round_trips(model, body)

    check()
    assert len(checked) >= 20, f"only {len(checked)} schema-valid bodies were generated"


@pytest.mark.parametrize("operation", BODY_OPERATIONS, ids=lambda operation: operation.name)
def test_schema_invalid_bodies_are_rejected(operation, st_schema, body_validator: ValidatorFor) -> None:
    from schemathesis import GenerationMode  # noqa: PLC0415
    from schemathesis.core import NotSet  # noqa: PLC0415

    model, validator = _model(operation), body_validator(operation.path, operation.method)
    strategy = st_schema[operation.path][operation.method].as_strategy(
        generation_mode=GenerationMode.NEGATIVE
    )
    checked: list[Any] = []

    @SETTINGS
    @given(case=strategy)
    def check(case: Any) -> None:
        body = case.body
        if isinstance(body, bytes):  # "invalid syntax": not JSON at all
            with pytest.raises(pydantic.ValidationError):
                model.model_validate_json(body)
            return
        # Cases that break only a header, a parameter or a format leave the body valid.
        if isinstance(body, NotSet) or validator.is_valid(body):
            return
        checked.append(body)
        _rejected(model, body)

    check()
    assert len(checked) >= 15, f"only {len(checked)} schema-invalid bodies were generated"


@pytest.mark.parametrize("case", INVALID_CASES, ids=[case.id for case in INVALID_CASES])
def test_the_invalid_bodies_of_the_spec_tests_are_rejected(case, body_validator: ValidatorFor) -> None:
    operation = next(o for o in BODY_OPERATIONS if o.body.model == class_name(case.schema))
    model, validator = _model(operation), body_validator(operation.path, operation.method)
    assert validator.is_valid(case.base)
    _accepted_and_round_trips(model, case.base)
    assert not validator.is_valid(case.body)
    _rejected(model, case.body)


def _wrong_type_cases() -> list[Any]:
    cases = []
    for operation in BODY_OPERATIONS:
        base = next(pair.body for pair in operation.examples if pair.has_body)
        for field in operation.body.fields:
            cases.append(
                pytest.param(operation, base, field.wire_name, id=f"{operation.name}.{field.wire_name}")
            )
    return cases


@pytest.mark.parametrize(("operation", "base", "name"), _wrong_type_cases())
def test_values_of_the_wrong_type_are_not_coerced(
    operation, base, name, body_validator: ValidatorFor
) -> None:
    """ "5" for an int, 1 for a bool, 5 for a string...: JSON Schema rejects them, so must the models."""
    model, validator = _model(operation), body_validator(operation.path, operation.method)
    rejected = 0
    for value in WRONG_TYPES:
        body = {**base, name: value}
        if validator.is_valid(body):
            continue  # a value of the right type after all (5 for an integer field)
        rejected += 1
        _rejected(model, body)
    assert rejected >= len(WRONG_TYPES) - 4, f"{name}: jsonschema rejected only {rejected} values"


def test_integral_floats_are_refused_for_integer_fields(body_validator: ValidatorFor) -> None:
    """The one place where the models are deliberately narrower than the spec.

    JSON Schema counts 4.0 as an integer; the client refuses a float for an int, as it refuses
    "4" and true (see generator/models.py). Every other schema-valid body is accepted.
    """
    bodies = []
    for operation in BODY_OPERATIONS:
        validator = body_validator(operation.path, operation.method)
        for pair in operation.examples:
            for name, value in (pair.body or {}).items():
                if isinstance(value, int) and not isinstance(value, bool) and value != -1:
                    body = {**pair.body, name: float(value)}
                    assert validator.is_valid(body)
                    bodies.append((_model(operation), body))
    assert bodies, "no example has an integer field"
    for model, body in bodies:
        _rejected(model, body)
