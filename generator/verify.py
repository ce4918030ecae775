"""``python -m generator verify --base-url URL``: check a live server against the spec.

For each operation, the spec's example requests are sent and each answer is checked: a status
the spec does not document, a body that its response schema rejects, or no answer at all is a
contract *failure*; what the schema does not say (a field it does not list, a value outside an
open enum's documented ones, another media type) is *drift*, reported apart.

Billed operations (those that are not idempotent: a POST creates a task that costs money) are
never called unless ``--allow-billed N`` allows at most N such requests; each one is named in
the report. The ids those answers carry are then looked up with the idempotent operations that
take one path parameter, as are the ids given with ``--task-id``. A GET answered 429 or 503 is
sent again after the server's ``Retry-After`` (up to ``--max-wait`` seconds); a POST never is.
The API key is read from the environment and never printed: any text of the report that
contains it shows ``<redacted>`` instead.

Exit status: 0 the server matches, 1 a contract failure, 3 drift only (1 with
``--fail-on-drift``), 2 the command could not run.
"""

from __future__ import annotations

import argparse
import email.utils
import importlib
import json
import os
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from .ir import Api, ExamplePair, Operation, build_api
from .load import Spec, _ExampleChecker, escape_pointer, iter_operations, load_spec, validate
from .problems import GenerationError
from .runtime._mock_contract import drift

if TYPE_CHECKING:
    import httpx
    from jsonschema.exceptions import ValidationError

__all__ = ["Finding", "Report", "Sent", "add_parser", "render", "run", "verify"]

Kind = Literal["failure", "drift", "billed", "skipped"]
FORMATS = ("text", "markdown", "json", "junit")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_RETRIED_STATUSES = {429, 503}
_GET_ATTEMPTS = 3
_REDACTED = "<redacted>"


@dataclass(frozen=True)
class Finding:
    """One thing found about one answer: a failure, drift, a billed call or a skipped check."""

    kind: Kind
    rule: str
    message: str
    pointer: str = ""
    """Where in the answer's body (JSON pointer); empty for the answer as a whole."""
    spec_pointer: str = ""
    """Where in the spec (JSON pointer) the rule comes from."""
    spec_line: int | None = None


@dataclass
class Sent:
    """One request sent (or, when ``status`` is None and a finding says so, not sent)."""

    operation: str
    example: str
    method: str
    path: str
    status: int | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        kinds = {finding.kind for finding in self.findings}
        for kind in ("failure", "drift", "skipped"):
            if kind in kinds:
                return kind
        return "pass"


@dataclass
class Report:
    base_url: str
    spec: str
    sent: list[Sent] = field(default_factory=list)

    def count(self, kind: Kind) -> int:
        return sum(1 for item in self.sent for finding in item.findings if finding.kind == kind)

    def exit_code(self, fail_on_drift: bool = False) -> int:
        if self.count("failure"):
            return 1
        if self.count("drift"):
            return 1 if fail_on_drift else 3
        return 0

    def summary(self) -> str:
        requests = sum(1 for item in self.sent if item.status is not None)
        return (
            f"{requests} requests to {self.base_url}: {self.count('failure')} contract failures, "
            f"{self.count('drift')} drift, {self.count('billed')} billed, {self.count('skipped')} skipped"
        )


def _httpx() -> Any:
    """httpx, imported on first use: ``generate`` and ``check`` start without it."""
    return importlib.import_module("httpx")


# -- sending ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, int | float) else str(value)


