"""Client construction: api key and base URL sources, options, copies, closing, request shape."""

from __future__ import annotations

import inspect
import json
import sys

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_api_key_and_base_url_fall_back_to_environment(h, monkeypatch):
    monkeypatch.setenv("SINANCODE_API_KEY", "sk-from-env")
    monkeypatch.setenv("SINANCODE_BASE_URL", "https://env.example.org/api")
    route = h.router.get("https://env.example.org/api/tasks/t1").respond(200, json=h.task_json())
    client = h.client_class(http_client=h.http_client())

    await h.call(client.get_task, "t1")

    assert route.calls.last.request.headers["Authorization"] == "Bearer sk-from-env"


async def test_arguments_win_over_environment(h, monkeypatch):
    monkeypatch.setenv("SINANCODE_API_KEY", "sk-from-env")
    monkeypatch.setenv("SINANCODE_BASE_URL", "https://env.example.org/api")
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())

    await h.call(h.client().get_task, "t1")

    assert route.calls.last.request.headers["Authorization"] == f"Bearer {h.api_key}"


async def test_default_base_url_is_the_specs_server(h, spec_document):
    route = h.router.get(spec_document["servers"][0]["url"] + "/tasks/t1").respond(200, json=h.task_json())
    client = h.client_class(api_key=h.api_key, http_client=h.http_client())

    await h.call(client.get_task, "t1")

    assert route.called


@pytest.mark.parametrize("env_value", [None, ""])
async def test_missing_api_key_names_the_environment_variable(h, monkeypatch, env_value):
    if env_value is not None:
        monkeypatch.setenv("SINANCODE_API_KEY", env_value)
    with pytest.raises(h.pkg.APIKeyMissingError) as info:
        h.client_class(base_url=h.base_url)
    assert "SINANCODE_API_KEY" in str(info.value)
    assert isinstance(info.value, h.pkg.APIError)


async def test_with_options_returns_a_changed_copy(h):
    http_client = h.http_client()
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())
    client = h.client(max_retries=2, default_headers={"X-One": "1"}, http_client=http_client)

    copy = client.with_options(max_retries=5, timeout=3.0, default_headers={"X-Two": "2"})

    assert type(copy) is type(client)
    assert (copy.max_retries, client.max_retries) == (5, 2)
    assert copy.timeout == httpx.Timeout(3.0)
    assert copy.base_url == client.base_url
    await h.call(copy.get_task, "t1")
    sent = route.calls.last.request
    assert (sent.headers["X-One"], sent.headers["X-Two"]) == ("1", "2")
    assert sent.headers["Authorization"] == f"Bearer {h.api_key}"
    # The copy shares the caller's HTTP client and does not close it.
    await h.close(copy)
    assert not http_client.is_closed


async def test_constructor_signature(h):
    parameters = inspect.signature(h.client_class).parameters
    assert list(parameters)[:6] == [
        "api_key",
        "base_url",
        "timeout",
        "max_retries",
        "http_client",
        "default_headers",
    ]
    assert parameters["api_key"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(parameters[name].kind is inspect.Parameter.KEYWORD_ONLY for name in list(parameters)[1:])
    assert parameters["max_retries"].default == 2
    assert parameters["api_key"].default is parameters["base_url"].default is None


async def test_timeout_is_applied_to_each_request(h):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())
    client = h.client_class(api_key=h.api_key, timeout=3.0, http_client=h.http_client())

    await h.call(client.get_task, "t1")
    await h.call(client.with_options(timeout=httpx.Timeout(9.0, connect=1.0)).get_task, "t1")

    first, second = (call.request.extensions["timeout"] for call in route.calls)
    assert first == {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0}
    assert second == {"connect": 1.0, "read": 9.0, "write": 9.0, "pool": 9.0}


async def test_with_options_timeout_none_means_no_timeout_and_unset_keeps_it(h):
    client = h.client(timeout=7.0)
    assert client.with_options().timeout == httpx.Timeout(7.0)
    assert client.with_options(timeout=None).timeout == httpx.Timeout(None)


async def test_context_manager_closes_a_client_it_created(h):
    client = h.client_class(api_key=h.api_key)
    assert not client.is_closed
    await h.close(client)
    assert client.is_closed


