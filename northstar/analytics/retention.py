"""Transforms behind the Retention page: breakdown labels, cohort matrices, churn reasons."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from northstar.analytics.display import measure_columns
from northstar.analytics.links import account_links
from northstar.analytics.metrics import format_usd
from northstar.analytics.periods import PeriodWindow
from northstar.data import rules
from northstar.data.months import add_months, month_label

BREAKDOWN_DIMENSIONS: dict[str, str] = {
    "segment": "Segment",
    "region": "Region",
    "plan": "Plan",
    "tenure_band": "Tenure",
    "acquisition_channel": "Acquisition channel",
}
COHORT_GRAINS: dict[str, str] = {"month": "Start month", "quarter": "Start quarter"}
COHORT_MEASURES: dict[str, str] = {
    "logo_retention_pct": "Logo retention",
    "revenue_retention_pct": "Revenue retention",
}


def period_bounds(window: PeriodWindow) -> dict[str, object]:
    """The opening month (just before the period) and the closing month, as query parameters."""
    return {
        "opening_month": window.opening_month,
        "closing_month": window.end_month,
    }


def cohort_label(cohort_start: pd.Timestamp, grain: str) -> str:
    if grain == "quarter":
        return f"Q{(cohort_start.month - 1) // 3 + 1} {cohort_start.year}"
    return cohort_start.strftime("%b %Y")


def cohort_matrix(frame: pd.DataFrame, measure: str, grain: str) -> pd.DataFrame:
    """Cohorts (rows, labelled with their size) × age (columns) of the chosen measure."""
    if frame.empty:
        return pd.DataFrame()
    labelled = frame.assign(
        cohort=[
            f"{cohort_label(pd.Timestamp(start), grain)} (n={size:,})"
            for start, size in zip(frame["cohort_start"], frame["cohort_size"], strict=True)
        ]
    )
    matrix = labelled.pivot_table(index="cohort", columns="age", values=measure, aggfunc="first")
    order = labelled.drop_duplicates("cohort").sort_values("cohort_start")["cohort"]
    return matrix.reindex(order)


def reasons_for_period(frame: pd.DataFrame, window_end_month: object, by: str,
                       measure: str = "churned_arr_usd") -> pd.DataFrame:
    """Churned accounts and ARR by reason or competitor in one window, largest `measure`
    (churned ARR, or churned accounts in data without revenue) first."""
    rows = frame.loc[pd.to_datetime(frame["window_end_month"]) == pd.Timestamp(window_end_month)]
    if by == "lost_to_competitor":
        rows = rows.loc[rows["lost_to_competitor"] != "None named"]
    grouped = (
        rows.groupby(by, as_index=False)[["churned_accounts", "churned_arr_usd"]]
        .sum()
        .sort_values([measure, by], ascending=[False, True])
    )
    return grouped.reset_index(drop=True)


def quarter_ends(last_month: dt.date, first_month: dt.date) -> list[dt.date]:
    """Last months of the complete calendar quarters whose month before is in the data."""
    end = add_months(last_month, -(last_month.month % 3))  # last complete quarter's last month
    quarters = []
    while add_months(end, -3) >= first_month:
        quarters.append(end)
        end = add_months(end, -3)
    return sorted(quarters)


def reasons_by_quarter(frame: pd.DataFrame, measure: str = "churned_arr_usd") -> pd.DataFrame:
    """Churned ARR (or accounts) per quarter and reason, reasons ordered by their total of
    `measure` (largest first)."""
    quarterly = frame.groupby(["window_end_month", "churn_reason"], as_index=False)[
        ["churned_accounts", "churned_arr_usd"]
    ].sum()
    quarterly["quarter"] = [
        cohort_label(pd.Timestamp(end) - pd.DateOffset(months=2), "quarter")
        for end in quarterly["window_end_month"]
    ]
    order = (
        quarterly.groupby("churn_reason")[measure]
        .sum()
        .sort_values(ascending=False)
        .index
    )
    quarterly["churn_reason"] = pd.Categorical(quarterly["churn_reason"], categories=order)
    return quarterly.sort_values(["churn_reason", "window_end_month"]).reset_index(drop=True)


def quarters_note(trend: pd.DataFrame, period_arr_usd: float, period_months: int) -> str:
    """Why the quarterly bars need not add up to the period's churned ARR: each quarter counts
    the accounts active just before it, at their ARR then, so an account that joined and left
    inside the period counts in its quarter only, and calendar quarters have their own edges."""
    ends = sorted(trend["window_end_month"].unique())
    count = max(1, period_months // 3)
    last = trend.loc[trend["window_end_month"].isin(ends[-count:])]
    labels = list(dict.fromkeys(last.sort_values("window_end_month")["quarter"]))
    span = labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"
    total = float(last["churned_arr_usd"].sum())
    return (f"Each quarter counts the accounts active just before it that churned in it, at "
            f"their ARR then. The last {count} quarter{'s' if count != 1 else ''} ({span}) add up "
            f"to {format_usd(total)} against the period's {format_usd(period_arr_usd)}: an "
            "account that joined and left within the period, or grew before it left, counts in "
            "its quarter but not in the period, and calendar quarters need not match the "
            "period's months.")


TREND_MEASURES: dict[str, str] = {
    "NRR": "nrr_pct",
    "GRR": "grr_pct",
    "Logo retention": "logo_retention_pct",
}


def retention_trend(monthly: pd.DataFrame, trailing: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Long frame (window_end_month, series, value_pct) of a retention measure, monthly and TTM."""
    column = TREND_MEASURES[measure]
    parts = []
    for frame, series in ((monthly, "Monthly"), (trailing, "Trailing 12 months")):
        values = 100 - frame["logo_churn_pct"] if column == "logo_retention_pct" else frame[column]
        parts.append(
            pd.DataFrame(
                {
                    "window_end_month": frame["window_end_month"],
                    "series": series,
                    "value_pct": values,
                }
            )
        )
    return pd.concat(parts, ignore_index=True).dropna(subset=["value_pct"])


