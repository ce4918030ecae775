"""Replay the spec's example pairs against a generated client package.

The pairs are read through the generator's own intermediate model (``build_api``), so a new
pair in the spec is a new case, with no code per endpoint. One case is an operation, a pair, a
client flavour (sync or async) and a way of passing the request (keyword arguments, or the
request model). :func:`replay` calls the generated method, checks the request it sent against
the example (method, full URL, credentials, Content-Type, JSON body) and the parsed answer
against the paired response example, and raises ``AssertionError`` with a unified diff on any
difference. It takes the package as an argument, so the mutation tests run the very same code
against clients generated from broken copies of the spec.
"""

from __future__ import annotations

import asyncio
import atexit
import difflib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx
import pydantic
import respx

from generator.ir import Api, ExamplePair, Operation, build_api
from generator.load import load_spec

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO / "spec" / "openapi.yaml"
PACKAGE = "seedance_client"
API_KEY = "sk-contract-0123456789"
FLAVOURS = ("sync", "async")


def load_api(spec_path: Path = SPEC_PATH, package: str = PACKAGE) -> Api:
    """The intermediate model of a spec, exactly as the generator builds it."""
    return build_api(load_spec(spec_path), package)


@dataclass(frozen=True)
class ReplayCase:
    operation: Operation
    pair: ExamplePair
    flavour: str  # "sync" or "async"
    form: str  # "keywords" or "model"

    @property
    def id(self) -> str:
        return f"{self.operation.name}/{self.pair.name}/{self.flavour}/{self.form}"


def forms(operation: Operation, pair: ExamplePair) -> tuple[str, ...]:
    """The ways a pair's request can be passed: keyword arguments, and the request model."""
    if not pair.has_body or operation.body is None:
        return ("keywords",)
    names = {field.wire_name for field in operation.body.fields}
    if isinstance(pair.body, dict) and names and set(pair.body) <= names:
        return ("keywords", "model")
    return ("model",)


def replay_cases(api: Api) -> list[ReplayCase]:
    return [
        ReplayCase(operation, pair, flavour, form)
        for operation in api.operations
        for pair in operation.examples
        for flavour in FLAVOURS
        for form in forms(operation, pair)
    ]


# -- the request the example describes ------------------------------------------------------------


def _text(value: Any) -> str:
    """A parameter value as it is written in a URL or header (JSON spelling of scalars)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


_ABSENT = "<absent>"


@dataclass(frozen=True)
class ExpectedRequest:
    method: str
    url: str  # scheme://host/path, percent-encoded as sent, without the query
    query: tuple[tuple[str, str], ...]  # sorted
    headers: dict[str, str]
    has_body: bool
    body: Any = None

    def render(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"  ?{name}={value}" for name, value in self.query]
        lines += [f"{name}: {value}" for name, value in sorted(self.headers.items())]
        lines.append("")
        lines += _pretty(self.body).splitlines() if self.has_body else ["<no body>"]
        return "\n".join(lines)

    def render_sent(self, request: httpx.Request) -> str:
        """``request`` in the same layout, showing the headers this expectation names."""
        url = request.url
        raw_path = url.raw_path.decode("ascii").split("?", 1)[0]
        lines = [f"{request.method} {url.scheme}://{url.netloc.decode('ascii')}{raw_path}"]
        lines += [f"  ?{name}={value}" for name, value in sorted(url.params.multi_items())]
        lines += [f"{name}: {request.headers.get(name, _ABSENT)}" for name in sorted(self.headers)]
        lines.append("")
        if not request.content:
            lines.append("<no body>")
        else:
            try:
                lines += _pretty(json.loads(request.content)).splitlines()
            except ValueError:
                lines += ["<not JSON>", *request.content.decode("utf-8", "replace").splitlines()]
        return "\n".join(lines)

    def respx_patterns(self) -> dict[str, Any]:
        """respx lookups that match exactly this request (headers: at least these)."""
        patterns: dict[str, Any] = {
            "method": self.method,
            "url__regex": "^" + re.escape(self.url) + r"(\?|$)",
            "params": list(self.query),
            "headers": self.headers,
        }
        if self.has_body:
            patterns["json"] = self.body
        return patterns

    def to_httpx(self) -> httpx.Request:
        content = json.dumps(self.body).encode() if self.has_body else None
        return httpx.Request(
            self.method, self.url, params=list(self.query), headers=self.headers, content=content
        )


def expected_request(
    api: Api, operation: Operation, pair: ExamplePair, api_key: str = API_KEY
) -> ExpectedRequest:
    path = operation.path
    for name, value in pair.path.items():
        path = path.replace("{" + name + "}", quote(_text(value), safe=""))
    query = [
        (name, _text(item))
        for name, value in pair.query.items()
        for item in (value if isinstance(value, list) else [value])
    ]
    headers = {
        name: ",".join(_text(item) for item in value) if isinstance(value, list) else _text(value)
        for name, value in pair.headers.items()
    }
    for kind, name in operation.security:
        if kind == "bearer":
            headers["Authorization"] = f"Bearer {api_key}"
        elif kind == "header":
            headers[name] = api_key
        else:
            query.append((name, api_key))
    if pair.has_body:
        headers["Content-Type"] = "application/json"
    return ExpectedRequest(
        method=operation.method,
        url=api.server_url + path,
        query=tuple(sorted(query)),
        headers=headers,
        has_body=pair.has_body,
        body=pair.body,
    )


# -- calling the generated client -------------------------------------------------------------------


def call_arguments(
    package: ModuleType, operation: Operation, pair: ExamplePair, form: str
) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments of the generated method for the pair's request.

    Names come from the intermediate model (Python names, not wire names), so a client whose
    signature drifted from the spec gets arguments it does not accept.
    """
    args: list[Any] = [pair.path[argument.wire_name] for argument in operation.path_args]
    kwargs: dict[str, Any] = {}
    for arguments, values in ((operation.query_args, pair.query), (operation.header_args, pair.headers)):
        kwargs.update(
            {
                argument.name: values[argument.wire_name]
                for argument in arguments
                if argument.wire_name in values
            }
        )
    if pair.has_body and operation.body is not None:
        if form == "model":
            model = getattr(package.models, operation.body.model)
            if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
                args.append(model.model_validate(pair.body))
            else:
                args.append(pydantic.TypeAdapter(model).validate_python(pair.body))
        else:
            names = {field.wire_name: field.name for field in operation.body.fields}
            kwargs.update({names[key]: value for key, value in pair.body.items()})
    return args, kwargs


