-- northstar canonical data model (duckdb). every table the product reads is defined here;
-- the demo generator and the importer both load into these tables, then rollups are built.
-- conventions: ids are text; money in usd (`_usd`); durations in hours; dates are `date`,
-- instants are `timestamp` (utc); scores carry their scale in the column comment.

-- reference: the customer-facing departments whose goals the cco aligns.
create table departments (
    department_id   varchar primary key,          -- e.g. 'customer_service'
    department_name varchar not null unique,      -- display name
    head_name       varchar                       -- person accountable for the department
);

-- reference: the customer outcomes that department kpis can serve.
create table customer_outcomes (
    outcome_id   varchar primary key,             -- retention, satisfaction, effort, growth, advocacy
    outcome_name varchar not null unique,
    description  varchar not null
);

-- people who serve customers: csms (account owners), agents, consultants, executives.
create table employees (
    employee_id   varchar primary key,
    employee_name varchar not null,
    department_id varchar not null references departments (department_id),
    job_title     varchar not null,
    email         varchar                          -- work e-mail: where action digests go
);

-- one row per customer account (the customer company).
create table accounts (
    account_id          varchar primary key,
    account_name        varchar not null,
    segment             varchar not null default 'Not recorded',  -- the company's own (Enterprise, SMB, ...)
    industry            varchar not null default 'Not recorded',
    region              varchar not null default 'Not recorded',
    plan                varchar not null default 'Not recorded',
    acquisition_channel varchar,                   -- inbound, outbound, partner, referral, event
    csm_employee_id     varchar references employees (employee_id),  -- owner / customer success manager
    primary_contact_name  varchar,                 -- personal data: masked on shared screens
    primary_contact_email varchar,
    start_date          date not null,             -- first day of the first paid subscription
    renewal_date        date,                      -- next contract renewal, when known
    churn_date          date,                      -- last day as a customer; null while active
    churn_reason        varchar,                   -- why the customer left, when churned
    lost_to_competitor  varchar,                   -- the competitor won, when known
    check (churn_date is null or churn_date >= start_date),
    check (churn_date is not null or churn_reason is null)
);

-- further account attributes the mapping keeps (contract type, payment method, ...): one row
-- per account and attribute, from the accounts mapping's `attributes` table. The churn model
-- takes each as a candidate driver beside plan, industry, region and acquisition channel.
create table account_attributes (
    account_id varchar not null references accounts (account_id),
    attribute  varchar not null,               -- the name the mapping gave it, e.g. Contract
    value      varchar not null,
    primary key (account_id, attribute)
);

-- monthly recurring revenue: one row per account and calendar month it was billed.
-- `month` is the first day of the month; arr = 12 x mrr. months without a row mean mrr 0.
create table account_mrr_monthly (
    account_id varchar not null references accounts (account_id),
    month      date not null check (day(month) = 1),
    mrr_usd    decimal(14, 2) not null check (mrr_usd >= 0),
    primary key (account_id, month)
);

-- product usage: one row per account and calendar month the product export reports. `month`
-- is the first day of the month; every figure is optional (an export has what it has).
-- more seats used than paid is loaded with a warning. feeds the usage churn drivers and the
-- health score's product-usage component.
create table product_usage (
    account_id         varchar not null references accounts (account_id),
    month              date not null check (day(month) = 1),
    active_users       integer check (active_users >= 0),      -- distinct users active that month
    seats_paid         integer check (seats_paid >= 0),        -- seats (licences) paid for
    seats_used         integer check (seats_used >= 0),        -- seats assigned to or used by someone
    key_feature_events bigint check (key_feature_events >= 0), -- uses of the key feature(s)
    primary key (account_id, month)
);

