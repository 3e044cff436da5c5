"""Segment conditions are pasted into SQL: the compiler accepts only the
columns of the traits and lifecycle tables, literals, and the allowed
functions and operators (macros/segments/segments.sql), and fails naming the
segment key and the offending token otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR


def _compile(tmp_path, *conditions: str) -> subprocess.CompletedProcess:
    """Compile the segment members with one probe segment per condition (probe_1, probe_2...)."""
    segments = [{"key": f"probe_{number}", "name": "Probe", "description": "d", "owner": "test",
                 "condition": condition} for number, condition in enumerate(conditions, start=1)]
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(tmp_path / "wh.duckdb"),
           "PROFILE360_LANDING_DIR": str(tmp_path / "landing")}
    return subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "compile", "--select", "int_segment_members",
         "--vars", json.dumps({"profile360__extra_segments": segments}),
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)


# Conditions outside the grammar, and the token each must be refused for.
OUTSIDE = [
    ("lifetime_purchases > 0 or profiles.dim_profiles.email = 'x'", "profiles"),
    ("lifetime_purchases > (select count(*) from marts.exp_audience_email)", "select"),
    ("read_csv('/etc/passwd') is not null", "read_csv"),
    ("email is not null; drop table x", "email"),  # a column of dim_profiles, not of the traits
]


@pytest.fixture(scope="module")
def refused(tmp_path_factory) -> str:
    """One compile with every condition outside the grammar, an allowed one between
    them (probe_3): its output (it must fail)."""
    allowed = "lifetime_purchases >= 2"
    conditions = [condition for condition, _ in OUTSIDE[:2]] + [allowed] + [c for c, _ in OUTSIDE[2:]]
    result = _compile(tmp_path_factory.mktemp("refused"), *conditions)
    assert result.returncode != 0
    return result.stdout + result.stderr


@pytest.mark.parametrize("key, condition, token", [
    (f"probe_{number}", condition, token) for number, (condition, token) in zip((1, 2, 4, 5), OUTSIDE)])
def test_a_condition_outside_the_grammar_fails_the_build_naming_key_and_token(refused, key, condition, token):
    """The build fails once and names each refused segment with its first offending token."""
    assert f"segment {key}: the condition may not use {token} (" in refused, refused[-3000:]
    assert refused.count(f"segment {key}:") == 1


def test_an_allowed_condition_beside_refused_ones_is_not_named(refused):
    assert "segment probe_3:" not in refused


def test_a_condition_inside_the_grammar_compiles(tmp_path):
    result = _compile(tmp_path, "coalesce(lifetime_purchases, 0) >= 2 and lifecycle_stage in ('loyal', 'advocate') "
                                "and not (recency_days is null) and round(avg_csat, 1) <> 1.5")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    compiled = next((tmp_path / "target").rglob("int_segment_members.sql")).read_text()
    assert "'probe_1' as segment_key" in compiled
