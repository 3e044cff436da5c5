-- One row per profile seen by the as-of day: what its purchase history
-- predicts, scored in SQL from the latest fit of the purchase models
-- (int_purchase_model_fits: BG/NBD for purchase counts, Gamma-Gamma for
-- spend, time in days) on the buyer summary of int_purchase_model_inputs
-- (x repeat purchases, t_x first to last purchase, T first purchase to the
-- as-of day, n purchases of average spend m). Fader, Hardie & Lee (2005):
--   probability_alive        1 / (1 + d), d = [x > 0] a / (b + x - 1)
--                            * ((alpha + T) / (alpha + t_x))^(r + x)
--   expected_purchases_<t>d  E[Y(t)] = (a + b + x - 1) / (a - 1)
--                            * (1 - ((alpha + T) / (alpha + T + t))^(r + x)
--                            * 2F1(r + x, b + x; a + b + x - 1; z)) / (1 + d),
--                            z = t / (alpha + T + t), for t = 30, 90, 365 days
--   expected_spend_per_purchase
--                            (gamma + n m) p / (p n + q - 1), m floored at 0
--   expected_value_12m       expected_purchases_365d * expected spend, VND,
--                            undiscounted
--   is_churn_risk            a buyer whose probability_alive is below var
--                            profile360__churn_risk_threshold
-- The Gauss hypergeometric function is a fixed-length series summed in SQL
-- after Euler's transformation, 2F1(A, B; C; z) = (1 - z)^(C - A - B)
-- 2F1(C - A, C - B; C; z), whose terms shrink fast for every x and z < 1;
-- the powers of (1 - z) cancel to (1 - z)^(a - 1). Terms are running
-- products of their ratios (sums of logs and a sign count in a window),
-- computed once per (x, T, horizon). Results are decimals (6 places).
-- Profiles without a purchase, or without
-- a successful fit, get NULL predictions and are not at risk.
{%- set horizons = [30, 90, 365] %}
{%- set series_terms = var('profile360__prediction_series_terms') %}

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_profiles_as_of as (

    select * from {{ ref('int_profiles_as_of') }}

),

int_purchase_model_inputs as (

    select * from {{ ref('int_purchase_model_inputs') }}

),

int_purchase_model_fits as (

    select * from {{ ref('int_purchase_model_fits') }}

),

-- The latest successful fit made as of this day or before (a backfilled day
-- never uses a fit of later data).
ranked_fits as (

    select
        int_purchase_model_fits.*,
        row_number() over (
            order by int_purchase_model_fits.as_of_date desc, int_purchase_model_fits.fitted_at desc
        ) as fit_rank
    from int_purchase_model_fits
    cross join int_as_of_date
    where
        int_purchase_model_fits.fit_status = 'converged'
        and int_purchase_model_fits.as_of_date <= int_as_of_date.as_of_date

),

fit as (

    select
        fit_id,
        bgnbd_r as r,
        bgnbd_alpha as alpha,
        bgnbd_a as a,
        bgnbd_b as b,
        gamma_gamma_p as p,
        gamma_gamma_q as q,
        gamma_gamma_gamma as gg_gamma
    from ranked_fits
    where fit_rank = 1

),

digits as (

    {%- for digit in range(10) %}
        select {{ digit }} as digit{{ ' union all' if not loop.last }}
    {%- endfor %}

),

series_indexes as (

    select units.digit + 10 * tens.digit + 100 * hundreds.digit as term_index
    from digits as units
    cross join digits as tens
    cross join digits as hundreds
    where units.digit + 10 * tens.digit + 100 * hundreds.digit < {{ series_terms }}

),

horizons as (

    {%- for horizon in horizons %}
        select {{ horizon }} as horizon_days{{ ' union all' if not loop.last }}
    {%- endfor %}

),

-- The series depends on x and T only (not t_x): one per distinct pair.
cells as (

    select distinct
        repeat_purchases,
        days_since_first_purchase
    from int_purchase_model_inputs

),

-- term_j / term_(j-1) of 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z); term_0 = 1.
series_ratios as (

    select
        cells.repeat_purchases,
        cells.days_since_first_purchase,
        horizons.horizon_days,
        series_indexes.term_index,
        case
            when series_indexes.term_index = 0 then 1.0
            else
                (fit.a + fit.b - 1 - fit.r + series_indexes.term_index - 1)
                * (fit.a - 1 + series_indexes.term_index - 1)
                / (
                    (fit.a + fit.b + cells.repeat_purchases - 1 + series_indexes.term_index - 1)
                    * series_indexes.term_index
                )
                * horizons.horizon_days
                / (fit.alpha + cells.days_since_first_purchase + horizons.horizon_days)
        end as term_ratio
    from cells
    cross join fit
    cross join horizons
    cross join series_indexes

),