def dump(value: Any) -> Any:
    """A parsed answer as JSON, by alias and without the fields the answer did not carry."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {key: dump(item) for key, item in value.items()}
    return value


@contextmanager
def _environment_without(*names: str) -> Iterator[None]:
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


_RUNNER: asyncio.Runner | None = None


def _run(coroutine: Any) -> Any:
    """``asyncio.run``, on one event loop kept for every async call of the process: a new loop per
    call (asyncio.run) was ~0.15 ms of the ~1 ms of an async replay. Made by a factory, the loop is never
    set as the thread's current one, so nothing else in the process sees it."""
    global _RUNNER  # noqa: PLW0603
    if _RUNNER is None:
        _RUNNER = asyncio.Runner(loop_factory=asyncio.new_event_loop)
        atexit.register(_RUNNER.close)
    return _RUNNER.run(coroutine)


@dataclass
class Outcome:
    result: Any = None
    error: BaseException | None = None
    sent: list[httpx.Request] = field(default_factory=list)


def call(
    package: ModuleType,
    api: Api,
    case: ReplayCase,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport,
    api_key: str = API_KEY,
) -> Outcome:
    """Call the generated method of ``case`` through ``transport``; the default base URL applies."""
    outcome = Outcome()

    async def call_async() -> Any:
        assert isinstance(transport, httpx.AsyncBaseTransport)
        async with httpx.AsyncClient(transport=transport) as http:
            client = package.AsyncClient(api_key=api_key, max_retries=0, http_client=http)
            return await getattr(client, case.operation.name)(*args, **kwargs)

    with _environment_without(api.base_url_env):
        try:
            args, kwargs = call_arguments(package, case.operation, case.pair, case.form)
            if case.flavour == "sync":
                assert isinstance(transport, httpx.BaseTransport)
                with httpx.Client(transport=transport) as http:
                    client = package.Client(api_key=api_key, max_retries=0, http_client=http)
                    outcome.result = getattr(client, case.operation.name)(*args, **kwargs)
            else:
                outcome.result = _run(call_async())
        except Exception as error:
            outcome.error = error
    return outcome


# -- one replay -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replayed:
    request: httpx.Request
    result: Any


def _diff(expected: str, actual: str, expected_name: str, actual_name: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), expected_name, actual_name, lineterm=""
    )
    return "\n".join(lines)


def replay(package: ModuleType, api: Api, case: ReplayCase, api_key: str = API_KEY) -> Replayed:
    """Replay one example pair against ``package``; ``AssertionError`` with a diff on any difference."""
    operation, pair = case.operation, case.pair
    expected = expected_request(api, operation, pair, api_key)
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(pair.status, json=pair.response)

    # Whatever is sent is answered and recorded, then compared below, and matched against the
    # lookups a respx route for the example would use: a respx router per call, with its mock
    # bookkeeping, was half of a replay's CPU (2.0 -> 1.0 ms a replay).
    outcome = call(package, api, case, httpx.MockTransport(answer), api_key)

    if not sent:
        raise AssertionError(
            f"{case.id}: the client sent no request; it raised {outcome.error!r}"
        ) from outcome.error
    if len(sent) > 1:
        raise AssertionError(f"{case.id}: the client sent {len(sent)} requests instead of one")
    want, got = expected.render(), expected.render_sent(sent[0])
    if want != got:
        diff = _diff(want, got, "expected (the spec's example)", "sent by the client")
        raise AssertionError(f"{case.id}: the request differs from the example:\n{diff}")
    if not respx.patterns.M(**expected.respx_patterns()).match(sent[0]):
        raise AssertionError(f"{case.id}: respx's route for the example did not match:\n{want}")

    if 200 <= pair.status < 300:
        if outcome.error is not None:
            raise AssertionError(
                f"{case.id}: the documented answer was not accepted: {outcome.error!r}"
            ) from outcome.error
        got_json = dump(outcome.result)
    else:
        error = outcome.error
        if error is None or getattr(error, "status_code", None) != pair.status:
            raise AssertionError(f"{case.id}: expected an error with status {pair.status}, got {error!r}")
        got_json = getattr(error, "body", None)
    if _pretty(got_json) != _pretty(pair.response):
        diff = _diff(
            _pretty(pair.response),
            _pretty(got_json),
            "expected (the spec's response example)",
            "parsed by the client",
        )
        raise AssertionError(f"{case.id}: the parsed answer differs from the example:\n{diff}")
    return Replayed(sent[0], outcome.result)
