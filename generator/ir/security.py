"""Security requirements: which scheme carries the client's credential, for each operation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._support import UnsupportedError

if TYPE_CHECKING:
    from .builder import Builder

__all__ = ["build_security"]


def build_security(builder: Builder, pointer: str, raw: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The schemes of the first requirement the client can meet (the requirements are
    alternatives; the schemes of one requirement all apply)."""
    requirements = raw.get("security", builder.document.get("security")) or []
    schemes = (builder.document.get("components") or {}).get("securitySchemes") or {}
    if not requirements or any(not requirement for requirement in requirements):
        return ()
    problems = []
    for requirement in requirements:
        applied: list[tuple[str, str]] = []
        for scheme_name in requirement:
            scheme = builder.spec.resolve(schemes.get(scheme_name) or {})
            kind, scheme_type = str(scheme.get("scheme", "")).lower(), scheme.get("type")
            if (scheme_type == "http" and kind == "bearer") or scheme_type in ("oauth2", "openIdConnect"):
                applied.append(("bearer", ""))
            elif scheme_type == "http" and kind == "basic":
                applied.append(("basic", ""))
            elif scheme_type == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
                applied.append((scheme["in"], str(scheme.get("name"))))
            else:
                problems.append(f"{scheme_name!r} ({scheme_type} {kind})".replace(" )", ")"))
        if len(applied) == len(requirement):
            return tuple(dict.fromkeys(applied))
    raise UnsupportedError(
        f"{pointer}/security",
        f"security scheme {', '.join(problems)} is not supported "
        "(http bearer and basic, apiKey, oauth2 and openIdConnect are)",
    )
