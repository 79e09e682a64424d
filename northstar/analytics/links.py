"""Links between pages, as relative addresses the tables show: an account's 360 view, a
department's scorecard. The text after '#' is what a link column displays; the view state
(masking, filters) is added when a table is drawn (northstar.ui.view_state)."""

from __future__ import annotations

import pandas as pd


def account_link(account_id: str, account_name: str) -> str:
    """Relative link to an account's 360 view; the name after '#' is what the table shows."""
    return f"account?account={account_id}#{account_name}"


def account_links(frame: pd.DataFrame) -> list[str]:
    """Account 360 links for a frame with account_id and account_name (the table shows the
    name)."""
    return [
        account_link(account_id, name)
        for account_id, name in zip(frame["account_id"], frame["account_name"], strict=True)
    ]


def scorecard_link(department_id: str, department_name: str) -> str:
    """Relative link to a department's scorecard; the name after '#' is what tables show."""
    return f"scorecard?department={department_id}#{department_name}"


def without_links(table: pd.DataFrame) -> pd.DataFrame:
    """A display table for download: account names instead of Account 360 links."""
    export = table.copy()
    if "Account" in export:
        export["Account"] = [
            link.split("#", 1)[1] if isinstance(link, str) and "#" in link else link
            for link in export["Account"]
        ]
    return export
