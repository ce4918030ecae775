"""``python -m generator examples --from-cassette PATH``: recorded traffic as the spec's example pairs.

Each recorded pair with a documented success status becomes a named example pair of the spec
(``recorded_<operation>_<n>``): the path and query values go into the parameters' ``examples``,
the JSON body into the request body's, the answer into the response's, all under the same name,
which is how the spec pairs them (see ``spec/README.md``). A request recorded more than once
keeps its last answer (a polled task is kept finished); a request equal to one the spec already
documents is left out. The pairs are printed as YAML blocks to paste, each under the JSON
pointer of the ``examples`` it belongs to, or with ``--write OUT`` written into a copy of the
spec, which is linted like any spec before it is written.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from .ir import Operation, build_api
from .load import Spec, escape_pointer, iter_operations, lint, load_spec, ref_target, validate
from .problems import GenerationError, Problem

__all__ = ["Proposal", "add_parser", "propose", "run"]


@dataclass(frozen=True)
class Proposal:
    """One recorded pair, proposed as the example ``name`` at each of ``places`` (pointer -> value)."""

    operation: str
    name: str
    places: dict[str, Any]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _read_cassette(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise GenerationError(
            str(path), [Problem("", f"cannot read the cassette: {error.strerror}")]
        ) from None
    except ValueError as error:
        raise GenerationError(str(path), [Problem("", f"not JSON: {error}")]) from None
    interactions = data.get("interactions") if isinstance(data, dict) else None
    if not isinstance(interactions, list):
        raise GenerationError(
            str(path), [Problem("/interactions", "not a cassette: no list of interactions")]
        )
    return [item for item in interactions if isinstance(item, dict)]


def _parameters(spec: Spec, pointer: str, path: str, raw: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(location, name) -> pointer of the parameter object, operation level over path level."""
    found: dict[tuple[str, str], str] = {}
    item_pointer = pointer.rsplit("/", 1)[0]
    item = spec.resolve(spec.document["paths"][path])
    for base, parameters in ((item_pointer, item.get("parameters")), (pointer, raw.get("parameters"))):
        for index, parameter in enumerate(parameters or []):
            resolved = spec.resolve(parameter)
            if isinstance(resolved, Mapping):
                found[(str(resolved.get("in")), str(resolved.get("name")))] = ref_target(
                    parameter, f"{base}/parameters/{index}"
                )
    return found


def _existing_requests(operation: Operation) -> set[str]:
    return {
        _canonical([pair.path, pair.query, pair.headers, pair.body if pair.has_body else None])
        for pair in operation.examples
    }


def _match_path(template: str, path: str) -> dict[str, str] | None:
    wanted, given = template.strip("/").split("/"), path.strip("/").split("/")
    if len(wanted) != len(given):
        return None
    values: dict[str, str] = {}
    for part, raw in zip(wanted, given, strict=True):
        if part.startswith("{") and part.endswith("}"):
            values[part[1:-1]] = unquote(raw)
        elif part != unquote(raw):
            return None
    return values


def propose(spec: Spec, interactions: list[dict[str, Any]], prefix: str = "recorded") -> list[Proposal]:
    """The recorded pairs of ``interactions`` as example pairs of ``spec``."""
    api = build_api(spec, "examples")
    raw_operations = {
        (path, method.upper()): (pointer, raw) for pointer, path, method, raw in iter_operations(spec)
    }
    latest: dict[tuple[str, str], tuple[Operation, dict[str, str], dict[str, Any]]] = {}
    for item in interactions:
        request, response = item.get("request") or {}, item.get("response") or {}
        if (
            not isinstance(response.get("status"), int)
            or not 200 <= response["status"] < 300
            or "body" not in response
        ):
            continue
        for operation in api.operations:
            values = _match_path(operation.path, str(request.get("path", "")))
            if operation.method == request.get("method") and values is not None:
                key = _canonical([values, request.get("query"), request.get("body")])
                latest.pop((operation.name, key), None)  # the last answer, in the order of the last call
                latest[(operation.name, key)] = (operation, values, item)
                break
    proposals: list[Proposal] = []
    counters: dict[str, int] = {}
    for (_, _), (operation, values, item) in latest.items():
        pointer, raw = raw_operations[(operation.path, operation.method)]
        request, response = item["request"], item["response"]
        secret_query = {name for kind, name in operation.security if kind == "query"}
        query: dict[str, Any] = {}
        for name, value in request.get("query") or []:
            if name not in secret_query:
                query.setdefault(name, []).append(value)
        parameters = _parameters(spec, pointer, operation.path, raw)
        header_names = {name.lower(): name for location, name in parameters if location == "header"}
        headers = {
            header_names[name.lower()]: value
            for name, value in (request.get("headers") or {}).items()
            if name.lower() in header_names
        }
        typed_headers = {
            name: _typed(spec, parameters.get(("header", name)), value, header=True)
            for name, value in headers.items()
        }
        typed = {name: _typed(spec, parameters.get(("path", name)), value) for name, value in values.items()}
        typed_query = {
            name: _typed(spec, parameters.get(("query", name)), items[0] if len(items) == 1 else items)
            for name, items in query.items()
        }
        if _canonical([typed, typed_query, typed_headers, request.get("body")]) in _existing_requests(
            operation
        ):
            continue
        counters[operation.name] = counters.get(operation.name, 0) + 1
        name = f"{prefix}_{operation.name}_{counters[operation.name]}"
        places: dict[str, Any] = {}
        for location, items in (("path", typed), ("query", typed_query), ("header", typed_headers)):
            for parameter, value in items.items():
                where = parameters.get((location, parameter))
                if where is not None:
                    places[f"{where}/examples"] = value
        if "body" in request and "requestBody" in raw:
            body = _examples_of(spec, f"{pointer}/requestBody")
            if body is not None:
                places[body] = request["body"]
        status = str(response["status"])
        responses = raw.get("responses") or {}
        documented = next((k for k in responses if str(k) == status), None)
        answer = (
            None
            if documented is None
            else _examples_of(spec, f"{pointer}/responses/{escape_pointer(documented)}")
        )
        if answer is None:
            continue
        places[answer] = response["body"]
        proposals.append(Proposal(operation.name, name, places))
    return proposals


