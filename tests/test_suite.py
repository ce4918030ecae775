"""The suite's own plumbing (make test runs pytest-xdist with ``--dist loadgroup``)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.xdist_group("suite")


def test_an_xdist_group_reaches_the_scheduler(request: pytest.FixtureRequest) -> None:
    """The scheduler groups tests by a suffix that the worker adds to the node id. Under pytest
    9.2 that suffix was silently lost and the groups were spread over the workers, each
    building the module's fixtures again."""
    if getattr(request.config.option, "loadgroup", False):  # on an xdist worker under loadgroup
        assert request.node.nodeid.endswith("::test_an_xdist_group_reaches_the_scheduler@suite")
    else:
        assert request.node.get_closest_marker("xdist_group").args == ("suite",)
