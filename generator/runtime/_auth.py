"""How a credential travels in a request, for each kind of security scheme.

OAuth2 (any flow) and OpenID Connect send a token the caller got elsewhere, as a bearer token:
the client never runs the flows. HTTP basic takes the credential as ``user:password``. (A
credential given as a callable is called, and checked, by the client before each attempt: see
``_security``.)
"""

from __future__ import annotations

import base64
from collections.abc import MutableMapping
from typing import Any

import httpx

from ._types import AuthScheme

__all__ = ["apply_credential", "presented_credential"]


def apply_credential(
    scheme: AuthScheme, credential: str, headers: httpx.Headers, params: MutableMapping[str, Any]
) -> None:
    """Put ``credential`` where ``scheme`` says: a header, a query parameter or a cookie."""
    if scheme.kind == "bearer":
        headers["Authorization"] = f"Bearer {credential}"
    elif scheme.kind == "basic":
        encoded = base64.b64encode(credential.encode("utf-8")).decode("ascii")
        headers["Authorization"] = f"Basic {encoded}"
    elif scheme.kind == "header":
        headers[scheme.name] = credential
    elif scheme.kind == "cookie":
        cookie = f"{scheme.name}={credential}"
        headers["Cookie"] = f"{headers['Cookie']}; {cookie}" if "Cookie" in headers else cookie
    else:
        params[scheme.name] = credential


def presented_credential(scheme: AuthScheme, request: httpx.Request) -> tuple[str, str]:
    """(The credential a request carries for ``scheme``, or "", and where it was looked for)."""
    if scheme.kind in ("bearer", "basic"):
        word = "Bearer" if scheme.kind == "bearer" else "Basic"
        kind, _, token = request.headers.get("Authorization", "").partition(" ")
        given = token.strip() if kind.lower() == word.lower() else ""
        if given and scheme.kind == "basic":
            try:
                given = base64.b64decode(given, validate=True).decode("utf-8")
            except ValueError:
                given = ""
        return given, f"an Authorization: {word} header"
    if scheme.kind == "header":
        return request.headers.get(scheme.name, "").strip(), f"a {scheme.name} header"
    if scheme.kind == "cookie":
        for part in request.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == scheme.name:
                return value.strip(), f"a {scheme.name} cookie"
        return "", f"a {scheme.name} cookie"
    return request.url.params.get(scheme.name, "").strip(), f"a {scheme.name} query parameter"