def _examples_of(spec: Spec, pointer: str) -> str | None:
    """Where the examples of the JSON content of the body or answer at ``pointer`` belong: in
    the object its local ``$ref``s lead to (a shared request body or response holds its own
    examples), under its JSON media type as the spec spells it; None without JSON content."""
    seen = {pointer}
    node = _node(spec.document, pointer, create=False)
    while (target := ref_target(node, pointer)) != pointer:
        if target in seen:
            return None
        seen.add(target)
        pointer, node = target, _node(spec.document, target, create=False)
    content = node.get("content") if isinstance(node, Mapping) else None
    media = next((m for m in content if "json" in m), None) if isinstance(content, Mapping) else None
    return None if media is None else f"{pointer}/content/{escape_pointer(media)}/examples"


def _typed(spec: Spec, parameter_pointer: str | None, value: Any, *, header: bool = False) -> Any:
    """A parameter recorded as text, as the JSON value its schema means (``5`` for an integer).

    An array arrives as repeated query items, or in a header as one comma-separated value.
    """
    if parameter_pointer is None:
        return value
    schema = spec.resolve(
        (spec.resolve(_node(spec.document, parameter_pointer, create=False)) or {}).get("schema")
    )
    kind = schema.get("type") if isinstance(schema, Mapping) else None
    items = schema.get("items") if isinstance(schema, Mapping) else None
    if kind == "array":
        if header and isinstance(value, str):
            value = [item.strip() for item in value.split(",")]
        elif not isinstance(value, list):
            value = [value]
        kind = spec.resolve(items).get("type") if isinstance(items, Mapping) else None
    if kind not in ("integer", "number", "boolean"):
        return value

    def read(text: Any) -> Any:
        try:
            return json.loads(text)
        except (TypeError, ValueError):
            return text

    return [read(item) for item in value] if isinstance(value, list) else read(value)


def _node(document: Any, pointer: str, create: bool) -> Any:
    node = document
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            if token not in node and create:
                node[token] = {}
            node = node[token]
        else:
            node = node[int(token)]
    return node


def with_examples(spec: Spec, proposals: list[Proposal]) -> dict[str, Any]:
    """A copy of the spec's document with the proposed examples added."""
    document = copy.deepcopy(spec.document)
    for proposal in proposals:
        for place, value in proposal.places.items():
            container = _node(document, place, create=True)
            container[proposal.name] = {
                "summary": f"Recorded {proposal.operation} (from a cassette)",
                "value": value,
            }
    return document


def as_yaml(proposals: list[Proposal]) -> str:
    """The proposals as YAML blocks to paste, each under the pointer of its ``examples``."""
    blocks: dict[str, dict[str, Any]] = {}
    for proposal in proposals:
        for place, value in proposal.places.items():
            summary = f"Recorded {proposal.operation} (from a cassette)"
            blocks.setdefault(place, {})[proposal.name] = {"summary": summary, "value": value}
    header = (
        "# Recorded example pairs: paste each block into the `examples` at the JSON pointer of its key.\n"
    )
    return header + yaml.safe_dump(blocks, sort_keys=False, allow_unicode=True, width=100)


def add_parser(commands: Any) -> None:
    """Add the ``examples`` subcommand to the generator's command line."""
    text = "propose recorded traffic (a cassette) as named example pairs of the spec"
    command = commands.add_parser("examples", help=text, description=text)
    command.add_argument("--from-cassette", type=Path, required=True, help="a cassette written by Recorder")
    command.add_argument("--spec", type=Path, default=Path("spec/openapi.yaml"), help="OpenAPI document")
    command.add_argument("--write", type=Path, help="write a copy of the spec with the pairs added here")
    command.add_argument(
        "--prefix", default="recorded", help="start of every example name (default: recorded)"
    )
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Run ``examples`` from parsed arguments; returns the exit status."""
    try:
        spec = load_spec(arguments.spec)
        problems = validate(spec)
        if problems:
            raise GenerationError(str(arguments.spec), problems)
        proposals = propose(spec, _read_cassette(arguments.from_cassette), arguments.prefix)
        if arguments.write is None:
            sys.stdout.write(as_yaml(proposals))
            print(f"{len(proposals)} example pairs proposed", file=sys.stderr)
            return 0
        document = with_examples(spec, proposals)
        # Written in the format its name says, as the generator reads it (a .json file is JSON).
        if arguments.write.suffix.lower() == ".json":
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        else:
            text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        checked = Spec(arguments.write, document, spec.sha256)
        problems = validate(checked) + lint(checked)
        if problems:
            raise GenerationError(str(arguments.write), problems)
    except GenerationError as error:
        print(f"error: {error}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return 2
    arguments.write.write_text(text, encoding="utf-8")
    print(f"wrote {arguments.write}: {len(proposals)} example pairs added", file=sys.stderr)
    return 0
