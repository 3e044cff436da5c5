-- One row per buyer (a profile with a purchase by the as-of day): the
-- summary the purchase models are fitted on (int_purchase_model_fits) and
-- scored from (trait_predicted_value), in days, from int_purchase_state:
--   repeat_purchases              purchases after the first (BG/NBD x)
--   days_first_to_last_purchase   first to last purchase day (BG/NBD t_x)
--   days_since_first_purchase     first purchase day to the as-of day (T)
--   lifetime_purchases, average_spend
--                                 purchases and their average net amount in
--                                 VND (Gamma-Gamma n and m; 0 or less when
--                                 everything was refunded)
-- Purchases are counted as trait_purchase counts them (orders not
-- cancelled and POS sales), so two purchases on one day are two.

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_purchase_state as (

    select * from {{ ref('int_purchase_state') }}

),

final as (

    select
        int_purchase_state.profile_id,
        cast(int_purchase_state.lifetime_purchases - 1 as {{ dbt.type_int() }}) as repeat_purchases,
        cast(
            {{ dbt.datediff('cast(int_purchase_state.first_purchase_at as date)',
                'cast(int_purchase_state.last_purchase_at as date)', 'day') }}
            as {{ dbt.type_int() }}
        ) as days_first_to_last_purchase,
        cast(
            {{ profile360.days_before_as_of('int_purchase_state.first_purchase_at',
                'int_as_of_date.as_of_date') }}
            as {{ dbt.type_int() }}
        ) as days_since_first_purchase,
        cast(int_purchase_state.lifetime_purchases as {{ dbt.type_int() }}) as lifetime_purchases,
        cast(
            int_purchase_state.lifetime_value / int_purchase_state.lifetime_purchases
            as {{ dbt.type_numeric() }}
        ) as average_spend
    from int_purchase_state
    cross join int_as_of_date
    where int_purchase_state.lifetime_purchases > 0

)

select * from final
