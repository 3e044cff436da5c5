-- The spark target's stand-in for the purchase-model fit
-- (models/traits/int_purchase_model_fits.py): dbt-spark runs Python models
-- only on Databricks clusters, not in a local Spark session. It logs one row
-- per build, fit_status not_fitted and no parameters, so the predictions are
-- NULL (as after insufficient_data) and every later model builds. On
-- Databricks enable the Python model instead (docs/spark.md).
{{ config(materialized='table') }}

with

inputs as (

    select * from {{ ref('int_purchase_model_inputs') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

sample as (

    select
        cast(count(*) as {{ dbt.type_bigint() }}) as sample_size,
        cast(coalesce(sum(repeat_purchases + 1), 0) as {{ dbt.type_bigint() }}) as sample_purchases,
        cast(count(case when repeat_purchases > 0 then 1 end) as {{ dbt.type_bigint() }}) as repeat_buyers
    from inputs

),

final as (

    select
        cast(as_of.as_of_date as {{ dbt.type_string() }}) || '/not_fitted' as fit_id,
        {{ dbt.current_timestamp() }} as fitted_at,
        cast(as_of.as_of_date as date) as as_of_date,
        sample.sample_size,
        sample.sample_purchases,
        sample.repeat_buyers,
        'not_fitted' as fit_status,
        {%- for column in ['bgnbd_r', 'bgnbd_alpha', 'bgnbd_a', 'bgnbd_b', 'bgnbd_log_likelihood',
            'gamma_gamma_p', 'gamma_gamma_q', 'gamma_gamma_gamma', 'gamma_gamma_log_likelihood', 'fit_seconds'] %}
        cast(null as double) as {{ column }},
        {%- endfor %}
        'day' as time_unit
    from as_of
    cross join sample

)

select * from final
