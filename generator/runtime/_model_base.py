"""The base of every generated model, and the spec's cross-field rules that it checks.

JSON Schema 2020-12 states rules between fields with ``dependentRequired``, ``not`` +
``required`` and ``if``/``then``; Pydantic has no such constraints, so the generator compiles
each rule into a value of this module and attaches it to the model as ``__spec_rules__``.
A rule sees the model as JSON Schema sees the instance: the fields that were given, by their
JSON names (defaults that the caller did not send are absent).

Enums with number or boolean members are checked here too (``__spec_enums__``), before field
validation: pydantic's ``Literal[1, True]`` takes ``1.0`` as ``True``, and a float enum has no
``Literal`` at all, so the value is matched to a member by JSON value and type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, cast

from pydantic import BaseModel, model_validator

__all__ = [
    "Condition",
    "DependentRequired",
    "ForbiddenTogether",
    "IfThen",
    "Rule",
    "SpecModel",
    "enum_member",
    "match_enum",
    "parameter_enum",
    "spec_enum",
]


def _json_equal(left: Any, right: Any) -> bool:
    # JSON keeps booleans and numbers apart: true is not 1.
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    return bool(left == right)


_NO_MEMBER: Any = object()


def _number_matches(value: Any, member: Any) -> bool:
    # One JSON number, whatever its spelling: 1.0 stands for the member 1 (and is sent as 1).
    return not isinstance(member, bool) and isinstance(member, int | float) and bool(value == member)


def enum_member(value: Any, members: tuple[Any, ...]) -> Any:
    """The member of ``members`` that ``value`` stands for, compared as JSON values of one type.

    ``True`` is not ``1``, ``0`` is not ``0.5``, ``1.0`` is the member ``1`` (never ``True``).
    Returns a sentinel that is no member when nothing matches.
    """
    for member in members:
        if isinstance(value, bool) or isinstance(member, bool) or value is None or member is None:
            if value is member:
                return member
        elif isinstance(value, int | float):
            if _number_matches(value, member):
                return member
        elif type(value) is type(member) and _json_equal(value, member):
            return member
    return _NO_MEMBER


def match_enum(name: str, value: Any, members: tuple[Any, ...], *, items: bool = False) -> Any:
    """``value`` (each item of it, when ``items``) replaced by the member it stands for.

    Raises ``ValueError`` naming ``name`` when a value matches no member.
    """
    if items:
        if not isinstance(value, list | tuple):
            return value  # not a list: the field's own type check refuses it
        return [match_enum(f"{name}[{index}]", item, members) for index, item in enumerate(value)]
    member = enum_member(value, members)
    if member is _NO_MEMBER:
        allowed = ", ".join(json.dumps(member) for member in members)
        raise ValueError(
            f"{name} must be one of {allowed}, got a value of type {type(value).__name__} that is none "
            "of them (compared as JSON values: true is not 1)"
        )
    return member


_ALIAS_ENUMS: dict[Any, tuple[tuple[Any, ...], bool]] = {}


def spec_enum(alias: Any, members: tuple[Any, ...], *, items: bool = False) -> None:
    """Record that a type alias of ``models`` (a parameter's type) is an enum of these members
    (or, with ``items``, a list of them); ``parameter_enum`` reads it back."""
    _ALIAS_ENUMS[alias] = (members, items)


def parameter_enum(alias: Any) -> tuple[tuple[Any, ...], bool] | None:
    """``(members, items)`` recorded by :func:`spec_enum` for ``alias``, else None."""
    try:
        return _ALIAS_ENUMS.get(alias)
    except TypeError:  # an unhashable type expression
        return None


@dataclass(frozen=True)
class Rule:
    """A cross-field rule; ``message`` names the fields and says what must hold."""

    message: str

    def holds(self, data: Mapping[str, Any]) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class DependentRequired(Rule):
    """``dependentRequired``: when ``field`` is given, every name in ``required`` must be too."""

    field: str
    required: tuple[str, ...]

    def holds(self, data: Mapping[str, Any]) -> bool:
        return self.field not in data or all(name in data for name in self.required)


@dataclass(frozen=True)
class ForbiddenTogether(Rule):
    """``not: {required: [...]}``: these fields may not all be given at once."""

    fields: tuple[str, ...]

    def holds(self, data: Mapping[str, Any]) -> bool:
        return not all(name in data for name in self.fields)


@dataclass(frozen=True)
class Condition:
    """One field's part of an ``if``/``then``: given (when ``required``), and one of ``values``."""

    field: str
    required: bool = False
    values: tuple[Any, ...] | None = None

    def holds(self, data: Mapping[str, Any]) -> bool:
        if self.field not in data:
            return not self.required
        return self.values is None or any(_json_equal(data[self.field], value) for value in self.values)


@dataclass(frozen=True)
class IfThen(Rule):
    """``if``/``then``/``else`` whose subschemas are ``required`` and ``const``/``enum`` properties."""

    when: tuple[Condition, ...]
    then: tuple[Condition, ...] = ()
    otherwise: tuple[Condition, ...] = ()

    def holds(self, data: Mapping[str, Any]) -> bool:
        branch = self.then if all(condition.holds(data) for condition in self.when) else self.otherwise
        return all(condition.holds(data) for condition in branch)


class SpecModel(BaseModel):
    """Base of the generated models: checks the spec's cross-field rules after validation."""

    __spec_rules__: ClassVar[tuple[Rule, ...]] = ()
    __spec_enums__: ClassVar[Mapping[str, tuple[Any, ...]]] = {}
    """JSON name -> members, for each field whose enum has a number or boolean member."""
    __spec_item_enums__: ClassVar[Mapping[str, tuple[Any, ...]]] = {}
    """The same, for array fields whose items are such an enum."""

    @model_validator(mode="before")
    @classmethod
    def _match_spec_enums(cls, data: Any) -> Any:
        enums, item_enums = cls.__spec_enums__, cls.__spec_item_enums__
        if not (enums or item_enums) or not isinstance(data, Mapping):
            return data
        matched = dict(cast(Mapping[str, Any], data))
        for table, items in ((enums, False), (item_enums, True)):
            for name, members in table.items():
                if name in matched:
                    matched[name] = match_enum(name, matched[name], members, items=items)
        return matched

    @model_validator(mode="after")
    def _check_spec_rules(self) -> Self:
        rules = type(self).__spec_rules__
        if rules:
            data = self.model_dump(mode="json", by_alias=True, exclude_unset=True, round_trip=True)
            broken = [rule.message for rule in rules if not rule.holds(data)]
            if broken:
                raise ValueError("; ".join(broken))
        return self
