"""`--draft-mapping` on small, faithful copies of public multi-file SaaS exports: a "SaaS
subscription and churn" data set (accounts, subscriptions, feature usage, support tickets,
churn events, as the public Kaggle set publishes them), and a small company's billing, helpdesk
and survey tools (a Stripe invoice export, a Zendesk ticket export, an NPS survey export).

Each file must be recognised for what it is, drafted once, joined where it needs another file,
with only the columns a load truly needs left for the data owner to map; the draft is parsed as
TOML and its tables, columns and joins checked. Where every option the draft uses is one this
branch loads, the draft is loaded in a dry run with at most two edits."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from northstar.data.importer.draft import draft_mapping
from northstar.data.importer.run import main

START = dt.date(2025, 1, 1)


def _day(rng: random.Random, first: dt.date, days: int) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, days))


def saas_exports(folder: Path, accounts: int = 40) -> dict[str, pd.DataFrame]:
    """The five files of the public "SaaS subscription and churn" set, with its column names
    and value shapes: ids like A-2e4581, True/False flags, trials at $0 MRR, several
    subscriptions per account, an open subscription's end date blank."""
    rng = random.Random(5)
    industries = ["EdTech", "FinTech", "HealthTech", "DevTools", "Cybersecurity"]
    tiers = {"Basic": 19, "Pro": 49, "Enterprise": 199}
    account_rows, subscription_rows, usage_rows, ticket_rows, churn_rows = [], [], [], [], []
    for index in range(accounts):
        account_id = f"A-{rng.randrange(16 ** 6):06x}"
        signup = _day(rng, START, 300)
        tier = rng.choice(list(tiers))
        churned = rng.random() < 0.25
        account_rows.append({
            "account_id": account_id, "account_name": f"Company_{index}",
            "industry": rng.choice(industries), "country": rng.choice(["US", "UK", "DE", "IN"]),
            "signup_date": signup.isoformat(),
            "referral_source": rng.choice(["organic", "partner", "ads", "event", "other"]),
            "plan_tier": tier, "seats": rng.randint(1, 80), "is_trial": "False",
            "churn_flag": str(churned)})
        start = signup
        for number in range(rng.randint(1, 3)):
            trial = number == 0 and rng.random() < 0.3
            last = number == 2 or rng.random() < 0.4
            end = (_day(rng, start + dt.timedelta(days=40), 200) if not last or churned
                   else None)
            end = min(end, dt.date(2026, 9, 30)) if end else None
            subscription_id = f"S-{rng.randrange(16 ** 6):06x}"
            seats = rng.randint(1, 80)
            mrr = 0 if trial else tiers[tier] * seats
            subscription_rows.append({
                "subscription_id": subscription_id, "account_id": account_id,
                "start_date": start.isoformat(), "end_date": end.isoformat() if end else "",
                "plan_tier": tier, "seats": seats, "mrr_amount": mrr, "arr_amount": 12 * mrr,
                "is_trial": str(trial), "upgrade_flag": str(rng.random() < 0.1),
                "downgrade_flag": "False", "churn_flag": str(churned and end is not None),
                "billing_frequency": rng.choice(["monthly", "annual"]),
                "auto_renew_flag": str(rng.random() < 0.8)})
            for _ in range(rng.randint(1, 4)):
                usage_rows.append({
                    "usage_id": f"U-{rng.randrange(16 ** 6):06x}",
                    "subscription_id": subscription_id,
                    "usage_date": _day(rng, start, 30).isoformat(),
                    "feature_name": f"feature_{rng.randint(1, 40)}",
                    "usage_count": rng.randint(1, 20),
                    "usage_duration_secs": rng.randint(10, 4000),
                    "error_count": rng.randint(0, 3), "is_beta_feature": str(rng.random() < 0.1)})
            if end is None:
                break
            start = end + dt.timedelta(days=1)
        for _ in range(rng.randint(0, 3)):
            opened = dt.datetime.combine(_day(rng, signup, 250), dt.time(rng.randint(0, 23)))
            closed = opened + dt.timedelta(hours=rng.randint(1, 90)) if rng.random() < 0.85 else None
            ticket_rows.append({
                "ticket_id": f"T-{rng.randrange(16 ** 6):06x}", "account_id": account_id,
                "submitted_at": f"{opened:%Y-%m-%d %H:%M:%S}",
                "closed_at": f"{closed:%Y-%m-%d %H:%M:%S}" if closed else "",
                "resolution_time_hours": (closed - opened).total_seconds() / 3600 if closed
                else "",
                "priority": rng.choice(["low", "medium", "high", "urgent"]),
                "first_response_time_minutes": rng.randint(1, 600),
                "satisfaction_score": rng.randint(1, 5) if closed and rng.random() < 0.7 else "",
                "escalation_flag": str(rng.random() < 0.1)})
        if churned:
            churn_rows.append({
                "churn_event_id": f"C-{rng.randrange(16 ** 6):06x}", "account_id": account_id,
                "churn_date": _day(rng, signup + dt.timedelta(days=60), 200).isoformat(),
                "reason_code": rng.choice(["pricing", "support", "features", "budget",
                                           "competitor", "unknown"]),
                "refund_amount_usd": rng.choice([0, 0, 49.5]),
                "preceding_upgrade_flag": "False", "preceding_downgrade_flag": "False",
                "is_reactivation": "False",
                "feedback_text": rng.choice(["too expensive", "missing features", ""])})
    frames = {"accounts": pd.DataFrame(account_rows),
              "subscriptions": pd.DataFrame(subscription_rows),
              "feature_usage": pd.DataFrame(usage_rows),
              "support_tickets": pd.DataFrame(ticket_rows),
              "churn_events": pd.DataFrame(churn_rows)}
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return frames


