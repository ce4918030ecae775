"""Stage 2: the intermediate model of the API, which is all that the templates read.

``build_api`` walks the validated document once and decides every name: method names from
operationIds, argument names from parameter and property names, and a model name for every
schema the client needs (a component schema keeps its own; an inline one is hoisted into the
models under a name made from the operation). Operations that use a construct this generator
does not support are left out with a ``Problem`` that names the construct and where it stands,
every such construct of the operation listed.

One module per concern: ``model`` (the dataclasses the templates read), ``builder`` (operations,
schemas and names), ``parameters`` (locations and styles), ``bodies`` (media types of requests
and answers), ``security`` (auth schemes).
"""

from .bodies import choose_media_type, media_kind
from .builder import build_api
from .model import Api, Argument, Body, ExamplePair, Operation, Response, Result, Wait

__all__ = [
    "Api",
    "Argument",
    "Body",
    "ExamplePair",
    "Operation",
    "Response",
    "Result",
    "Wait",
    "build_api",
    "choose_media_type",
    "media_kind",
]
