"""The machinery behind the generated ``Client`` and ``AsyncClient``.

Configuration (api key and base URL from arguments or the environment), building requests from
:class:`RequestSpec` values, authentication, retries, parsing, polling, and logging with secrets
redacted. The sync and async classes share everything except the lines that do I/O.
"""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import logging
import os
import platform
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

import httpx

from . import _download, _retries
from ._auth import Credential, apply_credential, resolve_credential
from ._content import encode_request_body
from ._download import Destination
from ._exceptions import (
    APIConnectionError,
    APIKeyMissingError,
    APITimeoutError,
    make_status_error,
    scrub,
)
from ._polling import PollState
from ._response import APIResponse, parse_error_body
from ._types import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, ClientConfig, RequestSpec, WaitRule

__all__ = ["NOT_GIVEN", "AsyncAPIClient", "NotGiven", "SyncAPIClient"]

T = TypeVar("T")
R = TypeVar("R")
HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)

# Module-level so that tests can replace them: no test ever sleeps for real.
_sleep: Callable[[float], None] = time.sleep
_async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
_monotonic: Callable[[], float] = time.monotonic

_REDACTED = "<redacted>"
# Headers whose values are never logged, whatever the security scheme of the operation.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"})


class NotGiven(enum.Enum):
    """The type of :data:`NOT_GIVEN`, for options where None has a meaning of its own."""

    NOT_GIVEN = "NOT_GIVEN"


NOT_GIVEN = NotGiven.NOT_GIVEN
"""Marks a ``with_options`` argument that was not passed (``timeout=None`` means no timeout)."""


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(value: str | httpx.URL, *, allow_insecure_http: bool) -> httpx.URL:
    url = httpx.URL(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http:// or https:// URL, got {str(value)!r}")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise ValueError(
            f"Refusing to send the api key over plain http to {url.host!r}: use an https:// base_url, "
            "or pass allow_insecure_http=True if the network to that host is trusted."
        )
    return url


def _user_agent(config: ClientConfig) -> str:
    python = ".".join(platform.python_version_tuple()[:2])
    return f"{config.package}/{config.version} httpx/{httpx.__version__} python/{python}"