def small_company_exports(folder: Path, customers: int = 30) -> None:
    """A Stripe invoice export, a Zendesk ticket export and a survey tool's NPS export, with
    the column names those tools write; the customer's e-mail address ties them together, as
    it does for a small business whose customers are one person each."""
    rng = random.Random(9)
    people = [(f"cus_{rng.randrange(36 ** 10):010x}", f"buyer{n}@example{n}.com")
              for n in range(customers)]
    invoices, tickets, answers = [], [], []
    for customer, email in people:
        first = rng.randint(0, 12)
        months = rng.randint(3, 20 - first)
        price = rng.choice([29.0, 99.0, 299.0])
        for offset in range(months):
            month = dt.date(2025 + (first + offset) // 12, (first + offset) % 12 + 1, 1)
            issued = dt.datetime.combine(month, dt.time(9, rng.randint(0, 59)))
            status = "void" if rng.random() < 0.03 else "paid"
            invoices.append({
                "id": f"in_{rng.randrange(36 ** 12):012x}", "Customer": customer,
                "Customer Email": email, "Customer Name": "",
                "Amount Due": f"{price:.2f}", "Amount Paid": f"{price:.2f}" if status == "paid"
                else "0.00",
                "Currency": "usd", "Date (UTC)": f"{issued:%Y-%m-%d %H:%M}",
                "Status": status, "Subscription": f"sub_{customer[4:]}",
                "Period Start (UTC)": f"{issued:%Y-%m-%d %H:%M}",
                "Period End (UTC)": f"{issued + dt.timedelta(days=30):%Y-%m-%d %H:%M}",
                "Subtotal": f"{price:.2f}", "Total": f"{price:.2f}",
                "Number": f"{rng.randrange(16 ** 8):08X}-{offset + 1:04d}", "Paid": "true"})
        for _ in range(rng.randint(0, 4)):
            created = dt.datetime(2025, 3, 1) + dt.timedelta(hours=rng.randint(0, 24 * 500))
            status = rng.choice(["Solved", "Closed", "Open", "Pending"])
            solved = created + dt.timedelta(hours=rng.randint(2, 100))
            tickets.append({
                "Id": len(tickets) + 1000, "Requester": f"Buyer {email[5:7]}",
                "Requester email": email, "Organization": "", "Group": "Support",
                "Assignee": rng.choice(["Ann Agent", "Bo Agent"]),
                "Subject": rng.choice(["Cannot log in", "Refund", "Export fails"]),
                "Status": status, "Priority": rng.choice(["Low", "Normal", "High", "Urgent", ""]),
                "Via": rng.choice(["Mail", "Web Widget", "Chat", "Phone call (incoming)"]),
                "Ticket type": rng.choice(["Question", "Incident", "Problem", ""]),
                "Created at": f"{created:%Y-%m-%d %H:%M:%S}",
                "Updated at": f"{solved:%Y-%m-%d %H:%M:%S}",
                "Solved at": f"{solved:%Y-%m-%d %H:%M:%S}" if status in ("Solved", "Closed")
                else "",
                "Satisfaction Score": rng.choice(["Offered", "Not Offered", "Good", "Bad"]),
                "Reopens": rng.choice([0, 0, 1]), "Replies": rng.randint(0, 6),
                "First reply time in minutes": rng.randint(5, 900)})
        for _ in range(rng.randint(0, 2)):
            answered = dt.datetime(2025, 6, 1) + dt.timedelta(hours=rng.randint(0, 24 * 400))
            answers.append({
                "Response ID": rng.randrange(10 ** 9), "Email": email, "Name": "",
                "Score": rng.randint(0, 10), "Comment": rng.choice(["Great", "", "Too slow"]),
                "Response timestamp": f"{answered:%Y-%m-%d %H:%M:%S}",
                "Permalink": "https://app.example.com/r/1", "Tags": "",
                "Delighted Source": "email"})
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(invoices).to_csv(folder / "invoices.csv", index=False)
    pd.DataFrame(tickets).to_csv(folder / "tickets.csv", index=False)
    pd.DataFrame(answers).to_csv(folder / "nps_responses.csv", index=False)


def parsed(folder: Path) -> tuple[str, dict]:
    text = draft_mapping(folder)
    return text, tomllib.loads(text)


def unmatched_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("# Not drafted:")]


