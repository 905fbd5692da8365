"""Parity of the Athena and DuckDB builds (lakehouse/parity.py), on DuckDB: the Athena
side as GetQueryResults gives it (Athena's column types, values as text), compared by
key or as whole rows with the PR check's diff. Values swapped between rows, a retyped
column and a mart built on one side only are differences; summation noise is not."""

from __future__ import annotations

import duckdb
import pytest

from lakehouse.parity import athena_type_name, compare, load_athena_result, only_one_side

COLUMNS = [
    {"Name": "order_id", "Type": "varchar"},
    {"Name": "purchased_on", "Type": "date"},
    {"Name": "total_brl", "Type": "decimal", "Precision": 12, "Scale": 2},
    {"Name": "share", "Type": "double"},
]
ROWS = [
    ["o1", "2018-01-01", "10.50", "0.1"],
    ["o2", "2018-01-02", "20.00", "0.2"],
    ["o3", None, "30.25", "0.7000000000000001"],  # a sum in another order
]


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(
        "create table mart as select * from (values "
        "('o1', date '2018-01-01', 10.50::decimal(12,2), 0.1::double), "
        "('o2', date '2018-01-02', 20.00::decimal(12,2), 0.2::double), "
        "('o3', null, 30.25::decimal(12,2), 0.7::double)) t(order_id, purchased_on, total_brl, share)"
    )
    yield con
    con.close()


@pytest.mark.parametrize("key", [["order_id"], None], ids=["by key", "whole rows"])
def test_equal_builds_are_equal_with_athenas_types(con, key):
    athena = load_athena_result(con, "mart", COLUMNS, ROWS)
    types = {c["Name"]: athena_type_name(c) for c in COLUMNS}
    result = compare(con, "mart", "mart", athena, key, types)
    assert result.equal, result.differences
    assert result.key == key and (result.rows_duckdb, result.rows_athena) == (3, 3)
    assert result.types["purchased_on"] == {"duckdb": "DATE", "athena": "date"}
    assert result.types["total_brl"]["athena"] == "decimal(12,2)"


def test_an_array_athena_prints_equals_duckdbs_list(con):
    """Athena names an array column `array` and prints `[1, 2]`; DuckDB holds a list."""
    con.execute("create table paths as select * from (values (1, [1, 2]), (2, [3])) t(id, path)")
    columns = [{"Name": "id", "Type": "integer"}, {"Name": "path", "Type": "array"}]
    athena = load_athena_result(con, "paths", columns, [["1", "[1, 2]"], ["2", "[3]"]])
    types = {c["Name"]: athena_type_name(c) for c in columns}
    assert compare(con, "paths", "paths", athena, ["id"], types).equal
    other = load_athena_result(con, "paths", columns, [["1", "[1, 2]"], ["2", "[4]"]])
    assert not compare(con, "paths", "paths", other, None, types).equal


@pytest.mark.parametrize("key", [["order_id"], None], ids=["by key", "whole rows"])
def test_values_swapped_between_rows_are_a_difference(con, key):
    """Each column holds the same values on both sides, in other rows: a comparison of
    sorted columns would pass; parity must not."""
    swapped = [list(r) for r in ROWS]
    swapped[0][2], swapped[1][2] = swapped[1][2], swapped[0][2]
    athena = load_athena_result(con, "mart", COLUMNS, swapped)
    result = compare(con, "mart", "mart", athena, key)
    assert not result.equal
    if key:
        assert result.differences == [
            "mart.total_brl: 2 values differ by key, first at o1: DuckDB 10.50 vs Athena 20.00"
        ]
    else:
        assert result.differences == ["mart: 4 whole rows differ (as multisets)"]


def test_a_column_of_another_type_and_a_missing_one_are_differences(con):
    retyped = [dict(c, Type="varchar") if c["Name"] == "purchased_on" else c for c in COLUMNS]
    athena = load_athena_result(con, "mart", retyped[:3], [r[:3] for r in ROWS])
    result = compare(con, "mart", "mart", athena, ["order_id"])
    assert "mart.purchased_on: DATE on DuckDB, VARCHAR on Athena" in result.differences
    assert "mart.share: only in DuckDB's build" in result.differences
    assert not only_one_side("mart", "Athena").equal


def test_a_missing_row_is_a_difference(con):
    athena = load_athena_result(con, "mart", COLUMNS, ROWS[:2])
    result = compare(con, "mart", "mart", athena, ["order_id"])
    assert result.differences == [
        "mart: 3 rows on DuckDB, 2 on Athena",
        "mart: 1 keys only on DuckDB, 0 only on Athena",
    ]
