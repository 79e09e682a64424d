-- the accounts behind survey coverage, uncovered and largest arr first
-- accounts in scope billed in $closing_month, with their latest relationship nps answer in the six
-- months ending that month (none = not covered); at most $limit rows, with the totals.
-- parameters:
--   $closing_month  the month coverage is measured at
--   $limit          at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: account_name (account)
with billed as (
    select m.account_id, 12 * m.mrr_usd::double as arr_usd
    from account_mrr_monthly m
    where account_in_scope(m.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and m.month = $closing_month::date and is_billed(m.mrr_usd)
),
answered as (
    select account_id, max(responded_on) as latest_answer_on
    from survey_responses
    where survey_type = 'NPS' and program = 'relationship'
      and responded_on >= $closing_month::date - to_months(survey_coverage_months() - 1)
      and responded_on < $closing_month::date + interval 1 month
    group by account_id
),
final as (
    select b.account_id, a.account_name, a.segment, b.arr_usd, s.latest_answer_on,
        s.latest_answer_on is not null as is_covered,
        count(*) over () as total_rows,
        count(s.latest_answer_on) over () as covered_rows
    from billed b
    join accounts a using (account_id)
    left join answered s using (account_id)
)
select * from final
order by is_covered, arr_usd desc, account_id
limit $limit