# --- the SaaS subscription and churn set ------------------------------------------------------

def test_a_subscriptions_file_drafts_monthly_revenue_from_start_and_end(tmp_path):
    saas_exports(tmp_path)
    text, draft = parsed(tmp_path)
    revenue = draft["account_mrr_monthly"]
    assert revenue["file"] == "subscriptions.csv"
    assert revenue["subscription_start"] == "start_date"
    assert revenue["subscription_end"] == "end_date"
    assert revenue["columns"] == {"account_id": "account_id", "mrr_usd": "mrr_amount"}
    assert "aggregate" not in revenue  # rows are summed per account and month by the load
    assert "subscriptions.csv" not in "\n".join(unmatched_lines(text))


def test_a_cancellation_log_is_joined_to_the_customer_list(tmp_path):
    saas_exports(tmp_path)
    _, draft = parsed(tmp_path)
    accounts = draft["accounts"]
    assert accounts["file"] == "accounts.csv"
    assert "aggregate" not in accounts
    assert accounts["joins"] == {"churn_events": {"file": "churn_events.csv",
                                                  "key": "account_id", "on": "account_id"}}
    columns = accounts["columns"]
    assert columns["churn_date"] == "churn_events.churn_date"
    assert columns["churn_reason"] == "churn_events.reason_code"
    assert columns["account_id"] == "account_id"
    assert columns["account_name"] == "account_name"
    assert columns["start_date"] == "signup_date"
    assert columns["region"] == "country"
    assert columns["plan"] == "plan_tier"
    assert columns["acquisition_channel"] == "referral_source"
    assert "churn_events" not in {name for name in draft if name != "accounts"}


