"""Cities and provinces are standardised: every spelling the demo types
(`HCM`, `Sài Gòn`, `TP.HCM`, `Ha Noi`...) reaches the golden record under the
one standard name the generator started from (its truth, not the seed).
The key rule itself is a dbt unit test worked by hand
(models/profiles/_profiles__unit_tests.yml)."""

from __future__ import annotations

import duckdb

from orchestration.demo.vocab import CITIES, CITY_ALIASES

STANDARD_CITIES = {city for city, *_ in CITIES}
STANDARD_PROVINCES = {province for _, province, *_ in CITIES}


HCM_SPELLINGS = ("Hồ Chí Minh", *CITY_ALIASES["Hồ Chí Minh"])


def test_golden_records_use_the_standard_city_and_province_names(built_warehouse):
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        typed = {value for (value,) in con.execute(
            "select distinct attribute_value from profiles.int_profile_attribute_candidates "
            "where attribute_name = 'city'").fetchall()}
        golden = con.execute("select distinct city, province from profiles.dim_profiles").fetchall()
        # Profiles whose every city candidate is a spelling of Ho Chi Minh City, one of them not
        # the standard one: their golden city is the standard name.
        hcm_cities = [city for (city,) in con.execute(
            """select p.city from profiles.dim_profiles as p
               inner join profiles.int_profile_attribute_candidates as c
                   on c.profile_id = p.profile_id and c.attribute_name = 'city'
               where p.city is not null
               group by p.profile_id, p.city
               having bool_and(list_contains(?, c.attribute_value))
                  and bool_or(c.attribute_value <> 'Hồ Chí Minh')""", [list(HCM_SPELLINGS)]).fetchall()]
    assert typed & set(CITY_ALIASES["Hồ Chí Minh"]), "no other spelling typed: the test would prove nothing"
    assert {city for city, _ in golden if city} <= STANDARD_CITIES
    assert {province for _, province in golden if province} <= STANDARD_PROVINCES
    assert hcm_cities and set(hcm_cities) == {"Hồ Chí Minh"}
