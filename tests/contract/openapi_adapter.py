"""httpx requests and responses as openapi-core sees them (it ships no httpx adapter).

``OpenAPIRequest`` and ``OpenAPIResponse`` implement openapi-core's Request and Response
protocols, so ``OpenAPI.from_dict(spec).validate_request(OpenAPIRequest(request))`` checks an
``httpx.Request`` against the spec: path and method, parameters, security and body.
"""

from __future__ import annotations

import httpx
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict


class OpenAPIRequest:
    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(request.url.params.multi_items()),
            header=Headers(request.headers.multi_items()),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        url = self._request.url
        return f"{url.scheme}://{url.netloc.decode('ascii')}"

    @property
    def path(self) -> str:
        # The path as sent: an escaped "/" inside a path parameter must not split a segment.
        return self._request.url.raw_path.decode("ascii").split("?", 1)[0]

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def content_type(self) -> str:
        return self._request.headers.get("Content-Type", "").lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None


class OpenAPIResponse:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("Content-Type", "").lower()

    @property
    def headers(self) -> Headers:
        return Headers(self._response.headers.multi_items())

    @property
    def data(self) -> bytes | None:
        return self._response.content or None
