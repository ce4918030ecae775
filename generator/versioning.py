"""The package version (from ``info.version``), the bump a set of changes calls for, and the changelog.

``info.version`` is the one source of the version: ``pyproject.toml`` and ``__version__`` show it.
A version that is not PEP 440 (``latest``, ``2024-05-01-beta``) cannot be installed by pip, so it
becomes the nearest valid one, with a warning.
"""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from .diff import BREAKING, NON_BREAKING, Change, summary

__all__ = [
    "MAJOR",
    "MINOR",
    "PATCH",
    "bump_warning",
    "changelog_entry",
    "package_version",
    "suggested_bump",
    "update_changelog",
]

MAJOR, MINOR, PATCH = "major", "minor", "patch"
_NUMBERS = re.compile(r"\d+(?:\.\d+)*")
_HEADING = re.compile(r"^## (\S+)", re.MULTILINE)
CHANGELOG_TITLE = "# Changelog\n\nOne entry per version of the spec (`info.version`), newest first. Written by\n`python -m generator changelog OLD NEW --update generated/CHANGELOG.md`.\n"


def package_version(info_version: object) -> tuple[str, str | None]:
    """A PEP 440 version for ``info.version``, and a warning when it had to be changed."""
    text = str(info_version).strip() if info_version is not None else ""
    if not text:
        return "0.0.0", "info.version is missing: the package version is 0.0.0."
    try:
        return str(Version(text)), None
    except InvalidVersion:
        numbers = _NUMBERS.search(text)
        version = numbers.group(0) if numbers else "0.0.0"
        return version, f"info.version {text!r} is not a PEP 440 version: the package version is {version}."


def _release(version: str) -> tuple[int, int, int]:
    try:
        parts = Version(version).release
    except InvalidVersion:
        parts = ()
    padded = (*parts, 0, 0, 0)
    return padded[0], padded[1], padded[2]


def suggested_bump(changes: list[Change]) -> str:
    """Major when anything breaks callers, minor for additions, patch otherwise."""
    levels = {change.level for change in changes}
    if BREAKING in levels:
        return MAJOR
    if NON_BREAKING in levels:
        return MINOR
    return PATCH


def _moved(old: str, new: str) -> str | None:
    """Which part of the version moved forward (``major``, ``minor``, ``patch``), if any."""
    was, now = _release(old), _release(new)
    for index, part in enumerate((MAJOR, MINOR, PATCH)):
        if now[index] != was[index]:
            return part if now > was else None
    return None


def bump_warning(old: str, new: str, changes: list[Change]) -> str | None:
    """A warning when the version did not move as far as the changes call for."""
    if not changes:
        return None
    needed = suggested_bump(changes)
    moved = _moved(old, new)
    order = (MAJOR, MINOR, PATCH)
    if moved is not None and order.index(moved) <= order.index(needed):
        return None
    # Before 1.0, a minor bump may carry breaking changes (semantic versioning, item 4).
    if needed == MAJOR and _release(old)[0] == 0 and moved == MINOR:
        return None
    what = "breaking changes" if needed == MAJOR else "additions" if needed == MINOR else "changes"
    return (
        f"the spec has {what} ({summary(changes)}) but info.version went from {old} to {new}: "
        f"a {needed} bump is expected (set info.version to {next_version(old, needed)})."
    )


def next_version(old: str, bump: str) -> str:
    major, minor, patch = _release(old)
    if bump == MAJOR:
        return f"{major + 1}.0.0"
    if bump == MINOR:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def changelog_entry(old: str, new: str, changes: list[Change]) -> str:
    """A markdown entry for version ``new``: the bump and the changes, breaking ones first."""
    bump = suggested_bump(changes)
    lines = [
        f"## {new}",
        "",
        f"From {old}: {summary(changes)}; suggested bump: {bump} ({next_version(old, bump)}).",
    ]
    titles = {BREAKING: "Breaking", NON_BREAKING: "Added and loosened"}
    for level in (BREAKING, NON_BREAKING, None):
        chosen = [
            change
            for change in changes
            if (change.level == level) or (level is None and change.level not in titles)
        ]
        if not chosen:
            continue
        lines += ["", f"### {titles.get(level or '', 'Worth a look')}", ""]
        lines += [f"- {change.operation or 'API'}: {change.message} (`{change.rule}`)" for change in chosen]
    return "\n".join(lines) + "\n"


def update_changelog(text: str, entry: str) -> str:
    """``text`` with ``entry`` in place of the entry for the same version, or first when there is none."""
    version = entry.split("\n", 1)[0].removeprefix("## ").strip()
    if not text.strip():
        text = CHANGELOG_TITLE
    headings = list(_HEADING.finditer(text))
    for index, heading in enumerate(headings):
        if heading.group(1) == version:
            end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
            return text[: heading.start()] + entry + ("\n" if end < len(text) else "") + text[end:]
    start = headings[0].start() if headings else len(text)
    head = text[:start].rstrip("\n") + "\n\n"
    rest = text[start:]
    return head + entry + ("\n" + rest if rest else "")
