"""Renewals' figures on a hand-computed fixture: the windows, the months, ARR up for renewal
and expected to renew with its range, the table and the starting title of an action."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from northstar.analytics import renewals, risk

AS_OF = dt.date(2026, 10, 31)


def fixture() -> pd.DataFrame:
    """Five accounts; the chances (and their 95% ranges) in percent.

    A renews in 10 days, B in 76, C in 180 (the last day of the longest window), D on the
    as-of date itself without a churn chance, E in 181 days (outside every window)."""
    return pd.DataFrame({
        "account_id": ["A", "B", "C", "D", "E"],
        "account_name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
        "segment": ["SMB", "Enterprise", "SMB", "Mid-Market", "SMB"],
        "renewal_date": pd.to_datetime(["2026-11-10", "2027-01-15", "2027-04-29",
                                        "2026-10-31", "2027-04-30"]),
        "csm_name": ["Ana", "Ben", "Ana", None, "Ben"],
        "csm_employee_id": ["E1", "E2", "E1", None, "E2"],
        "csm_department_id": ["cs", "cs", "cs", None, "cs"],
        "arr_usd": [100_000.0, 200_000.0, 50_000.0, 10_000.0, 1_000_000.0],
        "health_score": [70.0, 40.0, 20.0, None, 55.0],
        "band": ["Healthy", "At risk", "Critical", "Not scored", "Watch"],
        "churn_risk_pct": [10.0, 25.0, 40.0, None, 50.0],
        "churn_risk_low_pct": [5.0, 20.0, 30.0, None, 45.0],
        "churn_risk_high_pct": [20.0, 30.0, 50.0, None, 55.0],
        "reasons": [["poor_onboarding", "slow_support"], [], ["slow_support"], None, []],
    })


def test_each_window_counts_the_renewals_from_the_as_of_date_to_its_last_day():
    thirty, ninety, half_year = renewals.by_window(fixture(), AS_OF)
    assert [window.label for window in (thirty, ninety, half_year)] == [
        "Next 30 days", "Next 90 days", "Next 180 days"]
    # A and D; B too; C too (day 180 is in); E (day 181) never
    assert [thirty.accounts, ninety.accounts, half_year.accounts] == [2, 3, 4]
    assert [thirty.arr_usd, ninety.arr_usd, half_year.arr_usd] == [110_000, 310_000, 360_000]


def test_arr_expected_to_renew_is_arr_times_one_minus_the_chance_with_its_range():
    thirty, ninety, half_year = renewals.by_window(fixture(), AS_OF)
    # A: 100,000 x 0.90 = 90,000 (range 100,000 x 0.80 to x 0.95); D has no chance
    assert (thirty.expected_usd, thirty.expected_low_usd, thirty.expected_high_usd) == \
        pytest.approx((90_000, 80_000, 95_000))
    assert (thirty.scored_accounts, thirty.unscored_accounts, thirty.scored_arr_usd) == \
        (1, 1, 100_000)
    # + B: 200,000 x 0.75 = 150,000 (140,000 to 160,000)
    assert (ninety.expected_usd, ninety.expected_low_usd, ninety.expected_high_usd) == \
        pytest.approx((240_000, 220_000, 255_000))
    # + C: 50,000 x 0.60 = 30,000 (25,000 to 35,000)
    assert (half_year.expected_usd, half_year.expected_low_usd,
            half_year.expected_high_usd) == pytest.approx((270_000, 245_000, 290_000))
    assert half_year.expected_text() == "$270K (95% range $245K–$290K)"


def test_by_month_in_calendar_order():
    shown = renewals.in_window(fixture(), AS_OF, renewals.LONGEST)
    months = renewals.by_month(shown, AS_OF)
    # the windows cover October from the as-of date and April to day 180 only
    assert [month.label for month in months] == [
        "Oct 2026 (from 31 Oct)", "Nov 2026", "Jan 2027", "Apr 2027 (to 29 Apr)"]
    assert [month.arr_usd for month in months] == [10_000, 100_000, 200_000, 50_000]
    # October's only renewal (D) has no chance: nothing expected, not zero
    assert months[0].expected_usd is None and months[0].expected_text() == "—"
    assert [month.expected_usd for month in months[1:]] == pytest.approx(
        [90_000, 150_000, 30_000])
    assert [month.expected_low_usd for month in months[1:]] == pytest.approx(
        [80_000, 140_000, 25_000])
    assert [month.expected_high_usd for month in months[1:]] == pytest.approx(
        [95_000, 160_000, 35_000])


def test_a_month_label_says_which_part_the_windows_cover():
    assert renewals.month_text(dt.date(2026, 10, 1), dt.date(2026, 10, 15)) == (
        "Oct 2026 (from 15 Oct)")
    # from 1 Oct, day 180 is 30 Mar: March in part, October whole
    assert renewals.month_text(dt.date(2026, 10, 1), dt.date(2026, 10, 1)) == "Oct 2026"
    assert renewals.month_text(dt.date(2027, 3, 1), dt.date(2026, 10, 1)) == (
        "Mar 2027 (to 30 Mar)")
    # from 2 Jan 2026, day 180 is 1 Jul: July from its first day only
    assert renewals.month_text(dt.date(2026, 7, 1), dt.date(2026, 1, 2)) == "Jul 2026 (to 1 Jul)"
    # ending on a month's last day covers it whole: from 1 Nov 2026, day 180 is 30 Apr 2027
    assert renewals.month_text(dt.date(2027, 4, 1), dt.date(2026, 11, 1)) == "Apr 2027"


def test_without_the_model_nothing_is_expected():
    frame = fixture().assign(churn_risk_pct=None, churn_risk_low_pct=None,
                             churn_risk_high_pct=None)
    for window in renewals.by_window(frame, AS_OF):
        assert window.expected_usd is None and window.scored_accounts == 0
    assert renewals.by_window(frame, AS_OF)[-1].arr_usd == 360_000


def test_the_table_with_the_model_and_action_cells():
    frame = renewals.in_window(fixture(), AS_OF, renewals.LONGEST)
    table = renewals.renewals_table(frame, AS_OF, open_actions={"B": 2})
    assert list(table.columns[:4]) == ["Account", "Action", "Renewal", "Window"]
    assert table["Account"].tolist()[0] == "account?account=A#Alpha"
    assert table["Action"].tolist() == ["+ New action", "2 open actions · + new",
                                        "+ New action", "+ New action"]
    assert table["Window"].tolist() == ["Next 30 days", "Next 90 days", "Next 180 days",
                                        "Next 30 days"]
    assert table["ARR expected to renew"].tolist()[:3] == pytest.approx([90_000, 150_000,
                                                                         30_000])
    assert table["95% range"].tolist() == ["5–20%", "20–30%", "30–50%", "—"]
    assert table["Main reasons"].tolist()[1] == risk.NO_REASON
    # without the workspace: a new action is offered, the count is not claimed
    unknown = renewals.renewals_table(frame, AS_OF, open_actions={}, counts_known=False)
    assert set(unknown["Action"]) == {"+ New action · open ones unknown"}
    # a viewer who may not record actions gets no Action column
    assert "Action" not in renewals.renewals_table(frame, AS_OF).columns


def test_the_table_without_the_model_shows_the_segments_observed_churn():
    frame = renewals.in_window(fixture(), AS_OF, renewals.LONGEST)
    observed = renewals.observed_by_segment([
        risk.ObservedChurn(risk.ALL_ACCOUNTS, 1000, 200),
        risk.ObservedChurn("SMB", 400, 100),
    ])
    assert observed["SMB"].startswith("25.0% (95% interval ")
    table = renewals.renewals_table(frame, AS_OF, by_model=False, observed=observed)
    assert not {"Churn risk, 12 months", "95% range", "ARR expected to renew",
                "Main reasons"} & set(table.columns)
    column = table["Observed churn of its segment, 12 months"].tolist()
    # SMB its own; Enterprise and Mid-Market have no row of their own: all accounts'
    assert column[0] == column[2] == observed["SMB"]
    assert column[1] == column[3] == observed[risk.ALL_ACCOUNTS]
    assert observed[risk.ALL_ACCOUNTS].startswith("20.0% (95% interval ")


def test_an_actions_starting_title_names_the_renewal_and_its_reasons():
    rows = fixture()
    assert renewals.action_title(rows.iloc[0]) == (
        "Secure the renewal of 10 Nov 2026: poor onboarding, slow ticket resolution")
    assert renewals.action_title(rows.iloc[1]) == "Secure the renewal of 15 Jan 2027"
    assert renewals.action_title(rows.iloc[3]) == "Secure the renewal of 31 Oct 2026"


def test_what_the_page_says_without_renewal_dates_and_of_its_coverage():
    assert renewals.no_dates_text() == (
        "The loaded data has no renewal dates: every account's `renewal_date` is empty. Load "
        "the CRM's account or contract export with a renewal or contract end date, mapped to "
        "`accounts.renewal_date` (see “The canonical tables” and “The mapping file” in "
        "docs/loading-data.md).")
    assert renewals.coverage_text(1921, 1921, 0) == (
        "1,921 active accounts in the filters, 1,921 with a renewal date.")
    assert renewals.coverage_text(10, 8, 1) == (
        "10 active accounts in the filters, 8 with a renewal date; 1 renewal date is already "
        "past while the account is still billed (not yet updated in the source) and left out.")
