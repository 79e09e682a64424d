"""Derived tables, checked on the hand-made fixture."""

from __future__ import annotations

import datetime as dt

from tests.unit import fixtures

D = dt.date


def test_account_month_snapshots_classify_every_movement(empty_db):
    con, _ = empty_db
    fixtures.load(con)  # as of 2026-03-31, rollups built
    rows = {
        (account, month): (mrr, previous, movement)
        for account, month, mrr, previous, movement in con.execute(
            "select account_id, month, mrr_usd, previous_mrr_usd, movement "
            "from account_month_snapshots"
        ).fetchall()
    }
    # A1 started Jan 2024, first billed month in the data is Dec 2025: an opening balance
    assert rows[("A1", D(2025, 12, 1))] == (100, 0, "opening")
    assert rows[("A1", D(2026, 2, 1))] == (120, 100, "expansion")
    assert rows[("A1", D(2026, 3, 1))] == (150, 120, "expansion")
    assert rows[("A2", D(2026, 2, 1))] == (900, 1000, "contraction")
    # A3 last billed Jan 2026: Feb is its churn month, and nothing after it
    assert rows[("A3", D(2026, 2, 1))] == (0, 50, "churn")
    assert ("A3", D(2026, 3, 1)) not in rows
    # A4 started Feb 2026: new
    assert rows[("A4", D(2026, 2, 1))] == (200, 0, "new")
    assert rows[("A5", D(2026, 1, 1))] == (300, 300, "flat")
    # active accounts never get a row past the data's last month
    assert max(month for _, month in rows) == D(2026, 3, 1)
    # segment and cohort come along for slicing
    segment, cohort = con.execute(
        "select segment, cohort_month from account_month_snapshots where account_id = 'A4' limit 1"
    ).fetchone()
    assert (segment, cohort) == ("Mid-Market", D(2026, 2, 1))


def test_rollups_record_the_schema_fingerprint(empty_db):
    from northstar.data.db.rollups import schema_fingerprint

    con, _ = empty_db
    fixtures.load(con)
    stored = con.execute(
        "select value from dataset_metadata where key = 'schema_fingerprint'"
    ).fetchone()[0]
    assert stored == schema_fingerprint()


def test_the_exposures_only_pass_gives_the_full_rollups_exposures(demo_db, tmp_path):
    """build_exposures (the demo's pass before churn is drawn: snapshots unsorted, signals a
    view) gives exactly the exposures the full rollups store, and leaves them rebuildable."""
    import shutil

    import duckdb

    from northstar.data.db.rollups import EXPOSURES_ONLY, build_exposures, exposure_sql

    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("create table full_exposures as select * from account_driver_exposures")
        for name, (old, new) in EXPOSURES_ONLY.items():
            assert new in exposure_sql(name) and old not in exposure_sql(name)
        build_exposures(con)
        rows = con.execute("select count(*) from account_driver_exposures").fetchone()[0]
        differ = con.execute(
            "select count(*) from ((select * from account_driver_exposures except all "
            "select * from full_exposures) union all (select * from full_exposures except all "
            "select * from account_driver_exposures))").fetchone()[0]
        views = con.execute("select count(*) from duckdb_views() "
                            "where view_name = 'account_month_signals'").fetchone()[0]
    finally:
        con.close()
    assert rows > 1000 and differ == 0 and views == 0
