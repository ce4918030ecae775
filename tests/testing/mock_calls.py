"""Calls of any generated client that need no example: arguments built from the schemas."""

from __future__ import annotations

import asyncio
from types import ModuleType
from typing import Any

import httpx
import pydantic

from generator.ir import Operation


def minimal_arguments(package: ModuleType, operation: Operation) -> tuple[list[Any], dict[str, Any]]:
    """Path arguments, the required query and header arguments, and the body as a model, each
    built by the mock's own ``sample_value`` from the type that validates it."""
    sample_value = package._mock.sample_value
    models = package.models
    args: list[Any] = [sample_value(getattr(models, argument.validator)) for argument in operation.path_args]
    kwargs = {
        argument.name: sample_value(getattr(models, argument.validator))
        for argument in operation.query_args + operation.header_args
        if argument.required
    }
    if operation.body is not None:
        model = getattr(models, operation.body.model)
        args.append(pydantic.TypeAdapter(model).validate_python(sample_value(model)))
    return args, kwargs


def call(client: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Call a method of a sync or an async client and return its result."""
    result = getattr(client, name)(*args, **kwargs)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def answer_of(mock: Any, request: httpx.Request) -> httpx.Response:
    """The mock's answer to ``request`` again (it is deterministic without scripts)."""
    response: httpx.Response = mock.handle(request)
    return response
