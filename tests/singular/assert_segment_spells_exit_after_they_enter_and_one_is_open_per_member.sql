-- Fails on every membership spell that exits before (or on) the day it
-- entered, and on every profile and segment with more than one open spell:
-- the live segment must have one row per member.
select
    membership_change_id as offending_key,
    'exit not after entry' as problem
from {{ ref('fct_segment_membership_changes') }}
where exited_at is not null and exited_at <= entered_at

union all

select
    max(membership_change_id) as offending_key,
    'several open spells' as problem
from {{ ref('fct_segment_membership_changes') }}
where exited_at is null
group by profile_id, segment_key
having count(*) > 1
