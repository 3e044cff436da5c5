"""Probabilistic identity links (Splink; docs/identity.md, "Probabilistic links").

* The scoring (orchestration/lib/probabilistic.py) on hand-made records with the
  versioned trained model: a fuzzy duplicate (same name without diacritics, day and
  month swapped, abbreviated address) is a pair with its per-field levels, the weight
  is the prior plus the field weights, and the threshold cuts exactly at the weight.
* A small dbt scenario (a 60-person demo, two drop days, plus hand-written contacts):
  a contact re-entered without e-mail or phone joins its person's profile through a
  probabilistic link added on the second (incremental) day; two look-alike contacts with
  two customer ids are scored as a pair but split by the per-type limit (customer_id: 1)
  and the audit says so; `explain` shows the weight and each field's comparison; a full
  refresh gives the same links and profiles; the off switch removes the links and the
  contact without identifiers still has a profile of its own.
The Vietnamese name and address normalisers are dbt unit tests
(models/identity/probabilistic/_identity_probabilistic__unit_tests.yml).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.lib import probabilistic
from orchestration.lib.identity_audit import explain
from tests.python.conftest import generate_days, land_day, run_dbt

RECORD = dict(source="crm_contacts", email=None, phone=None)


def _records(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{**RECORD, "record_id": f"crm_contacts:{row['record_key']}", **row} for row in rows],
                        columns=list(probabilistic.RECORD_COLUMNS))


FUZZY = _records(
    {"record_key": "CT-A", "name_key": "duc nguyen van", "birth_date": "1990-03-07", "birth_date_key": "1990-3-7",
     "address_key": "12 le loi p 5", "province_key": "tphochiminh"},
    {"record_key": "CT-B", "name_key": "duc nguyen van", "birth_date": "1990-07-03", "birth_date_key": "1990-3-7",
     "address_key": "12 le loi p 5", "province_key": "tphochiminh"},
    # Shares no blocking key with the others: never compared.
    {"record_key": "CT-C", "name_key": "an thi tran", "birth_date": "1970-01-01", "birth_date_key": "1970-1-1",
     "address_key": "99 hai ba trung p 1", "province_key": "hanoi"},
)


def test_a_fuzzy_duplicate_is_scored_with_each_fields_comparison():
    model = probabilistic.load_model()
    pairs = probabilistic.score(FUZZY, model, threshold=-50)
    assert pairs[["record_id_l", "record_id_r"]].values.tolist() == [["crm_contacts:CT-A", "crm_contacts:CT-B"]]
    pair = pairs.iloc[0]
    assert pair.name_key_level == "Exact match on name_key"
    assert pair.birth_date_level == "day and month swapped"
    assert pair.address_key_level == "Exact match on address_key"
    assert pair.email_level == "null" and pair.email_weight == 0
    # Fellegi-Sunter: the weight is the prior's log-odds plus every field's weight.
    prior = model["probability_two_random_records_match"]
    fields = sum(pair[f"{field}_weight"] for field in probabilistic.FIELDS)
    assert pair.match_weight == pytest.approx(math.log2(prior / (1 - prior)) + fields, abs=1e-6)
    # Each field's weight is its level's log2(m/u) in the versioned model.
    name_levels = next(c for c in model["comparisons"] if c["output_column_name"] == "name_key")
    exact = next(level for level in name_levels["comparison_levels"]
                 if level.get("label_for_charts") == "Exact match on name_key")
    assert pair.name_key_weight == pytest.approx(math.log2(exact["m_probability"] / exact["u_probability"]))


def test_the_threshold_keeps_pairs_at_or_above_it_only():
    model = probabilistic.load_model()
    weight = probabilistic.score(FUZZY, model, threshold=-50).match_weight.iloc[0]
    assert len(probabilistic.score(FUZZY, model, threshold=weight - 0.01)) == 1
    assert len(probabilistic.score(FUZZY, model, threshold=weight + 0.01)) == 0


def test_bad_records_are_refused_with_the_missing_columns():
    with pytest.raises(ValueError, match="birth_date_key"):
        probabilistic.score(FUZZY.drop(columns=["birth_date_key"]), probabilistic.load_model(), 0)


def test_the_versioned_model_is_trained():
    model = json.loads(probabilistic.MODEL_PATH.read_text(encoding="utf-8"))
    assert [c["output_column_name"] for c in model["comparisons"]] == list(probabilistic.FIELDS)
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert 0 < level["u_probability"] <= 1, (comparison["output_column_name"], level)


# ----------------------------------------------------------------- the dbt scenario
HEADER = ("contact_id,full_name,email,phone,gender,birth_date,occupation,address,city,province,country,"
          "customer_id,loyalty_id,created_at,updated_at")
# Day 1: Lan with an e-mail; two look-alikes with one customer id each.
DAY_1 = [
    "PX-LAN1,Phạm Thị Lan,lan.pham.scenario@example.vn,,F,1988-02-09,,\"15 Lê Lợi, Phường 1\",Hồ Chí Minh,"
    "TP. Hồ Chí Minh,VN,,,{day}T08:00:00+07:00,{day}T08:00:00+07:00",
    "PX-KHOI1,Lê Minh Khôi,,,M,1991-04-05,,\"7 Nguyễn Trãi, Phường 3\",Hồ Chí Minh,TP. Hồ Chí Minh,VN,"
    "CX900001,,{day}T08:00:00+07:00,{day}T08:00:00+07:00",
    "PX-KHOI2,LE MINH KHOI,,,M,1991-04-05,,7 Nguyen Trai P.3,Ho Chi Minh,TP. Hồ Chí Minh,VN,"
    "CX900002,,{day}T09:00:00+07:00,{day}T09:00:00+07:00",
]


def _identifier_id(identifier_type: str, value: str) -> str:
    """identifier_id as int_identifier_occurrences computes it (surrogate_key: md5 of type-value)."""
    return hashlib.md5(f"{identifier_type}-{value}".encode()).hexdigest()


# Lan's second contact is named so that its own node (crm_record) sorts before every node of
# her first contact: the merged group is then named after the new node, and an incremental
# build that did not re-stitch the first contact's group would leave it under its old name.
LAN2 = next(key for key in (f"PX-LAN2-{n}" for n in range(1000))
            if _identifier_id("crm_record", key) < min(_identifier_id("crm_record", "PX-LAN1"),
                                                       _identifier_id("email", "lan.pham.scenario@example.vn")))
# Day 2: Lan typed in again, no e-mail or phone, day and month swapped, no diacritics.
DAY_2 = [
    LAN2 + ",Pham Thi Lan,,,F,1988-09-02,,15 Le Loi P.1,Ho Chi Minh,TP. Hồ Chí Minh,VN,,,"
    "{day}T10:00:00+07:00,{day}T10:00:00+07:00",
]
SELECTION = ("+fct_identity_probabilistic_links", "+fct_identity_links")


def _add_contacts(landing: Path, day: str, rows: list[str]) -> None:
    path = landing / "crm_contacts" / f"{day}.csv"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER + "\n"
    path.write_text(text + "".join(row.format(day=day) + "\n" for row in rows), encoding="utf-8")


def _profiles(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select record_key, profile_id from identity.map_records_to_profiles "
                                "where source = 'crm_contacts'").fetchall())


def _table(db: Path, sql: str, *params: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(sql, list(params)).fetchall(), key=repr)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("probabilistic")
    generated, days = generate_days(root, persons=60, days=2)
    landing, db, target = root / "landing", root / "warehouse.duckdb", root / "target"
    land_day(generated, landing, days[0])
    _add_contacts(landing, days[0], DAY_1)
    # Seeds and models (one dbt command: the data tests are the session build's).
    run_dbt("build", "--select", *SELECTION, "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
            landing=landing, db=db, target=target)
    land_day(generated, landing, days[1])
    _add_contacts(landing, days[1], DAY_2)
    run_dbt("run", "--select", *SELECTION, landing=landing, db=db, target=target)  # incremental
    full = root / "full.duckdb"
    shutil.copy(db, full)
    run_dbt("run", "--select", *SELECTION, "--full-refresh", landing=landing, db=full, target=target)
    off = root / "off.duckdb"
    shutil.copy(db, off)
    run_dbt("run", "--select", *SELECTION, "--full-refresh", "--vars", "{profile360__identity_probabilistic: false}",
            landing=landing, db=off, target=target)
    return {"db": db, "full": full, "off": off, "landing": landing}


def test_a_contact_without_identifiers_joins_its_person_by_a_probabilistic_link(scenario):
    profiles = _profiles(scenario["db"])
    assert profiles[LAN2] == profiles["PX-LAN1"]
    links = _table(scenario["db"], "select link_status, birth_date_level, name_key_level from "
                   "identity.fct_identity_probabilistic_links where record_key_l = 'PX-LAN1' "
                   "and record_key_r = ?", LAN2)
    assert links == [("used", "day and month swapped", "Exact match on name_key")]


def test_the_per_type_limits_split_probabilistic_links(scenario):
    profiles = _profiles(scenario["db"])
    assert profiles["PX-KHOI1"] != profiles["PX-KHOI2"]
    links = _table(scenario["db"], "select link_status, link_reason from identity.fct_identity_probabilistic_links "
                   "where record_key_l = 'PX-KHOI1' and record_key_r = 'PX-KHOI2'")
    assert len(links) == 1 and links[0][0] == "rejected" and "limit" in links[0][1], links


def test_explain_shows_the_weight_and_each_fields_comparison(scenario):
    with duckdb.connect(str(scenario["db"]), read_only=True) as con:
        answer = explain(con, ("crm_contacts", "PX-LAN1"), ("crm_contacts", LAN2))
    assert answer.same_profile
    assert [step.identifier_type for step in answer.steps] == ["probabilistic"]
    report = answer.report()
    assert "match weight" in report and "birth_date: day and month swapped" in report, report


def test_incremental_gives_the_links_of_a_full_refresh(scenario):
    maps = "select source, record_key, profile_id from identity.map_records_to_profiles"
    assert _table(scenario["db"], maps) == _table(scenario["full"], maps)
    links = ("select source_l, record_key_l, source_r, record_key_r, round(match_weight, 6), link_status "
             "from identity.fct_identity_probabilistic_links")
    assert _table(scenario["db"], links) == _table(scenario["full"], links)
    assert _table(scenario["db"], links)  # not two empty tables


def test_the_off_switch_removes_probabilistic_links(scenario):
    # Off, no model reads the pairs (the audit reads an empty relation of the same columns).
    assert _table(scenario["off"], "select * from identity.fct_identity_probabilistic_links") == []
    profiles = _profiles(scenario["off"])
    assert profiles[LAN2] != profiles["PX-LAN1"]
    # Still a profile of its own: every contact of a known person gets one (crm_record node).
    assert profiles[LAN2] is not None


def test_fuzzy_duplicates_are_listed_in_the_truth(tmp_path: Path):
    from orchestration.demo import generate

    generate(tmp_path, persons=300, days=2, fuzzy_duplicates=0.2, workers=1)
    with open(tmp_path / "_truth" / "fuzzy_duplicates.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    mapped = {(r["source"], r["record_key"]): r["person_id"]
              for r in csv.DictReader(open(tmp_path / "_truth" / "person_map.csv", encoding="utf-8"))}
    for row in rows:
        assert mapped[("crm_contacts", row["contact_id"])] == row["person_id"]
        assert mapped.get(("crm_contacts", row["original_contact_id"])) in (row["person_id"], None)
    kinds = {kind for row in rows for kind in row["fuzz"].split("+")}
    assert kinds <= {"typo", "no_diacritics", "word_order", "swapped_day_month", "abbreviated_address"}
    assert len(kinds) >= 4


def test_an_incremental_build_scores_only_the_changed_records(scenario):
    """Day 2 scores Lan's new contact against the stored ones; the Khoi pair (two contacts
    unchanged since day 1) is kept with its day-1 score, not compared again. A full
    refresh scores every pair at once, to the same weights."""
    sql = "select pair_id, _scored_at from identity.int_identity_probabilistic_pairs"
    scored = dict(_table(scenario["db"], sql))
    khoi = [at for pair, at in scored.items() if "PX-KHOI1" in pair and "PX-KHOI2" in pair]
    lan = [at for pair, at in scored.items() if "PX-LAN1" in pair and LAN2 in pair]
    assert len(khoi) == 1 and len(lan) == 1, scored
    assert khoi[0] < lan[0]
    assert len(set(dict(_table(scenario["full"], sql)).values())) == 1
    weights = "select pair_id, round(match_weight, 9) from identity.int_identity_probabilistic_pairs"
    assert _table(scenario["db"], weights) == _table(scenario["full"], weights)
