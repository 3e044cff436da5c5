"""The command line's pure parts and its exit codes."""

from __future__ import annotations


import pytest

from orchestration import cli
from orchestration.lib.dbt import dbt_args
from orchestration.lib.project import DEFAULT_DB_PATH, DEFAULT_LANDING_DIR, PROJECT_DIR, Paths


def test_dbt_args_name_the_project_and_pass_selection_and_full_refresh():
    assert dbt_args("build", select="staging", full_refresh=True) == [
        "build", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--select", "staging", "--full-refresh",
    ]
    assert dbt_args("parse") == ["parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]


def test_paths_prefer_arguments_then_environment_then_demo_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("PROFILE360_LANDING_DIR", raising=False)
    monkeypatch.delenv("PROFILE360_DB_PATH", raising=False)
    assert Paths.from_env() == Paths(DEFAULT_LANDING_DIR, DEFAULT_DB_PATH)

    monkeypatch.setenv("PROFILE360_LANDING_DIR", str(tmp_path / "env_landing"))
    monkeypatch.setenv("PROFILE360_DB_PATH", str(tmp_path / "env.duckdb"))
    assert Paths.from_env() == Paths(tmp_path / "env_landing", tmp_path / "env.duckdb")

    explicit = Paths.from_env(tmp_path / "arg_landing", tmp_path / "arg.duckdb")
    assert explicit == Paths(tmp_path / "arg_landing", tmp_path / "arg.duckdb")
    assert explicit.environment()["PROFILE360_DB_PATH"] == str(tmp_path / "arg.duckdb")
    assert explicit.environment()["DO_NOT_TRACK"] == "1"


def test_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as raised:
        cli.main(["no-such-command"])
    assert raised.value.code == cli.EXIT_USAGE


def test_summary_without_a_warehouse_is_a_usage_error(tmp_path, capsys):
    code = cli.main(["summary", "--db-path", str(tmp_path / "missing.duckdb"),
                     "--landing-dir", str(tmp_path)])
    assert code == cli.EXIT_USAGE
    assert "missing.duckdb" in capsys.readouterr().err


def test_demo_command_generates_builds_and_summarises(built_warehouse):
    """The README's first command, end to end: the session's warehouse is built by it
    (conftest.built_warehouse: `profile360 demo --persons 1000 --days 60`)."""
    from conftest import run_cli

    landing, db, result = built_warehouse.landing_dir, built_warehouse.db_path, built_warehouse.build
    assert result.args[-5:] == ["demo", "--persons", "1000", "--days", "60"], result.args
    assert result.returncode == cli.EXIT_OK, result.stdout[-4000:] + result.stderr[-4000:]
    assert (landing / "_truth" / "person_map.csv").exists()
    assert "Profiles: " in result.stdout and "Top segments by revenue:" in result.stdout
    assert "Quarantined landing rows:" in result.stdout
    # A second run reuses the landing zone rather than regenerating it.
    again = run_cli("summary", "--tables", landing_dir=landing, db_path=db)
    assert again.returncode == cli.EXIT_OK and "staging.stg_crm__contacts" in again.stdout


def test_build_failure_gives_exit_code_1(tmp_path):
    """A landing zone without files makes dbt fail: schedulers see exit code 1."""
    from conftest import run_cli

    (tmp_path / "landing").mkdir()
    result = run_cli("build", "--select", "stg_web__events", landing_dir=tmp_path / "landing",
                     db_path=tmp_path / "wh.duckdb")
    assert result.returncode == cli.EXIT_FAILED
    assert "dbt build failed" in result.stderr
