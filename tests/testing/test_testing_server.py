"""``python -m seedance_client.testing serve``: the mock on a real HTTP server (loopback only).

Concurrent clients, bad input, the control path and SIGTERM mid-request: nothing hangs and every
answer is a well-formed HTTP response. Loops are bounded and every wait has a limit.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import seedance_client
import seedance_client.testing
from served import serving

# The module's fixtures are made once per run: under xdist (make test) its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_testing_server")

KEY = "sk-served-test"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    with serving(seedance_client) as running:
        yield running


def _raw(url: str, data: bytes) -> bytes:
    """Send raw bytes and read the whole answer (the server closes or answers with a length)."""
    host, port = httpx.URL(url).host, httpx.URL(url).port
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status_line(answer: bytes) -> tuple[int, dict[str, object] | None]:
    head, _, body = answer.partition(b"\r\n\r\n")
    version, status, *_ = head.split(b"\r\n", 1)[0].split(b" ")
    assert version == b"HTTP/1.1"
    headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
    assert int(headers[b"Content-Length"]) == len(body)
    return int(status), json.loads(body) if body else None


def test_concurrent_sync_and_async_clients_all_get_well_formed_answers(server) -> None:  # type: ignore[no-untyped-def]
    # One sync client shared by 50 threads; 200 async requests spread over 10 clients (httpcore's
    # pool is quadratic in its connections, which would time the client, not the server).
    with httpx.Client(limits=httpx.Limits(max_connections=50), timeout=30) as http:
        client = seedance_client.Client(api_key=KEY, base_url=server.url, http_client=http, max_retries=0)
        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(lambda index: client.get_task(f"sync-{index}").status, range(50)))

    async def many() -> list[str]:
        https = [httpx.AsyncClient(timeout=30) for _ in range(10)]
        clients = [
            seedance_client.AsyncClient(api_key=KEY, base_url=server.url, http_client=http, max_retries=0)
            for http in https
        ]
        try:
            tasks = [clients[index % 10].get_task(f"async-{index}") for index in range(200)]
            return [task.status for task in await asyncio.gather(*tasks)]
        finally:
            for http in https:
                await http.aclose()

    statuses += asyncio.run(many())
    assert statuses == ["completed"] * 250
    ids = {request.url.path for operation, request in server.mock.calls if operation == "get_task"}
    assert {f"/tasks/sync-{index}" for index in range(50)} | {
        f"/tasks/async-{index}" for index in range(200)
    } <= ids


def test_bad_input_gets_well_formed_errors(server) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:
        not_json = http.post(
            "/generate/vol/seedance-2.0", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        assert not_json.status_code == 422 and "not valid JSON" in not_json.json()["message"]
        huge = http.post(
            "/generate/vol/seedance-2.0",
            content=b"x" * (10 << 20),
            headers={"Content-Type": "application/json"},
        )
        assert huge.status_code == 413 and "accepts" in huge.json()["message"]
        wrong = http.delete("/tasks/t1")
        assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET"
        missing = http.get("/nowhere")
        assert missing.status_code == 404
    status, _ = _status_line(
        _raw(server.url, b"BREW /tasks/t1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    )
    assert status == 501
    for target in (b"/tasks/../admin", b"/tasks/%2e%2e/admin"):
        request = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        status, body = _status_line(_raw(server.url, request))
        assert status == 400 and body is not None and ".." in str(body["message"])
    # The server still answers after all that.
    with seedance_client.Client(api_key=KEY, base_url=server.url) as client:
        assert client.get_task("after").status == "completed"


def test_task_statuses_are_scripted_over_http(server) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.post("/__mock__/reset").status_code == 200
        scripted = http.post(
            "/__mock__/statuses", json={"key": "t-http", "statuses": ["pending", "processing", "completed"]}
        )
        assert scripted.status_code == 200
        failing = http.post(
            "/__mock__/script",
            json={
                "operation": "get_task",
                "path": {"id": "t-500"},
                "answers": [{"http": True, "status": 500, "json": {"message": "boom"}}],
            },
        )
        assert failing.status_code == 200
        bad = http.post("/__mock__/script", json={"operation": "no_such", "answers": [1]})
        assert bad.status_code == 400 and "no_such" in bad.json()["message"]
        assert http.post("/__mock__/statuses", content=b"[").status_code == 400
        assert http.get("/__mock__/unknown").status_code == 404
    with seedance_client.Client(api_key=KEY, base_url=server.url, max_retries=0) as client:
        task = client.wait_for_task("t-http", poll_interval=0.001)
        with pytest.raises(seedance_client.InternalServerError, match="boom"):
            client.get_task("t-500")
    assert task.status == "completed"
    with httpx.Client(base_url=server.url) as http:
        calls = http.get("/__mock__/calls").json()
    assert [call["operation"] for call in calls] == ["get_task"] * 4
    assert KEY not in json.dumps(calls)


def test_sigterm_mid_request_lets_it_finish_and_exits_cleanly(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "generated"), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "seedance_client.testing", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("serving the mock on http://127.0.0.1:")
        url = first.split()[4]
        host, port = httpx.URL(url).host, httpx.URL(url).port
        body = json.dumps({"prompt": "A fox"}).encode()
        head = (
            f"POST /generate/vol/seedance-2.0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection((host, port), timeout=10) as connection:
            connection.sendall(head + body[:5])  # the request is under way...
            # ...and is being read when the signal comes: wait for the server to have it.
            with httpx.Client(timeout=10) as http:
                http.get(url + "/__mock__/calls")
            process.send_signal(signal.SIGTERM)
            connection.sendall(body[5:])
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        status, answer = _status_line(b"".join(chunks))
        assert status == 200 and answer is not None and "task_id" in answer
        assert process.wait(timeout=30) == 0
        out = process.stdout.read()
        assert "stopped" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_serve_refuses_a_port_in_use_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "generated")}
        result = subprocess.run(
            [sys.executable, "-m", "seedance_client.testing", "serve", "--port", str(port)],
            check=False,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot serve on 127.0.0.1:{port}:")
    assert result.stderr.count("\n") == 1
