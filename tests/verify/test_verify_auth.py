"""``verify`` places the credential as the generated client does, for every scheme it supports."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx

from generator.verify import verify

KEY = "user:sk-verify-AUTH-51c2"

SPEC = """\
openapi: 3.1.0
info: {title: auth, version: "1.0.0"}
servers: [{url: "https://api.example.com"}]
paths:
  /basic:
    get:
      operationId: getBasic
      security: [{basicAuth: []}]
      parameters:
        - {name: q, in: query, schema: {type: string}, examples: {one: {value: "x"}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}}
              examples: {one: {value: {ok: true}}}
  /cookie:
    get:
      operationId: getCookie
      security: [{session: []}]
      parameters:
        - {name: q, in: query, schema: {type: string}, examples: {one: {value: "y"}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}}
              examples: {one: {value: {ok: true}}}
components:
  securitySchemes:
    basicAuth: {type: http, scheme: basic}
    session: {type: apiKey, in: cookie, name: sid}
"""


def test_basic_and_cookie_credentials_are_placed_as_the_client_places_them(tmp_path: Path) -> None:
    spec = tmp_path / "auth.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    seen: dict[str, httpx.Request] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.path] = request
        return httpx.Response(200, json={"ok": True})

    http = httpx.Client(base_url="https://api.example.com", transport=httpx.MockTransport(handler))
    report = verify(spec, "https://api.example.com", api_key=KEY, http=http)
    assert report.exit_code() == 0, report.summary()
    basic, cookie = seen["/basic"], seen["/cookie"]
    expected = base64.b64encode(KEY.encode()).decode()
    assert basic.headers["Authorization"] == f"Basic {expected}"
    assert cookie.headers["Cookie"] == f"sid={KEY}"
    # Never in the query (a URL carries it into logs), and only where the scheme says.
    assert KEY not in str(basic.url) and KEY not in str(cookie.url)
    assert "Cookie" not in basic.headers and "Authorization" not in cookie.headers
    assert dict(basic.url.params) == {"q": "x"} and dict(cookie.url.params) == {"q": "y"}
