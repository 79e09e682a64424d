"""Sign-in and roles through AppTest: every role on every page, refusals show no data, the board
never sees a customer's name, and results are never shared between roles."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from northstar.data.registry import access, pages
from tests.app.access_file import ACCESS_FILE, USERS  # noqa: F401 - read by other tests
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")
VIEWS = REPO_ROOT / "views"
PAGES = sorted(pages.PAGES_BY_KEY)


def app_for(email: str | None, **claims: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"client_id": "test", "client_secret": "test",
                          "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
                          "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
                          "cookie_secret": "test"}
    at.user = ({"email": email, "is_logged_in": True, "email_verified": True, **claims} if email
               else {"is_logged_in": False})
    return at


def open_as(email: str | None, page: str, query_params: dict[str, str] | None = None) -> AppTest:
    at = app_for(email)
    if query_params:
        at.query_params.update(query_params)
    at.run()
    if page != pages.HOME:
        at.switch_page(str(VIEWS / f"{page}.py")).run()
    return at


def shows_data(at: AppTest) -> bool:
    return bool(len(at.metric) or len(at.dataframe) or len(at.table) or len(at.get("plotly_chart")))


def test_anonymous_visitor_sees_only_the_sign_in(signed_in):
    at = open_as(None, "briefing")
    assert not at.exception
    assert [button.label for button in at.button] == ["Sign in"]
    assert not shows_data(at)


def test_unlisted_user_is_refused_politely(signed_in):
    at = open_as("stranger@elsewhere.example", "briefing")
    assert not at.exception
    assert "don't have access" in at.subheader[0].value
    assert not shows_data(at)


@pytest.mark.parametrize("role", list(USERS))
@pytest.mark.parametrize("page", PAGES)
def test_every_role_on_every_page(signed_in, role, page):
    at = open_as(USERS[role], page)
    assert not at.exception, [exception.message for exception in at.exception]
    refusals = [warning.value for warning in at.warning if "does not include" in warning.value]
    if page in access.ROLE_PAGES[role]:
        assert not any("does not include this page" in text for text in refusals), refusals
        assert at.title, "an allowed page renders"
    else:
        assert any("does not include this page" in text for text in refusals)
        assert not shows_data(at)


def test_navigation_lists_only_allowed_pages(signed_in):
    at = open_as(USERS["department_head"], "briefing")
    assert not at.exception
    assert at.title[0].value == "Customer briefing"
    assert len(at.metric) == 8  # aggregates are open to every role


def customer_texts(path) -> tuple[set[str], set[str]]:
    """Every account name, contact and e-mail (names) and every comment in the database."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = {row[0] for row in con.execute("select account_name from accounts").fetchall()}
        contacts = {row[0] for row in con.execute(
            "select primary_contact_name from accounts union select primary_contact_email from accounts"
        ).fetchall()}
        comments = {row[0] for row in con.execute(
            "select distinct comment from survey_responses where comment is not null").fetchall()}
    return names | contacts, comments


def assert_masked_everywhere(path, email: str, keys: list[str], params: dict[str, str]) -> None:
    # every page, on every tab the page registry declares for it
    names, comments = customer_texts(path)
    for key in keys:
        declared = pages.PAGES_BY_KEY[key]
        first = open_as(email, key, params)
        shown_tabs = {tab.label for tab in first.tabs}
        assert set(declared.tabs) <= shown_tabs, (key, declared.tabs, shown_tabs)
        others = [open_as(email, key, {**params, declared.tab_parameter: tab})
                  for tab in declared.tabs[1:]]
        for at in [first, *others]:
            assert not at.exception, (key, [e.message for e in at.exception])
            text = rendered_text(at)
            leaked = [name for name in names if name and name in text]
            assert not leaked, (key, leaked[:5])
            leaked_comments = [comment for comment in comments if comment in text]
            assert not leaked_comments, (key, leaked_comments[:3])


def test_board_sees_no_customer_names_anywhere(signed_in):
    assert_masked_everywhere(signed_in, USERS["board"], sorted(access.ROLE_PAGES["board"]), {})


def test_masked_render_of_every_page_shows_no_customer_name(signed_in):
    assert_masked_everywhere(
        signed_in, USERS["cco"], PAGES, {"mask": "true", "account": "A0000001"}
    )


def rendered_text(at: AppTest) -> str:
    """Every string an AppTest render holds: elements, tables, charts (as JSON)."""
    parts = [str(at.main)]
    parts.append(str(at.sidebar))
    for frame in list(at.dataframe) + list(at.table):
        parts.append(frame.value.to_csv())
    for chart in at.get("plotly_chart"):
        parts.append(json.dumps(json.loads(chart.proto.spec)))
    return "\n".join(parts)


def test_department_head_cannot_run_account_queries(signed_in):
    from northstar.data.registry.access import AccessDenied, Viewer, check_query
    from northstar.ui.page_queries import load_query

    head = Viewer("h@x", "department_head", "customer_service", signed_in=True)
    with pytest.raises(AccessDenied):
        check_query(head, "health_accounts", load_query("health_accounts").scope, {})
    with pytest.raises(AccessDenied):
        check_query(head, "account_profile", load_query("account_profile").scope, {"account_id": "A0000001"})
    check_query(head, "kpi_windows", load_query("kpi_windows").scope, {})
    board = Viewer("b@x", "board", signed_in=True)
    with pytest.raises(AccessDenied):
        check_query(board, "account_tickets", load_query("account_tickets").scope, {"account_id": "A0000001"})
    with pytest.raises(AccessDenied):
        check_query(board, "data_load_run", load_query("data_load_run").scope, {})
    with pytest.raises(AccessDenied):
        check_query(Viewer("n@x", None, signed_in=True), "kpi_windows", load_query("kpi_windows").scope, {})


