"""Cassettes: real request/answer pairs recorded once, replayed offline by the mock.

:class:`BaseRecorder` is an httpx transport (sync and async) that forwards every request to a
real transport and writes each pair to a JSON cassette: keys sorted, two-space indent, pairs in
the order they happened, the API key replaced by ``<redacted>`` wherever it appears. As it
records, it checks each answer against the spec: an undocumented status, a body the response
type rejects, and drift (fields the schema does not list, undocumented enum values) are noted
in the pair's ``"drift"`` list and logged as warnings.

:class:`Tape` holds a loaded cassette's answers by request, for ``MockAPI.from_cassette``.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx
import pydantic

from ._arguments import type_adapter
from ._mock_contract import drift
from ._mock_routing import MockOperation, Route, find_route, is_json
from ._mock_sampling import canonical, json_schema
from ._redact import REDACTED

__all__ = ["CASSETTE_VERSION", "BaseRecorder", "CassetteError", "Tape", "load_cassette", "request_key"]

CASSETTE_VERSION = 1
_RESPONSE_HEADERS = ("content-type", "location", "retry-after", "request-id", "x-request-id")
_logger = logging.getLogger(__name__.rsplit(".", 1)[0] + ".testing")


class CassetteError(ValueError):
    """A cassette file that cannot be read: the message names the file and the place."""


def _relative_path(url: httpx.URL, base_url: httpx.URL) -> str:
    raw_path = url.raw_path.decode("ascii").split("?", 1)[0]
    base_path = base_url.raw_path.decode("ascii").rstrip("/")
    return raw_path[len(base_path) :] if raw_path.startswith(base_path) else raw_path


def _secret_names(operations: Iterable[MockOperation]) -> tuple[set[str], set[str]]:
    headers, query = {"authorization"}, set()
    for operation in operations:
        for scheme in operation.security:
            if scheme.kind == "header":
                headers.add(scheme.name.lower())
            elif scheme.kind == "query":
                query.add(scheme.name)
    return headers, query


def request_key(method: str, path: str, query: Iterable[tuple[str, str]], body: Any, has_body: bool) -> str:
    """What identifies a request in a cassette: method, path, sorted query and the JSON body."""
    return canonical(
        [
            method.upper(),
            path,
            sorted([name, value] for name, value in query),
            body if has_body else None,
            has_body,
        ]
    )


def _json_or_text(content: bytes, content_type: str) -> dict[str, Any]:
    if not content:
        return {}
    if is_json(content_type):
        try:
            return {"body": json.loads(content)}
        except ValueError:
            pass
    return {"text": content.decode("utf-8", errors="replace")}


def load_cassette(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A cassette file's content, checked enough to replay it; ``CassetteError`` otherwise."""
    where = os.fspath(path)
    try:
        data = json.loads(Path(where).read_text(encoding="utf-8"))
    except OSError as error:
        raise CassetteError(f"{where}: cannot read the cassette: {error.strerror or error}") from None
    except ValueError as error:
        raise CassetteError(f"{where}: not a JSON cassette: {error}") from None
    if not isinstance(data, dict) or data.get("version") != CASSETTE_VERSION:
        raise CassetteError(
            f'{where}: not a cassette of version {CASSETTE_VERSION} (no "version": 1 at /version)'
        )
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        raise CassetteError(f"{where}: /interactions must be a list")
    for index, item in enumerate(interactions):
        request = item.get("request") if isinstance(item, dict) else None
        response = item.get("response") if isinstance(item, dict) else None
        if not (
            isinstance(request, dict)
            and isinstance(request.get("method"), str)
            and isinstance(request.get("path"), str)
            and isinstance(response, dict)
            and isinstance(response.get("status"), int)
        ):
            raise CassetteError(
                f"{where}: /interactions/{index} needs request.method, request.path and response.status"
            )
    return data


class Tape:
    """The answers of a cassette by request; each request's answers in turn, the last repeating."""

    def __init__(self, data: Mapping[str, Any], source: str) -> None:
        self.source = source
        self._answers: dict[str, list[Mapping[str, Any]]] = {}
        self._lock = threading.Lock()
        for item in data["interactions"]:
            request = item["request"]
            key = request_key(
                request["method"],
                request["path"],
                # the key, redacted, is not part of what a request is: the mock leaves it out too
                [tuple(pair) for pair in request.get("query") or [] if pair[1] != REDACTED],
                request.get("body"),
                "body" in request,
            )
            self._answers.setdefault(key, []).append(item["response"])

    def __len__(self) -> int:
        return sum(len(answers) for answers in self._answers.values())

    def answer(self, key: str) -> httpx.Response | None:
        """The next recorded answer to the request with this key, or None if none was recorded."""
        with self._lock:
            answers = self._answers.get(key)
            if not answers:
                return None
            recorded = answers.pop(0) if len(answers) > 1 else answers[0]
        headers = dict(recorded.get("headers") or {})
        if "body" in recorded:
            content = json.dumps(recorded["body"]).encode()
            headers.setdefault("content-type", "application/json")
        else:
            content = str(recorded.get("text", "")).encode()
        return httpx.Response(recorded["status"], headers=headers, content=content)


