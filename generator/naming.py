"""Python names for things the spec names: classes, methods, arguments."""

from __future__ import annotations

import keyword
import re

__all__ = ["class_name", "snake_name"]

_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def class_name(name: str) -> str:
    """A class name for a schema: kept as is when it is already a capitalised identifier.

    ``Seedance20Request`` stays; ``pet-info`` becomes ``PetInfo``; ``None`` becomes ``NoneModel``.
    """
    if name.isidentifier() and name[:1].isupper() and not keyword.iskeyword(name) and name.isascii():
        return name
    result = "".join(part[:1].upper() + part[1:] for part in _WORD.findall(name))
    if not result or result[0].isdigit() or keyword.iskeyword(result):
        result = "Model" + result
    return result


def snake_name(name: str) -> str:
    """A snake_case identifier: ``listPets`` -> ``list_pets``, ``X-Rate-Limit`` -> ``x_rate_limit``.

    Keywords get a trailing underscore (``from`` -> ``from_``).
    """
    words = [word.lower() for part in _WORD.findall(name) for word in _CAMEL_BOUNDARY.split(part) if word]
    result = "_".join(words) or "value"
    if result[0].isdigit():
        result = "_" + result
    if keyword.iskeyword(result):
        result += "_"
    return result