def test_feature_usage_events_become_monthly_usage_through_the_subscriptions(tmp_path):
    saas_exports(tmp_path)
    _, draft = parsed(tmp_path)
    usage = draft["product_usage"]
    assert usage["file"] == "feature_usage.csv"
    assert usage["aggregate"] is True
    assert usage["joins"] == {"subscriptions": {"file": "subscriptions.csv",
                                                "key": "subscription_id",
                                                "on": "subscription_id"}}
    assert usage["columns"] == {
        "account_id": "subscriptions.account_id",
        "month": "date_trunc('month', usage_date::date)",
        "key_feature_events": "sum(usage_count::bigint)"}


def test_tickets_are_drafted_once_with_only_the_columns_a_load_needs_required(tmp_path):
    saas_exports(tmp_path)
    text, draft = parsed(tmp_path)
    tickets = draft["support_tickets"]
    assert tickets["file"] == "support_tickets.csv"
    assert "survey_responses" not in draft  # the ticket ratings are not survey answers
    columns = tickets["columns"]
    assert columns["ticket_id"] == "ticket_id"
    assert columns["account_id"] == "account_id"
    assert columns["opened_at"] == "submitted_at"
    assert columns["resolved_at"] == "closed_at"
    assert columns["priority"] == "priority"
    assert columns["satisfaction_score"] == "satisfaction_score"
    # no status, category or channel in the file: derived or a stated constant, not required
    assert columns["status"] == "case when closed_at is null then 'open' else 'closed' end"
    assert columns["category"] == "'Not recorded'"
    assert columns["channel"] == "'Not recorded'"
    assert columns["first_response_at"] == (
        "submitted_at::timestamp + to_minutes(try_cast(first_response_time_minutes as bigint))")
    assert "required" not in text  # nothing left for the data owner to map by hand


def test_every_file_is_drafted_once_for_what_it_is(tmp_path):
    saas_exports(tmp_path)
    text, draft = parsed(tmp_path)
    files = [options["file"] for options in draft.values()]
    assert sorted(files) == ["accounts.csv", "feature_usage.csv", "subscriptions.csv",
                             "support_tickets.csv"]
    joined = [join["file"] for options in draft.values()
              for join in options.get("joins", {}).values()]
    assert sorted(joined) == ["churn_events.csv", "subscriptions.csv"]
    assert unmatched_lines(text) == []


def test_each_unmatched_file_says_what_it_could_feed_or_why_not(tmp_path):
    saas_exports(tmp_path)
    pd.DataFrame({"plan_tier": ["Basic", "Pro"], "list_price": [19, 49]}).to_csv(
        tmp_path / "price_list.csv", index=False)
    pd.DataFrame({"account_id": ["A-1", "A-2"], "csm_email": ["a@x.com", "b@x.com"],
                  "health_note": ["fine", "at risk"]}).to_csv(
        tmp_path / "csm_notes.csv", index=False)
    text, _ = parsed(tmp_path)
    lines = unmatched_lines(text)
    assert len(lines) == 2, lines
    by_file = {line.split()[3]: line for line in lines}
    assert by_file["csm_notes.csv"].startswith(
        "# Not drafted: csm_notes.csv (account_id, csm_email, health_note): one row per "
        "account; it could feed [accounts.attributes] through a join on account_id")
    assert by_file["price_list.csv"].startswith(
        "# Not drafted: price_list.csv (plan_tier, list_price): no customer id column, so no "
        "row can be tied to an account")


def evaluate(folder: Path, section: dict) -> pd.DataFrame:
    """A drafted table's column expressions run over its file as written (every value text),
    each join's file packed into one struct column named after the join, left-joined on its
    key, grouped when the section aggregates: what the draft asks of the files, without the
    load's checks."""
    con = duckdb.connect()

    def read(name: str) -> str:
        return f"read_csv('{folder / name}', all_varchar = true)"

    joined = "".join(
        f" left join (select {join['key']} as __key, j as {name} from {read(join['file'])} j) "
        f"as {name}__ on ({join['on']}) = {name}__.__key"
        for name, join in section.get("joins", {}).items())
    selects = ", ".join(f"({expression}) as {column}"
                        for column, expression in section["columns"].items())
    group = " group by all" if section.get("aggregate") else ""
    return con.execute(f"select {selects} from {read(section['file'])}{joined}{group}").df()


