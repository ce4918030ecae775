"""The intermediate model: what the templates read, and all that they read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.problems import Problem

__all__ = ["Api", "Argument", "Body", "ExamplePair", "Operation", "Response", "Wait"]


@dataclass(frozen=True)
class Argument:
    """A keyword argument of a generated method: a parameter or a property of the JSON body."""

    name: str
    wire_name: str
    location: str  # "path", "query", "header", "cookie", "body" or "file" (a multipart file)
    annotation: str
    required: bool
    description: str
    validator: str | None = None  # the models name that validates a parameter's value
    style: str = ""  # a parameter's OpenAPI style ("" for a body field)
    explode: bool = False

    @property
    def default_style(self) -> bool:
        """Whether the parameter uses its location's default style and explode."""
        return (self.style, self.explode) in (("form", True), ("simple", False), ("", False))


@dataclass(frozen=True)
class Body:
    model: str  # the models name of a JSON/form/multipart body; the Python type of a raw one
    required: bool
    fields: tuple[Argument, ...]  # keyword arguments when the body is an object with properties
    description: str
    media_type: str = "application/json"
    kind: str = "json"  # "json", "form", "multipart", "text" or "binary" (see media_kind)
    alternatives: tuple[str, ...] = ()  # other media types the operation accepts
    part_types: dict[str, str] = field(default_factory=dict)  # multipart `encoding` contentType

    @property
    def is_raw(self) -> bool:
        """A text or binary body, given whole: no model, no keyword arguments."""
        return self.kind in ("text", "binary")

    @property
    def model_fields(self) -> tuple[Argument, ...]:
        """The fields that the body's model validates (multipart files are sent apart)."""
        return tuple(argument for argument in self.fields if argument.location == "body")

    @property
    def file_fields(self) -> tuple[Argument, ...]:
        return tuple(argument for argument in self.fields if argument.location == "file")


@dataclass(frozen=True)
class Response:
    status: str  # "200", "2XX" or "default"
    model: str | None  # None: no body; "str" for text, "bytes" for binary answers
    description: str
    media_type: str = ""


@dataclass(frozen=True)
class Wait:
    """A polling helper declared with ``x-wait`` on an operation."""

    name: str
    status_field: str
    success: tuple[str, ...]
    failure: tuple[str, ...]
    error_code_field: str | None
    error_message_field: str | None


@dataclass(frozen=True)
class Result:
    """Where a finished job's output URLs are, declared with ``x-result`` on an operation."""

    name: str  # the helper listing the URLs
    field: str
    url_field: str | None  # for a list of objects: the key holding the URL


@dataclass(frozen=True)
class ExamplePair:
    """Request and response examples that share a name."""

    name: str
    summary: str
    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    body: Any
    has_body: bool
    status: int
    response: Any
    has_response: bool


@dataclass(frozen=True)
class Operation:
    name: str  # the Python method name
    operation_id: str
    method: str  # upper case
    path: str
    summary: str
    description: str
    path_args: tuple[Argument, ...]
    query_args: tuple[Argument, ...]
    header_args: tuple[Argument, ...]
    body: Body | None
    responses: tuple[Response, ...]
    idempotent: bool
    security: tuple[tuple[str, str], ...]  # (kind, name): ("bearer", ""), ("header", "X-Key")...
    wait: Wait | None
    examples: tuple[ExamplePair, ...]
    deprecated: bool
    result: Result | None = None

    @property
    def return_models(self) -> tuple[str | None, ...]:
        """The distinct models of the 2xx answers, in order (None for one without a body)."""
        seen: list[str | None] = []
        for response in self.responses:
            if response.status.startswith("2") and response.model not in seen:
                seen.append(response.model)
        return tuple(seen) or (None,)

    @property
    def arguments(self) -> tuple[Argument, ...]:
        body_fields = self.body.fields if self.body else ()
        return self.path_args + self.query_args + self.header_args + body_fields


@dataclass(frozen=True)
class Api:
    title: str
    description: str
    version: str
    package: str
    server_url: str
    api_key_env: str
    base_url_env: str
    requires_api_key: bool
    operations: tuple[Operation, ...]
    spec_sha256: str
    # Inline schemas that become models: name -> (pointer, schema). Fed to the models stage.
    hoisted: dict[str, tuple[str, Any]] = field(default_factory=dict)
    skipped: tuple[Problem, ...] = ()
    log_env: str = ""
    renamed: tuple[str, ...] = ()  # warnings: spec names that took one of the package's own

    @property
    def model_names(self) -> tuple[str, ...]:
        """Every models name that the client modules import."""
        names: set[str] = set()
        for operation in self.operations:
            names.update(
                response.model
                for response in operation.responses
                if response.model and response.model not in ("str", "bytes")
            )
            if operation.body and not operation.body.is_raw:
                names.add(operation.body.model)
            names.update(argument.validator for argument in operation.arguments if argument.validator)
        return tuple(sorted(names))
