"""`dagster dev` from the project root finds the code location with no -m/-f
flag ([tool.dagster] in pyproject.toml), and `profile360 ui` (its wrapper) stops
with every child process on SIGTERM and on SIGINT.

Servers run in their own process group and are always stopped. Readiness is
polled for as long as the server process lives (no wall-clock deadline that a
busy machine would miss); a server that never answers exits on its own or is
stopped when the test process ends."""

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {**os.environ, **OFFLINE_ENV, "DAGSTER_HOME": str(home),
            "PROFILE360_LANDING_DIR": str(tmp_path / "landing"), "PROFILE360_DB_PATH": str(tmp_path / "wh.duckdb")}


def _wait_until_serving(process: subprocess.Popen, port: int) -> None:
    while process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"the server exited with code {process.returncode} before serving")


def _group_alive(pgid: int) -> bool:
    """Any process of the group still running (zombies waiting to be reaped by
    init do not count: they are gone, only their exit status is left)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _locations(port: int) -> list[tuple[str, str]]:
    query = ("{ workspaceOrError { ... on Workspace { locationEntries { name "
             "locationOrLoadError { __typename } } } } }")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        entries = json.load(response)["data"]["workspaceOrError"]["locationEntries"]
    return [(e["name"], e["locationOrLoadError"]["__typename"]) for e in entries]


def test_dagster_dev_from_the_project_root_finds_the_code_location(tmp_path):
    port = _free_port()
    log = open(tmp_path / "dev.log", "w")
    process = subprocess.Popen([str(Path(sys.executable).parent / "dagster"), "dev", "-p", str(port)],
                               cwd=PROJECT_DIR, env=_env(tmp_path), stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        _wait_until_serving(process, port)
        locations = _locations(port)
        while ("profile360", "RepositoryLocation") not in locations and any(
                kind == "WorkspaceLocationEntry" or kind is None for _, kind in locations):
            time.sleep(1)
            locations = _locations(port)
    finally:
        _kill_group(process)
        log.close()
    assert locations == [("profile360", "RepositoryLocation")], (tmp_path / "dev.log").read_text()[-3000:]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_profile360_ui_stops_with_all_its_processes_on_a_signal(sig, tmp_path):
    port = _free_port()
    log = open(tmp_path / "ui.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "ui", "--port", str(port)],
                               cwd=PROJECT_DIR, env=_env(tmp_path), stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        _wait_until_serving(process, port)
        with open(f"/proc/{process.pid}/task/{process.pid}/children") as handle:
            children = [int(pid) for pid in handle.read().split()]
        assert children, "dagster dev is not running under profile360 ui"
        process.send_signal(sig)  # the command only, as a service manager or a terminal would
        code = process.wait()
        dagster_groups = [pid for pid in children if _group_alive(pid)]
    finally:
        _kill_group(process)
        log.close()
    output = (tmp_path / "ui.log").read_text()
    assert code == 0, output[-3000:]
    assert f"Dagster UI stopped ({sig.name})" in output
    assert not dagster_groups, f"dagster dev left processes behind: {dagster_groups}"