def test_the_drafted_expressions_and_joins_run_over_the_files(tmp_path):
    frames = saas_exports(tmp_path)
    _, draft = parsed(tmp_path)
    accounts = evaluate(tmp_path, draft["accounts"])
    assert len(accounts) == len(frames["accounts"])  # the join adds no row and loses none
    assert accounts["churn_date"].notna().sum() == len(frames["churn_events"])
    usage = evaluate(tmp_path, draft["product_usage"])
    assert usage["account_id"].notna().all()  # every event reaches its account
    assert usage["key_feature_events"].sum() == frames["feature_usage"]["usage_count"].sum()
    assert not usage.duplicated(["account_id", "month"]).any()
    tickets = evaluate(tmp_path, draft["support_tickets"])
    closed = frames["support_tickets"]["closed_at"] != ""
    assert (tickets["status"] == "closed").sum() == closed.sum()
    assert tickets[["status", "priority", "category", "channel", "opened_at"]].notna().all().all()
    revenue = evaluate(tmp_path, draft["account_mrr_monthly"])
    assert revenue["mrr_usd"].astype(float).sum() == frames["subscriptions"]["mrr_amount"].sum()


def test_the_accounts_and_tickets_of_the_set_load_as_drafted(tmp_path, capsys):
    """Accounts and tickets use options this branch loads: their draft loads unedited."""
    saas_exports(tmp_path / "all")
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("accounts.csv", "support_tickets.csv"):
        (folder / name).write_bytes((tmp_path / "all" / name).read_bytes())
    draft = tmp_path / "draft.toml"
    assert main([str(folder), "--draft-mapping", "--mapping", str(draft)]) == 0
    capsys.readouterr()
    assert main([str(folder), "--mapping", str(draft), "--db", str(tmp_path / "n.duckdb"),
                 "--dry-run", "--as-of", "2026-10-31"]) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "Dry run: the load would succeed" in err


# --- a billing, a helpdesk and a survey tool ---------------------------------------------------

def test_billing_helpdesk_and_survey_exports_are_each_recognised(tmp_path):
    small_company_exports(tmp_path)
    text, draft = parsed(tmp_path)
    revenue = draft["account_mrr_monthly"]
    assert revenue["file"] == "invoices.csv"
    assert revenue["aggregate"] is True
    assert revenue["where"] == "Status not in ('void', 'draft', 'uncollectible')"
    assert revenue["columns"]["mrr_usd"] == "sum(Subtotal::double)"
    assert revenue["columns"]["month"] == (
        "date_trunc('month', \"Period Start (UTC)\"::timestamp)")
    # the customer is the column whose values the other files share: the e-mail address
    assert revenue["columns"]["account_id"] == '"Customer Email"'
    assert draft["accounts"]["file"] == "invoices.csv"  # grouped out of the billing export
    tickets = draft["support_tickets"]
    assert tickets["file"] == "tickets.csv"
    assert tickets["columns"]["account_id"] == '"Requester email"'
    assert tickets["columns"]["ticket_id"] == "Id"
    assert tickets["columns"]["channel"] == "Via"
    assert tickets["columns"]["priority"] == "coalesce(nullif(trim(Priority), ''), 'Not recorded')"
    assert tickets["columns"]["category"] == (
        "coalesce(nullif(trim(\"Ticket type\"), ''), 'Not recorded')")
    assert tickets["columns"]["reopen_count"] == "Reopens"
    # Zendesk's Good/Bad/Offered is not a 1-5 rating
    assert "satisfaction_score" not in tickets["columns"]
    survey = draft["survey_responses"]
    assert survey["file"] == "nps_responses.csv"
    assert survey["columns"]["survey_type"] == "'NPS'"
    assert survey["columns"]["program"] == "'relationship'"
    assert survey["columns"]["score"] == "Score"
    assert survey["columns"]["account_id"] == "Email"
    assert unmatched_lines(text) == []