-- support tickets. durations derive from the timestamps (hours); satisfaction is csat 1-5.
create table support_tickets (
    ticket_id          varchar primary key,
    account_id         varchar not null references accounts (account_id),
    department_id      varchar not null references departments (department_id),  -- team that owned it
    opened_at          timestamp not null,
    first_response_at  timestamp,
    resolved_at        timestamp,
    status             varchar not null,           -- solved and closed have a meaning (see the mapping's roles)
    priority           varchar not null,           -- low, normal, high, urgent carry cost-to-serve rates
    category           varchar not null,           -- defect, how-to, billing, integration, ...
    channel            varchar not null,           -- email, phone, chat, portal, social media, ...
    escalated_at       timestamp,                  -- null when never escalated
    reopen_count       integer not null default 0 check (reopen_count >= 0),
    satisfaction_score integer check (satisfaction_score between 1 and 5),  -- csat 1-5, optional
    subject            varchar,                    -- free text: masked on shared screens
    check (first_response_at is null or first_response_at >= opened_at),
    check (resolved_at is null or resolved_at >= opened_at),
    check (escalated_at is null or escalated_at >= opened_at),
    check (status not in ('solved', 'closed') or resolved_at is not null)
);

-- engagements: every planned touch with an account.
create table engagements (
    engagement_id      varchar primary key,
    account_id         varchar not null references accounts (account_id),
    engagement_type    varchar not null,           -- the company's own types; cab_session,
                                                   -- executive_meeting, qbr, professional_services,
                                                   -- installation and detractor_follow_up have a
                                                   -- meaning (see the mapping's roles)
    department_id      varchar not null references departments (department_id),
    owner_employee_id  varchar references employees (employee_id),
    started_on         date not null,
    ended_on           date,
    attended           boolean not null default true,  -- false: invited but did not attend
    hours              decimal(8, 2) check (hours >= 0),  -- staff time spent
    notes              varchar,                    -- free text: masked on shared screens
    check (ended_on is null or ended_on >= started_on)
);

-- customer advisory board membership: one row per membership spell.
create table cab_memberships (
    account_id varchar not null references accounts (account_id),
    joined_on  date not null,
    left_on    date,
    seat_holder_name varchar,                      -- the customer executive on the board
    primary key (account_id, joined_on),
    check (left_on is null or left_on >= joined_on)
);

-- survey answers. one row per answered question.
--   nps: 0-10 likelihood to recommend; csat: 1-5 satisfaction; ces: 1-7 "easy to handle".
create table survey_responses (
    response_id    varchar primary key,
    account_id     varchar not null references accounts (account_id),
    survey_type    varchar not null check (survey_type in ('NPS', 'CSAT', 'CES')),
    program        varchar not null,               -- relationship, post_installation,
                                                   -- post_professional_services and support have a
                                                   -- meaning; other surveys count as their own
    department_id  varchar references departments (department_id),  -- department of the touchpoint
    responded_on   date not null,
    score          integer not null,
    respondent_name varchar,                       -- personal data: masked on shared screens
    comment        varchar,                        -- free text: masked on shared screens
    ticket_id      varchar references support_tickets (ticket_id),
    engagement_id  varchar references engagements (engagement_id),
    check (
        (survey_type = 'NPS' and score between 0 and 10)
        or (survey_type = 'CSAT' and score between 1 and 5)
        or (survey_type = 'CES' and score between 1 and 7)
    )
);

-- each department's kpis (the editable kpi catalogue): definition, target, direction, owner.
-- source 'computed': the actuals are (re)computed from the canonical tables by the rollup
-- northstar/data/db/rollups_sql/kpi_actuals.sql using the named `computation`, after every demo build
-- and load (actuals loaded for such a kpi are replaced); 'imported': actuals come from kpi_actuals.
create table department_kpis (
    kpi_id         varchar primary key,
    department_id  varchar not null references departments (department_id),
    kpi_name       varchar not null,
    definition     varchar not null,
    unit           varchar not null check (unit in ('pct', 'usd', 'hours', 'count', 'score', 'days')),
    direction      varchar not null check (direction in ('higher_is_better', 'lower_is_better')),
    target_value   double,                        -- per period; null: no target set (status "no data")
    period_grain   varchar not null check (period_grain in ('month', 'quarter')),
    owner_employee_id varchar references employees (employee_id),
    source         varchar not null check (source in ('computed', 'imported')),
    next_review_on date,
    computation    varchar check (computation in (
                       'first_response_median_hours', 'resolution_median_hours', 'support_csat_pct',
                       'post_ps_csat_pct', 'onboarding_csat_pct', 'defect_tickets_per_1k_accounts',
                       'new_arr_usd', 'expansion_arr_usd', 'relationship_nps', 'survey_coverage_pct')),
    check (source = 'imported' or computation is not null)
);

-- which customer outcome(s) a kpi serves (none: the kpi is not tied to a customer outcome).
create table kpi_outcomes (
    kpi_id     varchar not null references department_kpis (kpi_id),
    outcome_id varchar not null references customer_outcomes (outcome_id),
    primary key (kpi_id, outcome_id)
);

-- kpi actuals per period (period_start = first day of the month or quarter).
create table kpi_actuals (
    kpi_id       varchar not null references department_kpis (kpi_id),
    period_start date not null,
    actual_value double not null,
    primary key (kpi_id, period_start)
);

-- investments the cco and departments make to move a churn driver.
create table initiatives (
    initiative_id   varchar primary key,
    initiative_name varchar not null,
    department_id   varchar not null references departments (department_id),
    target_driver   varchar not null,              -- driver id, see demo_planted_effects
    cost_usd        decimal(14, 2) not null check (cost_usd >= 0),
    started_on      date not null,
    ended_on        date,
    expected_churn_reduction_pct double not null check (expected_churn_reduction_pct between 0 and 100),
    status          varchar not null check (status in ('proposed', 'running', 'completed'))
);

-- kudos: an employee praised by a customer.
create table kudos (
    kudos_id      varchar primary key,
    employee_id   varchar not null references employees (employee_id),
    department_id varchar not null references departments (department_id),
    account_id    varchar not null references accounts (account_id),
    given_on      date not null,
    comment       varchar                          -- free text: masked on shared screens
);

-- employee engagement survey result per department and quarter (score 0-100).
create table employee_engagement (
    department_id    varchar not null references departments (department_id),
    quarter_start    date not null check (day(quarter_start) = 1 and month(quarter_start) in (1, 4, 7, 10)),
    engagement_score double not null check (engagement_score between 0 and 100),
    respondents      integer not null check (respondents >= 0),
    headcount        integer not null check (headcount >= respondents),
    primary key (department_id, quarter_start)
);

-- what the data is and when it is from: keys as_of_date, source, seed, built_at.
create table dataset_metadata (
    key   varchar primary key,
    value varchar not null
);

-- demo data only: the churn drivers the generator planted and their true effect
-- (multiplier on the monthly churn hazard), so analysis can be checked against truth.
create table demo_planted_effects (
    driver_id      varchar primary key,
    description    varchar not null,
    hazard_ratio   double not null check (hazard_ratio > 0),
    exposure_rule  varchar not null                -- how exposure shows in the observed data
);

-- the load that built this database (`python -m northstar.load`); empty in a demo database.
create table load_runs (
    source_path  varchar not null,                 -- the folder (or warehouse) read
    mapping_path varchar,                          -- the mapping file, null for the default mapping
    started_at   timestamp not null,
    finished_at  timestamp not null,
    max_reject_pct double not null,                -- the threshold the load was held to
    source_rows  bigint not null,
    loaded_rows  bigint not null,
    rejected_rows bigint not null,
    warnings     bigint not null,
    source_fingerprint varchar                     -- what was read (JSON), for --if-changed
);

-- per canonical table: where its rows came from and what happened to them in the last load.
create table load_table_results (
    table_name    varchar primary key,
    source_file   varchar,                         -- null when the source has no such file
    status        varchar not null check (status in ('loaded', 'empty', 'missing', 'seeded')),
    source_rows   bigint not null,                 -- rows to load: after the mapping's where,
                                                   -- aggregate and spread
    loaded_rows   bigint not null,
    rejected_rows bigint not null,                 -- rows refused (a row can break several rules)
    warnings      bigint not null,
    file_rows     bigint not null default 0        -- data rows in the source file, as read
);

-- per source file of the last load: what each of its physical lines became (sheet rows for
-- Excel, rows for Parquet). lines = preamble_lines + blank_lines + quoted_lines
-- + malformed_lines + filtered_rows + refused_rows + loaded_rows; the loaded source rows
-- became table_rows rows of the table (fewer with aggregate, more with spread_months).
create table load_file_lines (
    table_name      varchar not null,
    source_file     varchar not null,
    kind            varchar not null check (kind in ('delimited', 'whitespace', 'excel',
                                                     'parquet', 'warehouse')),
    lines           bigint not null,               -- physical lines of the file
    preamble_lines  bigint not null,               -- the header line and the lines above it
    blank_lines     bigint not null,               -- empty (Excel: nothing in the columns read)
    quoted_lines    bigint not null,               -- inside quoted multi-line values
    malformed_lines bigint not null,               -- refused while reading (malformed_row)
    filtered_rows   bigint not null,               -- left out by the mapping's where
    refused_rows    bigint not null,               -- refused by a validation rule
    loaded_rows     bigint not null,               -- source rows that reached the table
    table_rows      bigint not null,               -- the table rows they became
    reshaped        varchar,                       -- aggregate or spread, when rows were merged
                                                   -- or spread over months
    unused_rows     bigint not null,               -- a joined file's rows no main row took
    primary key (table_name, source_file)
);

-- every refused row of the last load, once per rule it broke (also written to the rejects csv).
create table load_rejects (
    table_name  varchar not null,
    source_file varchar not null,
    line        bigint,                            -- line in the file (sheet row for xlsx)
    column_name varchar,
    value       varchar,                           -- the offending value, cut to 200 characters
    rule        varchar not null,
    message     varchar not null
);

-- quality warnings of the last load: rows that were loaded but look wrong.
create table load_warnings (
    table_name  varchar not null,
    source_file varchar not null,
    line        bigint,
    column_name varchar,
    value       varchar,
    rule        varchar not null,
    message     varchar not null
);
