"""Every figure once: a figure that appears on two pages shows the same text on both, or each
page says on screen how its figure differs (a different definition or window).

The table below lists each such figure with where it is shown and how to read it there. The
pages are opened through AppTest on the demo database; a table cell is read as the page shows
it (the house style's formatter of its column)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from northstar.analytics import display
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


@dataclass
class Shown:
    """What one page (one tab) shows, as text."""

    metrics: dict[str, str]
    texts: list[str]  # captions, markdown, subheaders, alerts, in page order
    tables: list[pd.DataFrame]
    charts: list[dict]

    def text(self) -> str:
        return "\n".join(self.texts)


_PAGES: dict[tuple[str, tuple[tuple[str, str], ...]], Shown] = {}


def shown(page: str, **params: str) -> Shown:
    """The page opened once per test session (the demo database never changes)."""
    key = (page, tuple(sorted(params.items())))
    if key not in _PAGES:
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params.update(params)
        at.run()
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, [exception.message for exception in at.exception]
        texts = [element.value for kind in ("caption", "markdown", "subheader", "warning",
                                            "info", "success")
                 for element in getattr(at, kind)]
        _PAGES[key] = Shown(
            metrics={metric.label: metric.value for metric in at.metric},
            texts=texts,
            tables=[frame.value for frame in at.dataframe],
            charts=[json.loads(chart.proto.spec) for chart in at.get("plotly_chart")],
        )
    return _PAGES[key]


def table_with(page: Shown, *columns: str) -> pd.DataFrame:
    for frame in page.tables:
        if set(columns) <= set(frame.columns):
            return frame
    raise AssertionError(f"no table with columns {columns}")


def cell_text(frame: pd.DataFrame, column: str, row: int) -> str:
    """A cell as the page shows it: text as is, a number through its column's house format."""
    value = frame[column].iloc[row]
    formatter = display.column_formatters(frame[[column]]).get(column)
    return str(value) if formatter is None else formatter(value)


def row_where(frame: pd.DataFrame, column: str, value: str) -> int:
    matches = [i for i, cell in enumerate(frame[column]) if str(cell) == value]
    assert matches, f"no row with {column} = {value!r}"
    return matches[0]


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in:\n{text[:3000]}"
    return match.group(1)


def bridge_churn(page: Shown) -> str:
    """The churn step of the revenue bridge as its bar is labelled."""
    for chart in page.charts:
        for trace in chart.get("data", []):
            if trace.get("type") == "waterfall":
                return trace["text"][list(trace["x"]).index("Churn")].lstrip("−-")
    raise AssertionError("no revenue bridge")


# -- the account the CEO brief names first among its biggest risks -------------------------------

def brief_account_id() -> str:
    return found(r"\(account\?account=(A\d+)\)", shown("briefing").text())


def brief_account_sentence() -> str:
    account = brief_account_id()
    lines = [line for line in shown("briefing").texts if f"account={account})" in line]
    return display_markdown(lines[0])


def display_markdown(text: str) -> str:
    """Markdown as it reads on screen (the escaping backslashes gone)."""
    return re.sub(r"\\(.)", r"\1", text)


def health_row(column: str) -> str:
    frame = table_with(shown("health"), "Account", "ARR at risk", "Churn risk, 12 months")
    account = brief_account_id()
    row = [i for i, link in enumerate(frame["Account"]) if f"account={account}#" in str(link)]
    assert row, f"{account} not in the Health & risk list"
    return cell_text(frame, column, row[0])


def account_360() -> Shown:
    return shown("account", account=brief_account_id())


# -- readers: (page, how to read the figure there) -----------------------------------------------

@dataclass(frozen=True)
class Read:
    where: str  # the page (and tab) and the element, in words
    read: Callable[[], str] = field(compare=False)


def metric(page: str, label: str, **params: str) -> Read:
    return Read(f"{page} {params or ''} metric '{label}'",
                lambda: shown(page, **params).metrics[label])


def metric_label(page: str, label: str, **params: str) -> Read:
    """A metric's label, when the page shows that metric."""
    def read() -> str:
        labels = list(shown(page, **params).metrics)
        assert label in labels, labels
        return label
    return Read(f"{page} {params or ''} the label of metric '{label}'", read)


def in_text(page: str, pattern: str, **params: str) -> Read:
    return Read(f"{page} {params or ''} text /{pattern}/",
                lambda: found(pattern, display_markdown(shown(page, **params).text())))


def in_tables(page: str, pattern: str, **params: str) -> Read:
    """The first match in any cell of the page's tables."""
    def read() -> str:
        cells = "\n".join(str(value) for frame in shown(page, **params).tables
                          for value in frame.astype(str).to_numpy().ravel())
        return found(pattern, cells)
    return Read(f"{page} {params or ''} tables /{pattern}/", read)


