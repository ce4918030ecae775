"""``python -m generator verify``: the spec's own mock passes, a drifted server is caught.

Everything runs against a real HTTP server on a loopback port (the generated mock, served).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from conftest import SPEC_PATH
from served import serving

from generator.cli import main
from generator.verify import render, verify

# The module's fixtures are made once per run: under xdist (make test) its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_verify")

KEY = "sk-verify-SECRET-7f3a9c"


def _run(capsys: pytest.CaptureFixture[str], url: str, *options: str) -> tuple[int, str]:
    status = main(["verify", "--base-url", url, "--spec", str(SPEC_PATH), *options])
    captured = capsys.readouterr()
    assert KEY not in captured.out + captured.err
    return status, captured.out


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SINANCODE_API_KEY", KEY)


def _findings(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    return [
        (item["operation"], item["example"], finding["kind"], finding["rule"], finding["pointer"])
        for item in report["sent"]
        for finding in item["findings"]
    ]


def test_the_spec_own_mock_keeps_the_contract(
    real_package: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(real_package) as server:
        status, out = _run(capsys, server.url, "--allow-billed", "2", "--format", "json")
        calls = [(operation, request.method) for operation, request in server.mock.calls]
    report = json.loads(out)
    assert status == 0, out
    kinds = {finding[2] for finding in _findings(report)}
    assert kinds <= {"billed", "skipped"}
    # Two creating requests, one per billed operation, each named with its warning; no more POSTs.
    billed = [
        (item["operation"], item["example"])
        for item in report["sent"]
        if item["status"] and item["method"] == "POST"
    ]
    assert billed == [
        ("generate_seedance_2_0", "text_to_video"),
        ("generate_seedance_pro_1_5", "text_to_video"),
    ]
    assert sum(1 for _, method in calls if method == "POST") == 2
    # The ids those created are looked up too.
    looked_up = [item["example"] for item in report["sent"] if item["example"].startswith("id ")]
    assert len(looked_up) == 2


def test_billed_operations_are_not_called_unless_allowed(
    real_package: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(real_package) as server:
        status, out = _run(capsys, server.url, "--task-id", "my-task")
        methods = [request.method for _, request in server.mock.calls]
    assert status == 0
    assert "POST" not in methods
    assert "GET /tasks/my-task -> 200" in out
    assert "billed operation: 7 example requests not sent" in out


def test_a_drifted_server_is_reported_with_rule_place_and_exit_1(
    drifted: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(drifted) as server:
        status, out = _run(capsys, server.url, "--allow-billed", "2", "--format", "json")
    assert status == 1
    report = json.loads(out)
    found = _findings(report)
    # The renamed field: a required field is missing (failure), the new one is undocumented (drift).
    assert ("generate_seedance_2_0", "text_to_video", "failure", "schema", "/") in found
    assert ("generate_seedance_2_0", "text_to_video", "drift", "undocumented-field", "/id") in found
    # 200 became 201.
    assert ("generate_seedance_pro_1_5", "text_to_video", "failure", "undocumented-status", "") in found
    # A status the docs do not list: drift, at the status field.
    assert ("get_task", "pending", "drift", "undocumented-value", "/status") in found
    # result in the other shape.
    assert ("get_task", "completed_urls", "failure", "schema", "/result") in found
    # Every failure and drift names the place in the spec, with its line.
    places = [
        finding
        for item in report["sent"]
        for finding in item["findings"]
        if finding["kind"] in ("failure", "drift")
    ]
    assert all(finding["spec_pointer"] and finding["spec_line"] for finding in places)
    missing = next(
        f
        for item in report["sent"]
        for f in item["findings"]
        if f["rule"] == "schema" and f["pointer"] == "/"
    )
    assert "'task_id' is a required property" in missing["message"]
    assert missing["spec_pointer"] == "/components/schemas/TaskCreated"
    shape = next(f for item in report["sent"] for f in item["findings"] if f["pointer"] == "/result")
    assert shape["spec_pointer"] == "/components/schemas/Task/properties/result"
    lines = SPEC_PATH.read_text(encoding="utf-8").splitlines()
    assert lines[shape["spec_line"] - 1].strip() == "result:"


def test_drift_alone_exits_3_unless_drift_must_fail(
    drifted_softly: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(drifted_softly) as server:
        status, out = _run(capsys, server.url)
        assert status == 3
        assert "DRIFT    get_task [pending]" in out
        assert "'queued' is not one of the documented values" in out
        status, _ = _run(capsys, server.url, "--fail-on-drift")
        assert status == 1


def test_every_output_format(drifted: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with serving(drifted) as server:
        outputs = {}
        for output_format in ("text", "markdown", "junit"):
            path = tmp_path / f"report.{output_format}"
            status, _ = _run(capsys, server.url, "--format", output_format, "--output", str(path))
            assert status == 1
            outputs[output_format] = path.read_text(encoding="utf-8")
    suite = ET.fromstring(outputs["junit"])
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert "completed_urls" in failed
    assert int(suite.get("failures", "0")) == len(failed)
    assert any(case.find("skipped") is not None for case in suite.iter("testcase"))
    assert "| failure | get_task | completed_urls |" in outputs["markdown"]
    assert (
        "FAILURE  get_task [completed_urls] GET /tasks/169f494d-ec9b-4fec-b9f6-580f7fe4969d -> 200"
        in outputs["text"]
    )
    for text in outputs.values():
        assert KEY not in text


def _rate_limited_mock(real_package: ModuleType, counts: dict[str, int]) -> httpx.MockTransport:
    mock = real_package.testing.MockAPI(base_url="https://api.test/v1")

    def handler(request: httpx.Request) -> httpx.Response:
        counts[request.method] = counts.get(request.method, 0) + 1
        if request.method == "POST" or counts[request.method] == 1:
            return httpx.Response(429, headers={"Retry-After": "7"}, json={"message": "slow down"})
        return mock.handle(request)

    return httpx.MockTransport(handler)


def test_retry_after_is_respected_for_a_get_and_a_post_is_never_sent_twice(real_package: ModuleType) -> None:
    counts: dict[str, int] = {}
    slept: list[float] = []
    with httpx.Client(
        transport=_rate_limited_mock(real_package, counts), base_url="https://api.test/v1"
    ) as http:
        report = verify(
            SPEC_PATH, "https://api.test/v1", api_key=KEY, http=http, allow_billed=1, sleep=slept.append
        )
    assert slept == [7.0]  # the first GET waited as asked, once
    assert counts["POST"] == 1
    post = next(item for item in report.sent if item.method == "POST" and item.status)
    assert [(f.kind, f.rule) for f in post.findings] == [("billed", "billed"), ("skipped", "rate-limited")]
    assert "a POST is never sent twice" in post.findings[1].message
    assert report.exit_code() == 0
    assert KEY not in render(report, "json", api_key=KEY)


def test_a_retry_after_longer_than_the_cap_is_not_waited(real_package: ModuleType) -> None:
    counts: dict[str, int] = {}
    slept: list[float] = []
    with httpx.Client(
        transport=_rate_limited_mock(real_package, counts), base_url="https://api.test/v1"
    ) as http:
        report = verify(
            SPEC_PATH, "https://api.test/v1", api_key=KEY, http=http, max_wait=5, sleep=slept.append
        )
    assert slept == []
    first = report.sent[next(i for i, item in enumerate(report.sent) if item.method == "GET")]
    assert first.findings[0].rule == "rate-limited"


def test_bad_command_lines_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["verify", "--base-url", "http://api.example.com"]) == 2
    assert "plain http" in capsys.readouterr().err
    monkeypatch.delenv("SINANCODE_API_KEY")
    assert main(["verify", "--base-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no API key: set SINANCODE_API_KEY")
    assert err.count("\n") == 1


def test_another_media_type_is_drift_and_unknown_example_ids_are_skipped(real_package: ModuleType) -> None:
    """A real server does not know the documentation's task ids: 404 there is not a failure."""
    mock = real_package.testing.MockAPI(base_url="https://api.test/v1")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tasks/52f4e93d-80b1-4505-9425-fbe43ef341dc"):
            answer = mock.handle(request)
            return httpx.Response(
                200, content=answer.read(), headers={"Content-Type": "application/vnd.api+json"}
            )
        if request.url.path.startswith("/v1/tasks/") and not request.url.path.endswith("/mine"):
            return httpx.Response(404, json={"message": "no such task"})
        return mock.handle(request)

    with httpx.Client(transport=httpx.MockTransport(handler), base_url="https://api.test/v1") as http:
        report = verify(SPEC_PATH, "https://api.test/v1", api_key=KEY, http=http, task_ids=("mine",))
    outcomes = {item.example: (item.outcome, [f.rule for f in item.findings]) for item in report.sent}
    assert outcomes["pending"] == ("drift", ["media-type"])
    assert outcomes["processing"] == ("skipped", ["unknown-example-resource"])
    assert outcomes["id mine"] == ("pass", [])
    assert report.exit_code() == 3
