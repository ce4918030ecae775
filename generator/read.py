"""Reading a spec's text: its values, exactly, and the line of every JSON pointer.

JSON goes through the json module (exact numbers and escapes) and a small scan for the line of
every key; YAML is composed into nodes by PyYAML (libyaml when present) and built here with
YAML 1.2's core schema, so `yes` stays a string and `1e-05` is a float. Building the values
ourselves bounds alias expansion and walks deep documents without recursion. ruamel.yaml, which
reads YAML 1.2 itself, was measured 20-25x slower to load than libyaml's composer.
"""

from __future__ import annotations

import json
import math
import re
import sys
import threading
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, ClassVar, TypeVar

import yaml

from .problems import Problem

__all__ = [
    "ALIAS_EXPANSION_LIMIT",
    "DEPTH_LIMIT",
    "Lines",
    "ReadError",
    "escape_pointer",
    "on_deep_stack",
    "read_document",
]


def escape_pointer(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


# Aliases may add at most this many nodes, or as many as the document has itself, if more.
ALIAS_EXPANSION_LIMIT = 100_000
# Deeper documents are refused at load: every later stage may then walk them recursively.
DEPTH_LIMIT = 1000
_DEEP_STACK_BYTES = 256 * 1024 * 1024  # address space; only the pages used are taken
_DEEP_RECURSION_LIMIT = 20_000
_T = TypeVar("_T")

_PLAIN_TAG = "tag:seedance-codegen,2026:plain"
_YAML_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_DECIMAL = re.compile(r"[-+]?[0-9]+")
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INFINITY = re.compile(r"([-+]?)\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
# The first characters of the patterns above: a plain scalar starting otherwise is a string.
_NOT_TEXT_STARTS = frozenset("~nNtTfF+-.0123456789")


class ReadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _composer() -> type[Any]:
    """A PyYAML loader that tags every untagged plain scalar, leaving its meaning to us."""
    base: type[Any] = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    class Composer(base):  # type: ignore[misc]
        yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {None: [(_PLAIN_TAG, re.compile(""))]}

    return Composer


def _plain_scalar(text: str) -> Any:
    """A plain (unquoted) scalar by the YAML 1.2 core schema."""
    if text and text[0] not in _NOT_TEXT_STARTS:  # most are words: no pattern below can match
        return text
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _DECIMAL.fullmatch(text):
        return int(text)
    if _OCTAL.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    infinity = _INFINITY.fullmatch(text)
    if infinity:
        return float(f"{infinity.group(1)}inf")
    if _NAN.fullmatch(text):
        return math.nan
    return text


def _scalar(node: yaml.ScalarNode, pointer: str) -> Any:
    tag = node.tag
    if tag == _PLAIN_TAG:
        return _plain_scalar(node.value)
    if tag in (f"{_YAML_TAG}str", "!"):
        return node.value
    kind = tag.removeprefix(_YAML_TAG)
    if kind in ("int", "float", "bool", "null"):
        value = _plain_scalar(node.value)
        if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value).__name__ == {"null": "NoneType"}.get(kind, kind):
            return value
        raise ReadError(Problem(pointer, f"{node.value!r} is not a valid !!{kind}", node.start_mark.line + 1))
    raise ReadError(Problem(pointer, f"unsupported YAML tag {tag}", node.start_mark.line + 1))


def _build_yaml(root: yaml.Node) -> tuple[Any, dict[str, int]]:
    """The document's values and the line of every pointer, without recursion, aliases bounded.

    A mapping's entry is reported at its key's line (`requestBody:`), not where its value starts.
    Every occurrence of an alias is built afresh (nothing downstream sees shared objects), and
    counted: past the limit the document is refused instead of filling the memory.
    """
    distinct: set[int] = set()
    merges: dict[int, list[Any]] = {}
    lines: dict[str, int] = {}
    built: list[Any] = [None]
    # Work items: (node, pointer, line, container, key) -> built value goes to container[key].
    stack: list[tuple[yaml.Node, str, int, Any, Any, int]] = [
        (root, "", root.start_mark.line + 1, built, 0, 0)
    ]
    count = 0
    while stack:
        node, pointer, line, container, key, depth = stack.pop()
        count += 1
        if depth > DEPTH_LIMIT:
            raise ReadError(Problem(pointer[:200] + "...", _too_deep(), line))
        if id(node) not in distinct:
            distinct.add(id(node))
        elif count - len(distinct) > max(ALIAS_EXPANSION_LIMIT, len(distinct)):
            message = (
                f"YAML aliases expand past {max(ALIAS_EXPANSION_LIMIT, len(distinct)):,} nodes "
                "(an alias bomb or a recursive alias?): refusing to expand them"
            )
            raise ReadError(Problem(pointer, message, node.start_mark.line + 1))
        lines[pointer] = line
        if isinstance(node, yaml.ScalarNode):
            value: Any = _scalar(node, pointer)
        elif isinstance(node, yaml.SequenceNode):
            if node.tag not in (_PLAIN_TAG, f"{_YAML_TAG}seq"):
                raise ReadError(Problem(pointer, f"unsupported YAML tag {node.tag}", line))
            value = [None] * len(node.value)
            for index in reversed(range(len(node.value))):
                child = node.value[index]
                stack.append(
                    (child, f"{pointer}/{index}", child.start_mark.line + 1, value, index, depth + 1)
                )
        elif isinstance(node, yaml.MappingNode):
            if node.tag not in (_PLAIN_TAG, f"{_YAML_TAG}map"):
                raise ReadError(Problem(pointer, f"unsupported YAML tag {node.tag}", line))
            value = {}
            work: list[tuple[yaml.Node, str, int, Any, Any, int]] = []
            for key_node, child in _merged(node.value, pointer, merges):
                if not isinstance(key_node, yaml.ScalarNode):
                    where = key_node.start_mark.line + 1
                    raise ReadError(Problem(pointer, "a mapping key must be a scalar", where))
                name = _scalar(key_node, pointer)
                if isinstance(name, float | type(None)):
                    name = key_node.value
                value[name] = None  # the document's key order; the value comes when its item is done
                child_pointer = f"{pointer}/{escape_pointer(key_node.value)}"
                work.append((child, child_pointer, key_node.start_mark.line + 1, value, name, depth + 1))
            stack.extend(reversed(work))
        else:  # pragma: no cover - PyYAML makes only these three kinds
            raise ReadError(Problem(pointer, f"unexpected YAML node {type(node).__name__}", line))
        container[key] = value
    return built[0], lines


def _too_deep() -> str:
    return f"the document nests deeper than {DEPTH_LIMIT} levels here (a recursive alias?)"


def _merged(
    entries: list[tuple[yaml.Node, yaml.Node]], pointer: str, memo: dict[int, list[Any]], depth: int = 0
) -> list[tuple[yaml.Node, yaml.Node]]:
    """A mapping's entries with ``<<`` merge keys applied (own entries win), each key once."""
    merged: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
    own: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, child in entries:
        is_merge = isinstance(key_node, yaml.ScalarNode) and (
            key_node.tag == f"{_YAML_TAG}merge" or (key_node.tag == _PLAIN_TAG and key_node.value == "<<")
        )
        if not is_merge:
            own.append((key_node, child))
            continue
        sources = child.value if isinstance(child, yaml.SequenceNode) else [child]
        for source in sources:
            if not isinstance(source, yaml.MappingNode) or depth > 100:
                message = "a '<<' merge key takes a mapping or a list of mappings, not nested this deep"
                raise ReadError(Problem(pointer, message, key_node.start_mark.line + 1))
            if id(source) not in memo:
                memo[id(source)] = _merged(source.value, pointer, memo, depth + 1)
            for entry in memo[id(source)]:
                merged.setdefault(getattr(entry[0], "value", None), entry)
    return list(merged.values()) + own


# A string (its quotes, and escapes without alternation per character: descriptions are long),
# a punctuation mark, or another scalar.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def _json_lines(text: str) -> dict[str, int]:
    """The line of every pointer of a JSON text that ``json.loads`` accepted (keys at their line)."""
    lines: dict[str, int] = {}
    # One frame per open container: [pointer, is_object, next index, pending key pointer].
    frames: list[list[Any]] = []
    line = 1
    position = 0  # where ``line`` was counted to: lines are counted only where one is recorded
    expect_key = False
    for match in _JSON_TOKEN.finditer(text):
        lexeme = match.group()
        if lexeme in (",", ":"):
            if lexeme == "," and frames and frames[-1][1]:
                expect_key = True
            continue
        if lexeme in ("}", "]"):
            frames.pop()
            expect_key = False
            continue
        if expect_key:
            key = json.loads(lexeme) if "\\" in lexeme else lexeme[1:-1]
            frames[-1][3] = f"{frames[-1][0]}/{escape_pointer(key)}"
            start = match.start()
            line += text.count("\n", position, start)
            position = start
            lines[frames[-1][3]] = line
            expect_key = False
            continue
        # A value starts here.
        if not frames or not frames[-1][1]:
            if frames:
                pointer = f"{frames[-1][0]}/{frames[-1][2]}"
                frames[-1][2] += 1
            else:
                pointer = ""
            start = match.start()
            line += text.count("\n", position, start)
            position = start
            lines[pointer] = line
        else:
            pointer = frames[-1][3]
        if lexeme in ("{", "["):
            if len(frames) >= DEPTH_LIMIT:
                start = match.start()
                line += text.count("\n", position, start)
                position = start
                raise ReadError(Problem(pointer[:200] + "...", _too_deep(), line))
            frames.append([pointer, lexeme == "{", 0, ""])
            expect_key = lexeme == "{"
    return lines


class Lines(MutableMapping[str, int]):
    """The line of every pointer of a JSON text, scanned on first use: only a problem reports a
    line, and the scan is most of the time of reading a large document that has none. Lenient
    mode adds the lines of a renamed schema's pointers (``lenient.separate_schema_names``)."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._lines: dict[str, int] = {}

    def _scanned(self) -> dict[str, int]:
        if self._text is not None:
            self._lines, self._text = _json_lines(self._text), None
        return self._lines

    def scanned(self) -> dict[str, int] | None:
        """The lines when they were scanned already, else None (nothing is scanned)."""
        return self._lines if self._text is None else None

    def take(self, lines: dict[str, int]) -> None:
        """The lines of the same text, scanned elsewhere (in a child process): not scanned here."""
        if self._text is not None:
            self._lines, self._text = dict(lines), None

    def __getitem__(self, pointer: str) -> int:
        return self._scanned()[pointer]

    def __setitem__(self, pointer: str, line: int) -> None:
        self._scanned()[pointer] = line

    def __delitem__(self, pointer: str) -> None:
        del self._scanned()[pointer]

    def __contains__(self, pointer: object) -> bool:
        return pointer in self._scanned()

    def __iter__(self) -> Iterator[str]:
        return iter(self._scanned())

    def __len__(self) -> int:
        return len(self._scanned())


def _nests_too_deep(document: Any) -> bool:
    """Whether a parsed JSON document has a container DEPTH_LIMIT levels down (no recursion)."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth >= DEPTH_LIMIT:
            return True
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def read_document(text: str, *, is_json: bool) -> tuple[Any, MutableMapping[str, int]]:
    if is_json or text.lstrip().startswith("{"):
        try:
            document = on_deep_stack(lambda: json.loads(text))
        except json.JSONDecodeError as error:
            if is_json:
                raise ReadError(Problem("", f"not valid JSON: {error.msg}", error.lineno)) from None
        except RecursionError:  # deeper than even the deep stack allows
            _json_lines(text)  # says where
            raise ReadError(Problem("", _too_deep(), 1)) from None
        else:
            if _nests_too_deep(document):
                _json_lines(text)  # refuses it, saying where
            return document, Lines(text)
    try:
        node = yaml.compose(text, Loader=_composer())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        raise ReadError(Problem("", f"not valid YAML: {reason}", line)) from None
    except RecursionError:  # only PyYAML's pure-Python composer recurses (no libyaml)
        raise ReadError(Problem("", _too_deep(), 1)) from None
    if node is None:
        return None, {}
    return _build_yaml(node)


def on_deep_stack(work: Callable[[], _T]) -> _T:
    """Run ``work`` on a thread with room for deep recursion (jsonschema recurses about a dozen
    frames per nested schema: 70 nested objects pass Python's default limit). Exceptions are
    raised here, in the caller's thread."""
    outcome: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)

    old_limit, old_size = sys.getrecursionlimit(), threading.stack_size()
    try:
        threading.stack_size(_DEEP_STACK_BYTES)
        sys.setrecursionlimit(max(old_limit, _DEEP_RECURSION_LIMIT))
        thread = threading.Thread(target=run, name="seedance-codegen-deep")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    if failure:
        raise failure[0]
    return outcome[0]
