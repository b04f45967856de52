"""Loaders, validation and the embedded default dataset."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim.cli.main import main as cli_main
from tariffsim.inputs.datasets import hs2_sector_map, unit_factor
from tariffsim.inputs.loaders import load_data_spec

MATRIX = Path(__file__).parent / "fixtures" / "matrix3"


# ----------------------------------------------------------------------------- the default dataset


def test_default_dataset_shape_and_labels():
    d = ts.load_dataset()
    assert d.countries == ("USA", "MEX", "CAN", "CHN", "EU27", "JPN", "KOR", "IND", "VNM", "ROW")
    assert 10 <= d.n_sectors <= 20
    assert d.values.shape == (10, 10, d.n_sectors)
    assert np.all(d.values >= 0) and np.all(np.isfinite(d.values))
    assert d.values[d.index("USA"), d.index("USA")].sum() == 0  # a country does not import from itself
    assert d.gdp is not None and np.all(d.gdp > 0)
    assert len(d.sources) >= 4 and all({"publisher", "table", "year", "units", "licence"} <= set(s) for s in d.sources)


def test_default_flows_are_tidy():
    f = ts.load_dataset().flows()
    assert {"exporter", "importer", "sector", "value_usd"} <= set(f.columns)
    assert not f.duplicated(["exporter", "importer", "sector"]).any()
    assert (f["value_usd"] > 0).all()


def test_us_imports_from_mexico_match_census_2024():
    # Source: US Census Bureau, imports for consumption by HS chapter, 2024 (../shared/data/README.md):
    # US imports from Mexico 503.4 bn USD; ch. 87 vehicles 135.4 bn, 84 machinery 105.6 bn,
    # 85 electrical 86.8 bn, 90-92 instruments >= 22.9 bn (ch. 90 alone), 27 fuels 15.5 bn.
    d = ts.load_dataset()
    f = d.flows()
    mu = f[(f.exporter == "MEX") & (f.importer == "USA")].set_index("sector")["value_usd"] / 1e9
    assert mu.sum() == pytest.approx(503.4, abs=0.05)
    assert mu["vehicles"] == pytest.approx(135.4, abs=0.05)
    assert mu["machinery"] == pytest.approx(105.6, abs=0.05)
    assert mu["electrical"] == pytest.approx(86.8, abs=0.05)
    assert mu["fuels"] == pytest.approx(15.5, abs=0.05)
    assert mu["instruments"] >= 22.9
    # average duty actually paid on them 0.25 % (same source)
    t = f[(f.exporter == "MEX") & (f.importer == "USA")]
    assert (t.value_usd * t.tariff).sum() / t.value_usd.sum() == pytest.approx(0.0025, abs=0.00005)


def test_mexico_export_dependence_matches_baci_2023():
    # Source: CEPII BACI 2023 as prepared in ../shared/data/ilms2025 (its README): Mexico's exports to
    # the US are 77.1 % of its exports, its exports 33.3 % of GDP; US exports to Mexico 292.8 bn USD.
    d = ts.load_dataset()
    mex = d.meta["mexico"]
    assert mex["export_dependence_data"] == pytest.approx(0.771, abs=0.0005)
    assert mex["exports_to_gdp_2023"] == pytest.approx(0.333, abs=0.0005)
    assert d.exports("USA", to="MEX") / 1e9 == pytest.approx(292.8, abs=0.05)
    # with 2024 Census rows into the US the dataset's own dependence is higher, but near 0.8
    assert 0.77 < d.export_share("MEX", "USA") < 0.80


def test_mexico_value_added_share_is_wiod_2014():
    # Source: WIOD 2016 release (Wang-Wei-Zhu), ../shared/data/README.md: Mexico to US 2014, 65 % domestic.
    dva = ts.load_dataset().meta["mexico"]["dva_share_wiod"]
    assert dva["year"] == 2014
    assert dva["to_usa"]["2014"] == pytest.approx(0.65, abs=0.005)


def test_shipped_data_reproduce_their_sources(shared_data, tmp_path):
    """The build script, run on ../shared/data, regenerates the shipped files exactly."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "default"
    subprocess.run(
        [
            sys.executable,
            str(root / "data" / "build" / "build_default.py"),
            "--raw",
            str(shared_data),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    shipped = root / "data" / "datasets" / "default"
    for name in ("flows.csv", "gdp.csv", "meta.json", "regions.csv"):
        assert (out / name).read_text() == (shipped / name).read_text(), name


def test_default_regions_cover_the_ilms_world(shared_data):
    ilms = shared_data / "ilms2025"
    world = ts.read_matrix_csv(ilms / "trade_cepii.csv", ilms / "country_labels.csv", ilms / "gdp.csv")
    d = ts.load_dataset()
    # every BACI 2023 flow is in the regional totals, except those into the US (replaced by Census 2024)
    usa = d.index("USA")
    w = world.values.sum()
    w_into_us = world.values[:, world.index("USA")].sum()
    dd = d.values.sum()
    dd_into_us = d.values[:, usa].sum()
    assert dd - dd_into_us == pytest.approx(w - w_into_us, rel=1e-6)
    assert d.gdp.sum() == pytest.approx(world.gdp.sum(), rel=1e-9)


# ----------------------------------------------------------------------------- loaders on fixtures


def test_matrix_loader_units_and_orientation():
    d = ts.read_matrix_csv(MATRIX / "trade.csv", MATRIX / "labels.csv", MATRIX / "gdp.csv", units="million USD")
    assert d.countries == ("USA", "MEX", "CAN")
    # row = exporter, column = importer: MEX (row 2) -> USA (column 1) = 2000 million
    assert d.exports("MEX", to="USA") == pytest.approx(2000e6)
    assert d.exports("USA", to="CAN") == pytest.approx(250.5e6)
    assert d.gdp_of("MEX") == pytest.approx(1.8e9)
    f = d.flows()
    assert set(f.sector) == {"total"}
    assert f.value_usd.sum() == pytest.approx((1500 + 250.5 + 2000 + 100 + 300 + 50) * 1e6)


def test_currency_unit_is_converted_at_the_boundary():
    a = ts.read_matrix_csv(MATRIX / "trade.csv", MATRIX / "labels.csv", units="thousand USD")
    b = ts.read_matrix_csv(MATRIX / "trade.csv", MATRIX / "labels.csv", units="million USD")
    np.testing.assert_allclose(b.values, a.values * 1000)


def test_long_loader_names_and_codes():
    d = ts.read_long_csv(
        Path(__file__).parent / "fixtures" / "long_flows.csv",
        units="billion USD",
        gdp=Path(__file__).parent / "fixtures" / "long_gdp.csv",
        gdp_units="billion USD",
    )
    assert set(d.countries) == {"MEX", "USA", "CAN"}  # "Mexico", "United States" resolved by pycountry
    assert d.exports("MEX", to="USA") == pytest.approx((135.4 + 105.6) * 1e9)
    assert d.tariffs[d.index("MEX"), d.index("USA"), d.sector_index("vehicles")] == pytest.approx(0.003)


def test_baci_loader_aggregates_hs6_to_sectors():
    fx = Path(__file__).parent / "fixtures"
    d = ts.read_baci(fx / "baci_sample.csv", fx / "baci_country_codes.csv")
    assert d.year == 2023
    veh = d.sector_index("vehicles")
    assert d.values[d.index("MEX"), d.index("USA"), veh] == pytest.approx((1000.5 + 500.25) * 1e3)
    assert d.values[d.index("MEX"), d.index("USA"), d.sector_index("machinery")] == pytest.approx(800e3)
    assert d.values[d.index("USA"), d.index("MEX"), d.sector_index("agrifood")] == pytest.approx(300e3)  # HS 100199
    assert d.values.sum() == pytest.approx((1000.5 + 500.25 + 800 + 300 + 2000 + 20) * 1e3)


def test_aggregation_preserves_totals_and_weights_tariffs():
    d = ts.load_dataset()
    agg = d.aggregate(
        countries={"CAN": "NA3", "MEX": "NA3", "USA": "NA3"},
        sectors={s: "manuf" for s in d.sectors if s not in ("agrifood", "fuels")},
    )
    assert agg.values.sum() == pytest.approx(d.values.sum(), rel=1e-12)
    assert agg.gdp.sum() == pytest.approx(d.gdp.sum(), rel=1e-12)
    duty = (d.values * d.tariffs).sum()
    assert (agg.values * agg.tariffs).sum() == pytest.approx(duty, rel=1e-12)
    # intra-NA3 trade (MEX->USA etc.) sits on the diagonal
    na3 = agg.index("NA3")
    assert agg.values[na3, na3].sum() == pytest.approx(
        sum(d.exports(a, to=b) for a in ("CAN", "MEX", "USA") for b in ("CAN", "MEX", "USA") if a != b)
    )


def test_hs2_mapping_covers_every_chapter():
    m = hs2_sector_map()
    assert len(m) == 99 and set(m) == {f"{i:02d}" for i in range(1, 100)}
    assert m["87"] == "vehicles" and m["27"] == "fuels" and m["85"] == "electrical"


def test_unit_names():
    assert unit_factor("thousand USD") == 1e3
    assert unit_factor("USD_million") == 1e6
    with pytest.raises(ts.DataError, match="unknown units 'EUR'"):
        unit_factor("EUR", source="x.csv")


def test_loaders_live_in_loaders_only():
    """The readers live in tariffsim.inputs.loaders (the 0.2 forwarding from datasets was removed before
    the first release, CHANGELOG.md)."""
    import tariffsim.inputs.datasets as ds
    import tariffsim.inputs.loaders as ld

    for name in ("read_matrix_csv", "load_data_spec"):
        assert not hasattr(ds, name)
        assert callable(getattr(ld, name))
    assert ts.read_matrix_csv is ld.read_matrix_csv


def test_load_data_spec_resolves_relative_paths(tmp_path):
    shutil.copytree(MATRIX, tmp_path / "m")
    d = load_data_spec({"format": "matrix", "matrix": "m/trade.csv", "labels": "m/labels.csv"}, base_dir=tmp_path)
    assert d.countries == ("USA", "MEX", "CAN")
    with pytest.raises(ts.DataError, match="format must be one of"):
        load_data_spec({"format": "xlsx"}, source="s.toml")
    with pytest.raises(ts.DataError, match="unknown dataset 'nope'"):
        load_data_spec("nope")


# ----------------------------------------------------------------------------- malformed inputs


def _write_matrix(tmp_path: Path, body: str, labels: str | None = None) -> tuple[Path, Path]:
    m = tmp_path / "trade.csv"
    m.write_text(body)
    lab = tmp_path / "labels.csv"
    lab.write_text(labels or (MATRIX / "labels.csv").read_text())
    return m, lab


@pytest.mark.parametrize(
    "body, pattern",
    [
        ("a,b,c\n,1,2\n-3,,4\n5,6,\n", r"row 3, column 1: negative trade value -3"),
        ("a,b,c\n,1,2\n3,,4,9\n5,6,\n", r"row 3: row has 4 cells; expected 3 \(ragged matrix\)"),
        ("a,b,c\n,1,2\n3,,4\n", r"2 data rows; expected 3"),
        ("a,b\n,1\n3,\n", r"header has 2 columns but the labels file lists 3"),
        ("a,b,c\n,1,x\n3,,4\n5,6,\n", r"row 2, column 3: not a number: 'x'"),
        ("a,b,c\n,1,inf\n3,,4\n5,6,\n", r"non-finite value 'inf'"),
    ],
)
def test_malformed_matrix(tmp_path, body, pattern):
    m, lab = _write_matrix(tmp_path, body)
    with pytest.raises(ts.DataError, match=pattern) as info:
        ts.read_matrix_csv(m, lab)
    assert "trade.csv" in str(info.value)


def test_unknown_and_ambiguous_country(tmp_path):
    m, lab = _write_matrix(tmp_path, "a,b,c\n,1,2\n3,,4\n5,6,\n", "iso3\nUSA\nXYZ\nCAN\n")
    with pytest.raises(ts.CountryCodeError, match=r"labels.csv: row 3: unknown country 'XYZ'"):
        ts.read_matrix_csv(m, lab)
    lab.write_text("iso3\nUSA\nKorea\nCAN\n")
    with pytest.raises(ts.CountryCodeError, match=r"ambiguous country 'Korea'.*KOR"):
        ts.read_matrix_csv(m, lab)


def test_duplicated_flow_in_long_csv(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("exporter,importer,sector,value\nMEX,USA,x,1\nUSA,MEX,x,2\nMexico,USA,x,3\n")
    with pytest.raises(ts.DataError, match=r"f.csv: row 4: duplicated flow \(MEX, USA, x\), first seen in row 2"):
        ts.read_long_csv(p)


def test_negative_value_in_long_csv(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("exporter,importer,value\nMEX,USA,1\nUSA,MEX,-2\n")
    with pytest.raises(ts.DataError, match=r"row 3, column 'value': negative value -2"):
        ts.read_long_csv(p)


def test_missing_gdp(tmp_path):
    g = tmp_path / "gdp.csv"
    g.write_text("gdp\n27e12\n\n2.1e12\n")
    with pytest.raises(ts.DataError, match=r"gdp.csv: row 3, column 'gdp': missing or non-positive GDP for MEX"):
        ts.read_matrix_csv(MATRIX / "trade.csv", MATRIX / "labels.csv", g)
    g.write_text("gdp\n27e12\n2.1e12\n")
    with pytest.raises(ts.DataError, match=r"2 GDP rows for 3 countries"):
        ts.read_matrix_csv(MATRIX / "trade.csv", MATRIX / "labels.csv", g)


def test_wrong_units_detected_against_gdp():
    # the fixture is in millions; declaring it as USD makes exports a millionth of what they are
    with pytest.raises(ts.DataError, match=r"units: exports are .* of GDP at the median.*not in 'USD'"):
        ts.read_matrix_csv(MATRIX / "trade.csv", MATRIX / "labels.csv", MATRIX / "gdp.csv", units="USD")


def test_tradedata_validates_arrays():
    with pytest.raises(ts.DataError, match="expected \\(exporter, importer, sector\\) = \\(2, 2, 1\\)"):
        ts.TradeData(countries=("A", "B"), sectors=("s",), values=np.ones((3, 3, 1)))
    with pytest.raises(ts.DataError, match="non-finite trade value"):
        ts.TradeData(countries=("A", "B"), sectors=("s",), values=np.array([[[0.0], [np.nan]], [[1.0], [0.0]]]))
    with pytest.raises(ts.DataError, match=r"tariff 25.0 outside \[0, 10\]"):
        ts.TradeData(countries=("A", "B"), sectors=("s",), values=np.ones((2, 2, 1)), tariffs=25.0)
    with pytest.raises(ts.DataError, match="duplicated country 'A'"):
        ts.TradeData(countries=("A", "A"), sectors=("s",), values=np.ones((2, 2, 1)))


def test_unknown_country_in_dataset_lists_codes():
    with pytest.raises(ts.CountryCodeError, match="'BRA' is not in dataset 'default'; it has USA, MEX"):
        ts.load_dataset().index("BRA")


# ----------------------------------------------------------------------------- CLI


def test_cli_data_info_json(capsys):
    assert cli_main(["data", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["countries"][:2] == ["USA", "MEX"]
    assert info["exports_usd"]["MEX"] > 0 and info["sources"]


@pytest.mark.parametrize(
    "body, labels, needle",
    [
        ("a,b,c\n,1,2\n-3,,4\n5,6,\n", None, "negative trade value -3"),
        ("a,b,c\n,1,2\n3,,4\n5,6,\n", "iso3\nUSA\nXYZ\nCAN\n", "unknown country 'XYZ'"),
        ("a,b,c\n,1,2\n3,,4,1\n5,6,\n", None, "ragged matrix"),
    ],
)
def test_cli_malformed_inputs_exit_2_one_line(tmp_path, capsys, body, labels, needle):
    m, lab = _write_matrix(tmp_path, body, labels)
    rc = cli_main(["data", "info", "--matrix", str(m), "--labels", str(lab)])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("tariffsim: error: ") and needle in err
    assert "Traceback" not in err


def test_flows_frame_matches_array():
    d = ts.load_dataset()
    f = d.flows(nonzero=False)
    assert len(f) == d.values.size
    piv = f.pivot_table(index="exporter", columns="importer", values="value_usd", aggfunc="sum")
    np.testing.assert_allclose(piv.loc[list(d.countries), list(d.countries)].to_numpy(), d.values.sum(axis=2))
    assert isinstance(f, pd.DataFrame)


def test_the_shipped_dataset_read_without_pandas_equals_its_tables():
    """load_dataset reads flows.csv and gdp.csv with the standard library (a run needs no pandas):
    every value, tariff and GDP equals the tables as pandas reads them."""
    from tariffsim.inputs.datasets import data_file

    d = ts.load_dataset("default")
    root = data_file("datasets", "default")
    with root.joinpath("flows.csv").open("r", encoding="utf-8") as fh:
        flows = pd.read_csv(fh, keep_default_na=False)
    with root.joinpath("gdp.csv").open("r", encoding="utf-8") as fh:
        gdp = pd.read_csv(fh, keep_default_na=False)
    i = flows["exporter"].map(d.countries.index).to_numpy()
    j = flows["importer"].map(d.countries.index).to_numpy()
    s = flows["sector"].map(d.sectors.index).to_numpy()
    np.testing.assert_array_equal(d.values[i, j, s], flows["value_usd"].to_numpy(dtype=float))
    np.testing.assert_array_equal(d.tariffs[i, j, s], flows["tariff"].to_numpy(dtype=float))
    assert np.count_nonzero(d.values) == np.count_nonzero(flows["value_usd"].to_numpy(dtype=float))
    np.testing.assert_array_equal(d.gdp, gdp.set_index("country").loc[list(d.countries), "gdp_usd"].to_numpy(float))