def test_billing_helpdesk_and_survey_exports_load_as_drafted(tmp_path, capsys):
    small_company_exports(tmp_path)
    draft = tmp_path / "draft.toml"
    assert main([str(tmp_path), "--draft-mapping", "--mapping", str(draft)]) == 0
    capsys.readouterr()
    db = tmp_path / "n.duckdb"
    assert main([str(tmp_path), "--mapping", str(draft), "--db", str(db)]) == 0, \
        capsys.readouterr().err
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {table: con.execute(f"select count(*) from {table}").fetchone()[0]
                  for table in ("accounts", "account_mrr_monthly", "support_tickets",
                                "survey_responses")}
    assert all(counts.values()), counts


@pytest.mark.parametrize("values, expected", [
    ("Good,Bad,Offered", False), ("1,5,3", True), ("4.0,2.0", True), ("0,7,10", False)])
def test_a_rating_is_mapped_only_when_its_values_are_1_to_5(tmp_path, values, expected):
    rows = [f"{n},c{n},2026-01-0{n % 9 + 1} 10:00,{value}"
            for n, value in enumerate(values.split(","), 1)]
    (tmp_path / "tickets.csv").write_text(
        "ticket_id,customer_id,created_at,satisfaction_score\n" + "\n".join(rows) + "\n")
    _, draft = parsed(tmp_path)
    assert ("satisfaction_score" in draft["support_tickets"]["columns"]) is expected