def breakdown_table(frame: pd.DataFrame, label: str, revenue: bool = True) -> pd.DataFrame:
    """The breakdown with human column names, in display order: ARR lost first, or, in data
    without revenue (no dollar columns), churned accounts first."""
    ordered = frame.sort_values(
        ["lost_arr_usd" if revenue else "churned_accounts", "dimension_value"],
        ascending=[False, True],
    ).reset_index(drop=True)
    columns = {
        label: ordered["dimension_value"],
        "Accounts at start": ordered["opening_accounts"],
        "Churned": ordered["churned_accounts"],
        **measure_columns(ordered, "logo_churn_pct"),
    }
    if revenue:
        columns |= {
            **measure_columns(ordered, "starting_arr_usd"),
            "ARR lost": ordered["lost_arr_usd"],
            **measure_columns(ordered, "nrr_pct", "grr_pct"),
        }
    return pd.DataFrame(columns)


# --- the accounts behind the bridge -----------------------------------------------------------

# each step of the revenue bridge, as the retention_accounts query names it -> in words
MOVEMENTS = {"churn": "Churned", "contraction": "Contracted", "expansion": "Expanded",
             "new": "New"}
MOVEMENT_WORDS = {"churn": "churned", "contraction": "contracted", "expansion": "expanded",
                  "new": "started"}
# the movements of data without revenue: accounts start and churn, none grows or shrinks
LOGO_MOVEMENTS = {key: MOVEMENTS[key] for key in ("churn", "new")}


def movement_caption(frame: pd.DataFrame, movement: str, limit: int | None = None,
                     revenue: bool = True) -> str:
    """'2,431 accounts churned in the period: −$38.8M of ARR, the bridge's churn step (and the
    logo churn's churned accounts); the N largest changes are listed' (`limit`, the list's
    cap: rules.LIST_LIMIT unless given). In data without revenue, the count alone."""
    if limit is None:
        limit = rules.LIST_LIMIT
    if frame.empty:
        return f"No account {MOVEMENT_WORDS[movement]} in the period."
    count = int(frame["movement_accounts"].iloc[0])
    accounts = f"{count:,} account{'s' if count != 1 else ''} {MOVEMENT_WORDS[movement]}"
    if not revenue:
        listed = "all are listed" if count <= limit else f"the first {limit:,} are listed"
        churned = ", the churned accounts of logo churn" if movement == "churn" else ""
        return f"{accounts} in the period{churned}; {listed}."
    change = float(frame["movement_arr_change_usd"].iloc[0])
    step = f"the bridge's {movement} step"
    if movement == "churn":
        step += " and the churned accounts of logo churn"
    listed = ("all are listed" if count <= limit
              else f"the {limit:,} largest changes are listed")
    sign = "+" if change >= 0 else "−"
    dated = (" An account churned on the last day of its last billed month, so one gone from the "
             "period's first month shows the day before it." if movement == "churn" else "")
    return (f"{accounts} in the period: {sign}{format_usd(abs(change))} of ARR, {step}; "
            f"{listed}.{dated}")


