"""What the published documentation (../shared/docs/) says, as one table that the spec must match.

When the documentation changes, edit the spec and this table, and nothing else: every other
test derives what it needs from the spec (or uses small specs of its own). `test_spec.py` checks
the spec against these tables and prints the differing rows side by side.

Notation of ``FIELDS`` (one row per documented field, in the spec's order):
- type: a JSON type (``string``, ``integer``, ``boolean``), ``uri`` (a string with
  ``format: uri``), ``T[]`` for an array of T, ``A|B`` for "any of", or the name of a shared
  schema (``Ratio``, ``TaskStatus``, ...).
- limits: ``-`` for none; ``len<=N`` / ``len A..B`` (characters), ``items A..B`` (array size),
  ``-1|A..B`` (the integer -1, or one from A to B).
- default: the documented default as JSON, or ``-`` for none.
- required: ``yes`` or ``no``.
"""

from __future__ import annotations

# operationId | method | path | request schema (- for none) | 200 answer schema
OPERATIONS_TABLE = """
generate_seedance_2_0      | POST | /generate/vol/seedance-2.0     | Seedance20Request    | TaskCreated
generate_seedance_pro_1_5  | POST | /generate/vol/seedance-pro-1.5 | SeedancePro15Request | TaskCreated
get_task                   | GET  | /tasks/{id}                    | -                    | Task
"""

# enum schema | values, in order
ENUMS_TABLE = """
Ratio                   | 16:9 4:3 1:1 3:4 9:16 21:9 adaptive
Seedance20Resolution    | 480p 720p
SeedancePro15Resolution | 480p 720p 1080p
Seedance20Model         | fast standard
TaskStatus              | pending processing completed failed
"""

# schema | field | type | limits | default | required
FIELDS_TABLE = """
Seedance20Request    | prompt           | string                  | len<=2000   | -          | no
Seedance20Request    | reference_images | uri[]                   | items 1..9  | -          | no
Seedance20Request    | duration         | integer                 | -1|4..15    | 5          | no
Seedance20Request    | first_frame      | uri                     | -           | -          | no
Seedance20Request    | last_frame       | uri                     | -           | -          | no
Seedance20Request    | generate_audio   | boolean                 | -           | true       | no
Seedance20Request    | model            | Seedance20Model         | -           | "fast"     | no
Seedance20Request    | ratio            | Ratio                   | -           | "adaptive" | no
Seedance20Request    | resolution       | Seedance20Resolution    | -           | "720p"     | no
Seedance20Request    | watermark        | boolean                 | -           | false      | no
SeedancePro15Request | prompt           | string                  | len 1..2000 | -          | yes
SeedancePro15Request | camera_fixed     | boolean                 | -           | false      | no
SeedancePro15Request | draft            | boolean                 | -           | false      | no
SeedancePro15Request | duration         | integer                 | -1|4..12    | 5          | no
SeedancePro15Request | first_frame      | uri                     | -           | -          | no
SeedancePro15Request | last_frame       | uri                     | -           | -          | no
SeedancePro15Request | generate_audio   | boolean                 | -           | true       | no
SeedancePro15Request | ratio            | Ratio                   | -           | "adaptive" | no
SeedancePro15Request | resolution       | SeedancePro15Resolution | -           | "720p"     | no
SeedancePro15Request | watermark        | boolean                 | -           | false      | no
TaskCreated          | task_id          | string                  | -           | -          | yes
Task                 | id               | string                  | -           | -          | yes
Task                 | status           | TaskStatus              | -           | -          | yes
Task                 | error_code       | string                  | -           | -          | no
Task                 | error_msg        | string                  | -           | -          | no
Task                 | result           | uri[]|TaskResultItem[]  | -           | -          | no
TaskResultItem       | type             | string                  | -           | -          | yes
TaskResultItem       | url              | uri                     | -           | -          | yes
"""

# operationId | the names of its example pairs (request and answer share the name)
PAIRS_TABLE = """
generate_seedance_2_0     | text_to_video first_frame first_and_last_frame reference_images auto_duration docs_example_frames docs_example_reference
generate_seedance_pro_1_5 | text_to_video first_frame first_and_last_frame draft auto_duration hd_1080p docs_example
get_task                  | pending processing completed_urls completed_items failed docs_processing docs_completed
"""


def rows(table: str) -> list[list[str]]:
    """The cells of a table; columns are separated by " | " (a "|" inside a cell has no spaces)."""
    return [[cell.strip() for cell in line.split(" | ")] for line in table.strip().splitlines()]


# operationId -> (method, path, request schema or None, answer schema)
OPERATIONS: dict[str, tuple[str, str, str | None, str]] = {
    op_id: (method.lower(), path, None if request == "-" else request, answer)
    for op_id, method, path, request, answer in rows(OPERATIONS_TABLE)
}
ENUMS: dict[str, list[str]] = {name: values.split() for name, values in rows(ENUMS_TABLE)}
# schema -> field -> (type, limits, default, required)
FIELDS: dict[str, dict[str, tuple[str, str, str, bool]]] = {}
for _schema, _field, _type, _limits, _default, _required in rows(FIELDS_TABLE):
    FIELDS.setdefault(_schema, {})[_field] = (_type, _limits, _default, _required == "yes")
PAIRS: dict[str, set[str]] = {op_id: set(names.split()) for op_id, names in rows(PAIRS_TABLE)}