series_terms as (

    select
        repeat_purchases,
        days_since_first_purchase,
        horizon_days,
        sum(case when term_ratio = 0 then 1 else 0 end) over term_window as count_zero_ratios,
        sum(case when term_ratio < 0 then 1 else 0 end) over term_window as count_negative_ratios,
        sum(case when term_ratio = 0 then 0 else ln(abs(term_ratio)) end) over term_window
            as log_abs_term
    from series_ratios
    window term_window as (
        partition by repeat_purchases, days_since_first_purchase, horizon_days
        order by term_index
        rows between unbounded preceding and current row
    )

),

hypergeometric as (

    select
        repeat_purchases,
        days_since_first_purchase,
        horizon_days,
        sum(
            case
                when count_zero_ratios > 0 then 0.0
                else (1 - 2 * mod(count_negative_ratios, 2)) * exp(greatest(log_abs_term, -700))
            end
        ) as series_sum
    from series_terms
    group by repeat_purchases, days_since_first_purchase, horizon_days

),

buyers as (

    select
        int_purchase_model_inputs.profile_id,
        int_purchase_model_inputs.repeat_purchases,
        int_purchase_model_inputs.days_since_first_purchase,
        int_purchase_model_inputs.lifetime_purchases,
        fit.fit_id,
        fit.a,
        fit.b,
        fit.alpha,
        -- d of the header, through its log so that it cannot overflow.
        case
            when int_purchase_model_inputs.repeat_purchases > 0
                then exp(least(
                    ln(fit.a / (fit.b + int_purchase_model_inputs.repeat_purchases - 1))
                    + (fit.r + int_purchase_model_inputs.repeat_purchases)
                    * ln(
                        (fit.alpha + int_purchase_model_inputs.days_since_first_purchase)
                        / (fit.alpha + int_purchase_model_inputs.days_first_to_last_purchase)
                    ),
                    700
                ))
            else 0
        end as dropout_odds,
        (
            fit.gg_gamma
            + int_purchase_model_inputs.lifetime_purchases
            * greatest(int_purchase_model_inputs.average_spend, 0)
        )
        * fit.p / (fit.p * int_purchase_model_inputs.lifetime_purchases + fit.q - 1)
            as expected_spend_per_purchase
    from int_purchase_model_inputs
    cross join fit

),

scored as (

    select
        buyers.profile_id,
        buyers.fit_id,
        1 / (1 + buyers.dropout_odds) as probability_alive,
        {%- for horizon in horizons %}
            max(
                case
                    when hypergeometric.horizon_days = {{ horizon }}
                        then
                            (buyers.a + buyers.b + buyers.repeat_purchases - 1) / (buyers.a - 1)
                            * (
                                1 - power(
                                    (buyers.alpha + buyers.days_since_first_purchase)
                                    / (
                                        buyers.alpha + buyers.days_since_first_purchase
                                        + {{ horizon }}
                                    ),
                                    buyers.a - 1
                                ) * hypergeometric.series_sum
                            )
                            / (1 + buyers.dropout_odds)
                end
            ) as expected_purchases_{{ horizon }}d,
        {%- endfor %}
        buyers.expected_spend_per_purchase
    from buyers
    inner join hypergeometric
        on
            buyers.repeat_purchases = hypergeometric.repeat_purchases
            and buyers.days_since_first_purchase = hypergeometric.days_since_first_purchase
    group by
        buyers.profile_id,
        buyers.fit_id,
        buyers.dropout_odds,
        buyers.expected_spend_per_purchase

),

final as (

    select
        int_profiles_as_of.profile_id,
        scored.fit_id as prediction_fit_id,
        cast(scored.probability_alive as {{ dbt.type_numeric() }}) as probability_alive,
        cast(scored.expected_purchases_30d as {{ dbt.type_numeric() }}) as expected_purchases_30d,
        cast(scored.expected_purchases_90d as {{ dbt.type_numeric() }}) as expected_purchases_90d,
        cast(scored.expected_purchases_365d as {{ dbt.type_numeric() }}) as expected_purchases_365d,
        cast(scored.expected_spend_per_purchase as {{ dbt.type_numeric() }})
            as expected_spend_per_purchase,
        cast(
            scored.expected_purchases_365d * scored.expected_spend_per_purchase
            as {{ dbt.type_numeric() }}
        ) as expected_value_12m,
        coalesce(
            scored.probability_alive < {{ var('profile360__churn_risk_threshold') }}, false
        ) as is_churn_risk
    from int_profiles_as_of
    left join scored
        on int_profiles_as_of.profile_id = scored.profile_id

)

select * from final
