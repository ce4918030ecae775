"""The machinery behind the generated ``Client`` and ``AsyncClient``.

Configuration (api key and base URL from arguments or the environment), building requests from
:class:`RequestSpec` values and per-call options, authentication, retries, parsing, polling,
downloading results, and logging with secrets redacted. The sync and async classes share
everything except the lines that do I/O.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import platform
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, Generic, Self, TypeVar
from urllib.parse import unquote

import httpx

from . import _download, _retries
from ._auth import apply_credential
from ._content import encode_request_body
from ._download import Destination
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIKeyMissingError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    DownloadError,
    InsecureBaseURLError,
    InvalidArgumentError,
    make_status_error,
    scrub,
)
from ._polling import PollState
from ._redact import REDACTED, library_log_redactor, redact
from ._response import APIResponse, parse_error_body
from ._security import APIKey, check_api_key
from ._types import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    AuthScheme,
    ClientConfig,
    NotGiven,
    QueryValue,
    RequestSpec,
    TimeoutTypes,
    WaitRule,
)

__all__ = ["NOT_GIVEN", "AsyncAPIClient", "NotGiven", "ProgressCallback", "SyncAPIClient"]

T = TypeVar("T")
R = TypeVar("R")
HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)

ProgressCallback = Callable[[int, "int | None"], object]
"""``on_progress(bytes_received, total_bytes_or_None)``, called as a download advances."""

# Module-level so that tests can replace them: no test ever sleeps for real. anyio sleeps under
# any event loop httpx supports (asyncio and trio).
_sleep: Callable[[float], None] = time.sleep


async def _anyio_sleep(delay: float) -> None:
    import anyio  # noqa: PLC0415 - imported when an async client first pauses, not with the package

    await anyio.sleep(delay)


_async_sleep: Callable[[float], Awaitable[None]] = _anyio_sleep
_monotonic: Callable[[], float] = time.monotonic

# Headers whose values are never logged, whatever the security scheme of the operation.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"})
_LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_DOWNLOAD_CHUNK = 64 * 1024


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
    if url.query or url.fragment or "?" in str(value) or "#" in str(value):
        # Operation paths are appended to the base URL's path: a query or fragment would swallow them.
        shown = f"{url.scheme}://{url.host}{url.path}"
        raise InvalidArgumentError(f"base_url must not have a query string or a fragment ({shown} has one)")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise InsecureBaseURLError(
            f"Refusing to send the api key over plain http to {url.host!r}: use an https:// base_url, "
            "or pass allow_insecure_http=True if the network to that host is trusted."
        )
    return url


def _user_agent(config: ClientConfig) -> str:
    python = ".".join(platform.python_version_tuple()[:2])
    return f"{config.package}/{config.version} httpx/{httpx.__version__} python/{python}"


def _configure_logging(config: ClientConfig, logger: logging.Logger) -> None:
    """Turn on the package's logging when its environment variable says ``debug`` or ``info``."""
    if not config.log_env:
        return
    level = _LOG_LEVELS.get(os.environ.get(config.log_env, "").strip().lower())
    if level is None:
        return
    logger.setLevel(level)
    if not any(getattr(handler, "_from_log_env", False) for handler in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
        handler._from_log_env = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def _timeout(value: TimeoutTypes) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


_KeptKey = tuple[str | None, tuple[AuthScheme, ...], str, bool]
"""The kind of a request: content type, security, method, and whether it has a body."""


@dataclass(frozen=True, slots=True)
class _Kept:
    """What the requests of one kind (content type, security, method, with or without a body)
    have in common on one client, computed once by httpx itself."""

    merged: httpx.Headers
    """Our headers merged into the http client's, as ``build_request`` passes them to httpx.Request."""
    params: dict[str, Any]
    """The api key, when a query parameter carries it."""
    prepared: httpx.Headers
    """What httpx.Request makes of ``merged`` (it adds Host and Content-Length)."""
    length_per_call: bool
    """Whether the Content-Length in ``prepared`` is the body's, to be set per call."""


_BUILD_METHODS = ("build_request", "_merge_url", "_merge_headers", "_merge_cookies", "_merge_queryparams")


def _builds_plainly(client: object) -> bool:
    """Whether ``client`` builds requests as httpx does (not a subclass that changes it)."""
    base = httpx.AsyncClient if isinstance(client, httpx.AsyncClient) else httpx.Client
    return isinstance(client, base) and all(
        getattr(type(client), name, None) is getattr(base, name, None) for name in _BUILD_METHODS
    )


def _file_name(url: httpx.URL) -> str:
    # The last segment, decoded, and only its last part: "%2F.." in a URL never leaves the folder.
    name = unquote(url.path.rsplit("/", 1)[-1]).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name if name not in ("", ".", "..") and "\x00" not in name else "download"


class _BaseAPIClient(Generic[HttpClientT]):
    """Everything the sync and async clients have in common; subclasses add the I/O."""

    _config: ClassVar[ClientConfig]
    _download_security: ClassVar[tuple[AuthScheme, ...]] = ()
    """How ``download`` authenticates to URLs on the API's own host (never to another host)."""

    def __init__(
        self,
        api_key: APIKey | None = None,
        *,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: HttpClientT | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure_http: bool = False,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        lenient_responses: bool = False,
    ) -> None:
        config = self._config
        if api_key is None or api_key == "":
            api_key = os.environ.get(config.api_key_env) or None
            if api_key is not None:
                check_api_key(api_key, source=f"the {config.api_key_env} environment variable")
        elif not callable(api_key):
            check_api_key(api_key, source="api_key")
        if api_key is None and config.requires_api_key:
            raise APIKeyMissingError(
                f"No api key: pass api_key=... or set the {config.api_key_env} environment variable."
            )
        if max_retries < 0:
            raise ValueError(f"max_retries must not be negative, got {max_retries!r}")
        if not max_retry_after >= 0:  # NaN too
            raise ValueError(f"max_retry_after must not be negative, got {max_retry_after!r}")
        base_url = base_url or os.environ.get(config.base_url_env) or config.default_base_url
        self._base_url = _check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self._url_prefix = str(self._base_url).rstrip("/")
        self._api_key = api_key
        self._secrets: tuple[str, ...] = (api_key,) if isinstance(api_key, str) else ()
        if http_client is not None and timeout is DEFAULT_TIMEOUT:
            timeout = http_client.timeout  # the caller configured their client: keep its timeout
        self._timeout = _timeout(timeout)
        self._max_retries = max_retries
        self._max_retry_after = max_retry_after
        self._lenient_responses = lenient_responses
        self._default_headers = httpx.Headers(default_headers)
        self._allow_insecure_http = allow_insecure_http
        self._logger = logging.getLogger(config.package)
        _configure_logging(config, self._logger)
        self._user_agent = _user_agent(config)
        self._owns_http_client = http_client is None
        self._http_client: HttpClientT = http_client if http_client is not None else self._new_http_client()
        # Work that depends only on the client, done once rather than per call: the headers every
        # request starts from, the timeout as httpx carries it, and each path's parsed URL.
        self._base_headers = httpx.Headers({"Accept": "application/json", "User-Agent": self._user_agent})
        self._base_headers.update(self._default_headers)
        self._extensions = {"timeout": self._timeout.as_dict()}
        self._urls: dict[str, httpx.URL] = {}
        self._plain_http_client = _builds_plainly(self._http_client)
        # The http client's headers when last seen, and what was kept for them (one pair, so that
        # a thread never keeps anything for headers other than those it was computed from).
        self._kept: tuple[list[tuple[bytes, bytes]], dict[_KeptKey, _Kept]] = ([], {})
        library_log_redactor.register(self)  # until close(): httpx's and httpcore's records too

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
    def max_retry_after(self) -> float:
        """The longest ``Retry-After`` (seconds) that still gets an automatic retry."""
        return self._max_retry_after

    @property
    def is_closed(self) -> bool:
        """Whether the underlying HTTP client has been closed."""
        return self._http_client.is_closed

    def with_options(
        self,
        *,
        api_key: APIKey | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        max_retry_after: float | None = None,
        http_client: HttpClientT | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure_http: bool | None = None,
        lenient_responses: bool | None = None,
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
            max_retry_after=self._max_retry_after if max_retry_after is None else max_retry_after,
            http_client=http_client if http_client is not None else self._http_client,
            default_headers=headers,
            allow_insecure_http=(
                self._allow_insecure_http if allow_insecure_http is None else allow_insecure_http
            ),
            lenient_responses=self._lenient_responses if lenient_responses is None else lenient_responses,
        )

    def __repr__(self) -> str:
        url = self._base_url  # shown without any user:password or query it may carry
        shown = f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"
        return f"<{type(self).__name__} base_url={shown!r} max_retries={self._max_retries}>"

    # Building requests

    def _current_api_key(self) -> str | None:
        # A callable is asked before every attempt; the last 8 keys it returned are redacted.
        if self._api_key is None or isinstance(self._api_key, str):
            return self._api_key
        key = check_api_key(self._api_key(), source="the key returned by the api_key callable")
        if key not in self._secrets:
            self._secrets = (*self._secrets[-7:], key)
        return key

    def _build_request(
        self,
        spec: RequestSpec[T],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, QueryValue] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> httpx.Request:
        if not (spec.headers or extra_headers or extra_body or extra_query):
            kept = self._kept_requests()
            if kept is not None:  # the common call
                return self._build_plain_request(spec, timeout, *kept)
        headers = self._base_headers.copy()
        if spec.headers:
            headers.update(spec.headers)
        params = dict(spec.params)
        if extra_body:
            # The escape hatch for fields the spec does not know yet: merged after validation,
            # not validated.
            payload = spec.json if spec.has_body else {}
            if not isinstance(payload, dict):
                raise TypeError(f"{spec.operation}: extra_body needs a JSON object body")
            spec = replace(spec, json={**payload, **extra_body}, has_body=True)
        content, files, content_type = encode_request_body(spec) if spec.has_body else (None, None, None)
        if content_type is not None:
            headers["Content-Type"] = content_type
        if extra_query:
            params.update(extra_query)
        if extra_headers:
            headers.update(extra_headers)
        self._authenticate(spec.security, headers, params)
        extensions = (
            self._extensions if isinstance(timeout, NotGiven) else {"timeout": _timeout(timeout).as_dict()}
        )
        return self._http_client.build_request(
            spec.method,
            self._url(spec.path),
            params=params or None,
            headers=headers,
            content=content,
            files=files,
            extensions=extensions,
        )

    def _kept_requests(self) -> tuple[list[tuple[bytes, bytes]], dict[_KeptKey, _Kept]] | None:
        """The http client's headers and what is kept for them, when ``httpx.Client.build_request``
        would do nothing per call but merge those headers into ours: no cookies or query parameters
        on the http client, no subclass that changes how requests are built, and an api key that
        is not a callable. Then the headers of a call depend only on its kind (``_KeptKey``)."""
        client = self._http_client
        if not self._plain_http_client or callable(self._api_key) or client.cookies or client.params:
            return None
        seen = client.headers.raw
        if seen != self._kept[0]:
            self._kept = (seen, {})
        return self._kept

    def _build_plain_request(
        self,
        spec: RequestSpec[T],
        timeout: TimeoutTypes | NotGiven,
        http_headers: list[tuple[bytes, bytes]],
        kept_requests: dict[_KeptKey, _Kept],
    ) -> httpx.Request:
        """The request that ``build_request`` would make of the general path's arguments (the tests
        compare the two byte for byte), from headers that httpx merged and prepared once."""
        content, files, content_type = encode_request_body(spec) if spec.has_body else (None, None, None)
        url = self._url(spec.path)
        key = (content_type, spec.security, spec.method, bool(content))
        kept = kept_requests.get(key)
        if kept is None:
            kept = kept_requests[key] = self._keep(spec, url, content_type, bool(content), http_headers)
        params = {**spec.params, **kept.params} if kept.params else dict(spec.params)
        extensions = (
            self._extensions if isinstance(timeout, NotGiven) else {"timeout": _timeout(timeout).as_dict()}
        )
        if files is not None:  # multipart with parts: httpx writes the body and its headers
            return httpx.Request(
                spec.method,
                url,
                params=params or None,
                headers=kept.merged,
                files=files,
                extensions=extensions,
            )
        # httpx.Request copies the headers it is given, so the kept ones are never changed.
        headers = kept.prepared
        if kept.length_per_call:
            headers = headers.copy()
            headers["Content-Length"] = str(len(content or b""))
        request = httpx.Request(
            spec.method,
            url,
            params=params or None,
            headers=headers,
            stream=httpx.ByteStream(content or b""),
            extensions=extensions,
        )
        request.read()  # as httpx.Request does for a body given as bytes
        return request

    def _keep(
        self,
        spec: RequestSpec[T],
        url: httpx.URL,
        content_type: str | None,
        has_content: bool,
        http_headers: list[tuple[bytes, bytes]],
    ) -> _Kept:
        """The general path's headers (and the query parameter of an api key), merged into the
        http client's as ``httpx.Client.build_request`` merges them, then prepared by httpx.Request
        with a body of the same kind (the Content-Length is then replaced by the real one)."""
        headers = self._base_headers.copy()
        if content_type is not None:
            headers["Content-Type"] = content_type
        params: dict[str, Any] = {}
        self._authenticate(spec.security, headers, params)
        merged = httpx.Headers(http_headers)
        merged.update(headers)
        sample = httpx.Request(spec.method, url, headers=merged, content=b"-" if has_content else None)
        return _Kept(merged, params, sample.headers, has_content and "Content-Length" not in merged)

    def _url(self, path: str) -> httpx.URL:
        """The absolute URL of ``path``, parsed once per path: httpx parses a string on every call."""
        url = self._urls.get(path)
        if url is None:
            if len(self._urls) >= 256:  # bounded: every task id makes a path of its own
                self._urls.clear()
            url = self._urls[path] = httpx.URL(self._url_prefix + path)
        return url

    def _authenticate(
        self, security: tuple[AuthScheme, ...], headers: httpx.Headers, params: dict[str, Any]
    ) -> None:
        api_key = self._current_api_key() if security else None
        if api_key is not None:
            apply_credential(security[0], api_key, headers, params)

    # Logging (secrets never reach a log record, not even in its args)

    def _describe_request(self, spec: RequestSpec[T], request: httpx.Request) -> tuple[str, str]:
        secret_headers = set(_SECRET_HEADERS)
        secret_params: set[str] = set()
        for scheme in spec.security:
            if scheme.kind == "query":
                secret_params.add(scheme.name)
            else:
                secret_headers.add(scheme.name.lower())
        secrets = self._secrets

        def holds_secret(value: str) -> bool:
            return redact(value, secrets) != value

        # Whole values are redacted: a header or query value that holds the key, anywhere in it.
        url = request.url
        if url.query:
            url = url.copy_with(
                params=[
                    (key, REDACTED if key in secret_params or holds_secret(value) else value)
                    for key, value in url.params.multi_items()
                ]
            )
        headers = {
            key: REDACTED if key.lower() in secret_headers or holds_secret(value) else value
            for key, value in request.headers.items()
        }
        return scrub(str(url), secrets), scrub(repr(headers), secrets)

    def _log_request(self, spec: RequestSpec[T], request: httpx.Request, retries_done: int) -> None:
        if self._logger.isEnabledFor(logging.DEBUG):
            url, headers = self._describe_request(spec, request)
            attempt = f" (retry {retries_done})" if retries_done else ""
            self._logger.debug(
                "Request %s%s: %s %s headers=%s", spec.operation, attempt, request.method, url, headers
            )

    def _log_response(self, spec: RequestSpec[T], response: httpx.Response) -> None:
        if self._logger.isEnabledFor(logging.DEBUG):
            ident = response.headers.get("x-request-id") or response.headers.get("request-id")
            self._logger.debug(
                "Response %s: %s %s%s",
                spec.operation,
                response.status_code,
                response.reason_phrase,
                f" (request id {ident})" if ident else "",
            )

    def _closed_error(self, spec: RequestSpec[T], exc: RuntimeError) -> APIError:
        if not self._http_client.is_closed:
            raise exc
        return ClientClosedError(f"{spec.operation}: the client has been closed; create a new one")

    # Retry decisions, shared by both flavours; each returns the pause before the next attempt

    def _retry_after_error(
        self,
        spec: RequestSpec[T],
        request: httpx.Request,
        exc: httpx.RequestError,
        retries_done: int,
        max_retries: int,
    ) -> float:
        """The pause before retrying after ``exc``; raises the client's error when giving up."""
        if retries_done < max_retries and _retries.transport_error_is_retryable(
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
        self, spec: RequestSpec[T], response: httpx.Response, retries_done: int, max_retries: int
    ) -> float | None:
        """The pause before retrying after ``response``, or None to keep the answer.

        The server's ``x-should-retry`` comes first, then the status rules; a ``Retry-After``
        above ``max_retry_after`` means no retry.
        """
        if response.is_success or retries_done >= max_retries:
            return None
        headers = response.headers
        says = _retries.server_says_retry(headers)
        if says is None:
            says = _retries.status_is_retryable(response.status_code, idempotent=spec.idempotent)
        if not says:
            return None
        asked = _retries.retry_after(headers)
        if asked is not None and asked > self._max_retry_after:
            self._logger.info(
                "Not retrying %s: the server asked to wait %.0f s (max_retry_after is %g s)",
                spec.operation,
                asked,
                self._max_retry_after,
            )
            return None
        delay = _retries.retry_delay(retries_done, asked)
        self._logger.info(
            "Retrying %s in %.2f s after status %s", spec.operation, delay, response.status_code
        )
        return delay

    def _finish(self, spec: RequestSpec[T], response: httpx.Response, retries_done: int) -> APIResponse[T]:
        if response.is_success:
            return APIResponse(
                spec, response, secrets=self._secrets, lenient=self._lenient_responses, logger=self._logger
            )
        raise self._status_error(spec, response, retries_done)

    def _status_error(
        self, spec: RequestSpec[T], response: httpx.Response, retries_done: int
    ) -> APIStatusError:
        notes = []
        asked = _retries.retry_after(response.headers)
        if retries_done:
            notes.append(f"gave up after {retries_done + 1} attempts")
        if asked is not None and asked > self._max_retry_after:
            notes.append(
                f"the server asked to wait {asked:.0f} s before retrying (see retry_after), longer "
                f"than max_retry_after ({self._max_retry_after:g} s), so it was not retried"
            )
        says = _retries.server_says_retry(response.headers)
        if says is not True and _retries.may_have_been_processed(
            idempotent=spec.idempotent, status=response.status_code
        ):
            notes.append(_retries.MAY_HAVE_BEEN_PROCESSED)
        error = make_status_error(response, note="; ".join(notes), secrets=self._secrets, retry_after=asked)
        error.parsed = parse_error_body(spec.responses, response)
        return error

    def _poll_state(self, rule: WaitRule, *, poll_interval: float, timeout: float) -> PollState:
        return PollState(
            rule, poll_interval=poll_interval, timeout=timeout, now=_monotonic(), secrets=self._secrets
        )

    # Downloads

    def _download_spec(self, url: str | httpx.URL) -> tuple[RequestSpec[None], httpx.Request]:
        """The request of a download: the api key only when the URL is on the API's own host."""
        target = httpx.URL(url)
        base = self._base_url
        same_origin = (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)
        security = self._download_security if same_origin else ()
        spec: RequestSpec[None] = RequestSpec(
            operation="download", method="GET", path="", responses={}, idempotent=True, security=security
        )
        headers = httpx.Headers({"User-Agent": self._user_agent})
        params: dict[str, Any] = {}
        if same_origin:
            headers.update(self._default_headers)
        self._authenticate(security, headers, params)
        request = self._http_client.build_request(
            "GET", target, params=params or None, headers=headers, timeout=self._timeout
        )
        return spec, request

    @staticmethod
    def _download_target(url: str | httpx.URL, destination: str | os.PathLike[str]) -> Path:
        target = Path(destination)
        if target.is_dir() or os.fspath(destination).endswith(("/", os.sep)):
            target = target / _file_name(httpx.URL(url))
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    @staticmethod
    def _temp_file(target: Path) -> IO[bytes]:
        return tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
        )

    def _check_download_status(
        self, spec: RequestSpec[None], response: httpx.Response, retries_done: int
    ) -> None:
        """Raise the status error of a failed download, or :class:`_RetryableStatus` to retry it."""
        delay = self._retry_after_response(spec, response, retries_done, self._max_retries)
        if delay is not None:
            raise _RetryableStatus(delay)
        raise self._status_error(spec, response, retries_done)

    def _download_failed(
        self, spec: RequestSpec[None], request: httpx.Request, exc: Exception
    ) -> DownloadError:
        url = request.url.copy_with(query=None)  # a presigned URL's query is a credential
        message = scrub(f"download of {str(url)!r} failed: {exc}", self._secrets)
        return DownloadError(message, url=str(request.url), request=request)


