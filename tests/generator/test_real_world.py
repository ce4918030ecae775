"""What real-world specs need (issue 9), each on a small spec of its own in specs/: lenient mode,
auth schemes, non-JSON bodies and answers, parameter styles, and model idioms.
"""

from __future__ import annotations

import base64
import importlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import httpx
import pydantic
import pytest

from generator import cli
from generator.output import write_atomically
from generator.problems import GenerationError
from generator.runtime import _styles
from tests import fast_yaml

# The module's fixtures are made once per run: under xdist (make test) its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_real_world")

SPECS = Path(__file__).parent / "specs"
_made: dict[str, ModuleType] = {}


@pytest.fixture(scope="module")
def lenient_package(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], tuple[ModuleType, Any]]]:
    """``make(spec_stem) -> (package, Result)``: a spec of specs/ generated in lenient mode."""
    root = tmp_path_factory.mktemp("real_world")
    results: dict[str, tuple[ModuleType, Any]] = {}

    def make(stem: str) -> tuple[ModuleType, Any]:
        if stem not in results:
            package = f"real_world_{stem}"
            out = root / stem
            result = cli.build(SPECS / f"{stem}.yaml", package, out, lenient=True)
            write_atomically(result.files, out)
            sys.path.insert(0, str(out))
            try:
                results[stem] = (importlib.import_module(package), result)
            finally:
                sys.path.remove(str(out))
        return results[stem]

    yield make
    for name in [name for name in sys.modules if name.startswith("real_world_")]:
        del sys.modules[name]


