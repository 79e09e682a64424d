"""The workspace database's schema, one numbered step at a time.

Each step runs once, in order, inside one transaction, and is recorded in `workspace_schema`;
a database at an older version is brought up to date when Northstar opens it. The statements
are plain SQL that SQLite and PostgreSQL both accept: keys are text, dates and times are ISO
8601 text (UTC), so the same code reads and writes both.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "actions, their notes and the audit trail", (
        """create table actions (
            action_id varchar(32) primary key,
            title varchar(300) not null,
            owner_employee_id varchar(100) not null,
            owner_name varchar(200) not null,
            owner_email varchar(320),
            department_id varchar(100) not null,
            due_on varchar(10) not null,
            priority varchar(10) not null
                check (priority in ('low', 'normal', 'high', 'urgent')),
            status varchar(12) not null
                check (status in ('open', 'in_progress', 'done', 'dropped')),
            subject_kind varchar(10) not null
                check (subject_kind in ('account', 'answer', 'ticket', 'kpi', 'driver')),
            subject_key varchar(200) not null,
            subject_label varchar(300) not null,
            account_id varchar(100),
            created_by varchar(320) not null,
            created_at varchar(32) not null,
            updated_by varchar(320) not null,
            updated_at varchar(32) not null,
            closed_at varchar(32),
            version integer not null
        )""",
        "create index actions_by_subject on actions (subject_kind, subject_key)",
        "create index actions_by_account on actions (account_id)",
        "create index actions_by_department on actions (department_id, status)",
        """create table action_notes (
            note_id varchar(32) primary key,
            action_id varchar(32) not null references actions (action_id),
            body varchar(4000) not null,
            author varchar(320) not null,
            created_at varchar(32) not null
        )""",
        "create index action_notes_by_action on action_notes (action_id)",
        """create table action_audit (
            audit_id varchar(32) primary key,
            action_id varchar(32) not null references actions (action_id),
            changed_by varchar(320) not null,
            changed_at varchar(32) not null,
            version integer not null,
            change_json varchar(8000) not null
        )""",
        "create index action_audit_by_action on action_audit (action_id)",
    )),
    (2, "the digest e-mails sent, so a re-run for the same day skips them", (
        """create table digest_sends (
            recipient varchar(320) not null,
            period varchar(10) not null,
            what varchar(20) not null,
            sent_at varchar(32) not null,
            primary key (recipient, period, what)
        )""",
    )),
    (3, "sign-outs: sign-in cookies ended with Sign out", (
        """create table sign_outs (
            cookie_digest varchar(64) primary key,
            signed_out_at varchar(32) not null
        )""",
        "create index sign_outs_by_time on sign_outs (signed_out_at)",
    )),
    (4, "alerts fired: each rule's occurrence, to whom, when, by which channel and the outcome", (
        """create table alerts_fired (
            rule varchar(200) not null,
            occurrence varchar(300) not null,
            recipient varchar(400) not null,
            channel varchar(10) not null check (channel in ('email', 'webhook')),
            kind varchar(20) not null,
            fired_at varchar(32) not null,
            outcome varchar(12) not null check (outcome in ('sent', 'unconfirmed', 'failed')),
            sentence varchar(2000) not null,
            link varchar(1000) not null,
            account_name varchar(300),
            hidden_text varchar(300),
            detail varchar(1000),
            primary key (rule, occurrence, recipient)
        )""",
        "create index alerts_fired_by_time on alerts_fired (fired_at)",
    )),
)

LATEST_VERSION = MIGRATIONS[-1][0]
