"""Enums matched by JSON value and type, which pydantic's ``Literal`` does not do.

``Literal[1, True]`` takes ``1.0`` as ``True`` and ``Literal[1, 2]`` takes ``True`` as ``1`` (one
hash for all three), and datamodel-code-generator turns a float enum into a plain float. The
generated ``models`` module records each enum with a number or boolean member: on a model's field
(``SpecModel.__spec_enums__``, checked before field validation) or on a parameter's type alias
(:func:`spec_enum`, checked by ``_arguments``). A value then stands for the member that equals it
as a JSON value of the same JSON type, and is replaced by that member.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["enum_member", "match_enum", "parameter_enum", "spec_enum"]


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
        elif type(value) is type(member) and value == member:
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
