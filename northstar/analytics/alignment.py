"""What the goal alignment page (views/alignment.py) shows: the departments × outcomes grid,
the departments' scores, the quarterly trend and the gaps, from the goal frames."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from northstar.analytics import goals, links
from northstar.analytics.literal_text import literal

MATRIX_CAPTION = (
    "Each cell: the department's KPIs serving that outcome and their status "
    "(✓ on track, ▲ at risk, ✕ off track, – no data). Shade = the share of credit the cell's KPIs "
    "earn (on track 1, at risk ½). The last column holds KPIs that serve no customer outcome."
)


def matrix_grids(statuses: pd.DataFrame, departments: pd.DataFrame, outcomes: pd.DataFrame
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The departments × outcomes grid (rows in the departments' order, the outcomes then the
    KPIs serving none): the share of credit earned in each cell, and the cell's text."""
    matrix = goals.outcome_matrix(statuses, departments, outcomes)
    names = list(departments["department_name"])
    columns = list(outcomes["outcome_name"]) + [goals.NO_OUTCOME]
    shares = matrix.pivot(index="department_name", columns="outcome", values="share_pct")
    texts = (matrix.assign(text=[goals.cell_text(row) for _, row in matrix.iterrows()])
             .pivot(index="department_name", columns="outcome", values="text"))
    return (shares.reindex(index=names, columns=columns),
            texts.reindex(index=names, columns=columns))


def ranked_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """The departments with a score, highest first."""
    return scores.dropna(subset=["score_pct"]).sort_values("score_pct", ascending=False)


def score_hover(ranked: pd.DataFrame) -> list[str]:
    return [f"{row.kpis} KPIs: {row.on_track} on track, {row.at_risk} at risk, "
            f"{row.off_track} off track, {row.no_data} no data" for row in ranked.itertuples()]


def score_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Each department (linked to its scorecard), its score and its KPIs by status."""
    return pd.DataFrame({
        "Department": [links.scorecard_link(department_id, name) for department_id, name in
                       zip(scores["department_id"], scores["department_name"], strict=True)],
        "Alignment score": scores["score_pct"],
        "KPIs": scores["kpis"],
        **{goals.status_text(status): scores[status] for status in goals.STATUS_ORDER},
        "Serving no outcome": scores["serving_no_outcome"],
    })


def quarterly_table(trend: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """goals.quarterly_scores as a grid: a row per department (their order) then Overall, a
    column per quarter."""
    quarters = list(dict.fromkeys(trend["quarter"]))
    present = set(trend["series"])
    return trend.pivot(index="series", columns="quarter", values="score_pct").reindex(
        index=[name for name in [*names, "Overall"] if name in present], columns=quarters)


@dataclass(frozen=True)
class Gaps:
    """What is not aligned: texts (markdown, data escaped) for each gap found, None for none."""

    unaligned_kpis: str | None
    unowned_outcomes: str | None
    departments_without_kpis: str | None


def gaps(statuses: pd.DataFrame, kpis: pd.DataFrame, outcomes: pd.DataFrame,
         scores: pd.DataFrame) -> Gaps:
    unaligned = statuses.loc[~statuses["serves_outcome"].astype(bool)]
    unowned = goals.unowned_outcomes(kpis["outcome_ids"], outcomes)
    without_kpis = scores.loc[scores["kpis"] == 0, "department_name"].tolist()
    return Gaps(
        None if unaligned.empty else
        "**KPIs that serve no customer outcome** (they earn no alignment credit):\n\n"
        + "\n".join(f"- {literal(row.kpi_name)} ({literal(row.department_name)}) — "
                    f"{goals.status_text(row.status)}" for row in unaligned.itertuples()),
        "**Customer outcomes no department owns** (no KPI serves them): "
        + ", ".join(literal(outcome) for outcome in unowned) + "." if unowned else None,
        "**Departments without KPIs** (left out of the overall score): "
        + ", ".join(literal(department) for department in without_kpis) + "."
        if without_kpis else None,
    )