class BaseRecorder(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A transport that records real traffic into a cassette (see the module's doc).

    Args:
        transport: where requests really go (``httpx.HTTPTransport()``, or an async one).
        path: the cassette file, rewritten after every pair so that nothing is lost.
        operations: what the spec documents, to name and check each pair.
        base_url: the API's base URL; paths are recorded relative to it.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport,
        path: str | os.PathLike[str],
        *,
        operations: Iterable[MockOperation],
        base_url: str | httpx.URL,
    ) -> None:
        self.transport = transport
        self.path = Path(path)
        self.base_url = httpx.URL(str(base_url).rstrip("/"))
        self._routes = [Route(operation) for operation in operations]
        self._secret_headers, self._secret_query = _secret_names(route.operation for route in self._routes)
        self._parameter_headers = {
            parameter.name.lower()
            for route in self._routes
            for parameter in route.operation.parameters
            if parameter.location == "header"
        }
        self.interactions: list[dict[str, Any]] = []
        """Every pair recorded so far, as written to the cassette."""
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    @property
    def drift(self) -> list[str]:
        """Every drift noted so far, as ``"<operation> <pointer>: <message>"``."""
        return [
            f"{item.get('operation')} {note}" for item in self.interactions for note in item.get("drift", [])
        ]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(self.transport, httpx.BaseTransport):
            raise TypeError("this Recorder wraps an async transport: use it with httpx.AsyncClient")
        response = self.transport.handle_request(request)
        response.read()
        self._record(request, response)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(self.transport, httpx.AsyncBaseTransport):
            raise TypeError("this Recorder wraps a sync transport: use it with httpx.Client")
        response = await self.transport.handle_async_request(request)
        await response.aread()
        self._record(request, response)
        return response

    def close(self) -> None:
        if isinstance(self.transport, httpx.BaseTransport):
            self.transport.close()

    async def aclose(self) -> None:
        if isinstance(self.transport, httpx.AsyncBaseTransport):
            await self.transport.aclose()

    # -- recording ----------------------------------------------------------------------------

    def _record(self, request: httpx.Request, response: httpx.Response) -> None:
        route, _ = find_route(self._routes, self.base_url, request)
        recorded_request: dict[str, Any] = {
            "method": request.method,
            "path": _relative_path(request.url, self.base_url),
            "query": [
                [name, REDACTED if name in self._secret_query else value]
                for name, value in request.url.params.multi_items()
            ],
            "headers": self._request_headers(request),
        }
        recorded_request.update(_json_or_text(request.content, request.headers.get("content-type", "")))
        recorded_response: dict[str, Any] = {
            "status": response.status_code,
            "headers": {
                name: response.headers[name] for name in _RESPONSE_HEADERS if name in response.headers
            },
        }
        recorded_response.update(_json_or_text(response.content, response.headers.get("content-type", "")))
        item: dict[str, Any] = {
            "operation": route.operation.name if route else None,
            "request": recorded_request,
            "response": recorded_response,
        }
        notes = (
            self._check(route, recorded_response) if route else ["the spec has no operation for this request"]
        )
        if notes:
            item["drift"] = notes
            for note in notes:
                _logger.warning("recorded answer drifts from the spec: %s %s", item["operation"], note)
        with self._lock:
            self.interactions.append(item)
            self._write()

    def _request_headers(self, request: httpx.Request) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            if name in self._secret_headers:
                _, _, token = value.partition(" ")
                secret = token if name == "authorization" and token else value
                if secret.strip():
                    self._secrets.add(secret.strip())
                headers[name] = REDACTED
            elif name == "content-type" or name in self._parameter_headers:
                headers[name] = value
        for name, value in request.url.params.multi_items():
            if name in self._secret_query and value:
                self._secrets.add(value)
        return headers

    def _check(self, route: Route, response: Mapping[str, Any]) -> list[str]:
        status = response["status"]
        documented = route.operation.responses
        key = next(
            (k for k in (str(status), f"{str(status)[0]}XX") if k in documented),
            "default" if "default" in documented else None,
        )
        if key is None:
            listed = ", ".join(documented) or "none"
            return [f"/: status {status} is not documented (documented: {listed})"]
        response_type = documented[key]
        if response_type is None or not 200 <= status < 300:
            return []
        if "body" not in response:
            return ["/: the answer is not JSON"]
        try:
            type_adapter(response_type).validate_json(json.dumps(response["body"]))
        except pydantic.ValidationError as error:
            first = error.errors(include_url=False)[0]
            place = "/" + "/".join(str(part) for part in first["loc"])
            return [f"{place}: does not match the response type: {first['msg']}"]
        schema = json_schema(response_type)
        return [f"{found.pointer}: {found.message}" for found in drift(response["body"], schema)]

    def _write(self) -> None:
        data = {
            "version": CASSETTE_VERSION,
            "base_url": str(self.base_url),
            "interactions": self.interactions,
        }
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        # Short keys only in headers: replacing "k" everywhere would garble the cassette.
        for secret in sorted((s for s in self._secrets if len(s) >= 8), key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
