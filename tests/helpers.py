"""Small helpers the tests share."""

from __future__ import annotations

from typing import Any

from tariffsim.inputs.scenario import Scenario


def variant(sc: Scenario, **fields: Any) -> Scenario:
    """A scenario with top-level fields replaced, validated as a file is (tests only: the library
    varies scenarios with ``Scenario.derive``)."""
    return Scenario.from_dict({**sc.to_dict(), **fields}, source=sc.source, base_dir=sc.base_dir)
