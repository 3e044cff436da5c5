"""The command line's pure parts and its exit codes."""

from __future__ import annotations

from pathlib import Path

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
