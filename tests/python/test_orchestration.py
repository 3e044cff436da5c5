"""Dagster definitions of Profile360: they load and resolve; the sensor asks
for the new drop days; the UI starts and answers over HTTP; the command
line's usage errors and exit codes.

The daily job's in-process runs (the whole graph materialises; a bad drop
fails its quality check, stops the later layers and leaves the published
tables as they were) are checked on the day-by-day scenario of
tests/python/test_blocked_drops.py.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR


def _manifest() -> dict:
    from orchestration.dbt_project import ensure_manifest

    return json.loads(ensure_manifest().read_text())


def _models_by_folder() -> dict[str, str]:
    """Model name -> first folder under models/, from the files' paths (not the fqn)."""
    return {node["name"]: Path(node["original_file_path"]).parts[1]
            for node in _manifest()["nodes"].values() if node["resource_type"] == "model"}


# ----------------------------------------------------------------- definitions

def test_definitions_load_and_every_job_schedule_and_sensor_resolves():
    from orchestration.definitions import defs

    jobs = [job.name for job in defs.resolve_all_job_defs()]
    assert "profile360_daily_build" in jobs
    for name in jobs:
        assert defs.resolve_job_def(name).name == name
    schedule = defs.resolve_schedule_def("profile360_daily_build_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.job_name == "profile360_daily_build"
    sensor = defs.resolve_sensor_def("profile360_landing_drop_sensor")
    assert sensor.job_name == "profile360_daily_build"


def test_every_model_is_an_asset_grouped_by_its_folder_and_partitioned_daily():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {key.path[-1]: graph.get(key).group_name for key in graph.materializable_asset_keys}
    expected = _models_by_folder()
    assert expected, "the manifest lists no model"
    assert {name: groups.get(name) for name in expected} == expected
    assert groups["identifier_blocklist"] == "reference"  # the seed
    for key in graph.materializable_asset_keys:
        partitions = graph.get(key).partitions_def
        assert partitions is not None and partitions.get_cron_schedule() == "0 0 * * *"


def test_dbt_tests_and_declared_suites_are_asset_checks_and_suites_block():
    from orchestration.assets import check_name
    from orchestration.definitions import defs
    from orchestration.quality.suites import SUITES, enabled_suites

    graph = defs.resolve_asset_graph()
    checks = {(key.asset_key.path[-1], key.name) for key in graph.asset_check_keys}
    manifest = _manifest()
    model_tests = [node for node in manifest["nodes"].values()
                   if node["resource_type"] == "test" and node.get("attached_node")
                   and manifest["nodes"][node["attached_node"]]["resource_type"] == "model"]
    assert len(model_tests) > 50
    for test in model_tests:
        model = manifest["nodes"][test["attached_node"]]["name"]
        assert (model, test["name"]) in checks, test["name"]
    models = set(_models_by_folder())
    for table, suite in enabled_suites().items():
        if suite["asset"] in models:
            assert (suite["asset"], check_name(table)) in checks
            key = next(k for k in graph.asset_check_keys if k.name == check_name(table))
            assert graph.get(key).blocking is suite["blocking"]
    # Every declared suite is on, the profile and trait tables' included.
    assert set(enabled_suites()) == {table for table, suite in SUITES.items() if suite.get("enabled", True)}
    assert {"profiles.dim_profiles", "traits.dim_profile_traits"} <= set(enabled_suites())


def test_sensor_requests_the_new_drop_days_in_one_run(tmp_path, monkeypatch):
    from dagster import build_sensor_context

    from orchestration.definitions import defs
    from orchestration.sensors import drop_days, new_drop_days

    for source, day in [("crm_contacts", "2026-11-20"), ("web_events", "2026-11-21"),
                        ("pos_transactions", "2026-11-22"), ("web_events", "2026-11-22")]:
        (tmp_path / source).mkdir(exist_ok=True)
        (tmp_path / source / f"{day}.{'jsonl' if source == 'web_events' else 'csv.gz'}").write_text("x")
    (tmp_path / "_truth").mkdir()
    (tmp_path / "_truth" / "2026-11-23.csv").write_text("x")
    (tmp_path / "crm_contacts" / "notes.txt").write_text("x")
    assert drop_days(tmp_path) == ["2026-11-20", "2026-11-21", "2026-11-22"]
    valid = {"2026-11-20", "2026-11-21", "2026-11-22"}
    assert new_drop_days(["2026-11-20", "2026-11-21", "2026-11-22"], None, valid) == ["2026-11-22"]
    assert new_drop_days(["2026-11-20", "2026-11-21", "2026-11-22"], "2026-11-20", valid) == [
        "2026-11-21", "2026-11-22"]
    assert new_drop_days(["2026-11-22", "2099-01-01"], "2026-11-22", valid) == []

    monkeypatch.setenv("PROFILE360_LANDING_DIR", str(tmp_path))
    sensor = defs.resolve_sensor_def("profile360_landing_drop_sensor")
    with build_sensor_context(cursor="2026-11-20", definitions=defs) as context:
        result = sensor.evaluate_tick(context)
    [request] = result.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-11-21"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-11-22"
    assert result.cursor == "2026-11-22"
    with build_sensor_context(cursor="2026-11-22", definitions=defs) as context:
        assert not sensor.evaluate_tick(context).run_requests


# ------------------------------------------------------- in-process materialisation
# The daily job's in-process runs (the whole graph materialised with every check
# passing; a drop with malformed phones failing its check, stopping identity and
# leaving the published tables as they were; the volume band both ways) run on
# the day-by-day scenario of tests/python/test_blocked_drops.py (one scenario,
# built once).


# ---------------------------------------------------------------------------- UI

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_dagster_ui_starts_and_serves_a_page(tmp_path):
    home, port = tmp_path / "dagster_home", _free_port()
    env = {**os.environ, **OFFLINE_ENV, "DAGSTER_HOME": str(home),
           "PROFILE360_LANDING_DIR": str(tmp_path / "landing"), "PROFILE360_DB_PATH": str(tmp_path / "wh.duckdb")}
    log = open(tmp_path / "ui.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "ui", "--port", str(port)],
                               cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)

    def get(path: str) -> tuple[int | None, str]:
        """Ask until the server answers, for as long as it runs: no deadline, a slow
        machine only waits longer (a server that dies ends the wait)."""
        while process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
                    return response.status, response.read().decode()
            except OSError:
                time.sleep(2)
        return None, ""

    try:
        status, body = get("/server_info")
        _, page = get("/")
    finally:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, None)):  # then wait for the kill
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # whatever of the group outlived its leader (dagster dev's webserver, code server)
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()
    assert status == 200, (tmp_path / "ui.log").read_text()[-3000:]
    assert "dagster_webserver_version" in body
    assert "Dagster" in page
    assert "enabled: false" in (home / "dagster.yaml").read_text()
    assert process.poll() is not None


