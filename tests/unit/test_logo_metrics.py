"""Logo metrics without money: a bank's customer table (one row per customer, a tenure in years
and an exited flag, no charge and no dates) loads without revenue, and logo churn, cohorts and
survival come from the accounts' own dates. The figures equal pandas computed on the file."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from northstar.data.importer.run import main
from northstar.ui.page_queries import execute

ALL = {"segments": [], "regions": [], "plans": []}
AS_OF = dt.date(2026, 10, 31)
# the public table's countries (share of customers) and the share of each that left
COUNTRIES = {"France": (0.501, 0.162), "Germany": (0.251, 0.324), "Spain": (0.248, 0.167)}
SURNAMES = ["Hargrave", "Hill", "Onio", "Boni", "Mitchell", "Chu", "Bartlett", "Obinna", "He",
            "H?", "Bearce", "Andrews", "Kay", "Chin", "Scott", "Goforth", "Romeo", "Henderson",
            "Muldrow", "Hao", "McDonald", "Dellucci", "Gerasimov", "Mosman", "Yen", "Maclean"]


def bank_churn_table(rows: int = 2000, seed: int = 11) -> pd.DataFrame:
    """A small copy of the public bank customer churn table: same columns, value ranges and
    shares (a fifth of customers exited, Germany about twice as often; inactive members more
    often), with no charge and no date."""
    rng = random.Random(seed)
    records = []
    for index in range(rows):
        country = rng.choices(list(COUNTRIES), [share for share, _ in COUNTRIES.values()])[0]
        active = rng.random() < 0.515
        exit_rate = COUNTRIES[country][1] * (0.7 if active else 1.3)
        tenure = rng.choices(range(11), [4] + [10] * 9 + [5])[0]
        balance = 0.0 if rng.random() < 0.36 else max(0.0, rng.gauss(119_800, 30_000))
        records.append({
            "CustomerId": 15_565_701 + 38 * index,
            "Surname": rng.choice(SURNAMES),
            "CreditScore": min(850, max(350, round(rng.gauss(650, 97)))),
            "Geography": country,
            "Gender": "Male" if rng.random() < 0.546 else "Female",
            "Age": min(92, max(18, round(rng.gauss(38.9, 10.5)))),
            "Tenure": tenure,
            "Balance": f"{balance:.2f}",
            "NumOfProducts": rng.choices([1, 2, 3, 4], [508, 459, 27, 6])[0],
            "IsActiveMember": int(active),
            "EstimatedSalary": f"{rng.uniform(11.58, 199_992.48):.2f}",
            "Exited": int(rng.random() < exit_rate),
        })
    return pd.DataFrame(records)


# the snapshot was taken on the as-of date (as_of_date()): one that exited was a customer
# through the end of the month before, and a customer started Tenure years before that
BANK_MAPPING = """\
[load]
as_of = "2026-10-31"

[accounts]
file = "bank_churn.csv"

[accounts.columns]
account_id = "CustomerId"
account_name = "Surname"
region = "Geography"
segment = "case when NumOfProducts::integer = 1 then 'One product' else 'Several products' end"
start_date = "last_day(as_of_date() - interval 1 month) - to_years(Tenure::integer)"
churn_date = "case when Exited::integer = 1 then last_day(as_of_date() - interval 1 month) end"

