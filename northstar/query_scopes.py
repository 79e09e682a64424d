"""What each named query reveals (see northstar.access.SCOPE_ROLES for who may run what).

Every file in queries/ must be listed: an unlisted query is refused to everyone, and a unit test
fails until it is classified.
"""

from __future__ import annotations

QUERY_SCOPES: dict[str, str] = {
    # totals, rates and scores by group: every role
    "dataset_metadata": "aggregate",
    "filter_options": "aggregate",
    "kpi_windows": "aggregate",
    "revenue_months": "aggregate",
    "retention_breakdown": "aggregate",
    "cohort_retention": "aggregate",
    "survival_by_segment": "aggregate",
    "churn_reasons": "aggregate",
    "health_band_churn": "aggregate",
    "health_summary": "aggregate",
    "survey_scores": "aggregate",
    "survey_distribution": "aggregate",
    "comment_theme_months": "aggregate",
    "closed_loop_monthly": "aggregate",
    "closed_loop_retention": "aggregate",
    "program_cab_comparison": "aggregate",
    "program_cab_sessions": "aggregate",
    "program_exec_coverage": "aggregate",
    "program_kudos_quarters": "aggregate",
    "program_survey_results": "aggregate",
    "program_ticket_ageing": "aggregate",
    "program_ticket_categories": "aggregate",
    "goal_kpis": "aggregate",
    "goal_kpi_actuals": "aggregate",
    "goal_departments": "aggregate",
    "goal_outcomes": "aggregate",
    # one department's goals and people (department heads: their own department only)
    "goal_engagement": "department",
    "goal_touchpoint_scores": "department",
    "goal_kudos_employees": "department",
    "invest_driver_counts": "aggregate",
    "invest_initiatives": "aggregate",
    "invest_planted_effects": "aggregate",
    # lists that name accounts (masked for the board)
    "invest_customers": "account",
    "goal_drill_tickets": "account",
    "goal_drill_revenue": "account",
    "goal_drill_coverage": "account",
    "health_accounts": "account",
    "program_cab_members": "account",
    "program_exec_unmet": "account",
    "program_kudos_employees": "account",
    "program_ticket_followups": "account",
    # customers' own words (masked for the board)
    "goal_drill_answers": "verbatim",
    "survey_comments": "verbatim",
    "closed_loop_open": "verbatim",
    "program_kudos_recent": "verbatim",
    "program_survey_low_scores": "verbatim",
    # one account's full record: Account 360
    "account_search": "account_detail",
    "account_profile": "account_detail",
    "account_revenue": "account_detail",
    "account_health_history": "account_detail",
    "account_surveys": "account_detail",
    "account_tickets": "account_detail",
    "account_engagements": "account_detail",
    "account_kudos": "account_detail",
    # loads, rejects and table contents: the data owner
    "data_load_problems": "admin",
    "data_load_rule_counts": "admin",
    "data_load_run": "admin",
    "data_load_tables": "admin",
    "data_table_rows": "admin",
}