def _request(
    operation: Operation, pair_path: Mapping[str, Any], pair: ExamplePair | None, api_key: str
) -> tuple[str, list[tuple[str, str]], dict[str, str], bytes | None]:
    path = operation.path
    for name, value in pair_path.items():
        path = path.replace("{" + name + "}", quote(_text(value), safe=""))
    query = [
        (name, _text(item))
        for name, value in (pair.query if pair else {}).items()
        for item in (value if isinstance(value, list) else [value])
    ]
    headers = {
        name: ",".join(_text(item) for item in value) if isinstance(value, list) else _text(value)
        for name, value in (pair.headers if pair else {}).items()
    }
    if operation.security:
        # Placed as the generated client places it, for every scheme it supports (the runtime
        # imports httpx, which ``generate`` and ``check`` start without).
        auth = importlib.import_module("generator.runtime._auth")
        types = importlib.import_module("generator.runtime._types")
        placed = _httpx().Headers(headers)
        params: dict[str, Any] = {}
        for kind, name in operation.security:
            auth.apply_credential(types.AuthScheme(kind, name), api_key, placed, params)
        headers = dict(placed.items())
        query += [(name, _text(value)) for name, value in params.items()]
    content = None
    if pair is not None and pair.has_body:
        headers["Content-Type"] = "application/json"
        content = json.dumps(pair.body, ensure_ascii=False).encode()
    return path, query, headers, content


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    when = email.utils.parsedate_to_datetime(value) if value.strip() else None
    return None if when is None else max(when.timestamp() - time.time(), 0.0)


class _Verifier:
    def __init__(
        self,
        spec: Spec,
        api: Api,
        http: httpx.Client,
        *,
        api_key: str,
        max_wait: float,
        sleep: Callable[[float], None],
    ) -> None:
        self.spec, self.api, self.http = spec, api, http
        self.api_key, self.max_wait, self.sleep = api_key, max_wait, sleep
        self.checker = _ExampleChecker(spec)
        self.raw = {
            (path, method.upper()): (pointer, raw) for pointer, path, method, raw in iter_operations(spec)
        }

    def send(
        self, operation: Operation, label: str, path_values: Mapping[str, Any], pair: ExamplePair | None
    ) -> tuple[Sent, Any]:
        path, query, headers, content = _request(operation, path_values, pair, self.api_key)
        sent = Sent(operation.name, label, operation.method, path)
        attempts = _GET_ATTEMPTS if operation.idempotent else 1
        response: httpx.Response | None = None
        for attempt in range(attempts):
            try:
                response = self.http.request(
                    operation.method, path, params=tuple(query), headers=headers, content=content
                )
            except Exception as error:  # httpx's errors: the generator imports httpx only here
                if not isinstance(error, _httpx().HTTPError):
                    raise
                kind = type(error).__name__
                sent.findings.append(Finding("failure", "no-answer", f"no answer: {kind}: {error}"))
                return sent, None
            if response.status_code not in _RETRIED_STATUSES:
                break
            wait = _retry_after(response)
            if not operation.idempotent or attempt == attempts - 1:
                break
            if wait is None:
                wait = float(2**attempt)
            if wait > self.max_wait:
                break
            self.sleep(wait)
        assert response is not None
        sent.status = response.status_code
        if response.status_code in _RETRIED_STATUSES:
            why = "a POST is never sent twice" if not operation.idempotent else "still refused after retries"
            asked = response.headers.get("Retry-After")
            sent.findings.append(
                Finding(
                    "skipped",
                    "rate-limited",
                    f"answered {response.status_code}"
                    + (f" (Retry-After: {asked})" if asked else "")
                    + f"; not checked: {why}",
                )
            )
            return sent, None
        if response.status_code == 404 and pair is not None and pair.path and 200 <= pair.status < 300:
            sent.findings.append(
                Finding(
                    "skipped",
                    "unknown-example-resource",
                    "404: this server does not know the example's resource; pass --task-id or --allow-billed",
                )
            )
            return sent, None
        body = self.check(operation, response, sent)
        return sent, body

    def check(self, operation: Operation, response: httpx.Response, sent: Sent) -> Any:
        pointer, raw = self.raw[(operation.path, operation.method)]
        responses = raw.get("responses") or {}
        status = str(response.status_code)
        key = next(
            (k for k in (status, f"{status[0]}XX", f"{status[0]}xx", "default") if k in responses), None
        )
        if key is None:
            documented = ", ".join(str(k) for k in responses) or "none"
            where = f"{pointer}/responses"
            sent.findings.append(
                Finding(
                    "failure",
                    "undocumented-status",
                    f"status {status} is not documented (documented: {documented})",
                    spec_pointer=where,
                    spec_line=self._line(where),
                )
            )
            return None
        response_pointer = f"{pointer}/responses/{escape_pointer(key)}"
        documented_response = self.spec.resolve(responses[key])
        content = (documented_response or {}).get("content") or {}
        if not content:
            return None
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        media_key = media if media in content else next(iter(content))
        if media not in content:
            sent.findings.append(
                Finding(
                    "drift",
                    "media-type",
                    f"answered {media or 'no Content-Type'}; the spec documents {', '.join(content)}",
                    spec_pointer=f"{response_pointer}/content",
                    spec_line=self._line(f"{response_pointer}/content"),
                )
            )
        schema_pointer = f"{response_pointer}/content/{escape_pointer(media_key)}/schema"
        try:
            body = response.json()
        except ValueError:
            sent.findings.append(
                Finding("failure", "not-json", "the body is not JSON", spec_pointer=schema_pointer)
            )
            return None
        validator = self.checker.validator_class(
            {"$ref": f"urn:openapi-document#{schema_pointer}"}, registry=self.checker.registry
        )
        errors: list[ValidationError] = sorted(
            validator.iter_errors(body), key=lambda error: list(error.absolute_path)
        )
        for error in errors:
            where = "".join(f"/{escape_pointer(part)}" for part in error.absolute_path) or "/"
            place = self._schema_of(schema_pointer, list(error.absolute_path))
            sent.findings.append(
                Finding(
                    "failure",
                    "schema",
                    f"the body does not match the schema: {error.message}",
                    pointer=where,
                    spec_pointer=place,
                    spec_line=self._line(place),
                )
            )
        # Drift too when the body is invalid: a field that is undocumented says what came instead.
        for found in drift(body, {"$ref": f"#{schema_pointer}"}, self.spec.document):
            sent.findings.append(
                Finding(
                    "drift",
                    found.rule,
                    found.message,
                    pointer=found.pointer,
                    spec_pointer=found.schema_pointer,
                    spec_line=self._line(found.schema_pointer),
                )
            )
        return body

    def _schema_of(self, pointer: str, path: list[Any]) -> str:
        """The pointer of the schema that describes the value at ``path``, as deep as it can be followed."""
        for token in [None, *path]:
            node = self._follow(pointer)
            while (
                isinstance(node, Mapping)
                and isinstance(node.get("$ref"), str)
                and node["$ref"].startswith("#/")
            ):
                pointer = node["$ref"][1:]
                node = self._follow(pointer)
            if token is None:
                continue
            if not isinstance(node, Mapping):
                break
            if isinstance(token, str) and token in (node.get("properties") or {}):
                pointer = f"{pointer}/properties/{escape_pointer(token)}"
            elif isinstance(token, int) and isinstance(node.get("items"), Mapping):
                pointer = f"{pointer}/items"
            else:
                break
        return pointer

    def _follow(self, pointer: str) -> Any:
        node: Any = self.spec.document
        for token in pointer.lstrip("/").split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or token not in node:
                return None
            node = node[token]
        return node

    def _line(self, pointer: str) -> int | None:
        return self.spec.problem(pointer, "").line