[accounts.attributes]
"Active member" = "case when IsActiveMember::integer = 1 then 'Yes' else 'No' end"
"""


def load_bank(folder: Path, table: pd.DataFrame) -> Path:
    table.to_csv(folder / "bank_churn.csv", index=False)
    (folder / "mapping.toml").write_text(BANK_MAPPING)
    db = folder / "northstar.duckdb"
    assert main([str(folder), "--mapping", str(folder / "mapping.toml"), "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def bank_db(tmp_path_factory) -> Path:
    return load_bank(tmp_path_factory.mktemp("bank"), bank_churn_table())


def kpis(db: Path, months: int, **filters) -> pd.Series:
    frame = execute("kpi_windows", {**ALL, **filters, "end_months": [dt.date(2026, 10, 1)],
                                    "window_months": months}, db)
    return frame.iloc[0]


def test_the_copy_is_faithful_to_the_public_table():
    table = bank_churn_table()
    rates = table.groupby("Geography")["Exited"].mean()
    assert 0.17 < table["Exited"].mean() < 0.23
    assert rates["Germany"] > 1.6 * max(rates["France"], rates["Spain"])
    assert set(table["Tenure"]) == set(range(11)) and set(table["NumOfProducts"]) == {1, 2, 3, 4}


@pytest.mark.parametrize("months", [1, 3, 12])
def test_logo_churn_without_revenue_equals_pandas(bank_db, months):
    table = bank_churn_table()
    # a customer since the end of September, Tenure years ago: one that started by the opening
    # month (the month before the window) and exited is churned in the window
    opening = table[table["Tenure"] * 12 >= months - 1]
    left = opening[opening["Exited"] == 1]
    shown = kpis(bank_db, months)
    assert shown["opening_accounts"] == len(opening)
    assert shown["churned_accounts"] == len(left)
    assert shown["logo_churn_pct"] == pytest.approx(100 * len(left) / len(opening))
    assert shown["active_accounts"] == (table["Exited"] == 0).sum()
    # no dollar figure is made up: the tallies hold none
    assert pd.isna(shown["nrr_pct"]) and pd.isna(shown["grr_pct"])


def test_logo_churn_by_region_without_revenue(bank_db):
    table = bank_churn_table()
    opening = table[table["Tenure"] >= 1]
    for country, group in opening.groupby("Geography"):
        shown = kpis(bank_db, 12, regions=[country])
        assert shown["logo_churn_pct"] == pytest.approx(100 * group["Exited"].mean())


def test_cohorts_and_survival_without_revenue(bank_db):
    table = bank_churn_table()
    frame = execute("cohort_retention", {**ALL, "cohort_grain": "month"}, bank_db)
    # a cohort per tenure: the customers who started at the end of September, Tenure years ago
    starts = frame.loc[frame["age"] == 0].set_index("cohort_start")["cohort_size"]
    expected = table.groupby("Tenure").size()
    assert {start.year: size for start, size in starts.items()} == {
        2026 - tenure: size for tenure, size in expected.items()}
    # at the as-of month the exited are gone: logo retention = the share that stayed
    for tenure, group in table.groupby("Tenure"):
        cohort = frame.loc[frame["cohort_start"] == pd.Timestamp(2026 - tenure, 9, 1)]
        last = cohort.loc[cohort["age"] == cohort["age"].max()].iloc[0]
        assert last["logo_retention_pct"] == pytest.approx(100 * (1 - group["Exited"].mean()))
        assert pd.isna(last["revenue_retention_pct"])
    survival = execute("survival_by_segment", ALL, bank_db)
    assert set(survival["segment"]) == {"One product", "Several products"}
    assert survival["surviving_pct"].between(0, 100).all()


def test_churn_reasons_without_revenue_count_accounts(bank_db):
    table = bank_churn_table()
    reasons = execute("churn_reasons", {**ALL, "end_months": [dt.date(2026, 10, 1)],
                                        "window_months": 12}, bank_db)
    assert reasons["churned_accounts"].sum() == (
        (table["Exited"] == 1) & (table["Tenure"] >= 1)).sum()
    assert reasons["churned_arr_usd"].isna().all()


SURVEY_MAPPING = """
[survey_responses]
file = "nps.csv"

