"""Benchmarks (``make bench``): what the generated client costs over raw httpx, and generation time.

Run with pytest-benchmark; compare ratios within one run, since the machine is noisy.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from seedance_client import Client

from generator.cli import build

REPO = Path(__file__).resolve().parents[1]
BASE = "https://api.sinancode.com/v1"
BODY = {"prompt": "a fox in the snow", "duration": 5, "first_frame": "https://example.com/f.png"}


def _answer(request: httpx.Request) -> httpx.Response:
    if request.method == "POST":
        return httpx.Response(200, json={"task_id": "01234567-89ab-cdef-0123-456789abcdef"})
    return httpx.Response(200, json={"id": "t1", "status": "completed", "result": ["https://x/y.mp4"]})


@pytest.fixture(scope="module")
def http() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(_answer), base_url=BASE)


def test_raw_httpx_post(benchmark, http: httpx.Client) -> None:
    headers = {"Authorization": "Bearer k"}
    result = benchmark(lambda: http.post("/generate/vol/seedance-2.0", json=BODY, headers=headers).json())
    assert result["task_id"]


def test_client_generate(benchmark, http: httpx.Client) -> None:
    client = Client(api_key="k", http_client=http)
    result = benchmark(lambda: client.generate_seedance_2_0(**BODY))
    assert result.task_id


def test_raw_httpx_get(benchmark, http: httpx.Client) -> None:
    result = benchmark(lambda: http.get("/tasks/t1", headers={"Authorization": "Bearer k"}).json())
    assert json.dumps(result)


def test_client_get_task(benchmark, http: httpx.Client) -> None:
    client = Client(api_key="k", http_client=http)
    assert benchmark(lambda: client.get_task("t1")).status == "completed"


def test_generation_without_writing(benchmark) -> None:
    result = benchmark.pedantic(lambda: build(REPO / "spec" / "openapi.yaml", "seedance_client"), rounds=3)
    assert result.operations == 3


def test_generation_of_the_largest_corpus_spec(benchmark) -> None:
    spec = REPO.parent / "shared" / "corpus" / "opc-baseline-3.1.yaml"
    result = benchmark.pedantic(lambda: build(spec, "baseline", skip_unsupported=True), rounds=2)
    assert result.operations > 30
