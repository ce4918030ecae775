"""Problems found in a spec, collected as values with the place they come from."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["GenerationError", "Problem"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, and where it stands.

    ``pointer`` is a JSON pointer into the document (``/paths/~1tasks~1{id}/get``);
    ``line`` is its line in the source file when known. ``warning`` marks a problem that a
    lenient run (``--skip-unsupported``) may report and go on past, by ignoring what it names
    (an unknown keyword) or typing it loosely (a field without a type); the project's own
    spec is refused for it like for any other.
    """

    pointer: str
    message: str
    line: int | None = None
    warning: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        where = self.pointer or "/"
        if self.line is not None:
            where = f"line {self.line}, {where}"
        return f"{where}: {self.message}"


class GenerationError(Exception):
    """Generation stopped; ``problems`` says what and where. Nothing was written."""

    def __init__(self, source: str, problems: list[Problem], hint: str = "") -> None:
        self.source = source
        self.problems = sorted(problems)
        self.hint = hint
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        count = len(self.problems)
        text = f"{source}: {count} problem{'s' if count != 1 else ''}:\n{lines}"
        super().__init__(f"{text}\n{hint}" if hint else text)

    def __reduce__(self) -> tuple[type[GenerationError], tuple[str, list[Problem], str]]:
        # Raised in a child process (generator/isolation.py), it comes back whole.
        return type(self), (self.source, self.problems, self.hint)
