"""Pages on data without revenue: a bank's customer table (accounts with a tenure and an exited
flag, no charge, no dates) shows logo churn, cohorts and survival on Retention, Briefing and
Health & risk, and every page that would show dollars says once that revenue figures need a
billing export, with no "$", no "nan" and no error."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from northstar.analytics.risk import NO_REVENUE_MODEL_REASON
from northstar.data.importer.datasets import NO_REVENUE_TEXT
from tests.conftest import REPO_ROOT
from tests.shown import as_shown
from tests.unit.test_logo_metrics import bank_churn_table, load_bank

APP = str(REPO_ROOT / "app.py")
PAGES = (
    ("views/briefing.py", {}),
    ("views/retention.py", {"view": "Overview"}),
    ("views/retention.py", {"view": "Breakdown"}),
    ("views/retention.py", {"view": "Cohorts"}),
    ("views/retention.py", {"view": "Churn reasons"}),
    ("views/health.py", {}),
    ("views/invest.py", {"view": "Drivers"}),
    ("views/invest.py", {"view": "Initiatives"}),
    ("views/invest.py", {"view": "What-if"}),
    ("views/invest.py", {"view": "Customers"}),
)


@pytest.fixture(scope="module")
def bank_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bank_pages")
    load_bank(folder, bank_churn_table())
    return folder


@pytest.fixture()
def bank(bank_folder, use_db):
    use_db(bank_folder / "northstar.duckdb")
    return bank_churn_table()


def run(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    at.switch_page(path).run()
    return at


def everything_shown(at: AppTest) -> str:
    """Every text, metric, table cell and chart the page drew."""
    parts = [as_shown(str(element.value)) for element in
             [*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.subheader,
              *at.title, *at.metric] if element.value is not None]
    parts += [f"{metric.label} {metric.value}" for metric in at.metric]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [json.dumps(json.loads(chart.proto.spec)["data"])
              for chart in at.get("plotly_chart")]
    return "\n".join(parts)


@pytest.mark.parametrize(("path", "params"), PAGES, ids=[
    f"{path.split('/')[1][:-3]}-{params.get('view', 'page')}" for path, params in PAGES])
def test_a_page_without_revenue_shows_no_dollar_and_says_why(bank, path, params):
    at = run(path, **params)
    assert not at.exception, at.exception
    shown = everything_shown(at)
    assert "$" not in shown
    assert not re.search(r"\bnan\b", shown, re.IGNORECASE)
    assert "Traceback" not in shown
    notices = [as_shown(info.value) for info in at.info]
    assert notices.count(as_shown(NO_REVENUE_TEXT)) == 1, notices


def test_retention_shows_logo_churn_equal_to_pandas(bank):
    at = run("views/retention.py", view="Overview", period="Last 12 months")
    assert not at.exception
    cards = {metric.label: metric.value for metric in at.metric}
    opening = bank[bank["Tenure"] >= 1]
    assert cards == {"Logo churn": f"{100 * opening['Exited'].mean():.1f}%"}


def test_briefing_shows_logo_churn_equal_to_pandas(bank):
    at = run("views/briefing.py", period="Last month")
    assert not at.exception
    cards = {metric.label: metric.value for metric in at.metric}
    assert cards["Logo churn"] == f"{100 * bank['Exited'].mean():.1f}%"
    assert not {"ARR", "NRR", "GRR"} & set(cards)


def test_cohorts_and_survival_are_drawn_without_revenue(bank):
    at = run("views/retention.py", view="Cohorts")
    assert not at.exception
    headings = [subheader.value for subheader in at.subheader]
    assert "Survival by segment" in headings
    assert any(heading.startswith("Logo retention by") for heading in headings), headings


def test_account_360_says_why_there_is_no_model_without_revenue(bank):
    churned = bank.loc[bank["Exited"] == 1, "CustomerId"].iloc[0]
    at = run("views/account.py", account=str(churned))
    assert not at.exception
    shown = everything_shown(at)
    assert NO_REVENUE_MODEL_REASON in shown
    assert "the data has no churn at all" not in shown
    assert "$" not in shown
