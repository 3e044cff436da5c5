"""Predictions (issue 20): the purchase models' fits against the published CDNOW
parameters, the refit rule, and the predictive traits and churn segment on the demo build.

The SQL scoring is unit-tested in dbt (models/traits/_traits__unit_tests.yml,
predicted_value_scores_bgnbd_and_gamma_gamma_from_the_latest_usable_fit)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.lib.project import PROJECT_DIR

CDNOW = Path(__file__).parent / "data" / "CDNOW_sample.txt"


def load_fits_module():
    """The dbt Python model's own functions (the file dbt runs), imported as a module."""
    path = Path(PROJECT_DIR) / "models" / "traits" / "int_purchase_model_fits.py"
    spec = importlib.util.spec_from_file_location("int_purchase_model_fits", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cdnow_calibration() -> pd.DataFrame:
    """The 39-week calibration summary of the CDNOW sample (1997-01-01 .. 1997-09-30), in
    weeks as the papers use: purchases on one day are one transaction; x repeat days, t_x and
    T from the first purchase, zbar the average amount of the repeat transactions."""
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={"date": str},
                      names=["customer", "customer_index", "date", "quantity", "amount"])
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    end = pd.Timestamp("1997-09-30")
    daily = raw[raw["date"] <= end].groupby(["customer", "date"], as_index=False)["amount"].sum()
    daily["order"] = daily.groupby("customer")["date"].rank(method="first")
    per_customer = daily.groupby("customer")
    summary = pd.DataFrame({
        "x": per_customer.size() - 1,
        "first": per_customer["date"].min(),
        "last": per_customer["date"].max(),
    })
    summary["t_x"] = (summary["last"] - summary["first"]).dt.days / 7
    summary["big_t"] = (end - summary["first"]).dt.days / 7
    summary["zbar"] = daily[daily["order"] > 1].groupby("customer")["amount"].mean()
    return summary


def within_one_percent(fitted, published) -> list[str]:
    return [f"{name}: fitted {value:.4f}, published {target}"
            for name, value, target in zip(published, fitted, published.values())
            if abs(value - target) > 0.01 * target]


def test_cdnow_fits_match_the_published_parameters_within_one_percent():
    fits = load_fits_module()
    summary = cdnow_calibration()
    assert len(summary) == 2357  # the papers' cohort: every customer buys in the calibration period
    # Customer 4 of the sample, by hand from its rows: purchases 1997-01-01, 01-18, 08-02
    # (then 12-12, after the calibration): x 2, t_x 213 days, T 272 days, zbar (29.73+14.96)/2.
    first = summary.loc[4]
    assert (first["x"], round(first["t_x"] * 7), round(first["big_t"] * 7)) == (2, 213, 272)
    assert first["zbar"] == pytest.approx(22.345)

    (r, alpha, a, b), log_likelihood, converged = fits.fit_bgnbd(summary["x"], summary["t_x"], summary["big_t"])
    assert converged
    # Fader, Hardie & Lee (2005), "Counting your customers the easy way", table 1.
    assert within_one_percent((r, alpha, a, b), {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}) == []
    assert log_likelihood == pytest.approx(-9582.4, abs=0.1)

    repeat = summary[summary["x"] > 0]
    (p, q, gamma), _, converged = fits.fit_gamma_gamma(repeat["x"], repeat["zbar"])
    assert converged
    # Fader, Hardie & Lee, "The Gamma-Gamma model of monetary value" (2013 note on the same data).
    assert within_one_percent((p, q, gamma), {"p": 6.25, "q": 3.74, "gamma": 15.44}) == []