# ---------------------------------------------------------------------- CLI

def test_cli_usage_errors_of_the_new_subcommands_exit_2(tmp_path, capsys, monkeypatch):
    from orchestration import cli

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    for name in ("PROFILE360_LANDING_DIR", "PROFILE360_DB_PATH"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # main() sets them: restored after the test

    landing = ["--landing-dir", str(tmp_path), "--db-path", str(tmp_path / "missing.duckdb")]
    assert cli.main(["validate", *landing]) == cli.EXIT_USAGE
    assert "missing.duckdb" in capsys.readouterr().err
    assert cli.main(["validate", "--to", "2026-11-22", *landing]) == cli.EXIT_USAGE
    assert cli.main(["build", "--from", "2026-11-22", "--to", "2026-11-21", *landing]) == cli.EXIT_USAGE
    assert "before" in capsys.readouterr().err
    assert cli.main(["build", "--date", "1999-01-01", *landing]) == cli.EXIT_USAGE  # not a partition
    assert "not a daily partition" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        cli.main(["build", "--date", "2026-13-01"])
    assert raised.value.code == cli.EXIT_USAGE


def test_run_outcome_exit_codes_tell_quality_from_build_failures():
    from orchestration.runs import EXIT_FAILED, EXIT_OK, EXIT_QUALITY, RunOutcome

    assert RunOutcome(True).exit_code == EXIT_OK
    assert RunOutcome(False, failed_steps=["dbt_staging"]).exit_code == EXIT_FAILED
    assert RunOutcome(False, failed_quality=["staging/x:ge_x"]).exit_code == EXIT_QUALITY
    assert (EXIT_OK, EXIT_FAILED, EXIT_QUALITY) == (0, 1, 3)


def test_a_dbt_selection_resolves_across_layers():
    from orchestration.runs import dbt_selection_keys

    keys = {key.path[-1] for key in dbt_selection_keys("stg_ecommerce__orders+")}
    assert {"stg_ecommerce__orders", "int_identifier_occurrences", "map_records_to_profiles"} <= keys
    assert "stg_web__events" not in keys
    with pytest.raises(ValueError):
        dbt_selection_keys("no_such_model_anywhere")
