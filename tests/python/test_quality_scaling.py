"""Great Expectations around the daily build: quality bands that scale with the
size of the drops, failures that name the day and the sources, data docs that
work offline, and a validation that shows progress and ends quietly."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import duckdb
import pytest

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR
from orchestration.quality import suites as suites_module
from orchestration.quality.runner import validate

QUARANTINE = "staging.stg_landing__quarantined_rows"
# The suites judged on the drops themselves (scope "drop"): those whose verdict
# depends on how big a daily drop is.
DROP_SUITES = [table for table, suite in suites_module.SUITES.items() if suite.get("scope") == "drop"]


@pytest.fixture
def quality_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PROFILE360_QUALITY_DIR", str(tmp_path / "quality"))
    return tmp_path / "quality"


@pytest.mark.slow
@pytest.mark.parametrize("persons", [300, 2000])
def test_the_demo_passes_its_own_drop_checks_at_every_size_the_readme_offers(persons, tmp_path, monkeypatch):
    """The README offers the demo at a few hundred persons and at 2,000 (the
    default): its landing, quarantine and staging suites pass on every drop."""
    from conftest import run_cli

    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    monkeypatch.setenv("PROFILE360_QUALITY_DIR", str(tmp_path / "quality"))
    generated = run_cli("generate", "--persons", str(persons), "--days", "21", landing_dir=landing, db_path=db)
    assert generated.returncode == 0, generated.stderr
    built = run_cli("build", "--select", "+staging", landing_dir=landing, db_path=db)
    assert built.returncode == 0, built.stdout[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:  # the demo does quarantine rows: the check is live
        (quarantined,) = con.execute(f"select sum(occurrences) from {QUARANTINE}").fetchone()
    assert quarantined > 0
    run = validate(db, None, names=DROP_SUITES)
    assert run.success, "\n".join(o.describe() for o in run.outcomes)


def test_a_failing_band_names_the_day_and_its_sources(built_warehouse, quality_dir, monkeypatch):
    strict = {**suites_module.SUITES[QUARANTINE], "expectations": [
        {"type": "quarantine_share_below", "max_share": 0.0, "z": 0, "min_rows": 1}]}
    monkeypatch.setattr(suites_module, "SUITES", {QUARANTINE: strict})
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        first_day, sources = con.execute(
            f"""select day, list(distinct source order by source) from (
                    select regexp_extract(source_file, '\\d{{4}}-\\d{{2}}-\\d{{2}}') as day, source
                    from {QUARANTINE}) group by day order by day limit 1""").fetchone()
    run = validate(built_warehouse.db_path, None, names=[QUARANTINE])
    outcome = run.outcome(QUARANTINE)
    assert not outcome.success
    failing = outcome.failed[0].details["unexpected_rows"]
    assert failing[0]["drop_date"] == first_day
    assert all(source in failing[0]["sources"] for source in sources), failing[0]
    text = outcome.describe()
    assert first_day in text and sources[0] in text


def test_data_docs_work_offline_and_list_the_results(built_warehouse, quality_dir):
    names = ["staging.stg_crm__contacts", "identity.map_records_to_profiles"]
    run = validate(built_warehouse.db_path, None, names=names)
    assert run.docs_index is not None
    site = run.docs_index.parent
    index = run.docs_index.read_text(encoding="utf-8")
    listed = re.search(r'<section id="profile360-results">(.*?)</section>', index, re.S)
    assert listed, "the index lists no results without scripts"
    for name in names:
        link = re.search(rf'<a href="([^"]+)">{re.escape(name)}</a>', listed.group(1))
        assert link and (site / link.group(1)).is_file(), name
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), f"{page} still references the internet"
        for local in re.findall(r'<link rel="stylesheet" href="([^"]+)">', text):
            assert (page.parent / local).is_file(), (page, local)


def test_validate_shows_progress_and_ends_without_noise(built_warehouse, tmp_path):
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(built_warehouse.db_path),
           "PROFILE360_LANDING_DIR": str(built_warehouse.landing_dir),
           "PROFILE360_QUALITY_DIR": str(tmp_path / "quality")}
    result = subprocess.run([sys.executable, "-m", "orchestration.cli", "validate", "--suite", "stg_web__events"],
                            cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any("loading Great Expectations" in line for line in lines)
    assert any("running 1 suites" in line for line in lines)
    assert "nanobind" not in result.stderr + result.stdout