def movement_table(frame: pd.DataFrame, revenue: bool = True) -> pd.DataFrame:
    """The accounts behind one step of the bridge, largest change first, each linked to its
    360 view (without the ARR columns in data without revenue)."""
    columns = {"Account": account_links(frame)}
    if revenue:
        columns |= {
            "ARR then": frame["arr_then_usd"],
            "ARR now": frame["arr_now_usd"],
            "ARR change": frame["arr_change_usd"],
        }
    columns |= {
        "Segment": frame["segment"],
        "Churned on": frame["churned_on"],
        "Churn reason": frame["churn_reason"],
    }
    return pd.DataFrame(columns)


def window_row(period: pd.DataFrame, end_month: dt.date) -> pd.Series | None:
    """The kpi_windows row of the window ending `end_month`; None when no account was active
    at its start."""
    rows = period.loc[pd.to_datetime(period["window_end_month"]).dt.date == end_month]
    if rows.empty or rows["opening_accounts"].iloc[0] == 0:
        return None
    return rows.iloc[0]


def bridge_caption(window: PeriodWindow) -> str:
    return (f"{month_label(window.opening_month)} → {month_label(window.end_month)}. Starting + "
            "new + expansion − contraction − churn = ending ARR.")


def logo_churn_caption(row: pd.Series, window: PeriodWindow) -> str:
    """In data without revenue, in place of the bridge: the accounts behind the logo churn."""
    return (f"{int(row['churned_accounts']):,} of {int(row['opening_accounts']):,} accounts that "
            f"were customers in {month_label(window.opening_month)} had churned by "
            f"{month_label(window.end_month)}; {int(row['active_accounts']):,} accounts are "
            "customers at its end.")


def churned_arr(frame: pd.DataFrame, revenue: bool = True) -> float:
    """The ARR the period's churn took (0 without revenue)."""
    return float(frame["churned_arr_usd"].sum()) if revenue and len(frame) else 0.0


def reasons_caption(frame: pd.DataFrame, period_label: str, revenue: bool = True) -> str:
    """The period's churned accounts (and their ARR) over the churn_reasons rows."""
    accounts = int(frame["churned_accounts"].sum()) if len(frame) else 0
    if not revenue:
        return f"{accounts:,} accounts churned in the period ({period_label})."
    return (f"{accounts:,} accounts churned in the period ({period_label}), taking "
            f"{format_usd(churned_arr(frame))} of ARR (their ARR just before the period, as in "
            "the bridge).")


def reasons_hover(frame: pd.DataFrame, revenue: bool = True) -> list[str] | None:
    """'$1.2M · 12 accounts' per bar; None without revenue (the bars count accounts)."""
    if not revenue:
        return None
    return [f"{format_usd(arr)} · {accounts:,} accounts" for arr, accounts in zip(
        frame["churned_arr_usd"], frame["churned_accounts"], strict=True)]


def competitors_caption(by_competitor: pd.DataFrame, revenue: bool = True) -> str:
    in_all = (format_usd(float(by_competitor["churned_arr_usd"].sum())) if revenue
              else f"{int(by_competitor['churned_accounts'].sum()):,} accounts")
    return (f"{in_all} in all: a competitor is also named by accounts that left for another "
            "reason (missing features, say), so this can exceed “Switched to competitor”.")


def months_of(frame: pd.DataFrame) -> list[dt.date]:
    """The months of a revenue_months (or customer_months) result, as dates."""
    return [pd.Timestamp(month).date() for month in frame["month"]]


def cohort_caption(unit: str, revenue: bool = True) -> str:
    """How to read the cohort matrix; `unit`: its columns' 'quarters' or 'months'."""
    if revenue:
        return (f"Rows: accounts grouped by when they started (n = cohort size). Columns: {unit} "
                "since start. Logo retention: members still paying ÷ cohort size; revenue "
                "retention: their MRR ÷ the cohort's starting MRR (can exceed 100%).")
    return (f"Rows: accounts grouped by their start date (n = cohort size). Columns: {unit} "
            "since start. Logo retention: members still customers (not yet past their churn "
            "date) ÷ cohort size.")
