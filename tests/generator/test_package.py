"""The committed package: self-contained, installable, vendorable, strict models, docs from the spec."""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import httpx
import pydantic
import pytest
import seedance_client
from packaging.version import Version
from seedance_client import models

from tests import fast_yaml

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "generated" / "seedance_client"
SPEC = fast_yaml.safe_load((REPO / "spec" / "openapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]
# pydantic requires typing_extensions, so it is there wherever pydantic is.
# httpx requires anyio (the async client sleeps with it, under asyncio or trio).
ALLOWED_THIRD_PARTY = {"anyio", "httpx", "pydantic", "pydantic_core", "typing_extensions"}


def test_imports_inside_the_package_are_relative_and_dependencies_are_httpx_and_pydantic() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                top = (node.module or "").split(".")[0]
            elif isinstance(node, ast.Import):
                top = node.names[0].name.split(".")[0]
            else:
                continue
            assert top != "seedance_client", f"{path.name} imports its own package by name"
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, f"{path.name} imports {top}"
    declared = (REPO / "generated" / "pyproject.toml").read_text()
    assert 'dependencies = ["httpx>=0.27,<1", "pydantic>=2.14,<3"]' in declared


def test_the_package_works_vendored_under_another_package(tmp_path: Path) -> None:
    vendor = tmp_path / "myapp" / "vendor"
    vendor.mkdir(parents=True)
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (vendor / "__init__.py").write_text("")
    shutil.copytree(PACKAGE, vendor / "seedance_client")
    script = """
import httpx, json
from myapp.vendor.seedance_client import Client
transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"id": "t1", "status": "pending"}))
client = Client(api_key="k", http_client=httpx.Client(transport=transport))
print(json.dumps(client.get_task("t1").model_dump(mode="json", exclude_unset=True)))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"id": "t1", "status": "pending"}


def test_pip_install_of_the_generated_folder_works(tmp_path: Path) -> None:
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "--target", str(target), str(REPO / "generated")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    assert (target / "seedance_client" / "py.typed").exists()
    check = subprocess.run(
        [sys.executable, "-c", "import seedance_client, sys; print(seedance_client.__file__)"],
        env={"PYTHONPATH": str(target)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith(str(target))


def test_spec_sha256_and_version() -> None:

    assert (
        seedance_client.SPEC_SHA256
        == hashlib.sha256((REPO / "spec" / "openapi.yaml").read_bytes()).hexdigest()
    )
    # info.version is the one source of the version (normalised to PEP 440).
    assert seedance_client.__version__ == str(Version(SPEC["info"]["version"]))
    pyproject = (REPO / "generated" / "pyproject.toml").read_text()
    assert f'version = "{seedance_client.__version__}"' in pyproject


@pytest.mark.parametrize(
    "name", ["Seedance20Request", "SeedancePro15Request", "TaskCreated", "Task", "TaskResultItem"]
)
def test_component_schemas_are_importable_by_name(name: str) -> None:
    assert getattr(seedance_client, name) is getattr(models, name)
    assert getattr(models, name).__doc__.strip() == SCHEMAS[name]["description"].strip()


REQUEST_MODELS = [models.Seedance20Request, models.SeedancePro15Request]


@pytest.mark.parametrize("model", REQUEST_MODELS, ids=lambda model: model.__name__)
def test_request_models_reject_unknown_fields_and_coercion(model: type[pydantic.BaseModel]) -> None:
    base = {"prompt": "a fox"}
    model.model_validate(base)
    for bad in ({"promt": "x"}, {"duration": "5"}, {"duration": True}, {"duration": 5.5}, {"prompt": 5},
                {"watermark": "false"}, {"watermark": 0}):  # fmt: skip
        with pytest.raises(pydantic.ValidationError):
            model.model_validate({**base, **bad})


@pytest.mark.parametrize("model", REQUEST_MODELS, ids=lambda model: model.__name__)
def test_no_field_accepts_none_unless_the_spec_says_nullable(model: type[pydantic.BaseModel]) -> None:
    properties = SCHEMAS[model.__name__]["properties"]
    nullable = [name for name, schema in properties.items() if "null" in json.dumps(schema.get("type", ""))]
    assert nullable == []  # the spec has no nullable request field today
    for name in properties:
        with pytest.raises(pydantic.ValidationError):
            model.model_validate({"prompt": "a fox", name: None})


def test_response_models_accept_unknown_fields_and_keep_them() -> None:
    task = models.Task.model_validate({"id": "t", "status": "pending", "eta_seconds": 12})
    assert task.model_dump(by_alias=True, exclude_unset=True)["eta_seconds"] == 12
    created = models.TaskCreated.model_validate({"task_id": "t", "queue": "fast"})
    assert created.model_dump(by_alias=True, exclude_unset=True) == {"task_id": "t", "queue": "fast"}
    # An answer's optional field reads as None whether absent or null; model_fields_set tells which.
    absent = models.Task.model_validate({"id": "t", "status": "pending"})
    null = models.Task.model_validate({"id": "t", "status": "pending", "error_code": None})
    assert absent.error_code is None and null.error_code is None
    assert "error_code" not in absent.model_fields_set and "error_code" in null.model_fields_set


def test_unknown_task_status_parses_as_plain_string() -> None:
    assert models.Task.model_validate({"id": "t", "status": "cancelled"}).status == "cancelled"


def test_both_result_shapes_parse() -> None:
    urls = models.Task.model_validate({"id": "t", "status": "completed", "result": ["https://x/y.mp4"]})
    items = models.Task.model_validate(
        {"id": "t", "status": "completed", "result": [{"type": "video", "url": "https://x/y.mp4"}]}
    )
    assert urls.result == ["https://x/y.mp4"]
    assert isinstance(items.result, list) and items.result[0].url == "https://x/y.mp4"


def test_urls_pass_byte_for_byte() -> None:
    url = "https://Bucket.S3.example.com/a%20b/Frame.PNG?X-Amz-Signature=AbC%2Fd&x=1 2"
    request = models.Seedance20Request(first_frame=url, last_frame=url)
    assert request.model_dump(mode="json", exclude_unset=True) == {"first_frame": url, "last_frame": url}


def _literal_values(annotation: object) -> set[object]:
    while hasattr(annotation, "__value__"):  # a type alias
        annotation = annotation.__value__
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    assert typing.get_origin(annotation) is typing.Literal, annotation
    return set(typing.get_args(annotation))


# (model, field, the enum schema it names), for every request field that is a $ref to an enum
ENUM_FIELDS = [
    (model, name, SCHEMAS[schema["$ref"].rpartition("/")[2]])
    for model in REQUEST_MODELS
    for name, schema in SCHEMAS[model.__name__]["properties"].items()
    if "enum" in SCHEMAS.get(str(schema.get("$ref", "")).rpartition("/")[2], {})
]


@pytest.mark.parametrize(
    ("model", "name", "enum"), ENUM_FIELDS, ids=[f"{model.__name__}.{name}" for model, name, _ in ENUM_FIELDS]
)
def test_enum_fields_are_literal_types_of_the_spec_values(
    model: type[pydantic.BaseModel], name: str, enum: dict
) -> None:
    # The models defer their build to first use: until then a field naming another module's
    # type holds a forward reference (the test failed when it ran first in its process).
    model.model_rebuild()
    assert _literal_values(model.model_fields[name].annotation) == set(enum["enum"])


# (model, the const, minimum, maximum) of every "-1 or A..B" integer field
ANY_OF_INTEGERS = [
    (model, name, schema["anyOf"])
    for model in REQUEST_MODELS
    for name, schema in SCHEMAS[model.__name__]["properties"].items()
    if schema.get("type") == "integer" and "anyOf" in schema
]


@pytest.mark.parametrize(
    ("model", "name", "branches"),
    ANY_OF_INTEGERS,
    ids=[f"{model.__name__}.{name}" for model, name, _ in ANY_OF_INTEGERS],
)
def test_any_of_integers_are_plain_ints_within_their_bounds(
    model: type[pydantic.BaseModel], name: str, branches: list
) -> None:
    constants = [branch["const"] for branch in branches if "const" in branch]
    [span] = [branch for branch in branches if "minimum" in branch]
    low, high = span["minimum"], span["maximum"]
    for value in (*constants, low, high):
        accepted = getattr(model.model_validate({"prompt": "a fox", name: value}), name)
        assert type(accepted) is int and accepted == value
    for value in (low - 1, high + 1, *(constant - 1 for constant in constants)):
        if value not in constants and not low <= value <= high:
            with pytest.raises(pydantic.ValidationError):
                model.model_validate({"prompt": "a fox", name: value})


@pytest.mark.parametrize(
    ("model", "body", "message"),
    [
        (models.Seedance20Request, {"last_frame": "https://x/l.png"}, "last_frame requires first_frame"),
        (
            models.Seedance20Request,
            {"reference_images": ["https://x/r.png"], "first_frame": "https://x/f.png"},
            "reference_images and first_frame cannot be used together",
        ),
        (
            models.SeedancePro15Request,
            {"prompt": "p", "draft": True},
            'when draft is true, resolution must be "480p"',
        ),
        (
            models.SeedancePro15Request,
            {"prompt": "p", "draft": True, "resolution": "720p"},
            'when draft is true, resolution must be "480p"',
        ),
    ],
)
def test_cross_field_rule_errors_name_the_fields(
    model: type[pydantic.BaseModel], body: dict, message: str
) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        model.model_validate(body)
    assert message in str(caught.value)


def test_cross_field_rules_accept_what_the_spec_accepts() -> None:
    models.SeedancePro15Request.model_validate({"prompt": "p", "draft": True, "resolution": "480p"})
    models.SeedancePro15Request.model_validate({"prompt": "p", "draft": False})
    models.Seedance20Request.model_validate({"first_frame": "https://x/f", "last_frame": "https://x/l"})


def test_method_docstrings_and_signatures_come_from_the_spec() -> None:
    operation = SPEC["paths"]["/generate/vol/seedance-2.0"]["post"]
    doc = seedance_client.Client.generate_seedance_2_0.__doc__ or ""
    assert operation["summary"] in doc
    for name, schema in SCHEMAS["Seedance20Request"]["properties"].items():
        assert f"{name}: {schema['description'].split('.')[0]}" in doc
    hints = typing.get_type_hints(seedance_client.Client.generate_seedance_2_0)
    assert set(SCHEMAS["Seedance20Request"]["properties"]) <= set(hints)


def test_arguments_left_out_are_not_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"task_id": "t"})

    client = seedance_client.Client(
        api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    client.generate_seedance_pro_1_5(prompt="p", draft=True, resolution="480p")
    client.generate_seedance_pro_1_5(models.SeedancePro15Request(prompt="p"))
    assert [json.loads(request.content) for request in seen] == [
        {"prompt": "p", "draft": True, "resolution": "480p"},
        {"prompt": "p"},
    ]