def test_exports_split_by_year_are_drafted_as_one_table(tmp_path):
    small_company_exports(tmp_path / "all")
    tickets = pd.read_csv(tmp_path / "all" / "tickets.csv", dtype=str, keep_default_na=False)
    for name in ("invoices.csv", "nps_responses.csv"):
        (tmp_path / name).write_bytes((tmp_path / "all" / name).read_bytes())
    tickets.iloc[: len(tickets) // 2].to_csv(tmp_path / "tickets_2025.csv", index=False)
    tickets.iloc[len(tickets) // 2:].to_csv(tmp_path / "tickets_2026.csv", index=False)
    # another helpdesk's export, with other columns: not the same rows, so not added to them
    tickets.rename(columns={"Via": "Channel"}).iloc[:5].to_csv(
        tmp_path / "old_helpdesk.csv", index=False)
    text, draft = parsed(tmp_path)
    assert draft["support_tickets"]["file"] == ["tickets_2025.csv", "tickets_2026.csv"]
    assert unmatched_lines(text) == [
        "# Not drafted: old_helpdesk.csv (Id, Requester, Requester email, Organization, Group, "
        "Assignee, ... (18 columns)): it also looks like tickets (support_tickets), drafted "
        "from tickets_2025.csv: when it holds more of the same rows, list both under "
        "file = [...]"]


def test_a_survey_export_naming_the_ticket_it_follows_is_survey_answers(tmp_path):
    (tmp_path / "csat.csv").write_text(
        "response_id,ticket_id,customer_id,submitted_at,score,comment\n"
        "R1,T1,C1,2026-03-02,4,quick\nR2,T2,C2,2026-03-05,2,\nR3,T3,C1,2026-04-01,5,\n")
    _, draft = parsed(tmp_path)
    assert "support_tickets" not in draft
    survey = draft["survey_responses"]
    assert survey["file"] == "csat.csv"
    assert survey["columns"]["survey_type"] == "'CSAT'"
    assert survey["columns"]["ticket_id"] == "ticket_id"


def test_without_a_customer_list_accounts_are_grouped_out_of_the_subscriptions(tmp_path):
    saas_exports(tmp_path / "all")
    (tmp_path / "subscriptions.csv").write_bytes(
        (tmp_path / "all" / "subscriptions.csv").read_bytes())
    _, draft = parsed(tmp_path)
    accounts = draft["accounts"]
    assert accounts["file"] == "subscriptions.csv"
    assert accounts["aggregate"] is True
    assert accounts["columns"]["start_date"] == "min(start_date)"
    # churned when every subscription of the account has ended, on the last end
    assert accounts["columns"]["churn_date"] == (
        "case when count(*) = count(end_date) then max(end_date) end")
    assert draft["account_mrr_monthly"]["subscription_start"] == "start_date"


def test_invoices_dated_within_the_month_are_added_up_per_month(tmp_path):
    (tmp_path / "billing.csv").write_text(
        "invoice_id,customer_id,invoice_date,amount\n"
        "I1,C1,2026-01-14,100\nI2,C1,2026-02-14,100\nI3,C2,2026-01-03,40\n")
    _, draft = parsed(tmp_path)
    revenue = draft["account_mrr_monthly"]
    assert revenue["aggregate"] is True
    assert revenue["columns"]["month"] == "date_trunc('month', invoice_date::date)"
    assert revenue["columns"]["mrr_usd"] == "sum(amount::double)"


def test_a_customer_list_with_a_few_repeated_rows_is_still_the_customer_list(tmp_path):
    rows = [f"C{n},Company {n},Retail,2025-0{n % 9 + 1}-01" for n in range(20)]
    (tmp_path / "crm_accounts.csv").write_text(
        "customer_id,company_name,industry,created_date\n" + "\n".join(rows + rows[:1]) + "\n")
    (tmp_path / "invoices.csv").write_text(
        "invoice_id,customer_id,invoice_date,amount\nI1,C1,2026-01-14,100\n")
    _, draft = parsed(tmp_path)
    assert draft["accounts"]["file"] == "crm_accounts.csv"
    assert draft["accounts"]["aggregate"] is True  # the repeated row is grouped, not refused
    assert draft["account_mrr_monthly"]["file"] == "invoices.csv"


def test_the_command_says_what_the_draft_leaves_to_do(tmp_path, capsys):
    # a consumer churn table: one row per customer, a tenure and a monthly charge, no dates
    (tmp_path / "customer_churn.csv").write_text(
        "customerID,Contract,tenure,MonthlyCharges,Churn\n"
        "7590-VHVEG,Month-to-month,1,29.85,No\n5575-GNVDE,One year,34,56.95,No\n")
    pd.DataFrame({"plan_tier": ["Basic"], "list_price": [19]}).to_csv(
        tmp_path / "price_list.csv", index=False)
    draft = tmp_path / "draft.toml"
    assert main([str(tmp_path), "--draft-mapping", "--mapping", str(draft)]) == 0
    assert capsys.readouterr().err == (
        f"Draft mapping written to {draft}: 2 tables; 1 required column left to map "
        "(start_date); 1 file not drafted (why, at the end of the draft). Check every line, "
        f"then load with --mapping {draft} --dry-run\n")
    assert main([str(tmp_path), "--draft-mapping"]) == 0
    assert capsys.readouterr().err == (
        "Draft mapping: 2 tables; 1 required column left to map (start_date); 1 file not "
        "drafted (why, at the end of the draft)\n")


def test_an_empty_or_unreadable_file_is_named_with_why(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    (tmp_path / "accounts.csv").write_text("account_id,account_name\nA1,Acme\n")
    text, _ = parsed(tmp_path)
    assert unmatched_lines(text) == ["# Not drafted: empty.csv: no data rows",
                                     "# Not drafted: broken.xlsx: not readable as a table"]


def test_a_stripe_subscription_export_divides_yearly_amounts_by_twelve(tmp_path):
    (tmp_path / "subscriptions.csv").write_text(
        "id,Customer ID,Customer Email,Plan,Quantity,Interval,Amount,Status,Created (UTC),"
        "Start (UTC),Current Period Start (UTC),Current Period End (UTC),"
        "Canceled At (UTC),Ended At (UTC)\n"
        "sub_1,cus_1,a@x.com,pro,1,month,49.00,active,2025-01-03 10:00,2025-01-03 10:00,"
        "2026-09-03 10:00,2026-10-03 10:00,,\n"
        "sub_2,cus_2,b@x.com,team,1,year,1200.00,canceled,2025-02-01 09:00,2025-02-01 09:00,"
        "2025-02-01 09:00,2026-02-01 09:00,2025-12-01 09:00,2026-02-01 09:00\n"
        "sub_3,cus_1,a@x.com,addon,1,month,10.00,active,2025-06-01 09:00,2025-06-01 09:00,"
        "2026-09-01 09:00,2026-10-01 09:00,,\n")
    _, draft = parsed(tmp_path)
    revenue = draft["account_mrr_monthly"]
    assert revenue["subscription_start"] == '"Start (UTC)"'
    assert revenue["subscription_end"] == '"Ended At (UTC)"'
    assert revenue["columns"]["account_id"] == '"Customer ID"'
    assert revenue["columns"]["mrr_usd"] == (
        "case lower(Interval) when 'year' then Amount::double / 12 else Amount::double end")
    assert draft["accounts"]["file"] == "subscriptions.csv"  # grouped: no customer list


def test_a_crm_company_export_is_the_customer_list(tmp_path):
    (tmp_path / "hubspot-crm-exports-all-companies.csv").write_text(
        "Record ID,Company name,Industry,Country/Region,Create Date,Lifecycle Stage\n"
        "101,Acme,COMPUTER_SOFTWARE,Germany,2024-03-01 10:00,Customer\n"
        "102,Globex,RETAIL,France,2024-05-12 08:30,Customer\n")
    _, draft = parsed(tmp_path)
    accounts = draft["accounts"]
    assert "aggregate" not in accounts
    assert accounts["columns"]["account_id"] == '"Record ID"'
    assert accounts["columns"]["account_name"] == '"Company name"'
    assert accounts["columns"]["region"] == '"Country/Region"'
    assert accounts["columns"]["start_date"] == '"Create Date"'


def test_product_analytics_events_named_by_account_count_users_and_events(tmp_path):
    (tmp_path / "events.csv").write_text(
        "Event Time,Account ID,User ID,Event Name\n"
        "2026-03-02 10:00:00,A 1,u1,report_exported\n2026-03-09 11:00:00,A 1,u2,login\n"
        "2026-04-01 09:30:00,A 2,u3,login\n")
    _, draft = parsed(tmp_path)
    usage = draft["product_usage"]
    assert usage["aggregate"] is True and "joins" not in usage
    assert usage["columns"] == {
        "account_id": '"Account ID"',
        "month": "date_trunc('month', \"Event Time\"::timestamp)",
        "active_users": 'count(distinct "User ID")',
        "key_feature_events": "count(*)"}
    assert draft["accounts"]["file"] == "events.csv"  # no customer list: grouped out of it


def test_a_survey_tool_export_with_the_question_as_header_is_an_nps_survey(tmp_path):
    question = "How likely are you to recommend Acme to a friend or colleague?"
    (tmp_path / "responses.csv").write_text(
        f'#,"{question}",What is the main reason for your score?,email,'
        "Start Date (UTC),Submit Date (UTC),Network ID\n"
        "k3j2,9,Fast support,a@x.com,2026-05-01 10:00:00,2026-05-01 10:02:00,ab12\n"
        "p9x1,4,,b@x.com,2026-05-03 08:00:00,2026-05-03 08:01:00,cd34\n"
        "z7q0,10,Love it,a@x.com,2026-06-01 10:00:00,2026-06-01 10:01:00,ab12\n")
    _, draft = parsed(tmp_path)
    survey = draft["survey_responses"]["columns"]
    assert survey["score"] == f'"{question}"'
    assert survey["comment"] == '"What is the main reason for your score?"'
    assert survey["responded_on"] == '"Submit Date (UTC)"'
    assert survey["account_id"] == "email"
    assert survey["survey_type"] == "'NPS'"
    # no answer-id column with a name the draft knows: one is made, not left to map
    assert survey["response_id"] == (
        "md5(concat_ws('|', email, \"Submit Date (UTC)\", \"" + question + "\"))")
