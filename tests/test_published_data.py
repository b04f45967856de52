"""The published values the package shows beside its replications (data/published/*.toml) are the
published values (the oracles of tests/reference.py, each with its source)."""

from __future__ import annotations

from reference import CP2015_INTRA_BLOC_PUBLISHED, CP2015_PUBLISHED, ILMS_PUBLISHED

from tariffsim.inputs.published import published_values


def test_cp2015_file_matches_the_paper():
    d = published_values("cp2015")
    assert d["zero_deficit"] == CP2015_PUBLISHED[True]
    assert d["with_deficits"] == CP2015_PUBLISHED[False]
    assert d["intra_bloc"] == CP2015_INTRA_BLOC_PUBLISHED
    assert "Caliendo and Parro (2015" in d["source"]


def test_ilms2025_file_matches_the_paper():
    d = published_values("ilms2025")
    assert {k: v for k, v in d.items() if k != "source"} == ILMS_PUBLISHED
    assert "Table 1" in d["source"]


def test_published_values_are_a_copy():
    d = published_values("cp2015")
    d["zero_deficit"]["Mexico"]["welfare_pct"] = 99.0
    assert published_values("cp2015")["zero_deficit"]["Mexico"]["welfare_pct"] == 1.31
