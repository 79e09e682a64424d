"""Hardening: server settings, no HTML from data, no secrets in the repository, roles config."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest

from northstar.analytics import literal_text
from northstar.data.db import query_runner
from northstar.data.registry import access, pages
from northstar.ui import page_queries, styles
from tests.conftest import REPO_ROOT


def test_server_settings_are_safe():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["server"]["address"] == "127.0.0.1"  # local demo mode: this machine only
    assert config["browser"]["gatherUsageStats"] is False


def tracked_files() -> list[str]:
    return subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()


def test_no_raw_html_is_ever_rendered():
    offenders = []
    for name in tracked_files():
        if name.endswith(".py") and not name.startswith("tests/"):
            source = (REPO_ROOT / name).read_text()
            # st.html is allowed only for Northstar's own constant style sheets (styles.py)
            source = re.sub(r"st\.html\(styles\.[A-Z_]+\)", "", source)
            for pattern in ("unsafe_allow_html=True", "st.html(", "components.html(", "components.v1"):
                if pattern in source:
                    offenders.append(f"{name}: {pattern}")
    assert not offenders


def test_the_only_html_is_constant_style_sheets():
    sheets = {name: value for name, value in vars(styles).items() if name.endswith("_CSS")}
    assert sheets
    for name, sheet in sheets.items():
        body = sheet.strip()
        assert body.startswith("<style>") and body.endswith("</style>"), name
        inner = body[len("<style>"):-len("</style>")]
        assert "<" not in inner and "{{" not in inner and "url(" not in inner, name


SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"(?i)(client_secret|cookie_secret|api_key|password|token)\s*=\s*[\"'](?!<)[^\"']{8,}[\"']"),
]


def test_no_secrets_in_the_repository():
    assert ".streamlit/secrets.toml" not in tracked_files()
    found = []
    for name in tracked_files():
        path = REPO_ROOT / name
        if name.startswith("tests/") or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            content = path.read_text()
        except UnicodeDecodeError:
            continue
        found += [f"{name}: {pattern.pattern}" for pattern in SECRET_PATTERNS if pattern.search(content)]
    assert not found


def test_the_secrets_example_only_holds_placeholders():
    example = tomllib.loads((REPO_ROOT / ".streamlit" / "secrets.example.toml").read_text())
    for key in ("client_id", "client_secret", "cookie_secret"):
        assert example["auth"][key].startswith("<")


def test_every_query_declares_its_scope_and_sensitive_columns():
    for path in sorted((REPO_ROOT / "queries").glob("*.sql")):
        query = query_runner.load_query(path.stem)  # raises when a declaration is missing or malformed
        assert query.scope in access.SCOPE_ROLES, path.name


def test_a_query_without_declarations_is_refused(tmp_path, monkeypatch):
    (tmp_path / "undeclared.sql").write_text("-- everything\nselect 1 as x")
    monkeypatch.setattr(query_runner, "QUERIES_DIR", tmp_path)
    with pytest.raises(page_queries.QueryError, match="must declare"):
        query_runner.load_query("undeclared")
    (tmp_path / "odd.sql").write_text("-- scope: aggregate\n-- sensitive: x (secret)\nselect 1 as x")
    with pytest.raises(page_queries.QueryError, match="kind one of"):
        query_runner.load_query("odd")


def test_every_view_is_a_page_of_the_registry():
    scripts = {path.stem for path in (REPO_ROOT / "views").glob("*.py")}
    assert scripts == set(pages.PAGES_BY_KEY), "list new pages in northstar/data/registry/pages.py"
    for page in pages.PAGES:
        assert page.roles <= set(access.ROLES), page.key
        assert "cco" in page.roles, page.key  # the CCO sees every page
    assert set(access.ROLE_PAGES["cco"]) == set(pages.PAGES_BY_KEY)
    assert all(access.may_open(access.Viewer("x@y", role), pages.HOME) for role in access.ROLES)


def test_roles_are_defined_in_one_place():
    # the page registry and the access rules read the same roles; every role either names is one
    from northstar.data.registry import roles

    assert access.ROLES is roles.ROLES
    assert frozenset(roles.ROLES) == pages.ALL_ROLES
    named = set().union(*(page.roles for page in pages.PAGES), *access.SCOPE_ROLES.values(),
                        access.ACTION_ROLES)
    assert named == set(roles.ROLES)


def test_access_file_rules(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text(
        '[[users]]\nemail = "Ana@Corp.example"\nrole = "board"\n'
        '[[domains]]\ndomain = "corp.example"\nrole = "executive"\n'
        '[[users]]\nemail = "head@corp.example"\nrole = "department_head"\ndepartment = "sales"\n'
    )
    rules = access.load_access(path)
    assert access.resolve("ana@corp.example", rules) == ("board", None)  # the address beats the domain
    assert access.resolve("bob@corp.example", rules) == ("executive", None)
    assert access.resolve("head@corp.example", rules) == ("department_head", "sales")
    assert access.resolve("eve@other.example", rules) is None  # deny by default
    assert access.resolve(None, rules) is None
    assert access.load_access(tmp_path / "absent.toml") == access.AccessList({}, {})
    # a bad entry is refused on its own (named, granting nothing); the others keep working
    path.write_text('[[users]]\nemail = "x@corp.example"\nrole = "king"\n'
                    '[[users]]\nemail = "y@corp.example"\nrole = "department_head"\n'
                    '[[users]]\nemail = "cco@corp.example"\nrole = "cco"\n')
    rules = access.load_access(path)
    assert [entry.describe() for entry in rules.refused] == [
        "[[users]] x@corp.example: role 'king' is not one of the roles executive, cco, "
        "department_head, board",
        "[[users]] y@corp.example: a department_head entry needs a department",
    ]
    assert access.resolve("x@corp.example", rules) is None
    assert access.resolve("y@corp.example", rules) is None
    assert access.resolve("cco@corp.example", rules) == ("cco", None)


@pytest.mark.parametrize("entry, problem", [
    ('[[users]]\nemail = "boss@corp.example"\nrole = "CCO"\n',
     "[[users]] boss@corp.example: role 'CCO' is not one of the roles executive, cco, "
     "department_head, board"),
    ('[[users]]\nemail = "boss@corp.example"\nrole = "admin"\n',
     "[[users]] boss@corp.example: role 'admin' is not one of the roles executive, cco, "
     "department_head, board"),
    ('[[users]]\nemail = "boss@corp.example, eve@evil.example"\nrole = "cco"\n',
     "[[users]] boss@corp.example, eve@evil.example: not one plain e-mail address"),
    ('[[users]]\nemail = "Boss <boss@corp.example>"\nrole = "cco"\n',
     "[[users]] boss <boss@corp.example>: not one plain e-mail address"),
    ('[[domains]]\ndomain = "evil.example@corp.example"\nrole = "board"\n',
     "[[domains]] evil.example@corp.example: not a domain name"),
    ('[[users]]\nrole = "cco"\n', "[[users]] (no email): the entry has no email"),
    ('[[domains]]\ndomain = "corp.example"\nrole = "department_head"\n',
     "[[domains]] corp.example: a department_head entry needs a department"),
])
def test_a_bad_access_entry_is_refused_alone(tmp_path, entry, problem):
    path = tmp_path / "access.toml"
    path.write_text('[[users]]\nemail = "cco@corp.example"\nrole = "cco"\n'
                    '[[domains]]\ndomain = "board.example"\nrole = "board"\n' + entry)
    rules = access.load_access(path)
    assert [entry.describe() for entry in rules.refused] == [problem]
    assert access.resolve("cco@corp.example", rules) == ("cco", None)
    assert access.resolve("member@board.example", rules) == ("board", None)
    assert access.resolve("boss@corp.example", rules) is None
    assert access.resolve("someone@corp.example", rules) is None


@pytest.mark.parametrize("address", [
    "attacker@evil.example@board.example",  # the domain is not what follows the last @
    "attacker@evil.example, member@board.example",
    "Member <member@board.example>",
    "member@board.example\r\nBcc: eve@evil.example",
    "@board.example",
    "member@",
])
def test_an_unparseable_address_matches_no_entry(tmp_path, address):
    path = tmp_path / "access.toml"
    path.write_text('[[domains]]\ndomain = "board.example"\nrole = "board"\n'
                    '[[users]]\nemail = "member@board.example"\nrole = "cco"\n')
    rules = access.load_access(path)
    assert access.resolve("member@board.example", rules) == ("cco", None)
    assert access.resolve(address, rules) is None


def test_data_text_is_shown_literally():
    joiner = literal_text.WORD_JOINER
    assert literal_text.literal("[Click me](https://evil.example)") == (
        rf"\[Click me\]\(https\:{joiner}//evil\.example\)")
    assert literal_text.literal("![x](http://t.example/p.png)").startswith(r"\!\[x\]")
    assert literal_text.literal("Acme *Corp* #1") == r"Acme \*Corp\* \#1"
    # bare addresses GitHub-flavoured Markdown would turn into links are broken invisibly
    assert literal_text.literal("www.evil.example") == f"www{joiner}\\.evil\\.example"
    assert literal_text.literal("ceo@evil.example") == f"ceo\\@{joiner}evil\\.example"
    assert literal_text.literal(":red[x] $x^2$") == r"\:red\[x\] \$x\^2\$"


def test_plotly_draws_data_text_literally():
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=['<a href="http://evil.example">R&D</a>'], y=[1],
                              text=["2 KPIs<br>on track"],
                              hovertemplate="%{x}<br>%{y}<extra></extra>"))
    figure.update_layout(title="<b>Acme</b>")
    safe = literal_text.plotly_safe(figure).to_plotly_json()
    assert safe["data"][0]["x"] == ['&lt;a href="http://evil.example"&gt;R&amp;D&lt;/a&gt;']
    assert safe["data"][0]["text"] == ["2 KPIs<br>on track"]  # Northstar's own line break
    assert safe["data"][0]["hovertemplate"] == "%{x}<br>%{y}<extra></extra>"
    assert safe["layout"]["title"]["text"] == "&lt;b&gt;Acme&lt;/b&gt;"


def test_series_names_from_data_are_text_in_hover_labels():
    """A segment or churn reason carrying markup draws no bold text or link in a hover label:
    the hover template refers to the series' name, and its own text is escaped."""
    import pandas as pd

    from northstar.ui import charts

    hostile = '<b>X</b><a href="http://evil.example">click</a>'
    frame = pd.DataFrame({"month": ["2026-01", "2026-02"] * 2, "value": [1.0, 2.0, 3.0, 4.0],
                          "series": ["Plain", "Plain", hostile, hostile]})
    for figure in (charts.lines(frame, "month", "value", "series"),
                   charts.stacked_bars(frame, "month", "value", "series"),
                   charts.calibration({hostile: ([1.0, 2.0], [1.5, 2.5])})):
        safe = literal_text.plotly_safe(figure).to_plotly_json()
        for trace in safe["data"]:
            template = trace.get("hovertemplate") or ""
            assert "<b>" not in template and "<a " not in template, template
            assert "evil.example" not in template, template
            if trace.get("name", "").startswith("&lt;b&gt;"):
                assert trace["name"] == ("&lt;b&gt;X&lt;/b&gt;&lt;a href=\"http://evil.example\""
                                         "&gt;click&lt;/a&gt;")
    # a template's own text is escaped, its placeholders, line breaks and <extra> kept
    assert literal_text.plotly_template("<i>%{x}</i><br>%{y:.1f}%<extra></extra>") == (
        "&lt;i&gt;%{x}&lt;/i&gt;<br>%{y:.1f}%<extra></extra>")


def test_bidirectional_controls_are_dropped_from_data_text():
    """A right-to-left override in a name cannot reverse how it, or the text after it, reads."""
    from northstar.analytics import display

    name = "Acme \u202egpj.exe\u202c Ltd \u2067x\u2069"
    assert display.without_bidi_controls(name) == "Acme gpj.exe Ltd x"
    assert "\u202e" not in literal_text.literal(name)
    assert "\u202e" not in literal_text.plotly_literal(name)
    assert display.people_words(name) == "Acme gpj.exe Ltd x"
    # right-to-left text itself is kept: only the invisible controls go
    assert display.without_bidi_controls("\u05e9\u05dc\u05d5\u05dd") == "\u05e9\u05dc\u05d5\u05dd"
