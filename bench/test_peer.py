"""This generator against the peer (openapi-python-client), on this project's spec.

Both generators run as a user runs them (a command, formatting included); both clients call
through the same httpx.MockTransport, so the figures compare what each client adds.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from seedance_client import Client

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "spec" / "openapi.yaml"
BASE = "https://api.sinancode.com/v1"
BIN = Path(sys.executable).parent
ENVIRONMENT = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _answer(request: httpx.Request) -> httpx.Response:
    if request.method == "POST":
        return httpx.Response(200, json={"task_id": "01234567-89ab-cdef-0123-456789abcdef"})
    return httpx.Response(200, json={"id": "t1", "status": "completed", "result": ["https://x/y.mp4"]})


def _peer_generate(out: Path) -> None:
    command = [str(BIN / "openapi-python-client"), "generate", "--path", str(SPEC), "--meta", "none"]
    subprocess.run(
        [*command, "--output-path", str(out), "--overwrite"], env=ENVIRONMENT, check=True, capture_output=True
    )


def _our_generate(out: Path) -> None:
    command = [sys.executable, "-m", "generator", "generate", "--spec", str(SPEC), "--out", str(out)]
    subprocess.run(command, cwd=REPO, env=ENVIRONMENT, check=True, capture_output=True)


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("peer")
    _peer_generate(root / "peer_client")
    sys.path.insert(0, str(root))
    modules: dict[str, ModuleType] = {
        name: importlib.import_module(f"peer_client.{name}")
        for name in ("client", "models", "api.generation.generate_seedance_2_0", "api.tasks.get_task")
    }
    yield modules
    sys.path.remove(str(root))


def test_generation_peer(benchmark, tmp_path: Path) -> None:
    benchmark.pedantic(_peer_generate, args=(tmp_path / "peer_client",), rounds=3)


def test_generation_ours(benchmark, tmp_path: Path) -> None:
    benchmark.pedantic(_our_generate, args=(tmp_path / "ours",), rounds=3)


def test_generate_call_peer(benchmark, peer: dict[str, Any]) -> None:
    client = peer["client"].AuthenticatedClient(
        base_url=BASE, token="k", httpx_args={"transport": httpx.MockTransport(_answer)}
    )
    endpoint = peer["api.generation.generate_seedance_2_0"]
    body = peer["models"].Seedance20Request(prompt="a fox", first_frame="https://example.com/f.png")
    assert benchmark(lambda: endpoint.sync(client=client, body=body)).task_id


def test_generate_call_ours(benchmark) -> None:
    client = Client(api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(_answer)))
    result = benchmark(
        lambda: client.generate_seedance_2_0(prompt="a fox", first_frame="https://example.com/f.png")
    )
    assert result.task_id


def test_get_task_peer(benchmark, peer: dict[str, Any]) -> None:
    client = peer["client"].AuthenticatedClient(
        base_url=BASE, token="k", httpx_args={"transport": httpx.MockTransport(_answer)}
    )
    endpoint = peer["api.tasks.get_task"]
    assert benchmark(lambda: endpoint.sync(client=client, id="t1")).id == "t1"


def test_get_task_ours(benchmark) -> None:
    client = Client(api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(_answer)))
    assert benchmark(lambda: client.get_task("t1")).id == "t1"
