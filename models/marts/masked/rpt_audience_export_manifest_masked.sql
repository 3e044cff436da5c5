-- The BI copy of marts.rpt_audience_export_manifest in marts_masked, under the same name: it
-- holds no e-mail, phone or name, so every column passes unchanged. Columns
-- are named one by one (and the contract is enforced): a column added
-- upstream reaches the masked schema only when it is added here.
{{ config(alias='rpt_audience_export_manifest', materialized='view') }}

with

rpt_audience_export_manifest as (

    select * from {{ ref('rpt_audience_export_manifest') }}

),

final as (

    select
        audience_export_id,
        run_date,
        segment_key,
        channel,
        consent_purpose,
        audience_size,
        exported_rows,
        left_out_no_consent,
        left_out_no_identifier,
        left_out_opted_out,
        segment_file,
        channel_csv_file,
        channel_parquet_file
    from rpt_audience_export_manifest

)

select * from final
