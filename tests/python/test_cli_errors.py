"""CLI errors: one line on stderr, exit code 2, checked before any work starts,
and no command creates a warehouse (or its folder) as a side effect of an error."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from orchestration import cli
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR


@pytest.fixture
def isolated_env(monkeypatch):
    for name in ("PROFILE360_LANDING_DIR", "PROFILE360_DB_PATH"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # main() sets them: restored after the test


@pytest.mark.parametrize("command", [
    ["summary"],
    ["explain", "web_events:we_1", "crm_contacts:CT1"],
    ["freeze-segment", "--segment", "champions", "--name", "x"],
    ["validate"],
    ["backfill-segments", "--start", "2026-11-01", "--end", "2026-11-02"],
])
def test_commands_needing_a_warehouse_fail_in_one_line_and_create_nothing(command, tmp_path, capsys,
                                                                          isolated_env):
    db = tmp_path / "no_such_folder" / "wh.duckdb"
    code = cli.main([command[0], "--landing-dir", str(tmp_path), "--db-path", str(db), *command[1:]])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert err.count("\n") == 1 and "no warehouse at" in err and str(db) in err
    assert not db.exists() and not db.parent.exists()


def test_a_missing_landing_folder_is_reported_at_once(tmp_path, capsys, isolated_env):
    landing, db = tmp_path / "nowhere", tmp_path / "wh.duckdb"
    started = time.perf_counter()
    code = cli.main(["build", "--landing-dir", str(landing), "--db-path", str(db)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert err.count("\n") == 1 and f"no landing folder at {landing}" in err
    assert not db.exists()
    # Checked before dbt starts (a dbt parse alone takes several seconds).
    assert time.perf_counter() - started < 5


def test_bad_arguments_are_one_line_with_exit_2(tmp_path, capsys, isolated_env):
    with pytest.raises(SystemExit) as raised:
        cli.main(["build", "--date", "2026-13-01"])
    assert raised.value.code == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2026-13-01" in err and "usage:" not in err

    db = tmp_path / "wh.duckdb"
    db.write_bytes(b"")  # exists: the check of the arguments comes next
    code = cli.main(["backfill-segments", "--db-path", str(db), "--landing-dir", str(tmp_path),
                     "--start", "2026-11-05", "--end", "2026-11-01"])
    assert code == cli.EXIT_USAGE and "before start" in capsys.readouterr().err
    code = cli.main(["explain", "--db-path", str(db), "--landing-dir", str(tmp_path), "nokey", "x:y"])
    assert code == cli.EXIT_USAGE and "SOURCE:RECORD_KEY" in capsys.readouterr().err


def test_an_unexpected_error_is_one_line_without_traceback(tmp_path, capsys, monkeypatch, isolated_env):
    def explode(paths, tables=False):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(cli, "_summary", explode)
    db = tmp_path / "wh.duckdb"
    db.write_bytes(b"")
    code = cli.main(["summary", "--db-path", str(db), "--landing-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILED
    assert err.count("\n") == 1 and "RuntimeError: disk on fire second line" in err


def test_a_real_process_prints_no_traceback(tmp_path):
    """A corrupt warehouse file: the error reaches the user as one line, exit 1.
    (summary reads the serving warehouse published beside the build warehouse.)"""
    db = tmp_path / "wh.duckdb"
    db.write_text("not a database")
    (tmp_path / "wh_serving.duckdb").write_text("not a database either")
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(db), "PROFILE360_LANDING_DIR": str(tmp_path)}
    env.pop("PROFILE360_DEBUG", None)
    result = subprocess.run([sys.executable, "-m", "orchestration.cli", "summary"], cwd=PROJECT_DIR, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == cli.EXIT_FAILED, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
