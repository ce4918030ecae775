"""Synthetic OpenAPI 3.1 specs of N operations, for measuring how generation grows with size.

Each pair of operations is one POST with a JSON body (a model of its own, with bounds, an enum
and a nested object) answering a model of its own, and one GET with a path and two query
parameters answering another. ``python bench/synthetic.py 200 > spec.yaml`` writes one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml


def synthetic_spec(operations: int) -> dict[str, Any]:
    """A valid spec of ``operations`` operations (rounded up to an even number)."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for index in range((operations + 1) // 2):
        name = f"Item{index}"
        schemas[f"{name}Create"] = {
            "type": "object",
            "required": ["name", "size"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "size": {"type": "integer", "minimum": 1, "maximum": 100},
                "colour": {"type": "string", "enum": ["red", "green", "blue"], "default": "red"},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
                "owner": {
                    "type": "object",
                    "properties": {"id": {"type": "integer"}, "email": {"type": "string"}},
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        }
        schemas[name] = {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "size": {"type": "integer"},
                "created_at": {"type": "string", "format": "date-time"},
            },
        }
        paths[f"/items{index}"] = {
            "post": {
                "operationId": f"create_item_{index}",
                "tags": [f"group{index % 10}"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}Create"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                    }
                },
            }
        }
        paths[f"/items{index}/{{id}}"] = {
            "get": {
                "operationId": f"get_item_{index}",
                "tags": [f"group{index % 10}"],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 50},
                    },
                    {"name": "expand", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": {
                    "200": {
                        "description": "the item",
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                    }
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Synthetic API of {operations} operations", "version": "1.0.0"},
        "servers": [{"url": "https://synthetic.example.com/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def write_synthetic_spec(operations: int, folder: Path) -> Path:
    path = folder / f"synthetic_{operations}.yaml"
    path.write_text(yaml.safe_dump(synthetic_spec(operations), sort_keys=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(yaml.safe_dump(synthetic_spec(int(sys.argv[1])), sort_keys=False))
