"""The folder of computed runs (opt-in, TARIFFSIM_RESULT_CACHE): a run read back is the run computed,
any changed input is another run, and nothing is kept without the variable."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import variant

import tariffsim as ts
from tariffsim.engine import result_cache
from tariffsim.engine.simulation import resolve

FAST = {"draws": 5, "n_paths": 1000}


def test_off_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(result_cache.CACHE_ENV, raising=False)
    ts.simulate("mex25", **FAST)
    assert result_cache.cache_dir() is None


def test_a_run_read_back_is_the_run_computed(tmp_path, monkeypatch):
    monkeypatch.setenv(result_cache.CACHE_ENV, str(tmp_path))
    first = ts.simulate("mex25", model="ge-io", **FAST)
    assert len(list(tmp_path.glob("*.pickle"))) == 1
    steps: list[str] = []
    again = ts.simulate("mex25", model="ge-io", **FAST, progress=steps.append)
    assert steps == ["the run, from the folder of computed runs"]
    assert again is not first and again.to_json() == first.to_json()
    assert again.summary_text() == first.summary_text()
    assert not again.t1.flags.writeable and not again.outcome().near_term.V1.flags.writeable  # still frozen
    np.testing.assert_array_equal(again.draws.to_numpy(), first.draws.to_numpy())


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 8},
        {"draws": 6},
        {"n_paths": 1200},
        {"model": "ge"},
        {"elasticities": ["central", "low"]},
        {"recession": False},
    ],
)
def test_any_changed_input_is_another_run(tmp_path, monkeypatch, change):
    monkeypatch.setenv(result_cache.CACHE_ENV, str(tmp_path))
    kw = {**FAST, "seed": 7}
    ts.simulate("mex25", **kw)
    other = ts.simulate("mex25", **{**kw, **change})
    assert len(list(tmp_path.glob("*.pickle"))) == 2
    assert other.to_json() == ts.simulate("mex25", **{**kw, **change}).to_json()


def test_the_key_follows_the_scenario_and_the_data(monkeypatch):
    base = resolve("mex25", recession=False)
    key = result_cache.run_key(base, False)
    assert result_cache.run_key(resolve("mex25", recession=False), False) == key  # the same inputs
    assert result_cache.run_key(base, True) != key
    assert result_cache.run_key(resolve(variant(base.scenario, horizon=16), recession=False), False) != key
    data = base.data
    bumped = type(data)(**{**data.__dict__, "values": data.values * (1 + 1e-12)})
    assert result_cache.run_key(resolve("mex25", bumped, recession=False), False) != key