def cell(page: str, columns: tuple[str, str], key: str, **params: str) -> Read:
    """The cell of columns[1] in the row whose columns[0] reads `key`."""
    def read() -> str:
        frame = table_with(shown(page, **params), *columns)
        return cell_text(frame, columns[1], row_where(frame, columns[0], key))
    return Read(f"{page} {params or ''} table {columns[1]} of {key}", read)


SUPPORT = {"program": "Support review"}
REASONS = {"view": "Churn reasons"}

# a figure, then every place it is shown with how to read it there: all must read the same
SAME: dict[str, tuple[Read, ...]] = {
    "ARR": (metric("briefing", "ARR"), metric("retention", "ARR")),
    "NRR": (metric("briefing", "NRR"), metric("retention", "NRR")),
    "GRR": (metric("briefing", "GRR"), metric("retention", "GRR")),
    "Logo churn": (metric("briefing", "Logo churn"), metric("retention", "Logo churn")),
    "NPS": (metric("briefing", "NPS"), metric("satisfaction", "NPS")),
    "CSAT": (metric("briefing", "CSAT"), metric("satisfaction", "CSAT")),
    "CES": (metric("briefing", "CES"), metric("satisfaction", "CES")),
    "Open escalations": (
        metric("briefing", "Open escalations"),
        metric("programs", "Open escalations", **SUPPORT),
    ),
    "Churned ARR": (
        Read("briefing: the bridge's churn bar", lambda: bridge_churn(shown("briefing"))),
        Read("retention: the bridge's churn bar", lambda: bridge_churn(shown("retention"))),
        in_text("retention", r"accounts churned in the period: −(\$[\d.]+[KMB]?) of ARR"),
        in_text("retention", r"taking (\$[\d.]+[KMB]?) of ARR", **REASONS),
    ),
    "Accounts churned in the period": (
        in_text("briefing", r"([\d,]+) of [\d,]+ accounts active at the start churned"),
        in_text("retention", r"([\d,]+) accounts churned in the period:"),
        in_text("retention", r"([\d,]+) accounts churned in the period \(", **REASONS),
    ),
    "ARR at risk in the next 12 months": (
        in_text("briefing", r"(\$[\d.]+[KMB]?) of ARR is at risk in the next 12 months"),
        metric("health", "ARR at risk, next 12 months"),
    ),
    "ARR at risk of the brief's first account": (
        in_text("briefing", r"\) could cost (\$[\d.]+[KMB]?) in the next 12 months"),
        Read("health: the account's 'ARR at risk' cell", lambda: health_row("ARR at risk")),
        Read("account 360: 'ARR at risk in the next 12 months'", lambda: found(
            r"ARR at risk in the next 12 months: (\$[\d.]+[KMB]?)",
            display_markdown(account_360().text()))),
    ),
    "95% range of the ARR at risk of the brief's first account": (
        Read("briefing: 'could cost $N in the next 12 months (95% range …)'", lambda: found(
            r"in the next 12 months \(95% range (\$[\d.]+[KMB]?–\$[\d.]+[KMB]?)\)",
            brief_account_sentence())),
        Read("account 360: 'ARR at risk … (95% range …'", lambda: found(
            r"ARR at risk in the next 12 months: \$[\d.]+[KMB]?\*\* \(95% range "
            r"(\$[\d.]+[KMB]?–\$[\d.]+[KMB]?);", display_markdown(account_360().text()))),
    ),
    "Churn chance of the brief's first account": (
        Read("briefing: 'a N% chance of churning'",
             lambda: found(r"an? ([\d.]+%) chance of churning", brief_account_sentence())),
        Read("health: the account's 'Churn risk, 12 months' cell",
             lambda: health_row("Churn risk, 12 months")),
        Read("account 360: metric 'Churn risk, 12 months'",
             lambda: account_360().metrics["Churn risk, 12 months"]),
    ),
    "Detractor follow-up window": (
        in_text("invest", r"Detractors followed up within (\d+ days)", view="Drivers"),
        in_text("invest", r"no detractor follow-up within (\d+ days)", view="Drivers"),
        in_tables("invest", r"Detractor call-back within (\d+ days)", view="Initiatives"),
    ),
}


def kpi_table(page: Shown) -> pd.DataFrame:
    return table_with(page, "KPI", "Target", "Status")


def actual_column(frame: pd.DataFrame) -> str:
    # the window's actual, not the "Actuals" column that says where they come from
    columns = [column for column in frame.columns
               if str(column).startswith("Actual") and str(column) != "Actuals"]
    assert len(columns) == 1, list(frame.columns)
    return columns[0]


