"""Versions from info.version, the bump that changes call for, and the changelog."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from test_diff import BASE, REQ, changes_for, node

from generator import cli
from generator.versioning import (
    MAJOR,
    MINOR,
    PATCH,
    bump_warning,
    changelog_entry,
    package_version,
    suggested_bump,
    update_changelog,
)


@pytest.mark.parametrize(
    ("info_version", "expected", "warned"),
    [
        ("1.0.0", "1.0.0", False),
        ("2.1", "2.1", False),
        ("v3.0.1", "3.0.1", False),
        ("1.0.0rc1", "1.0.0rc1", False),
        ("latest", "0.0.0", True),
        ("2024-05-01-beta", "2024", True),
        ("1.2.3-alpha.1+build", "1.2.3a1+build", False),
        ("1.0.0-SNAPSHOT", "1.0.0", True),
        (None, "0.0.0", True),
    ],
)
def test_package_version_is_pep_440(info_version: object, expected: str, warned: bool) -> None:
    version, warning = package_version(info_version)
    assert version == expected
    assert (warning is not None) is warned
    if warning:
        assert expected in warning


def test_a_non_pep_440_version_is_installable_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = copy.deepcopy(BASE)
    document["info"]["version"] = "latest"
    spec = tmp_path / "api.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    out = tmp_path / "out"
    assert cli.main(["generate", "--spec", str(spec), "--out", str(out), "--package", "things"]) == 0
    assert "warning: info.version 'latest' is not a PEP 440 version" in capsys.readouterr().err
    assert 'version = "0.0.0"' in (out / "pyproject.toml").read_text()
    assert '__version__ = "0.0.0"' in (out / "things" / "_version.py").read_text()


@pytest.mark.parametrize(
    ("rule", "bump"),
    [
        ("request-property-enum-value-removed", MAJOR),
        ("new-optional-request-property", MINOR),
        ("request-property-description-changed", PATCH),
    ],
)
def test_suggested_bump(rule: str, bump: str) -> None:
    assert suggested_bump(changes_for(rule)) == bump


def test_bump_warning_needs_the_version_to_move_far_enough() -> None:
    breaking = changes_for("request-property-enum-value-removed")
    assert bump_warning("1.0.0", "1.0.0", breaking) is not None
    assert bump_warning("1.0.0", "1.1.0", breaking) is not None
    assert bump_warning("1.0.0", "2.0.0", breaking) is None
    assert bump_warning("0.3.0", "0.4.0", breaking) is None  # before 1.0 a minor bump may break
    additive = changes_for("new-optional-request-property")
    assert bump_warning("1.0.0", "1.0.1", additive) is not None
    assert bump_warning("1.0.0", "1.1.0", additive) is None
    assert bump_warning("1.0.0", "1.0.0", []) is None


def test_changelog_entry_and_update_are_idempotent() -> None:
    entry = changelog_entry("1.0.0", "2.0.0", changes_for("request-property-enum-value-removed"))
    assert entry.startswith("## 2.0.0\n")
    assert "suggested bump: major (2.0.0)" in entry and "### Breaking" in entry
    assert "(`request-property-enum-value-removed`)" in entry
    first = update_changelog("", "## 1.0.0\n\nFirst version.\n")
    second = update_changelog(first, entry)
    assert second.index("## 2.0.0") < second.index("## 1.0.0")
    assert update_changelog(second, entry) == second
    replaced = update_changelog(second, "## 2.0.0\n\nRewritten.\n")
    assert "Rewritten." in replaced and "### Breaking" not in replaced and "First version." in replaced


def test_changelog_command_and_generate_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(yaml.safe_dump(BASE, sort_keys=False))
    document = copy.deepcopy(BASE)
    node(document, "/components/schemas/Mode")["enum"] = ["a"]
    node(document, f"{REQ}/properties")["seed"] = {"type": "integer"}
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(document, sort_keys=False))

    changelog = tmp_path / "CHANGELOG.md"
    assert cli.main(["changelog", str(old), str(new), "--update", str(changelog)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("suggested bump: major (1 breaking, 1 non-breaking)")
    assert "a major bump is expected (set info.version to 2.0.0)" in captured.err
    assert "## 1.0.0" in changelog.read_text() and "new optional field body.seed" in changelog.read_text()

    # generate warns when the committed output's spec differs by a breaking change and the
    # major version did not move; it keeps the folder's CHANGELOG.md, which `check` accepts.
    out = tmp_path / "out"
    arguments = ["--out", str(out), "--package", "things"]
    assert cli.main(["generate", "--spec", str(old), *arguments]) == 0
    (out / "CHANGELOG.md").write_text(changelog.read_text())
    capsys.readouterr()
    assert cli.main(["generate", "--spec", str(new), *arguments]) == 0
    assert "warning: the spec has breaking changes" in capsys.readouterr().err
    assert (out / "CHANGELOG.md").read_text() == changelog.read_text()
    assert cli.main(["check", "--spec", str(new), *arguments]) == 0
    document["info"]["version"] = "2.0.0"
    new.write_text(yaml.safe_dump(document, sort_keys=False))
    assert cli.main(["generate", "--spec", str(old), *arguments]) == 0
    capsys.readouterr()
    assert cli.main(["generate", "--spec", str(new), *arguments]) == 0
    assert "warning" not in capsys.readouterr().err
