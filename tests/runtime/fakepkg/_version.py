"""Version of the hand-written stand-in package (a generated package has the same three names)."""

__version__ = "0.0.1"
SPEC_SHA256 = "0" * 64
PACKAGE = "fakepkg"