def test_fit_purchase_models_groups_buyers_and_refuses_a_too_small_sample():
    fits = load_fits_module()
    summary = cdnow_calibration().reset_index()
    inputs = pd.DataFrame({"x": summary["x"], "t_x": summary["t_x"], "big_t": summary["big_t"],
                           "n": summary["x"].clip(lower=1), "m": summary["zbar"].fillna(0)})
    row = fits.fit_purchase_models(inputs, min_buyers=50, min_repeat_buyers=20)
    assert row["fit_status"] == "converged"
    assert (row["sample_size"], row["repeat_buyers"]) == (2357, int((summary["x"] > 0).sum()))
    # Grouping equal (x, t_x, T) rows must not change the BG/NBD optimum.
    assert row["bgnbd_r"] == pytest.approx(0.2426, rel=0.01)
    small = fits.fit_purchase_models(inputs.head(40), min_buyers=50, min_repeat_buyers=20)
    assert small["fit_status"] == "insufficient_data" and "bgnbd_r" not in small


def test_refit_rule():
    fits = load_fits_module()
    day = dt.date(2026, 11, 10)
    log = pd.DataFrame([
        {"fit_status": "converged", "as_of_date": day, "fitted_at": pd.Timestamp("2026-11-11"),
         "sample_size": 1000, "sample_purchases": 3000},
        {"fit_status": "not_converged", "as_of_date": day + dt.timedelta(days=1),
         "fitted_at": pd.Timestamp("2026-11-12"), "sample_size": 2000, "sample_purchases": 9000},
    ])
    later = day + dt.timedelta(days=2)
    assert not fits.needs_refit(log, later, 1049, 3149, growth=0.05)  # grew < 5%
    assert fits.needs_refit(log, later, 1050, 3000, growth=0.05)  # buyers +5%
    assert fits.needs_refit(log, later, 1000, 3150, growth=0.05)  # purchases +5%
    # A backfilled day before every fit has no usable fit: fit it.
    assert fits.needs_refit(log, day - dt.timedelta(days=1), 10, 10, growth=0.05)
    assert fits.needs_refit(log.iloc[1:], later, 1, 1, growth=0.05)  # no converged fit


def test_demo_build_logs_a_fit_scores_buyers_and_declares_churn_risk(built_warehouse):
    import yaml

    threshold = yaml.safe_load((Path(PROJECT_DIR) / "dbt_project.yml").read_text())["vars"][
        "profile360__churn_risk_threshold"]
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        fits = con.sql("select fit_status, sample_size from traits.int_purchase_model_fits").fetchall()
        buyers = con.sql("select count(*) from traits.int_purchase_model_inputs").fetchall()[0][0]
        scored = con.sql(f"""
            select count(*) filter (where lifetime_purchases > 0 and probability_alive is null),
                   count(*) filter (where lifetime_purchases = 0 and probability_alive is not null),
                   count(*) filter (where probability_alive < 1),
                   count(*) filter (where is_churn_risk is distinct from
                                    coalesce(probability_alive < {threshold}, false))
            from traits.dim_profile_traits""").fetchall()[0]
        at_risk = {row[0] for row in con.sql(
            "select profile_id from traits.dim_profile_traits where is_churn_risk").fetchall()}
        members = {row[0] for row in con.sql(
            "select profile_id from segments.int_segment_members where segment_key = 'churn_risk'").fetchall()}
        comparison = con.sql("""
            select segment_key, expected_value_12m from segments.rpt_segment_comparison
            where segment_key in ('lifecycle_customer', 'lifecycle_visitor') order by 1""").fetchall()
    assert fits == [("converged", buyers)] and buyers > 0
    assert scored[:2] == (0, 0)  # every buyer scored, no one else
    assert scored[2] > 0  # some repeat buyers are less than surely alive
    assert scored[3] == 0 and members == at_risk
    # Visitors never bought: no expected value; customers have.
    assert comparison[0][1] > 0 and comparison[1][1] == 0


# ------------------------------------------------------------ lookalike audiences
def dbt_parse_with_segments(tmp_path: Path, extra_segments: list[dict]):
    """`dbt parse` of the project with these extra segment declarations (the declarations are
    compiled, and validated, when the segments models are parsed)."""
    import json
    import os
    import subprocess
    import sys

    from orchestration.lib.project import OFFLINE_ENV

    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(tmp_path / "unused.duckdb"),
           "PROFILE360_LANDING_DIR": str(tmp_path / "landing")}
    return subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "parse", "--no-partial-parse",
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
         "--vars", json.dumps({"profile360__extra_segments": extra_segments})],
        capture_output=True, text=True, env=env, cwd=PROJECT_DIR, check=False,
    )