@pytest.mark.parametrize("claims", [
    {"email_verified": False},
    {"email_verified": "false"},
    {"email_verified": None, "iss": "https://idp.example"},  # no claim, issuer not trusted
])
def test_an_unverified_address_gets_no_role_whoever_it_names(signed_in, claims):
    at = app_for(USERS["cco"], **claims)
    if claims.get("email_verified") is None:
        at.user = {key: value for key, value in dict(at.user).items()
                   if key != "email_verified"}
    at.run()
    assert not at.exception
    assert any("not verified" in header.value for header in at.subheader)
    assert not at.metric and not at.dataframe


def test_a_string_true_is_a_verified_address(signed_in):
    at = app_for(USERS["cco"], email_verified="true").run()
    assert not at.exception and at.metric


def test_an_operator_may_trust_an_issuer_that_never_sends_the_claim(signed_in, tmp_path,
                                                                    monkeypatch):
    path = tmp_path / "trusting.toml"
    path.write_text(ACCESS_FILE + '\n[sign_in]\nissuers_without_email_verified = '
                    '["https://login.corp.example"]\n')
    monkeypatch.setenv("NORTHSTAR_ACCESS_FILE", str(path))
    rules = access.load_access(path)
    assert access.email_verified({"iss": "https://login.corp.example"}, rules)
    assert not access.email_verified({"iss": "https://other.example"}, rules)
    # an explicit false is refused even from a trusted issuer
    assert not access.email_verified({"iss": "https://login.corp.example",
                                      "email_verified": False}, rules)
    at = app_for(USERS["cco"], iss="https://login.corp.example")
    at.user = {key: value for key, value in dict(at.user).items() if key != "email_verified"}
    at.run()
    assert not at.exception and at.metric


def plain(markdown: str) -> str:
    """Markdown as a reader sees it: escapes and invisible word joiners removed."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("\u2060", ""))


def use_access_file(tmp_path, monkeypatch, text: str) -> None:
    path = tmp_path / "edited_access.toml"
    path.write_text(text)
    monkeypatch.setenv("NORTHSTAR_ACCESS_FILE", str(path))


@pytest.mark.parametrize("page", sorted(access.ROLE_PAGES["department_head"]))
def test_a_department_head_whose_department_is_not_in_the_data_sees_nothing(
        signed_in, tmp_path, monkeypatch, page):
    use_access_file(tmp_path, monkeypatch, ACCESS_FILE.replace(
        'department = "customer_service"', 'department = "Customer_Servce"'))
    at = open_as(USERS["department_head"], page)
    assert not at.exception, [exception.message for exception in at.exception]
    assert not shows_data(at)
    assert not at.selectbox  # no department picker
    message = plain(" ".join(block.value for block in at.markdown))
    assert USERS["department_head"] in message
    assert "'Customer_Servce'" in message  # the department as the access file writes it
    assert "Ask the CCO's office" in message


BAD_ENTRIES = ACCESS_FILE + """
[[users]]
email = "admin@northstar.example"
role = "admin"

[[users]]
email = "shouty@northstar.example"
role = "CCO"

[[users]]
email = "head.sales@northstar.example"
role = "department_head"
"""


def test_a_bad_access_entry_is_refused_alone_and_listed_for_the_cco(signed_in, tmp_path,
                                                                     monkeypatch):
    use_access_file(tmp_path, monkeypatch, BAD_ENTRIES)
    at = open_as(USERS["cco"], "briefing")
    assert not at.exception, [exception.message for exception in at.exception]
    assert len(at.metric) == 8
    listed = plain(" ".join(warning.value for warning in at.sidebar.warning))
    assert "3 entries in the access file are refused" in listed
    assert "[[users]] admin@northstar.example: role 'admin' is not one of the roles" in listed
    assert "[[users]] shouty@northstar.example: role 'CCO'" in listed
    assert "head.sales@northstar.example: a department_head entry needs a department" in listed
    for role in ("executive", "board", "department_head"):
        other = open_as(USERS[role], "briefing")
        assert not other.exception and len(other.metric) == 8, role
        assert not [warning for warning in other.sidebar.warning if "refused" in warning.value]
    for refused in ("admin@northstar.example", "shouty@northstar.example",
                    "head.sales@northstar.example"):
        denied = open_as(refused, "briefing")
        assert not denied.exception
        assert "Your access-list entry is invalid" in denied.subheader[0].value
        assert not shows_data(denied)


@pytest.mark.parametrize("role", ["cco", "board", "department_head"])
def test_the_glossary_says_what_each_page_the_role_may_open_answers(signed_in, role):
    at = open_as(USERS[role], "glossary")
    assert not at.exception, [exception.message for exception in at.exception]
    assert "Pages" in [header.value for header in at.subheader]
    text = "\n".join(block.value for block in at.markdown)
    for page in pages.PAGES:
        allowed = page.key in access.ROLE_PAGES[role]
        assert (f"| **{page.title}**" in text) == allowed, (role, page.key)
        assert (page.purpose in text) == allowed, (role, page.key)