def _created_ids(body: Any) -> Iterator[str]:
    if isinstance(body, dict):
        for name, value in body.items():
            if isinstance(value, str) and value and (name.lower() == "id" or name.lower().endswith("_id")):
                yield value


def verify(
    spec_path: Path,
    base_url: str,
    *,
    api_key: str,
    http: httpx.Client | None = None,
    allow_billed: int = 0,
    task_ids: tuple[str, ...] = (),
    max_wait: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Report:
    """Send the spec's examples to ``base_url`` and check the answers. Raises ``GenerationError``."""
    spec = load_spec(spec_path)
    problems = validate(spec)
    if problems:
        raise GenerationError(str(spec_path), problems)
    api = build_api(spec, "verify")
    report = Report(base_url, str(spec_path))
    owned = http is None
    client = http or _httpx().Client(base_url=base_url, timeout=30.0, follow_redirects=False)
    verifier = _Verifier(spec, api, client, api_key=api_key, max_wait=max_wait, sleep=sleep)
    try:
        # The budget goes round the billed operations: each one's first example, then the second...
        billed = [operation for operation in api.operations if not operation.idempotent]
        rounds = max((len(operation.examples) for operation in billed), default=0)
        order = [
            (operation.name, operation.examples[index].name)
            for index in range(rounds)
            for operation in billed
            if index < len(operation.examples)
        ]
        chosen = set(order[: max(allow_billed, 0)])
        created: list[str] = []
        for operation in billed:
            allowed = [pair for pair in operation.examples if (operation.name, pair.name) in chosen]
            unsent = [pair.name for pair in operation.examples if (operation.name, pair.name) not in chosen]
            for pair in allowed:
                sent, body = verifier.send(operation, pair.name, pair.path, pair)
                sent.findings.insert(
                    0, Finding("billed", "billed", "sent one creating request: this may have cost money")
                )
                created += _created_ids(body)
                report.sent.append(sent)
            if unsent:
                message = (
                    f"billed operation: {len(unsent)} example requests not sent ({', '.join(unsent)}); "
                    "--allow-billed N allows N creating requests"
                )
                report.sent.append(
                    Sent(
                        operation.name,
                        f"{len(unsent)} examples",
                        operation.method,
                        operation.path,
                        findings=[Finding("skipped", "billed", message)],
                    )
                )
        for operation in api.operations:
            if not operation.idempotent:
                continue
            for pair in operation.examples:
                report.sent.append(verifier.send(operation, pair.name, pair.path, pair)[0])
            if len(operation.path_args) == 1 and operation.body is None:
                name = operation.path_args[0].wire_name
                for value in [*task_ids, *created]:
                    report.sent.append(verifier.send(operation, f"id {value}", {name: value}, None)[0])
    finally:
        if owned:
            client.close()
    return report


# -- reports ------------------------------------------------------------------------------------


def _place(finding: Finding) -> str:
    parts = []
    if finding.pointer:
        parts.append(f"body {finding.pointer}")
    if finding.spec_pointer:
        line = f"line {finding.spec_line}, " if finding.spec_line else ""
        parts.append(f"spec {line}{finding.spec_pointer}")
    return f" ({'; '.join(parts)})" if parts else ""


def _text_report(report: Report, exit_code: int) -> str:
    lines = [f"verify {report.base_url} against {report.spec}"]
    for item in report.sent:
        status = item.status if item.status is not None else "-"
        lines.append(
            f"{item.outcome.upper():8} {item.operation} [{item.example}] {item.method} {item.path} -> {status}"
        )
        lines += [f"    {f.kind} {f.rule}: {f.message}{_place(f)}" for f in item.findings]
    lines.append(f"{report.summary()}; exit {exit_code}")
    return "\n".join(lines) + "\n"


def _markdown_report(report: Report, exit_code: int) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        f"## verify `{report.base_url}` against `{report.spec}`",
        "",
        f"{report.summary()}; exit {exit_code}",
        "",
        "| outcome | operation | example | request | status | rule | message | place |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for item in report.sent:
        request = f"`{item.method} {item.path}`"
        status = str(item.status) if item.status is not None else "-"
        rows = item.findings or [Finding("failure", "", "")]
        for finding in rows:
            rule = finding.rule if item.findings else ""
            kind = finding.kind if item.findings else "pass"
            lines.append(
                f"| {kind} | {item.operation} | {cell(item.example)} | {request} | {status} | {rule} | "
                f"{cell(finding.message)} | {cell(_place(finding).strip(' ()'))} |"
            )
    return "\n".join(lines) + "\n"


def _junit_report(report: Report, fail_on_drift: bool) -> str:
    suite = ET.Element(
        "testsuite",
        name="verify",
        tests=str(len(report.sent)),
        failures=str(
            sum(
                1
                for item in report.sent
                if item.outcome == "failure" or (fail_on_drift and item.outcome == "drift")
            )
        ),
        skipped=str(sum(1 for item in report.sent if item.outcome == "skipped")),
    )
    for item in report.sent:
        case = ET.SubElement(suite, "testcase", classname=f"verify.{item.operation}", name=item.example)
        failing = [f for f in item.findings if f.kind == "failure" or (fail_on_drift and f.kind == "drift")]
        if failing:
            text = "\n".join(f"{f.rule}: {f.message}{_place(f)}" for f in failing)
            ET.SubElement(case, "failure", message=failing[0].message, type=failing[0].rule).text = text
        elif item.outcome == "skipped":
            ET.SubElement(
                case, "skipped", message=next(f.message for f in item.findings if f.kind == "skipped")
            )
        notes = [f for f in item.findings if f not in failing]
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(
                f"{f.kind} {f.rule}: {f.message}{_place(f)}" for f in notes
            )
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


def render(report: Report, output_format: str, *, fail_on_drift: bool = False, api_key: str = "") -> str:
    """The report in one of ``FORMATS``, with the API key (if it appears anywhere) redacted."""
    exit_code = report.exit_code(fail_on_drift)
    if output_format == "json":
        data = {"summary": report.summary(), "exit_code": exit_code, **asdict(report)}
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif output_format == "markdown":
        text = _markdown_report(report, exit_code)
    elif output_format == "junit":
        text = _junit_report(report, fail_on_drift)
    else:
        text = _text_report(report, exit_code)
    return text.replace(api_key, _REDACTED) if api_key else text


# -- command line -------------------------------------------------------------------------------


def add_parser(commands: Any) -> None:
    """Add the ``verify`` subcommand to the generator's command line."""
    text = "check a live server against the spec (contract failures and drift)"
    command = commands.add_parser("verify", help=text, description=text)
    command.add_argument(
        "--base-url", required=True, help="the server to check, e.g. https://api.example.com/v1"
    )
    command.add_argument("--spec", type=Path, default=Path("spec/openapi.yaml"), help="OpenAPI document")
    command.add_argument("--api-key-env", help="environment variable holding the key (default: the spec's)")
    command.add_argument(
        "--allow-billed", type=int, default=0, metavar="N", help="allow at most N creating requests"
    )
    command.add_argument(
        "--task-id", action="append", default=[], help="an existing id to look up (repeatable)"
    )
    command.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    command.add_argument("--output", type=Path, help="write the report here instead of stdout")
    command.add_argument(
        "--fail-on-drift", action="store_true", help="exit 1, not 3, when only drift was found"
    )
    command.add_argument(
        "--max-wait", type=float, default=60.0, help="longest Retry-After honoured, in seconds"
    )
    command.add_argument(
        "--allow-insecure-http", action="store_true", help="allow http:// to a host that is not loopback"
    )
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Run ``verify`` from parsed arguments; returns the exit status."""
    url = _httpx().URL(arguments.base_url)
    if url.scheme not in ("http", "https") or not url.host:
        print(f"error: --base-url {arguments.base_url!r} is not an http(s) URL", file=sys.stderr)
        return 2
    if url.scheme == "http" and url.host not in _LOOPBACK and not arguments.allow_insecure_http:
        print(
            "error: --base-url is plain http to a host that is not loopback: the key would travel in clear "
            "(--allow-insecure-http allows it)",
            file=sys.stderr,
        )
        return 2
    if arguments.allow_billed < 0:
        print("error: --allow-billed must be 0 or more", file=sys.stderr)
        return 2
    try:
        spec = load_spec(arguments.spec)
        variable = arguments.api_key_env or build_api(spec, "verify").api_key_env
        api_key = os.environ.get(variable, "")
        if not api_key:
            print(
                f"error: no API key: set {variable} (or name another variable with --api-key-env)",
                file=sys.stderr,
            )
            return 2
        report = verify(
            arguments.spec,
            arguments.base_url,
            api_key=api_key,
            allow_billed=arguments.allow_billed,
            task_ids=tuple(arguments.task_id),
            max_wait=arguments.max_wait,
        )
    except GenerationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    text = render(report, arguments.format, fail_on_drift=arguments.fail_on_drift, api_key=api_key)
    if arguments.output:
        arguments.output.write_text(text, encoding="utf-8")
        print(report.summary(), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return report.exit_code(arguments.fail_on_drift)
