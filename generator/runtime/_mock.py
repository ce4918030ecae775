"""A stand-in for the API in tests: documented requests get their documented answers.

The generated ``testing`` module describes every operation as a :class:`MockOperation` (its
path, parameters, body and response types, security, polling rule and example pairs) and builds
a :class:`BaseMockAPI` from them. It is an ``httpx.MockTransport``, so it serves ``httpx.Client``
and ``httpx.AsyncClient`` alike and nothing is patched. Each request is answered by the first
rule that applies:

1. a URL outside ``base_url``, or a path of no operation: 404; a known path with a method it
   does not have: 405;
2. credentials missing or empty where the operation's security asks for them (or, when the mock
   was given an ``api_key``, different from it): 401;
3. parameters or a JSON body that the models reject: 422 with
   ``{"message": ..., "detail": [pydantic's errors]}``; a body that is not JSON: 415 or 422;
4. an answer scripted with :meth:`BaseMockAPI.script` or :meth:`BaseMockAPI.script_statuses`
   (an exception scripted there is raised by the transport);
5. the answer recorded for this request in a cassette (:meth:`BaseMockAPI.from_cassette`);
6. the response example paired with a request example equal to this request;
7. an answer built from the response type's JSON schema: required fields only, each from its
   first example, else its default, else a value of its type; fields named like a path
   parameter repeat its value; an operation that creates something (a POST) gets a new id in
   each field named ``id`` or ``*_id``; for an operation with a polling rule, the status is
   the first success status (an unknown job is finished, so a wait returns at once) and the
   answer is the spec's example with that status when there is one (a finished task has its
   ``result``).

The modules beside this one hold each idea: ``_mock_routing`` (rules 1-3), ``_mock_script``
(rule 4), ``_mock_cassette`` (rule 5, and the recorder), ``_mock_sampling`` (rule 7),
``_mock_server`` (the mock over HTTP), ``_mock_contract`` (drift).

Every request is recorded in :attr:`BaseMockAPI.calls` as ``(operation name or None, request)``.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Self

import httpx
import pydantic

from ._arguments import type_adapter, wire_text
from ._mock_cassette import Tape, load_cassette, request_key
from ._mock_routing import (
    Checked,
    MockCall,
    MockExample,
    MockOperation,
    MockParameter,
    Route,
    check_request,
    error_response,
    find_route,
    path_values,
)
from ._mock_sampling import NO_SAMPLE, canonical, sample_value, top_properties
from ._mock_script import Scripts, check_answer, send_answer
from ._types import WaitRule

__all__ = ["BaseMockAPI", "MockCall", "MockExample", "MockOperation", "MockParameter", "sample_value"]


class BaseMockAPI(httpx.MockTransport):
    """An in-memory API answering from the spec's examples and schemas (see the module's doc).

    Args:
        operations: what the API offers, as the generated ``testing`` module describes it.
        base_url: requests are served under this URL only (404 elsewhere).
        api_key: when given, the only credential accepted; by default any non-empty one is.
    """

    def __init__(
        self, operations: Iterable[MockOperation], *, base_url: str | httpx.URL, api_key: str | None = None
    ) -> None:
        super().__init__(self.handle)
        self.base_url = httpx.URL(str(base_url).rstrip("/"))
        self.api_key = api_key
        self.calls: list[MockCall] = []
        """Every request received, in order."""
        self._routes = [Route(operation) for operation in operations]
        self._scripts = Scripts()
        self._tape: Tape | None = None
        self._unrecorded: Literal["spec", "error"] = "spec"
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def operations(self) -> tuple[MockOperation, ...]:
        """The operations served."""
        return tuple(route.operation for route in self._routes)

    # -- what tests use ---------------------------------------------------------------------------

    @classmethod
    def from_cassette(
        cls, path: str | os.PathLike[str], *, unrecorded: Literal["spec", "error"] = "spec", **options: Any
    ) -> Self:
        """A mock that replays a cassette written by ``Recorder``, so recorded tests run offline.

        A recorded request gets its recorded answers in turn (the last repeats), before any
        example. A request that was not recorded gets the usual answer from the spec, or with
        ``unrecorded="error"`` a 501 whose message names the request and the cassette.
        ``options`` are those of the constructor. Raises ``CassetteError`` (a ``ValueError``)
        for a file that is not a cassette.
        """
        if unrecorded not in ("spec", "error"):
            raise ValueError(f"unrecorded must be 'spec' or 'error', not {unrecorded!r}")
        mock = cls(**options)
        mock._tape = Tape(load_cassette(path), os.fspath(path))
        mock._unrecorded = unrecorded
        return mock

    def requests(self, operation: str) -> list[httpx.Request]:
        """The requests received by ``operation``, in order."""
        self._route_of(operation)
        return [call.request for call in self.calls if call.operation == operation]

    def reset(self) -> None:
        """Forget every call and every script."""
        with self._lock:
            self.calls.clear()
        self._scripts.clear()

    def script(
        self, operation: str, answers: Sequence[Any], *, path: Mapping[str, Any] | None = None
    ) -> None:
        """Answer the next calls of ``operation`` with ``answers``, one per call; the last repeats.

        An answer is an ``httpx.Response`` (sent as it is, whatever its status), an exception
        class or instance (raised by the transport, as httpx raises ``httpx.ReadTimeout``), or a
        JSON value (sent with the operation's success status). ``path`` limits the script to
        requests with these path parameters, e.g. ``{"id": "t1"}``. A new script for the same
        operation and ``path`` replaces the old one; validation (rules 1-3) still comes first.
        """
        route = self._route_of(operation)
        if not answers:
            raise ValueError("script needs at least one answer")
        for answer in answers:
            check_answer(answer)
        filters = {str(name): wire_text(value) for name, value in (path or {}).items()}
        unknown = sorted(set(filters) - set(route.path_parameters))
        if unknown:
            raise ValueError(f"{operation} has no path parameter {', '.join(map(repr, unknown))}")
        self._scripts.set(operation, filters, answers)

    def script_statuses(self, key: Any, statuses: Sequence[str], *, operation: str | None = None) -> None:
        """Make a polled job go through ``statuses``, one per call of its status operation.

        ``operation`` defaults to the only operation with a polling rule (``x-wait``); ``key`` is
        the value of its path parameter (a mapping when it has several, None for any). Each
        answer is the response example with that status when the spec has one, else an answer
        built from the schema; its status field is set to the status and the fields named like
        a path parameter to the key.
        """
        route = self._wait_route(operation)
        rule = route.operation.wait
        assert rule is not None
        names = list(route.path_parameters)
        if key is None:
            path: dict[str, Any] = {}
        elif isinstance(key, Mapping):
            path = dict(key)
        elif len(names) == 1:
            path = {names[0]: key}
        else:
            raise ValueError(f"{route.operation.name} has {len(names)} path parameters: pass a mapping")
        values = path_values(route, {name: wire_text(value) for name, value in path.items()})
        answers = [self._status_answer(route, rule, status, values) for status in statuses]
        self.script(route.operation.name, answers, path=path)

    # -- the transport's handler ------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (the ``httpx.MockTransport`` handler)."""
        route, path = find_route(self._routes, self.base_url, request)
        with self._lock:
            self.calls.append(MockCall(route.operation.name if route else None, request))
        if isinstance(path, httpx.Response):
            return path
        assert route is not None
        checked = check_request(route, request, path, self.api_key)
        if isinstance(checked, httpx.Response):
            return checked
        found, answer = self._scripts.next(route.operation.name, checked.path_text)
        if found:
            return send_answer(answer, route.status, request)
        if self._tape is not None:
            recorded = self._recorded(route, request, checked)
            if recorded is not None:
                return recorded
        for example in route.operation.examples:
            if self._is_example(route, example, request, checked):
                return httpx.Response(example.status, json=example.response)
        return self._built_answer(route, checked.path_values)

    # -- answers ------------------------------------------------------------------------------------

    def _recorded(self, route: Route, request: httpx.Request, checked: Checked) -> httpx.Response | None:
        assert self._tape is not None
        raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
        relative = raw_path[len(self.base_url.raw_path.decode("ascii").rstrip("/")) :]
        auth_params = {scheme.name for scheme in route.operation.security if scheme.kind == "query"}
        query = [(n, v) for n, v in request.url.params.multi_items() if n not in auth_params]
        answer = self._tape.answer(
            request_key(request.method, relative, query, checked.body, checked.has_body)
        )
        if answer is None and self._unrecorded == "error":
            message = (
                f"{request.method} {relative} was not recorded in the cassette {self._tape.source} "
                "(MockAPI.from_cassette(..., unrecorded='spec') answers it from the spec instead)"
            )
            return error_response(501, message)
        return answer

    def _is_example(
        self, route: Route, example: MockExample, request: httpx.Request, checked: Checked
    ) -> bool:
        if {name: wire_text(value) for name, value in example.path.items()} != checked.path_text:
            return False
        auth_params = {scheme.name for scheme in route.operation.security if scheme.kind == "query"}
        sent = sorted(
            (name, value) for name, value in request.url.params.multi_items() if name not in auth_params
        )
        expected = sorted(
            (name, wire_text(item))
            for name, value in example.query.items()
            for item in (value if isinstance(value, list) else [value])
        )
        if sent != expected:
            return False
        for name, value in example.headers.items():
            text = (
                ",".join(wire_text(item) for item in value) if isinstance(value, list) else wire_text(value)
            )
            if request.headers.get(name) != text:
                return False
        if example.has_body != checked.has_body:
            return False
        return not example.has_body or canonical(example.body) == canonical(checked.body)

    def _fill(self, route: Route, value: Any, values: Mapping[str, Any], status: str | None) -> Any:
        """``value`` with path parameters echoed into same-named fields, and the status set."""
        if not isinstance(value, dict) or route.response_type is None:
            return value
        properties = top_properties(route.response_type)
        value = dict(value)
        value.update({name: item for name, item in values.items() if name in properties})
        rule = route.operation.wait
        if rule is not None and status is not None and rule.status_field in properties:
            value[rule.status_field] = status
        return value

    def _new_ids(self, route: Route, value: Any) -> Any:
        """A created thing's answer with a new id in each string field named ``id`` or ``*_id``."""
        if not route.creates or not isinstance(value, dict):
            return value
        number = next(self._ids)
        changed = dict(value)
        for name, item in value.items():
            if isinstance(item, str) and (name.lower() == "id" or name.lower().endswith("_id")):
                changed[name] = str(uuid.UUID(int=number, version=4))
        return changed

    def _built_answer(self, route: Route, values: Mapping[str, Any]) -> httpx.Response:
        if not route.has_response_body:
            return httpx.Response(route.status)
        rule = route.operation.wait
        if rule is not None and rule.success:
            value = self._example_with_status(route, rule, rule.success[0], values)
            if value is not None:
                return httpx.Response(route.status, json=value)
        status = rule.success[0] if rule is not None and rule.success else None
        value = self._valid_sample(route, values, status)
        if value is NO_SAMPLE:
            name = getattr(route.response_type, "__name__", repr(route.response_type))
            message = (
                f"the mock cannot build a valid {name} for {route.operation.name} from its schema; "
                f"script the answer with mock.script({route.operation.name!r}, [...])"
            )
            return error_response(500, message)
        renamed = self._new_ids(route, value)
        if renamed is not value and self._is_valid(route, renamed):
            value = renamed
        return httpx.Response(route.status, json=value)

    def _is_valid(self, route: Route, value: Any) -> bool:
        try:
            type_adapter(route.response_type).validate_json(json.dumps(value))
        except pydantic.ValidationError:
            return False
        return True

    def _valid_sample(self, route: Route, values: Mapping[str, Any], status: str | None) -> Any:
        for use_examples in (True, False):
            value = self._fill(
                route, sample_value(route.response_type, use_examples=use_examples), values, status
            )
            if self._is_valid(route, value):
                return value
        return NO_SAMPLE

    def _example_with_status(
        self, route: Route, rule: WaitRule, status: str, values: Mapping[str, Any]
    ) -> Any:
        """The first success example whose status field is ``status``, filled for this request."""
        for example in route.operation.examples:
            response = example.response
            if (
                200 <= example.status < 300
                and isinstance(response, dict)
                and response.get(rule.status_field) == status
            ):
                value = self._fill(route, copy.deepcopy(response), values, status)
                if self._is_valid(route, value):
                    return value
        return None

    def _status_answer(self, route: Route, rule: WaitRule, status: str, values: Mapping[str, Any]) -> Any:
        value = self._example_with_status(route, rule, status, values)
        if value is not None:
            return value
        value = self._valid_sample(route, values, status)
        if value is NO_SAMPLE:
            raise ValueError(f"cannot build an answer of {route.operation.name} with status {status!r}")
        return value

    # -- lookups --------------------------------------------------------------------------------

    def _route_of(self, name: str) -> Route:
        for route in self._routes:
            if route.operation.name == name:
                return route
        known = ", ".join(route.operation.name for route in self._routes)
        raise KeyError(f"no operation {name!r} (known: {known})")

    def _wait_route(self, name: str | None) -> Route:
        if name is not None:
            route = self._route_of(name)
            if route.operation.wait is None:
                raise ValueError(f"{name} has no polling rule (x-wait)")
            return route
        polled = [route for route in self._routes if route.operation.wait is not None]
        if len(polled) != 1:
            names = ", ".join(route.operation.name for route in polled) or "none"
            raise ValueError(f"pass operation=...: operations with a polling rule: {names}")
        return polled[0]