class _BaseAPIClient(Generic[HttpClientT]):
    """Everything the sync and async clients have in common; subclasses add the I/O."""

    _config: ClassVar[ClientConfig]

    def __init__(
        self,
        api_key: Credential | None = None,
        *,
        base_url: str | httpx.URL | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: HttpClientT | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        config = self._config
        api_key = api_key or os.environ.get(config.api_key_env) or None
        if api_key is None and config.requires_api_key:
            raise APIKeyMissingError(
                f"No api key: pass api_key=... or set the {config.api_key_env} environment variable."
            )
        if max_retries < 0:
            raise ValueError(f"max_retries must not be negative, got {max_retries!r}")
        base_url = base_url or os.environ.get(config.base_url_env) or config.default_base_url
        self._base_url = _check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self._api_key = api_key
        self._secrets: tuple[str, ...] = (api_key,) if isinstance(api_key, str) and api_key else ()
        if http_client is not None and timeout is DEFAULT_TIMEOUT:
            timeout = http_client.timeout  # the caller configured their client: keep its timeout
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._max_retries = max_retries
        self._default_headers = httpx.Headers(default_headers)
        self._allow_insecure_http = allow_insecure_http
        self._logger = logging.getLogger(config.package)
        self._user_agent = _user_agent(config)
        self._owns_http_client = http_client is None
        self._http_client: HttpClientT = http_client if http_client is not None else self._new_http_client()

    def _new_http_client(self) -> HttpClientT:
        raise NotImplementedError

    @property
    def base_url(self) -> httpx.URL:
        """The URL that operation paths are appended to."""
        return self._base_url

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout of each HTTP request."""
        return self._timeout

    @property
    def max_retries(self) -> int:
        """How many times a failed request may be sent again (see the retry rules)."""
        return self._max_retries

    @property
    def is_closed(self) -> bool:
        """Whether the underlying HTTP client has been closed."""
        return self._http_client.is_closed

    def with_options(
        self,
        *,
        api_key: Credential | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
        http_client: HttpClientT | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure_http: bool | None = None,
    ) -> Self:
        """Return a copy of this client with some options changed.

        The copy shares this client's HTTP connection pool (unless ``http_client`` is given) and
        does not close it, so use it while this client is open. ``default_headers`` are added to
        the current ones.
        """
        headers = httpx.Headers(self._default_headers)
        headers.update(default_headers or {})
        return type(self)(
            api_key=api_key or self._api_key,
            base_url=base_url or self._base_url,
            timeout=self._timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=self._max_retries if max_retries is None else max_retries,
            http_client=http_client if http_client is not None else self._http_client,
            default_headers=headers,
            allow_insecure_http=(
                self._allow_insecure_http if allow_insecure_http is None else allow_insecure_http
            ),
        )

    def __repr__(self) -> str:
        url = self._base_url  # shown without any user:password or query it may carry
        shown = f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"
        return f"<{type(self).__name__} base_url={shown!r} max_retries={self._max_retries}>"

    # Building requests

    def _build_request(self, spec: RequestSpec[T]) -> httpx.Request:
        headers = httpx.Headers({"Accept": "application/json", "User-Agent": self._user_agent})
        headers.update(self._default_headers)
        headers.update(spec.headers)
        params = dict(spec.params)
        content, files = encode_request_body(spec, headers) if spec.has_body else (None, None)
        credential = resolve_credential(self._api_key) if spec.security else None
        if credential is not None:
            if credential not in self._secrets:  # a token from a callable is redacted as well
                self._secrets = (*self._secrets, credential)
            apply_credential(spec.security[0], credential, headers, params)
        url = str(self._base_url).rstrip("/") + spec.path
        return self._http_client.build_request(
            spec.method,
            url,
            params=params or None,
            headers=headers,
            content=content,
            files=files,
            timeout=self._timeout,
        )

    # Logging (secrets never reach a log record, not even in its args)

    def _describe_request(self, spec: RequestSpec[T], request: httpx.Request) -> tuple[str, str]:
        secret_headers = set(_SECRET_HEADERS)
        secret_params: set[str] = set()
        for scheme in spec.security:
            if scheme.kind == "query":
                secret_params.add(scheme.name)
            else:
                secret_headers.add(scheme.name.lower())
        url = request.url
        if secret_params and url.query:
            url = url.copy_with(
                params=[
                    (key, _REDACTED if key in secret_params else value)
                    for key, value in url.params.multi_items()
                ]
            )
        headers = {
            key: _REDACTED if key.lower() in secret_headers else value
            for key, value in request.headers.items()
        }
        return scrub(str(url), self._secrets), scrub(repr(headers), self._secrets)

    def _log_request(self, spec: RequestSpec[T], request: httpx.Request, retries_done: int) -> None:
        if self._logger.isEnabledFor(logging.DEBUG):
            url, headers = self._describe_request(spec, request)
            attempt = f" (retry {retries_done})" if retries_done else ""
            self._logger.debug(
                "Request %s%s: %s %s headers=%s", spec.operation, attempt, request.method, url, headers
            )

    def _log_response(self, spec: RequestSpec[T], response: httpx.Response) -> None:
        self._logger.debug("Response %s: %s %s", spec.operation, response.status_code, response.reason_phrase)

    # Retry decisions, shared by both flavours; each returns the pause before the next attempt

    def _retry_after_error(
        self, spec: RequestSpec[T], request: httpx.Request, exc: httpx.RequestError, retries_done: int
    ) -> float:
        """The pause before retrying after ``exc``; raises the client's error when giving up."""
        if retries_done < self._max_retries and _retries.transport_error_is_retryable(
            exc, idempotent=spec.idempotent
        ):
            delay = _retries.retry_delay(retries_done)
            self._logger.info("Retrying %s in %.2f s after %s", spec.operation, delay, type(exc).__name__)
            return delay
        timed_out = isinstance(exc, httpx.TimeoutException)
        what = "timed out" if timed_out else "failed to connect or lost the connection"
        message = f"{spec.operation}: request {what} ({type(exc).__name__}: {exc})"
        if retries_done:
            message += f" after {retries_done + 1} attempts"
        if _retries.may_have_been_processed(idempotent=spec.idempotent, exc=exc):
            message += f"; {_retries.MAY_HAVE_BEEN_PROCESSED}"
        error_class = APITimeoutError if timed_out else APIConnectionError
        raise error_class(scrub(message, self._secrets), request=request) from exc

    def _retry_after_response(
        self, spec: RequestSpec[T], response: httpx.Response, retries_done: int
    ) -> float | None:
        """The pause before retrying after ``response``, or None to keep the answer."""
        if response.is_success or retries_done >= self._max_retries:
            return None
        if not _retries.status_is_retryable(response.status_code, idempotent=spec.idempotent):
            return None
        delay = _retries.retry_delay(retries_done, response.headers)
        self._logger.info(
            "Retrying %s in %.2f s after status %s", spec.operation, delay, response.status_code
        )
        return delay

    def _finish(self, spec: RequestSpec[T], response: httpx.Response, retries_done: int) -> APIResponse[T]:
        if response.is_success:
            return APIResponse(spec, response, secrets=self._secrets)
        notes = []
        if retries_done:
            notes.append(f"gave up after {retries_done + 1} attempts")
        if _retries.may_have_been_processed(idempotent=spec.idempotent, status=response.status_code):
            notes.append(_retries.MAY_HAVE_BEEN_PROCESSED)
        error = make_status_error(response, note="; ".join(notes), secrets=self._secrets)
        error.parsed = parse_error_body(spec.responses, response)
        raise error

    def _poll_state(self, rule: WaitRule, *, poll_interval: float, timeout: float) -> PollState:
        return PollState(
            rule, poll_interval=poll_interval, timeout=timeout, now=_monotonic(), secrets=self._secrets
        )


class SyncAPIClient(_BaseAPIClient[httpx.Client]):
    """Base class of the generated ``Client``: blocking calls over an :class:`httpx.Client`."""

    def _new_http_client(self) -> httpx.Client:
        return httpx.Client(timeout=self._timeout, follow_redirects=False)

    def close(self) -> None:
        """Close the HTTP client, if this client created it (a caller's ``http_client`` is left open)."""
        if self._owns_http_client:
            self._http_client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _send_raw(self, spec: RequestSpec[T]) -> APIResponse[T]:
        request = self._build_request(spec)
        retries_done = 0
        while True:
            self._log_request(spec, request, retries_done)
            try:
                response = self._http_client.send(request, follow_redirects=False)
            except httpx.RequestError as exc:
                delay = self._retry_after_error(spec, request, exc, retries_done)
            else:
                self._log_response(spec, response)
                retry_in = self._retry_after_response(spec, response, retries_done)
                if retry_in is None:
                    return self._finish(spec, response, retries_done)
                delay = retry_in
            _sleep(delay)
            retries_done += 1

    def _send(self, spec: RequestSpec[T]) -> T:
        return self._send_raw(spec).parse()

    def download(self, request: RequestSpec[Any], destination: Destination) -> int:
        """Send ``request`` (from ``_operations``) and stream its answer into ``destination``."""
        return _download.download(self, request, destination)

    def _wait(self, fetch: Callable[[], R], rule: WaitRule, *, poll_interval: float, timeout: float) -> R:
        state = self._poll_state(rule, poll_interval=poll_interval, timeout=timeout)
        while True:
            result = fetch()
            delay = state.next_delay(result, now=_monotonic())
            if delay is None:
                return result
            _sleep(delay)


class AsyncAPIClient(_BaseAPIClient[httpx.AsyncClient]):
    """Base class of the generated ``AsyncClient``: the same calls, awaited, over an httpx.AsyncClient."""

    def _new_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)

    async def aclose(self) -> None:
        """Close the HTTP client, if this client created it (a caller's ``http_client`` is left open)."""
        if self._owns_http_client:
            await self._http_client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send_raw(self, spec: RequestSpec[T]) -> APIResponse[T]:
        request = self._build_request(spec)
        retries_done = 0
        while True:
            self._log_request(spec, request, retries_done)
            try:
                response = await self._http_client.send(request, follow_redirects=False)
            except httpx.RequestError as exc:
                delay = self._retry_after_error(spec, request, exc, retries_done)
            else:
                self._log_response(spec, response)
                retry_in = self._retry_after_response(spec, response, retries_done)
                if retry_in is None:
                    return self._finish(spec, response, retries_done)
                delay = retry_in
            await _async_sleep(delay)
            retries_done += 1

    async def _send(self, spec: RequestSpec[T]) -> T:
        return (await self._send_raw(spec)).parse()

    async def download(self, request: RequestSpec[Any], destination: Destination) -> int:
        """Send ``request`` (from ``_operations``) and stream its answer into ``destination``."""
        return await _download.adownload(self, request, destination)

    async def _wait(
        self, fetch: Callable[[], Awaitable[R]], rule: WaitRule, *, poll_interval: float, timeout: float
    ) -> R:
        state = self._poll_state(rule, poll_interval=poll_interval, timeout=timeout)
        while True:
            result = await fetch()
            delay = state.next_delay(result, now=_monotonic())
            if delay is None:
                return result
            await _async_sleep(delay)
