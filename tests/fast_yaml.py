"""``safe_load(text)``: what ``yaml.safe_load`` reads, parsed by libyaml when PyYAML has it.

The tests read the project's spec at collection in every pytest worker and in many fixtures:
~0.2 s of CPU each time with PyYAML's pure-Python parser, ~7 times less with libyaml's. The
document is the same (SafeLoader's constructor and resolver run on either parser; the suite's
tests/test_suite.py compares both on every spec the tests read). Writing stays ``yaml.safe_dump``:
libyaml's emitter wraps long quoted strings elsewhere, which would move the lines that the
generator's messages name.
"""

from __future__ import annotations

from typing import Any

import yaml

LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: Any) -> Any:
    return yaml.load(text, Loader=LOADER)