LOOKALIKE = {"key": "vip_lookalike", "name": "VIP lookalike", "description": "d", "owner": "crm"}


# Three bad lookalike declarations (keys vip_lookalike_1, _2, _3) and what the parse must say of each.
BAD_LOOKALIKES = [
    ({"lookalike_of": "champions_lookalike", "size": 10},
     "lookalike segment vip_lookalike_1: lookalike_of 'champions_lookalike' is not a declared segment with a condition"),
    ({"lookalike_of": "champions", "size": 2.5}, "lookalike segment vip_lookalike_2: size must be a positive whole number, got 2.5"),
    ({"lookalike_of": "champions", "size": 10, "condition": "true"},
     "lookalike segment vip_lookalike_3 has a condition"),
]


@pytest.fixture(scope="module")
def refused_lookalikes(tmp_path_factory) -> str:
    """One parse with the three bad declarations and a good one between them: its
    output (it must fail)."""
    declarations = [{**LOOKALIKE, **fields, "key": f"vip_lookalike_{number}"}
                    for number, (fields, _) in enumerate(BAD_LOOKALIKES, start=1)]
    good = {**LOOKALIKE, "key": "vip_lookalike_good", "lookalike_of": "champions", "size": 10}
    result = dbt_parse_with_segments(tmp_path_factory.mktemp("lookalikes"), [*declarations[:2], good, declarations[2]])
    assert result.returncode != 0
    return result.stdout + result.stderr


@pytest.mark.parametrize("message", [message for _, message in BAD_LOOKALIKES])
def test_a_bad_lookalike_declaration_fails_the_parse_and_says_why(refused_lookalikes, message):
    """The parse fails once and names each bad declaration with its reason."""
    assert message in refused_lookalikes, refused_lookalikes[-2000:]


def test_a_good_lookalike_beside_bad_ones_is_not_named(refused_lookalikes):
    assert "vip_lookalike_good" not in refused_lookalikes


def test_lookalike_audience_is_ranked_outside_its_seed_and_exported_with_consent_only(built_warehouse):
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        def keyed(sql):
            return {row[0] for row in con.sql(sql).fetchall()}
        seed = keyed("select profile_id from segments.int_segment_members where segment_key = 'champions'")
        members = keyed("select profile_id from segments.int_segment_members where segment_key = 'champions_lookalike'")
        ranked = con.sql("""select profile_id, lookalike_score from segments.int_lookalike_scores
                            where segment_key = 'champions_lookalike' order by lookalike_rank""").fetchall()
        granted = keyed("""select profile_id from profiles.dim_profiles
                           where consent_marketing_email = 'granted' and email is not null""")
        # The one contactability rule (issue 14; checked against the landing files in
        # test_activation): granted, no opt-out since, an e-mail.
        contactable = keyed("""select profile_id from profiles.dim_profile_contactability
                               where channel = 'email' and is_contactable""")
        kind = con.sql("select segment_kind from segments.dim_segments where segment_key = 'champions_lookalike'").fetchall()
        total = con.sql("select count(*) from profiles.dim_profiles").fetchall()[0][0]
    assert seed and kind == [("lookalike",)]
    # Everyone outside the seed is ranked, best score first; members are the 500 best.
    assert len(ranked) == total - len(seed)
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)
    assert members == {profile_id for profile_id, _ in ranked[:500]}
    assert not members & seed
    # The e-mail audience file: every contactable member (a granted consent, no opt-out since,
    # an e-mail), no one else.
    files = list(built_warehouse.exports_dir.glob("*/email/champions_lookalike.csv"))
    assert len(files) == 1
    import csv
    with open(files[0], newline="", encoding="utf-8") as handle:
        exported = {row["profile_id"] for row in csv.DictReader(handle)}
    assert contactable <= granted
    assert exported == members & contactable
    assert members - granted  # some members are left out for want of consent
