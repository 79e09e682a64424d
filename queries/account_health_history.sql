-- one account's health components and weighted score by month; params $account_id, $w_support, $w_sentiment, $w_engagement, $w_revenue.
-- scope: account_detail
-- sensitive: none
with final as (
    select month, support_experience, survey_sentiment, engagement, revenue_trend,
        health_score(support_experience, survey_sentiment, engagement, revenue_trend,
                     $w_support, $w_sentiment, $w_engagement, $w_revenue) as health_score,
        tickets_6m, escalations_6m, executive_meetings_12m, is_cab_member, open_detractors_6m
    from account_health_monthly
    where account_id = $account_id
)
select * from final
order by month
