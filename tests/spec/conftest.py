"""Make the helper modules of this folder importable under every pytest import mode.

The folder deliberately has no ``__init__.py``; with ``--import-mode=importlib`` pytest
would not put it on ``sys.path``, so ``import invalid_bodies`` would fail.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
