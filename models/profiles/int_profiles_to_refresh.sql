-- The profiles the incremental profiles models recompute at this build: the
-- one rule of what can have changed since the previous complete build of the
-- layer (int_profile_build_state, the layer's last model), one row per
-- profile id with a reason (the first in alphabetical order when several
-- apply):
--   new_profile          a profile id that did not exist (new records,
--                        a split, a renamed profile);
--   profile_gone         a profile id that no longer exists (merged into
--                        another, erased): its rows are deleted;
--   inputs_changed       its fingerprint changed (int_profile_fingerprints):
--                        records added, removed or moved (merge, split,
--                        erasure), a record re-sent with other values, an
--                        identifier linked or unlinked;
--   identifier_flagged   a record of it carries an identifier flagged or
--                        unflagged since (a contact point gained or lost);
--   consent_recorded     a consent record staged since (stg_privacy__consents
--                        _loaded_at after the previous build) names one of
--                        its identifiers;
--   rules_changed        seeds/survivorship_rules.csv changed: every profile;
--   full_build           no previous complete build (first build,
--                        --full-refresh, a profiles table missing): every
--                        profile, and the models rebuild in full.
-- Erased consent records need no rule of their own: erasure removes the
-- records carrying the erased identifier, which changes the fingerprint.
{%- set previous_state = profile360.profiles_previous_state() %}
{#- Without a previous state every profile is listed as full_build and the
    comparisons below are switched off (and read nothing). -#}
{%- set compare = '1 = 0' if previous_state is none else '1 = 1' %}

with

int_profile_fingerprints as (

    select * from {{ ref('int_profile_fingerprints') }}

),

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

stg_privacy__consents as (

    select * from {{ ref('stg_privacy__consents') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

survivorship_rules as (

    select * from {{ ref('survivorship_rules') }}

),

previous_state as (

    {{ profile360.previous_state_rows() }}

),

current_profiles as (

    select
        fingerprint_key as profile_id,
        fingerprint
    from int_profile_fingerprints
    where fingerprint_kind = 'profile'

),

previous_profiles as (

    select
        fingerprint_key as profile_id,
        fingerprint
    from previous_state
    where fingerprint_kind = 'profile'

),

full_build as (

    select
        profile_id,
        'full_build' as refresh_reason
    from current_profiles
    where not ({{ compare }})

),

changed_profiles as (

    select
        coalesce(current_profiles.profile_id, previous_profiles.profile_id) as profile_id,
        case
            when previous_profiles.profile_id is null then 'new_profile'
            when current_profiles.profile_id is null then 'profile_gone'
            else 'inputs_changed'
        end as refresh_reason
    from current_profiles
    full outer join previous_profiles
        on current_profiles.profile_id = previous_profiles.profile_id
    where
        {{ compare }}
        and (
            current_profiles.profile_id is null
            or previous_profiles.profile_id is null
            or current_profiles.fingerprint <> previous_profiles.fingerprint
        )

),

now_flagged as (

    select fingerprint_key as identifier_id
    from int_profile_fingerprints
    where fingerprint_kind = 'flagged_identifier' and {{ compare }}

),

was_flagged as (

    select fingerprint_key as identifier_id
    from previous_state
    where fingerprint_kind = 'flagged_identifier'

),

-- Identifiers flagged now and not before, or before and not now.
flag_changes as (

    select coalesce(now_flagged.identifier_id, was_flagged.identifier_id) as identifier_id
    from now_flagged
    full outer join was_flagged
        on now_flagged.identifier_id = was_flagged.identifier_id
    where now_flagged.identifier_id is null or was_flagged.identifier_id is null

),

flagged_carriers as (

    select
        map_records_to_profiles.profile_id,
        'identifier_flagged' as refresh_reason
    from int_identifier_occurrences
    inner join flag_changes
        on int_identifier_occurrences.identifier_id = flag_changes.identifier_id
    inner join map_records_to_profiles
        on
            int_identifier_occurrences.source = map_records_to_profiles.source
            and int_identifier_occurrences.record_key = map_records_to_profiles.record_key

),

previous_build as (

    select max(built_at) as built_at
    from previous_state

),

-- Consent records staged since the previous build, and the identifier each names.
new_consent_subjects as (

    select
        {{ profile360.consent_subject_identifier_id(
            'stg_privacy__consents.subject_type', 'stg_privacy__consents.subject_value'
        ) }} as identifier_id
    from stg_privacy__consents
    inner join previous_build
        on stg_privacy__consents._loaded_at > previous_build.built_at

),

new_consents as (

    select
        map_identifiers_to_profiles.profile_id,
        'consent_recorded' as refresh_reason
    from new_consent_subjects
    inner join map_identifiers_to_profiles
        on new_consent_subjects.identifier_id = map_identifiers_to_profiles.identifier_id
    where map_identifiers_to_profiles.profile_id is not null

),

rules_fingerprint as (

    {{ profile360.survivorship_rules_fingerprint('survivorship_rules') }}

),

previous_rules as (

    select fingerprint
    from previous_state
    where fingerprint_kind = 'rules'

),

rules_changed as (

    select
        current_profiles.profile_id,
        'rules_changed' as refresh_reason
    from current_profiles
    cross join rules_fingerprint
    where
        {{ compare }}
        and rules_fingerprint.fingerprint not in (
            select previous_rules.fingerprint from previous_rules
        )

),

unioned as (

    select * from full_build
    union all
    select * from changed_profiles
    union all
    select * from flagged_carriers
    union all
    select * from new_consents
    union all
    select * from rules_changed

),

final as (

    select
        profile_id,
        min(refresh_reason) as refresh_reason
    from unioned
    where profile_id is not null
    group by profile_id

)

select * from final
