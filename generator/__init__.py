"""Compile an OpenAPI document into a typed Python client package.

Stages, one module each (see README.md):

- ``load``: read the document (``read``: keeping line numbers), validate and lint it;
- ``ir``: build the intermediate model of the API that templates read;
- ``models``: Pydantic models through datamodel-code-generator;
- ``render``: the client package from Jinja templates;
- ``output``: format with ruff, write atomically, compare for ``check``.
"""

__version__ = "0.1.0"