async def test_context_manager_leaves_a_callers_http_client_open(h):
    http_client = h.http_client()
    client = h.client(http_client=http_client)
    await h.close(client)
    assert not http_client.is_closed


async def test_copy_of_an_owning_client_does_not_close_the_shared_pool(h):
    client = h.client_class(api_key=h.api_key)
    await h.close(client.with_options(max_retries=0))
    assert not client.is_closed
    await h.close(client)
    assert client.is_closed


async def test_request_headers_user_agent_and_compact_json_body(h):
    route = h.create_route().respond(200, json={"task_id": "t1"})
    client = h.client(default_headers={"X-Custom": "yes"})

    created = await h.create_task(client)

    assert created.task_id == "t1"
    sent = route.calls.last.request
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    expected_ua = f"seedance_client/{h.pkg.__version__} httpx/{httpx.__version__} python/{python}"
    assert sent.headers["User-Agent"] == expected_ua
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["X-Custom"] == "yes"
    assert sent.content == json.dumps({"prompt": "a cat"}, separators=(",", ":")).encode()


async def test_no_content_type_without_body_and_path_stays_escaped(h):
    route = h.router.get(h.url("/tasks/a%2Fb")).respond(200, json=h.task_json())

    await h.call(h.client().get_task, "a/b")

    sent = route.calls.last.request
    assert "Content-Type" not in sent.headers
    assert sent.content == b""
    assert sent.url.raw_path == b"/v1/tasks/a%2Fb"


async def test_query_auth_scheme_and_range_status(make_harness, zoo):
    h = make_harness(zoo)
    route = h.router.get(h.url("/search")).respond(203, json=["Rex"])

    names = await h.call(h.client().search_pets, tag=["a", "b"])

    assert names == ["Rex"]  # documented as 2XX, so a 203 is parsed
    sent = route.calls.last.request
    assert sent.url.params.get_list("tag") == ["a", "b"]
    assert sent.url.params["api_key"] == h.api_key
    assert "Authorization" not in sent.headers


@pytest.mark.parametrize("base_url", ["http://api.example.com/v1", "http://10.0.0.5:8080"])
async def test_plain_http_to_a_remote_host_is_refused(h, monkeypatch, base_url):
    with pytest.raises(ValueError, match="allow_insecure_http=True"):
        h.client(base_url=base_url)
    monkeypatch.setenv(h.config.base_url_env, base_url)
    with pytest.raises(ValueError, match="allow_insecure_http=True"):
        h.client_class(api_key=h.api_key, http_client=h.http_client())


async def test_plain_http_is_allowed_when_asked(h):
    route = h.router.get("http://api.example.com/v1/tasks/t1").respond(200, json=h.task_json())
    client = h.client(base_url="http://api.example.com/v1", allow_insecure_http=True)

    await h.call(client.get_task, "t1")

    assert route.called


@pytest.mark.parametrize(
    "base_url", ["http://localhost:8000/v1", "http://127.0.0.1:9999", "http://127.8.9.1", "http://[::1]:8080"]
)
async def test_plain_http_to_loopback_is_allowed(h, base_url):
    client = h.client(base_url=base_url)
    assert client.base_url.scheme == "http"


@pytest.mark.parametrize("base_url", ["ftp://api.example.com", "api.example.com/v1"])
async def test_base_url_must_be_absolute_http(h, base_url):
    with pytest.raises(ValueError, match="absolute"):
        h.client(base_url=base_url)


async def test_negative_max_retries_is_refused(h):
    with pytest.raises(ValueError, match="max_retries"):
        h.client(max_retries=-1)


async def test_every_path_goes_to_its_own_url_past_the_clients_url_cache(h):
    # Parsed URLs are kept per path, in a bounded cache: 300 task ids (more than it holds) and a
    # repeat of the first still each reach their own path, with the client's headers.
    route = h.router.get(url__regex=r"/tasks/[^/]+$").respond(200, json=h.task_json())
    client = h.client(default_headers={"X-Team": "a"})

    ids = [f"t{number}" for number in range(300)] + ["t0"]
    for task_id in ids:
        await h.call(client.get_task, task_id)

    assert [call.request.url.path.rsplit("/", 1)[1] for call in route.calls] == ids
    assert all(call.request.headers["X-Team"] == "a" for call in route.calls)
    assert str(route.calls.last.request.url) == h.url("/tasks/t0")