def _client(package: ModuleType, handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> Any:
    options.setdefault("api_key", "user:secret")
    return package.Client(
        http_client=httpx.Client(transport=httpx.MockTransport(handler)), max_retries=0, **options
    )


def _recorder(
    response: httpx.Response | None = None,
) -> tuple[list[httpx.Request], Callable[[httpx.Request], httpx.Response]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return response if response is not None else httpx.Response(204)

    return sent, handler


# -- lenient mode -------------------------------------------------------------------------------


def test_strict_mode_refuses_every_problem_with_line_and_pointer() -> None:
    with pytest.raises(GenerationError) as refused:
        cli.build(SPECS / "lenient.yaml", "lenient_strict", Path("unused"))
    text = str(refused.value)
    assert "line 58, /components/schemas/Item/properties/size/default" in text
    assert "line 8, /paths/~1items: Unevaluated properties" in text


def test_lenient_mode_loosens_only_what_each_problem_touches(lenient_package) -> None:
    package, result = lenient_package("lenient")
    warnings = [str(problem) for problem in result.warnings]
    # Outside operations: an invalid default, an unknown keyword, an unknown method, an
    # Example Object with a title: each a warning once, with its line and pointer.
    assert (
        "line 58, /components/schemas/Item/properties/size/default: 'big' is not of type 'integer'; 'default' ignored"
        in warnings
    )
    assert any(item.startswith("line 8, /paths/~1items:") and "left out" in item for item in warnings)
    assert any(item.startswith("line 64, /components/examples/Titled") for item in warnings)
    # Two invalid defaults in one operation: both reported, the operation is kept.
    assert sum("/paths/~1items~1{id}/get/parameters/" in item for item in warnings) == 2
    # Examples that contradict their schema are warnings in lenient mode, not lost operations.
    assert any("examples/wrong/value: example does not match" in item for item in warnings)
    assert len(warnings) == len(set(warnings))
    assert result.skipped == () and result.operations == 3
    assert {"list_items", "get_item", "delete_item"} <= set(dir(package.Client))
    assert package.models.Item.model_fields["size"].default is not pydantic.fields.PydanticUndefined
    assert package.models.Item(id=1).model_dump(exclude_unset=True) == {"id": 1}


def test_lenient_mode_lists_every_reason_of_an_operation_left_out(tmp_path: Path) -> None:
    spec = tmp_path / "reasons.yaml"
    spec.write_text(
        """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /ok:
    get:
      operationId: getOk
      responses: {"204": {description: fine}}
  /bad:
    get:
      operationId: getBad
      security: [{digest: []}]
      parameters:
        - {name: q, in: header, content: {application/json: {schema: {type: object}}}}
      responses: {"204": {description: fine}}
components:
  securitySchemes:
    digest: {type: http, scheme: digest}
"""
    )
    result = cli.build(spec, "reasons", tmp_path / "out", lenient=True)
    reasons = sorted(str(problem) for problem in result.skipped)
    assert len(reasons) == 2, reasons
    assert "line 11, /paths/~1bad/get/security" in reasons[0] and "digest" in reasons[0]
    assert "line 13, /paths/~1bad/get/parameters/0" in reasons[1] and "'content'" in reasons[1]
    assert (result.operations, result.left_out) == (1, 1)


def test_a_spec_that_leaves_no_operation_is_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "none.yaml"
    spec.write_text(
        """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /bad:
    get:
      security: [{digest: []}]
      responses: {"204": {description: fine}}
components:
  securitySchemes:
    digest: {type: http, scheme: digest}
"""
    )
    with pytest.raises(GenerationError) as refused:
        cli.build(spec, "nothing", tmp_path / "out", lenient=True)
    assert "no operation is left to generate" in str(refused.value)
    assert "digest" in str(refused.value)


def test_a_document_that_is_not_openapi_is_refused_even_when_lenient(tmp_path: Path) -> None:
    spec = tmp_path / "swagger.yaml"
    spec.write_text('swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n')
    with pytest.raises(GenerationError, match=r"OpenAPI 2\.0 is not supported"):
        cli.build(spec, "swagger", tmp_path / "out", lenient=True)


def test_skip_unsupported_is_kept_as_the_old_name_of_lenient() -> None:
    arguments = cli._parser().parse_args(["generate", "--skip-unsupported"])
    assert arguments.skip_unsupported and not arguments.lenient
    assert cli._parser().parse_args(["generate", "--lenient"]).lenient


# -- auth ---------------------------------------------------------------------------------------


def test_http_basic_sends_user_and_password(lenient_package) -> None:
    package, _ = lenient_package("auth")
    sent, handler = _recorder()
    _client(package, handler, api_key="AC123:token").get_basic()
    assert sent[0].headers["Authorization"] == "Basic " + base64.b64encode(b"AC123:token").decode()


def test_oauth2_and_openid_take_a_token_or_a_callable_called_per_request(lenient_package) -> None:
    package, _ = lenient_package("auth")
    sent, handler = _recorder()
    tokens = iter(["first", "second"])
    client = _client(package, handler, api_key=lambda: next(tokens))
    client.get_oauth()
    client.get_oidc()
    assert [request.headers["Authorization"] for request in sent] == ["Bearer first", "Bearer second"]


def test_api_key_in_a_cookie_and_alternative_requirements(lenient_package) -> None:
    package, result = lenient_package("auth")
    sent, handler = _recorder()
    client = _client(package, handler, api_key="k-1")
    client.get_cookie()
    client.get_alternatives()  # digest is not supported; the alternative api key in the query is
    assert sent[0].headers["Cookie"] == "SESSION=k-1"
    assert sent[1].url.params["key"] == "k-1"
    assert [problem.pointer for problem in result.skipped] == ["/paths/~1digest/get/security"]


def test_a_token_from_a_callable_is_redacted_in_logs(
    lenient_package, caplog: pytest.LogCaptureFixture
) -> None:
    package, _ = lenient_package("auth")
    _, handler = _recorder()
    caplog.set_level("DEBUG")
    _client(package, handler, api_key=lambda: "tok-SECRET-1").get_cookie()
    assert "Request get_cookie" in caplog.text and "tok-SECRET-1" not in caplog.text
    assert "tok-SECRET-1" not in repr(package.Client(api_key=lambda: "tok-SECRET-1"))


# -- bodies and answers -------------------------------------------------------------------------


def test_form_urlencoded_body_is_validated_and_encoded(lenient_package) -> None:
    package, _ = lenient_package("content")
    sent, handler = _recorder()
    client = _client(package, handler)
    client.post_form(to="+4712345678", tags=["a", "b c"], count=2)
    request = sent[0]
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.content == b"To=%2B4712345678&Tags=a&Tags=b+c&Count=2"
    with pytest.raises(pydantic.ValidationError):
        client.post_form(to="x", count=0)
    assert len(sent) == 1


@pytest.mark.parametrize(
    "file",
    [b"PNGDATA", "object", ("photo.png", b"PNGDATA", "image/png")],
    ids=["bytes", "file object", "tuple"],
)
def test_multipart_sends_files_like_httpx_and_other_parts_per_encoding(
    lenient_package, tmp_path: Path, file: Any
) -> None:
    package, _ = lenient_package("content")
    sent, handler = _recorder(httpx.Response(200, json={"id": "f1"}))
    path = tmp_path / "photo.png"
    path.write_bytes(b"PNGDATA")
    with path.open("rb") as stream:
        file = stream if file == "object" else file
        stored = _client(package, handler).upload(file=file, meta={"title": "T"}, note="a,b")
    assert stored.id == "f1"
    request = sent[0]
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    body = request.content
    assert b'name="file"' in body and b"PNGDATA" in body
    assert b'name="meta"' in body and b'{"title": "T"}' in body and b"Content-Type: application/json" in body
    assert b'name="note"' in body and b"Content-Type: text/csv" in body


def test_multipart_fields_are_validated_and_a_required_file_is_required(lenient_package) -> None:
    package, _ = lenient_package("content")
    sent, handler = _recorder(httpx.Response(200, json={}))
    client = _client(package, handler)
    with pytest.raises(pydantic.ValidationError):
        client.upload(file=b"x", note="too long")
    with pytest.raises(TypeError, match="file"):
        client.upload(note="ok")
    assert not sent


def test_binary_body_and_binary_and_text_answers(lenient_package, tmp_path: Path) -> None:
    package, _ = lenient_package("content")
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path == "/calendar":
            return httpx.Response(200, text="BEGIN:VCALENDAR", headers={"Content-Type": "text/calendar"})
        if request.method == "GET":
            return httpx.Response(200, content=b"\x89PNG", headers={"Content-Type": "image/png"})
        return httpx.Response(204)

    client = _client(package, handler)
    image = tmp_path / "a.jpg"
    image.write_bytes(b"\xff\xd8JPEG")
    with image.open("rb") as stream:
        client.put_image("a 1", stream)
    assert sent[0].headers["Content-Type"] == "image/jpeg" and sent[0].content == b"\xff\xd8JPEG"
    assert sent[0].url.raw_path == b"/images/a%201"
    assert client.get_image("a") == b"\x89PNG"
    assert client.get_calendar() == "BEGIN:VCALENDAR"


def test_json_is_chosen_among_several_media_types_and_the_docstring_says_so(lenient_package) -> None:
    package, _ = lenient_package("content")
    sent, handler = _recorder()
    _client(package, handler).post_both(a=1)
    assert sent[0].headers["Content-Type"] == "application/json" and json.loads(sent[0].content) == {"a": 1}
    doc = package.Client.post_both.__doc__ or ""
    assert "application/json" in doc and "application/xml" in doc


# -- parameters ---------------------------------------------------------------------------------

# The "Style Examples" table of the OpenAPI Specification 3.1.0 (section 4.8.12.4), for a
# parameter named "color": string "blue", array ["blue", "black", "brown"], object
# {"R": 100, "G": 200, "B": 150}. Cells are (style, explode, empty-cell-free string, array, object).
_BLUE = "blue"
_ARRAY = ["blue", "black", "brown"]
_OBJECT = {"R": 100, "G": 200, "B": 150}
STYLE_EXAMPLES = [
    ("matrix", False, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"),
    ("matrix", True, ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"),
    ("label", False, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"),
    ("label", True, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"),
    ("simple", False, "blue", "blue,black,brown", "R,100,G,200,B,150"),
    ("simple", True, "blue", "blue,black,brown", "R=100,G=200,B=150"),
    ("form", False, "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"),
    ("form", True, "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"),
    ("spaceDelimited", False, None, "color=blue%20black%20brown", "color=R%20100%20G%20200%20B%20150"),
    ("pipeDelimited", False, None, "color=blue|black|brown", "color=R|100|G|200|B|150"),
    ("deepObject", True, None, None, "color[R]=100&color[G]=200&color[B]=150"),
]


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{name}={value}" for name, value in pairs)


@pytest.mark.parametrize(("style", "explode", "string", "array", "object_"), STYLE_EXAMPLES)
def test_styles_match_the_openapi_style_examples(
    style: str, explode: bool, string: str | None, array: str | None, object_: str | None
) -> None:
    for value, expected in ((_BLUE, string), (_ARRAY, array), (_OBJECT, object_)):
        if expected is None:
            continue
        if style in ("matrix", "label", "simple"):
            assert _styles.path_text("color", value, style=style, explode=explode) == expected
        else:
            query = _query(_styles.query_pairs("color", value, style=style, explode=explode))
            assert query == unquote(expected)


def test_generated_client_sends_styled_parameters(lenient_package) -> None:
    package, _ = lenient_package("styles")
    sent, handler = _recorder()
    client = _client(package, handler)
    client.search(
        [3, 4],
        types=["track", "album"],
        filter={"name": "Ann", "age": 3},
        pipes=["a", "b"],
        x_tags=["x", "y"],
        x_version="2",
        session="s1",
    )
    request = sent[0]
    assert request.url.raw_path.split(b"?")[0] == b"/search/.3,4"
    assert request.url.params.multi_items() == [
        ("types", "track,album"),
        ("filter[name]", "Ann"),
        ("filter[age]", "3"),
        ("pipes", "a|b"),
    ]
    assert request.headers["X-Tags"] == "x,y" and request.headers["X-Version"] == "2"
    assert request.headers["Cookie"] == "session=s1"
    with pytest.raises(pydantic.ValidationError):
        client.search([3], types=["t"], x_version="3")  # the header's const


# -- models -------------------------------------------------------------------------------------


def test_format_email_stays_a_str_without_an_undeclared_package(lenient_package) -> None:
    package, _ = lenient_package("idioms")
    contact = package.models.Contact(email="ann@example.com")
    assert contact.email == "ann@example.com" and type(contact.email) is str


def test_the_exactly_one_of_idiom_compiles_into_an_object_model_with_its_rule(lenient_package) -> None:
    package, _ = lenient_package("idioms")
    contact = package.models.Contact
    assert isinstance(contact, type) and issubclass(contact, pydantic.BaseModel)
    contact(email="a@example.com")
    contact(phone="123")
    with pytest.raises(pydantic.ValidationError, match="email and phone cannot be used together"):
        contact(email="a@example.com", phone="123")
    with pytest.raises(pydantic.ValidationError, match="at least one of email or phone must be given"):
        contact()


def test_discriminator_without_mapping_and_recursive_schemas(lenient_package) -> None:
    package, result = lenient_package("idioms")
    assert result.warnings == ()  # the implicit mapping (by schema name) is valid OpenAPI
    pet = pydantic.TypeAdapter(package.models.Pet).validate_python({"kind": "Cat", "lives": 9})
    assert type(pet).__name__ == "Cat"
    tree = package.models.Node.model_validate({"name": "a", "children": [{"name": "b", "children": []}]})
    assert tree.children[0].name == "b"


def test_the_idioms_spec_is_accepted_in_strict_mode_too(tmp_path: Path) -> None:
    result = cli.build(SPECS / "idioms.yaml", "idioms_strict", tmp_path)
    assert result.operations == 3 and not result.warnings


# -- large specs --------------------------------------------------------------------------------


class _Terminal:
    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self.text = ""

    def isatty(self) -> bool:
        return self.terminal

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "not a terminal"])
def test_progress_shows_stage_and_count_on_a_terminal_only(tmp_path: Path, terminal: bool) -> None:
    stream = _Terminal(terminal)
    progress = cli.Progress(stream)  # type: ignore[arg-type]
    progress.quiet_for = 0.0  # a long run, as far as the progress is concerned
    cli.build(SPECS / "content.yaml", "progress_pkg", tmp_path, lenient=True, progress=progress)
    if terminal:
        assert "validating: 6 operations" in stream.text
        assert "generating models:" in stream.text and "done: 6 operations" in stream.text
    else:
        assert stream.text == ""


def test_a_binary_answer_streams_into_a_file(lenient_package, tmp_path: Path) -> None:
    package, _ = lenient_package("content")
    chunks = [b"\x89PNG", b"-rest" * 1000]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter(chunks), headers={"Content-Type": "image/png"})

    client = _client(package, handler)
    target = tmp_path / "image.png"
    written = client.stream_answer(package._operations.get_image("a"), target)
    assert target.read_bytes() == b"".join(chunks) and written == len(b"".join(chunks))


def test_an_error_answer_is_typed_on_the_error(lenient_package) -> None:
    package, _ = lenient_package("content")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": "no such image"})

    with pytest.raises(package.NotFoundError) as raised:
        _client(package, handler).get_image("a")
    assert isinstance(raised.value.parsed, package.models.Error)
    assert raised.value.parsed.message == "no such image"


def test_problems_outside_operations_never_refuse_a_lenient_spec(lenient_package) -> None:
    """A missing info.version, `exclusiveMinimum: true` (3.0 style) in 3.1, a duplicate entry in
    `required` and an invalid default in a shared schema: warnings, and the operation is kept."""
    with pytest.raises(GenerationError):
        cli.build(SPECS / "outside.yaml", "outside_strict", Path("unused"))
    package, result = lenient_package("outside")
    warnings = "\n".join(str(problem) for problem in result.warnings)
    assert 'line 2, /info: "version" is a required property' in warnings
    assert "line 21, /components/schemas/Reading/properties/unit/default" in warnings
    assert result.operations == 1 and not result.skipped
    reading = package.models.Reading.model_validate({"n": 1.5})
    assert reading.n == 1.5


def test_unusual_schema_combinations_compile_or_are_loosened_with_a_warning(lenient_package) -> None:
    """An invalid regex, object enums, mixed-type enums, a contradictory allOf, `items: false`."""
    package, result = lenient_package("combinations")
    assert [problem.pointer for problem in result.warnings] == ["/components/schemas/S/properties/p/pattern"]
    model = package.models.S
    assert model.model_validate({"p": "[", "m": 2.5, "e": {"a": 1}}).p == "["
    with pytest.raises(pydantic.ValidationError):
        model.model_validate({"m": "b"})


def test_two_schema_names_for_one_python_name_are_told_apart_in_lenient_mode(lenient_package) -> None:
    """Strict mode refuses them; lenient mode keeps the first name and renames each later one,
    with every reference to it (deeper ones too), and a warning with line and pointer."""
    with pytest.raises(GenerationError) as refused:
        cli.build(SPECS / "music.yaml", "music_strict", Path("unused"))
    assert "schema names 'profile_picture', 'profilePicture' all become" in str(refused.value)
    package, result = lenient_package("music")
    assert [str(problem) for problem in result.warnings] == [
        "line 38, /components/schemas/profilePicture: schema 'profilePicture' becomes the same Python "
        "name as another schema (ProfilePicture); it is read as 'profilePicture2' (model ProfilePicture2)"
    ]
    assert result.operations == 2 and not result.skipped
    answer = {"picture": {"small": "a.jpg"}, "cover": {"150x150": "b.jpg"}, "cover_sizes": {"big": "c.jpg"}}
    user = _client(package, lambda request: httpx.Response(200, json=answer)).get_user("u1")
    assert type(user.picture) is package.models.ProfilePicture and user.picture.small == "a.jpg"
    assert type(user.cover) is package.models.ProfilePicture2
    assert user.cover.model_dump(by_alias=True) == {"150x150": "b.jpg"}
    assert user.cover_sizes.big == "c.jpg"


def test_schema_names_are_told_apart_in_a_json_spec_too(tmp_path: Path) -> None:
    """A JSON spec's line numbers are scanned on first use; renaming a schema adds the lines of
    its new pointers, so the warning still names its line."""
    spec = tmp_path / "music.json"
    spec.write_text(
        json.dumps(fast_yaml.safe_load((SPECS / "music.yaml").read_text()), indent=2), encoding="utf-8"
    )
    result = cli.build(spec, "music_json", tmp_path / "out", lenient=True)
    assert result.operations == 2 and not result.skipped
    [warning] = [str(problem) for problem in result.warnings]
    assert (
        warning.startswith("line ")
        and "/components/schemas/profilePicture: schema 'profilePicture'" in warning
    )


def test_an_allof_that_narrows_a_base_property_imports_and_passes_mypy(
    lenient_package, mypy_of_packages
) -> None:
    """`allOf: [base, {item: Playlist}]` over a base's `item: object`: the subclass's field wins,
    as JSON Schema says (both hold), and mypy --strict accepts the package."""
    package, _ = lenient_package("music")
    answer = {"data": [{"item_type": "playlist", "item": {"name": "Mix"}}]}
    reposts = _client(package, lambda request: httpx.Response(200, json=answer)).get_reposts()
    assert type(reposts.data[0].item) is package.models.Playlist and reposts.data[0].item.name == "Mix"
    with pytest.raises(pydantic.ValidationError):
        package.models.CollectionActivity.model_validate({"item_type": "track", "item": {"name": "x"}})
    _passes_mypy(mypy_of_packages, package.__name__)


# The packages whose tests ask mypy --strict about them, checked in one run: a mypy process reads
# the standard library's and pydantic's cache before anything else, ~0.8 s a run.
MYPY_CHECKED = ("music", "inheritance")


@pytest.fixture(scope="module")
def mypy_of_packages(
    lenient_package, tmp_path_factory: pytest.TempPathFactory, run_mypy: Callable[..., Any]
) -> Any:
    """One ``mypy --strict`` run over the lenient packages of MYPY_CHECKED, side by side."""
    folder = tmp_path_factory.mktemp("real_world_mypy")
    names = []
    for stem in MYPY_CHECKED:
        package, result = lenient_package(stem)
        names.append(package.__name__)
        for relative, text in result.files.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text)
    return run_mypy(*names, cwd=folder)


def _passes_mypy(checked: Any, package: str) -> None:
    assert package in checked.args, f"{package} is not among the packages checked ({MYPY_CHECKED})"
    assert checked.returncode == 0, checked.stdout


def test_a_query_parameter_described_with_json_content_is_sent_as_json_text(lenient_package) -> None:
    """`content: {application/json: {schema}}` on a query parameter: validated by its schema,
    sent as its JSON text in one parameter (style and explode do not apply)."""
    package, result = lenient_package("json_query")
    assert result.operations == 1 and not result.skipped
    sent, handler = _recorder()
    client = _client(package, handler)
    client.list_agents(page=2, metadata={"team": "a b", "n": 1}, ids=[1, 2])
    assert sent[-1].url.params.multi_items() == [
        ("page", "2"),
        ("metadata", '{"team":"a b","n":1}'),
        ("ids", "[1,2]"),
    ]
    client.list_agents()
    assert sent[-1].url.params.multi_items() == []
    with pytest.raises(pydantic.ValidationError):
        client.list_agents(ids=[1, 2, 3, 4])  # maxItems of the content's schema
    assert len(sent) == 2


def test_a_model_extending_a_base_of_another_module_is_usable(lenient_package, mypy_of_packages) -> None:
    """The base's field names a union alias of the base's module (`tools: list[Base_tools]`):
    the subclass, in a module of its own, is fully defined at its first use; object defaults of
    model fields pass mypy --strict."""
    package, result = lenient_package("inheritance")
    assert result.operations == 2 and not result.skipped
    sent, handler = _recorder(httpx.Response(200, json={"bot_id": "7", "premium_subscriber": None}))
    tags = _client(package, handler).start_conversation(
        inputs="hi", tools=[{"type": "function", "name": "f"}, {"type": "search"}]
    )
    assert json.loads(sent[-1].content) == {
        "inputs": "hi",
        "tools": [{"type": "function", "name": "f"}, {"type": "search"}],
    }
    assert (tags.bot_id, tags.premium_subscriber) == ("7", None)
    # A `type: null` field an answer leaves out reads as None, like one sent as null.
    assert package.models.RoleTags.model_validate({}).premium_subscriber is None
    with pytest.raises(pydantic.ValidationError):
        package.models.ConversationRequest(inputs="hi", stream=True)
    # Object defaults of model fields become the models; they are not sent unless set.
    request = package.models.ConversationRequest(inputs="hi")
    assert request.prediction == package.models.Prediction(type="content", content="")
    assert request.ranges == [package.models.Range(start=0, end=6)]
    assert request.model_dump(by_alias=True, exclude_unset=True) == {"inputs": "hi"}
    _passes_mypy(mypy_of_packages, package.__name__)


def test_unique_items_are_checked_before_sending(lenient_package) -> None:
    """`uniqueItems: true` on a body's array property (inline or behind a $ref): a repeated item
    raises before anything is sent, naming the field."""
    package, result = lenient_package("unique")
    assert result.operations == 1 and not result.skipped
    sent, handler = _recorder()
    client = _client(package, handler)
    client.bulk_delete_messages(messages=["1", "2"], flags=[1, 2])
    assert json.loads(sent[-1].content) == {"messages": ["1", "2"], "flags": [1, 2]}
    for arguments in ({"messages": ["1", "1"]}, {"messages": ["1", "2"], "flags": [3, 3]}):
        with pytest.raises(pydantic.ValidationError, match="must be unique"):
            client.bulk_delete_messages(**arguments)
    assert len(sent) == 1
