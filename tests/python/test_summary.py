"""The summary opens with a headline for a marketer; internal tables only on request."""

from __future__ import annotations

import os

import duckdb
import pytest

from orchestration import cli


@pytest.fixture
def summary_env(monkeypatch, built_warehouse):
    for name in ("PROFILE360_LANDING_DIR", "PROFILE360_DB_PATH", "PROFILE360_EXPORTS_DIR"):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    monkeypatch.setenv("PROFILE360_EXPORTS_DIR", str(built_warehouse.exports_dir))
    return ["--db-path", str(built_warehouse.db_path), "--landing-dir", str(built_warehouse.landing_dir)]


def test_the_summary_opens_with_the_headline_and_hides_internal_tables(built_warehouse, summary_env, capsys):
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        profiles = con.execute("select count(*) from profiles.dim_profiles").fetchone()[0]
        known = con.execute("select count(*) from traits.dim_profile_traits where is_known").fetchone()[0]
        top = con.execute("select segment_name from segments.rpt_segment_comparison where segment_kind = 'declared' "
                          "order by revenue desc nulls last limit 1").fetchone()[0]
        run_date = con.execute("select max(run_date) from marts.rpt_audience_export_manifest").fetchone()[0]
    assert cli.main(["summary", *summary_env]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert f"Profiles: {profiles:,};" in out and f"{known:,} ({known / profiles:.1%})" in out
    assert "Top segments by revenue:\n    1. " + top in out
    exports = built_warehouse.exports_dir.resolve() / run_date.isoformat()
    assert f"Audience exports: {exports}" in out and exports.is_dir()
    assert "profile360 ui" in out and "marts_masked" in out
    assert "identity.int_identifier_occurrences" not in out and "Built relations" not in out

    assert cli.main(["summary", "--tables", *summary_env]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("Profile360 warehouse") and "identity.int_identifier_occurrences" in out
