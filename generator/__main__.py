"""``python -m generator``: see ``generator.cli``."""

import os
import sys
import threading

from .cli import main

if __name__ == "__main__":
    status = main()
    if threading.active_count() > 1:  # a thread still at work is waited for, as usual
        sys.exit(status)
    # Ended without tearing the interpreter down (freeing every module and object one by one:
    # a few hundredths of a second after the work is done), as mypy does. What is buffered is
    # written first; files are closed and the output folder complete when ``main`` returns.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