[survey_responses.columns]
response_id = "AnswerId"
account_id = "CustomerId"
survey_type = "'NPS'"
program = "'relationship'"
score = "Score"
"""


def test_survey_answers_without_a_date_take_the_as_of_date(tmp_path, capsys):
    table = bank_churn_table(300)
    rng = random.Random(3)
    answers = pd.DataFrame({
        "AnswerId": [f"N{n:04d}" for n in range(250)],
        "CustomerId": [rng.choice(list(table["CustomerId"])) for _ in range(250)],
        "Score": [rng.randint(0, 10) for _ in range(250)]})
    answers.to_csv(tmp_path / "nps.csv", index=False)
    table.to_csv(tmp_path / "bank_churn.csv", index=False)
    (tmp_path / "mapping.toml").write_text(BANK_MAPPING + SURVEY_MAPPING)
    db = tmp_path / "northstar.duckdb"
    assert main([str(tmp_path), "--mapping", str(tmp_path / "mapping.toml"), "--db",
                 str(db)]) == 0
    assert ("survey_responses: no answer date (responded_on) mapped; 250 answers dated "
            "2026-10-31, the as-of date") in capsys.readouterr().err
    shown = kpis(db, 1)
    promoters, detractors = (answers["Score"] >= 9).sum(), (answers["Score"] <= 6).sum()
    assert shown["nps_responses"] == len(answers)
    assert shown["nps"] == pytest.approx(100 * (promoters - detractors) / len(answers))


def test_a_snapshot_takes_its_dates_from_the_as_of_date(tmp_path, capsys):
    table = bank_churn_table(200)
    db = load_bank(tmp_path, table)
    assert ("accounts: dates computed from the as-of date 2026-10-31 (as_of_date() in the "
            "mapping)") in capsys.readouterr().err
    with duckdb.connect(str(db), read_only=True) as con:
        dates = dict(con.execute("select account_id, start_date from accounts").fetchall())
    assert {int(account): day for account, day in dates.items()} == {
        row.CustomerId: dt.date(2026 - row.Tenure, 9, 30) for row in table.itertuples()}


def test_a_snapshot_without_an_as_of_date_is_refused_with_a_reason(tmp_path, capsys):
    bank_churn_table(50).to_csv(tmp_path / "bank_churn.csv", index=False)
    mapping = BANK_MAPPING.replace('[load]\nas_of = "2026-10-31"\n', "")
    (tmp_path / "mapping.toml").write_text(mapping)
    code = main([str(tmp_path), "--mapping", str(tmp_path / "mapping.toml"), "--db",
                 str(tmp_path / "northstar.duckdb")])
    assert code == 2
    assert ("[accounts] column start_date: as_of_date() needs the as-of date: set as_of in "
            "[load] or pass --as-of") in capsys.readouterr().err


def test_breakdown_and_accounts_behind_logo_churn_without_revenue(bank_db):
    table = bank_churn_table()
    opening = table[table["Tenure"] >= 1]
    bounds = {**ALL, "opening_month": dt.date(2025, 10, 1), "closing_month": dt.date(2026, 10, 1)}
    by_region = execute("retention_breakdown", {**bounds, "dimension": "region"}, bank_db)
    shown = by_region.set_index("dimension_value")
    for country, group in opening.groupby("Geography"):
        assert shown.loc[country, "opening_accounts"] == len(group)
        assert shown.loc[country, "churned_accounts"] == group["Exited"].sum()
    assert shown["starting_arr_usd"].isna().all() and shown["nrr_pct"].isna().all()
    churned = execute("retention_accounts", {**bounds, "movement": "churn", "limit": 5000},
                      bank_db)
    assert sorted(churned["account_id"].astype(int)) == sorted(
        opening.loc[opening["Exited"] == 1, "CustomerId"])
    assert churned["arr_change_usd"].isna().all()
    started = execute("retention_accounts", {**bounds, "movement": "new", "limit": 5000},
                      bank_db)
    # started in the period and still a customer at its end (one that started and left inside
    # the period is neither new at the end nor churned from the start, as with revenue)
    assert len(started) == ((table["Tenure"] == 0) & (table["Exited"] == 0)).sum()
