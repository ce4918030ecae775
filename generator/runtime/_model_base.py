"""The base of every generated model, and the spec's cross-field rules that it checks.

JSON Schema 2020-12 states rules between fields with ``dependentRequired``, ``not`` +
``required`` and ``if``/``then``; Pydantic has no such constraints, so the generator compiles
each rule into a value of this module and attaches it to the model as ``__spec_rules__``.
A rule sees the model as JSON Schema sees the instance: the fields that were given, by their
JSON names (defaults that the caller did not send are absent).

Enums with number or boolean members are matched here too (``__spec_enums__``, see ``_enums``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, cast

from pydantic import BaseModel, ConfigDict, model_validator

from ._enums import match_enum

__all__ = [
    "Condition",
    "DependentRequired",
    "ForbiddenTogether",
    "IfThen",
    "RequiredGroups",
    "Rule",
    "SpecModel",
    "UniqueItems",
]


def _json_equal(left: Any, right: Any) -> bool:
    # JSON keeps booleans and numbers apart: true is not 1.
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    return bool(left == right)


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
class RequiredGroups(Rule):
    """``anyOf``/``oneOf`` of ``required`` lists on an object: at least one group (``anyOf``), or
    exactly one (``oneOf``), must be given in full."""

    groups: tuple[tuple[str, ...], ...]
    exactly_one: bool = False

    def holds(self, data: Mapping[str, Any]) -> bool:
        given = sum(all(name in data for name in group) for group in self.groups)
        return given == 1 if self.exactly_one else given >= 1


@dataclass(frozen=True)
class UniqueItems(Rule):
    """``uniqueItems: true`` on an array property: no two of its items are equal JSON values."""

    field: str

    def holds(self, data: Mapping[str, Any]) -> bool:
        items = data.get(self.field)
        if not isinstance(items, list):
            return True
        return not any(
            _json_equal(item, other) for index, item in enumerate(items) for other in items[:index]
        )


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
    """Base of the generated models: checks the spec's cross-field rules after validation.

    ``repr()`` shows the fields that were given (or received), not the defaults: for a request
    model that is exactly what will be sent. ``model_fields_set`` tells the same apart in code.
    """

    # Schemas are built on a model's first use, not at import (most callers touch a few models).
    model_config = ConfigDict(defer_build=True)

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

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        given = self.model_fields_set
        for name, value in super().__repr_args__():
            if name is None or name in given or name not in type(self).model_fields:
                yield name, value

    @model_validator(mode="after")
    def _check_spec_rules(self) -> Self:
        rules = type(self).__spec_rules__
        if rules:
            data = self.model_dump(mode="json", by_alias=True, exclude_unset=True, round_trip=True)
            broken = [rule.message for rule in rules if not rule.holds(data)]
            if broken:
                raise ValueError("; ".join(broken))
        return self