class SyncAPIClient(_BaseAPIClient[httpx.Client]):
    """Base class of the generated ``Client``: blocking calls over an :class:`httpx.Client`."""

    def _new_http_client(self) -> httpx.Client:
        return httpx.Client(timeout=self._timeout, follow_redirects=False)

    def close(self) -> None:
        """Close the HTTP client, if this client created it (a caller's ``http_client`` is left open)."""
        library_log_redactor.unregister(self)
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

    def _send_raw(
        self,
        spec: RequestSpec[T],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, QueryValue] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> APIResponse[T]:
        request = self._build_request(
            spec, extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
        )
        retries = self._max_retries if isinstance(max_retries, NotGiven) else max_retries
        retries_done = 0
        while True:
            if retries_done and callable(self._api_key):
                request = self._build_request(  # with the key the callable returns now
                    spec,
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    extra_body=extra_body,
                    timeout=timeout,
                )
            self._log_request(spec, request, retries_done)
            try:
                response = self._http_client.send(request, follow_redirects=False)
            except httpx.RequestError as exc:
                delay = self._retry_after_error(spec, request, exc, retries_done, retries)
            except RuntimeError as exc:  # httpx's "client has been closed"
                raise self._closed_error(spec, exc) from exc
            else:
                self._log_response(spec, response)
                retry_in = self._retry_after_response(spec, response, retries_done, retries)
                if retry_in is None:
                    return self._finish(spec, response, retries_done)
                delay = retry_in
            _sleep(delay)
            retries_done += 1

    def _send(
        self,
        spec: RequestSpec[T],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, QueryValue] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> T:
        return self._send_raw(
            spec,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
            max_retries=max_retries,
        ).parse()

    def stream_answer(self, request: RequestSpec[Any], destination: Destination) -> int:
        """Send ``request`` (from ``_operations``) and stream its answer into ``destination``
        (a path or a binary file object), without holding it in memory; returns the bytes written."""
        return _download.download(self, request, destination)

    def _wait(self, fetch: Callable[[], R], rule: WaitRule, *, poll_interval: float, timeout: float) -> R:
        state = self._poll_state(rule, poll_interval=poll_interval, timeout=timeout)
        while True:
            result = fetch()
            delay = state.next_delay(result, now=_monotonic())
            if delay is None:
                return result
            _sleep(delay)

    def download(
        self,
        url: str | httpx.URL,
        destination: str | os.PathLike[str],
        *,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Download ``url`` to ``destination``: a file, or a folder (an existing one, or a path
        ending with ``/``) to put the URL's file name in. Missing folders are created.

        The body is streamed to a temporary file next to the destination, which is renamed when
        complete: the destination never holds a partial file. The api key is sent only to the
        API's own host. A dropped connection or a 5xx is retried (``max_retries``), from the start.
        ``on_progress(received, total)`` is called after each chunk (``total`` is None when the
        server does not say). Returns the path written.
        """
        target = self._download_target(url, destination)
        spec, request = self._download_spec(url)
        retries_done = 0
        while True:
            try:
                return self._download_once(spec, request, target, on_progress, retries_done)
            except httpx.RequestError as exc:
                try:
                    delay = self._retry_after_error(spec, request, exc, retries_done, self._max_retries)
                except APIConnectionError as error:
                    raise self._download_failed(spec, request, error) from exc
            except _RetryableStatus as status:
                delay = status.delay
            _sleep(delay)
            retries_done += 1

    def _download_once(
        self,
        spec: RequestSpec[None],
        request: httpx.Request,
        target: Path,
        on_progress: ProgressCallback | None,
        retries_done: int,
    ) -> Path:
        try:
            # Without the api key, redirects (common for storage URLs) are safe to follow.
            response = self._http_client.send(request, stream=True, follow_redirects=not spec.security)
        except RuntimeError as exc:  # httpx's "client has been closed"
            raise self._closed_error(spec, exc) from exc
        try:
            if not response.is_success:
                response.read()
                self._check_download_status(spec, response, retries_done)
            total = _content_length(response)
            received = 0
            with self._temp_file(target) as part:
                try:
                    for chunk in response.iter_bytes(_DOWNLOAD_CHUNK):
                        part.write(chunk)
                        received += len(chunk)
                        if on_progress is not None:
                            on_progress(received, total)
                    part.close()
                    os.replace(part.name, target)
                except BaseException:
                    part.close()
                    with contextlib.suppress(OSError):
                        os.unlink(part.name)
                    raise
        finally:
            response.close()
        return target


class _RetryableStatus(Exception):  # noqa: N818 - control flow inside download, never raised out
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    try:
        return int(value) if value is not None and "content-encoding" not in response.headers else None
    except ValueError:
        return None


class AsyncAPIClient(_BaseAPIClient[httpx.AsyncClient]):
    """Base class of the generated ``AsyncClient``: the same calls, awaited, over an httpx.AsyncClient."""

    def _new_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)

    async def aclose(self) -> None:
        """Close the HTTP client, if this client created it (a caller's ``http_client`` is left open)."""
        library_log_redactor.unregister(self)
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

    async def _send_raw(
        self,
        spec: RequestSpec[T],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, QueryValue] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> APIResponse[T]:
        request = self._build_request(
            spec, extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
        )
        retries = self._max_retries if isinstance(max_retries, NotGiven) else max_retries
        retries_done = 0
        while True:
            if retries_done and callable(self._api_key):
                request = self._build_request(  # with the key the callable returns now
                    spec,
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    extra_body=extra_body,
                    timeout=timeout,
                )
            self._log_request(spec, request, retries_done)
            try:
                response = await self._http_client.send(request, follow_redirects=False)
            except httpx.RequestError as exc:
                delay = self._retry_after_error(spec, request, exc, retries_done, retries)
            except RuntimeError as exc:  # httpx's "client has been closed"
                raise self._closed_error(spec, exc) from exc
            else:
                self._log_response(spec, response)
                retry_in = self._retry_after_response(spec, response, retries_done, retries)
                if retry_in is None:
                    return self._finish(spec, response, retries_done)
                delay = retry_in
            await _async_sleep(delay)
            retries_done += 1

    async def _send(
        self,
        spec: RequestSpec[T],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, QueryValue] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> T:
        response = await self._send_raw(
            spec,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
            max_retries=max_retries,
        )
        return response.parse()

    async def stream_answer(self, request: RequestSpec[Any], destination: Destination) -> int:
        """Send ``request`` (from ``_operations``) and stream its answer into ``destination``
        (a path or a binary file object), without holding it in memory; returns the bytes written."""
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

    async def download(
        self,
        url: str | httpx.URL,
        destination: str | os.PathLike[str],
        *,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Download ``url`` to ``destination``; see ``Client.download`` (the file writes block
        briefly, one chunk at a time)."""
        target = self._download_target(url, destination)
        spec, request = self._download_spec(url)
        retries_done = 0
        while True:
            try:
                return await self._download_once(spec, request, target, on_progress, retries_done)
            except httpx.RequestError as exc:
                try:
                    delay = self._retry_after_error(spec, request, exc, retries_done, self._max_retries)
                except APIConnectionError as error:
                    raise self._download_failed(spec, request, error) from exc
            except _RetryableStatus as status:
                delay = status.delay
            await _async_sleep(delay)
            retries_done += 1

    async def _download_once(
        self,
        spec: RequestSpec[None],
        request: httpx.Request,
        target: Path,
        on_progress: ProgressCallback | None,
        retries_done: int,
    ) -> Path:
        try:
            # Without the api key, redirects (common for storage URLs) are safe to follow.
            response = await self._http_client.send(request, stream=True, follow_redirects=not spec.security)
        except RuntimeError as exc:  # httpx's "client has been closed"
            raise self._closed_error(spec, exc) from exc
        try:
            if not response.is_success:
                await response.aread()
                self._check_download_status(spec, response, retries_done)
            total = _content_length(response)
            received = 0
            with self._temp_file(target) as part:
                try:
                    async for chunk in response.aiter_bytes(_DOWNLOAD_CHUNK):
                        part.write(chunk)
                        received += len(chunk)
                        if on_progress is not None:
                            on_progress(received, total)
                    part.close()
                    os.replace(part.name, target)
                except BaseException:
                    part.close()
                    with contextlib.suppress(OSError):
                        os.unlink(part.name)
                    raise
        finally:
            await response.aclose()
        return target