def kpi_actual(kpi: str) -> Read:
    def read() -> str:
        frame = kpi_table(shown("scorecard"))
        return cell_text(frame, actual_column(frame), row_where(frame, "KPI", kpi))
    return Read(f"scorecard: the KPI table's {kpi}", read)


def touchpoint_table(page: Shown) -> pd.DataFrame:
    return table_with(page, "Measure", "Program", "Answers (n)")


def touchpoint_score(measure: str, program: str) -> Read:
    def read() -> str:
        frame = touchpoint_table(shown("scorecard"))
        column = [name for name in frame.columns if str(name).startswith("Score")][0]
        rows = frame.loc[(frame["Measure"] == measure) & (frame["Program"] == program)]
        assert len(rows) == 1, frame
        return str(rows[column].iloc[0])
    return Read(f"scorecard: the touchpoint table's {measure} {program}", read)


def header(read_table: Callable[[], pd.DataFrame], prefix: str) -> Read:
    """The header of the table's column that starts with `prefix` (the label says how to read
    its figures)."""
    def read() -> str:
        names = [str(name) for name in read_table().columns
                 if str(name).startswith(prefix) and str(name) != f"{prefix}s"]
        assert len(names) == 1, list(read_table().columns)
        return names[0]
    return Read(f"the '{prefix}' column's header", read)


def label(read: Read, pattern: str) -> str:
    text = read.read()
    assert re.search(pattern, text), f"{read.where} reads {text!r}: no label /{pattern}/"
    return text


SATISFACTION_SCORES = in_text("satisfaction", r"(Each score counts every answer in the period)")
KPI_ACTUALS = header(lambda: kpi_table(shown("scorecard")), "Actual")
TOUCHPOINT_SCORES = header(lambda: touchpoint_table(shown("scorecard")), "Score")
TICKETS_OPENED = in_text("programs", r"((?:S|s)till open, first response and resolution[^.]*"
                                     r"tickets opened in the period)", **SUPPORT)

# a figure shown with different definitions or windows on several pages: every place reads its
# figure and the label on screen that says which definition it is; the labels must differ
LABELLED: dict[str, tuple[tuple[Read, Read, str], ...]] = {
    "Support CSAT": (
        (cell("satisfaction", ("Program", "CSAT"), "Post-support"), SATISFACTION_SCORES,
         r"every answer in the period"),
        (kpi_actual("Support CSAT"), KPI_ACTUALS, r"mean of"),
        (touchpoint_score("CSAT (% of 4–5)", "Support"), TOUCHPOINT_SCORES,
         r"answers at this department's touchpoints"),
    ),
    "Professional-services CSAT": (
        (cell("satisfaction", ("Program", "CSAT"), "Post-professional-services"),
         SATISFACTION_SCORES, r"every answer in the period"),
        (metric("programs", "CSAT of the engagements due", program="Professional services"),
         metric_label("programs", "CSAT of the engagements due", program="Professional services"),
         r"of the engagements due"),
    ),
    "30-day onboarding CSAT": (
        (cell("satisfaction", ("Program", "CSAT"), "30-day post-installation"),
         SATISFACTION_SCORES, r"every answer in the period"),
        (metric("programs", "CSAT of the installations due", program="Onboarding"),
         metric_label("programs", "CSAT of the installations due", program="Onboarding"),
         r"of the installations due"),
    ),
    "Median resolution time": (
        (kpi_actual("Median resolution time"), KPI_ACTUALS, r"mean of"),
        (metric("programs", "Resolution, median", **SUPPORT), TICKETS_OPENED,
         r"tickets opened in the period"),
    ),
    "Open tickets": (
        (metric("programs", "Still open", **SUPPORT), TICKETS_OPENED,
         r"tickets opened in the period"),
        (in_text("programs", r"([\d,]+) tickets? open at the end of", **SUPPORT),
         in_text("programs", r"tickets? open at the end of [^,]+, (whenever they were opened)",
                 **SUPPORT), r"whenever"),
    ),
}


@pytest.mark.parametrize("figure", list(SAME))
def test_a_figure_on_two_pages_reads_the_same(demo, figure):
    readings = {read.where: read.read() for read in SAME[figure]}
    assert len(set(readings.values())) == 1, f"{figure} differs between pages: {readings}"


@pytest.mark.parametrize("figure", list(LABELLED))
def test_a_figure_that_differs_between_pages_says_how(demo, figure):
    places = LABELLED[figure]
    labels = {read.where: label(label_read, pattern) for read, label_read, pattern in places}
    values = {read.where: read.read() for read, _, _ in places}
    assert all(values.values()), values
    # each definition is named apart from the others
    assert len(set(labels.values())) == len(places), labels
