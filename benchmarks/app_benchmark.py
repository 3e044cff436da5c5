"""How long the Profile 360 app takes to open a profile page at scale (target: <= 1 s).

    .venv/bin/python benchmarks/app_benchmark.py --source /work/bench/p100k/warehouse.duckdb \
        --work /tmp/app-bench [--wait-log /work/bench/p100k/build.log] [--profiles 30]

Copies the source warehouse (read-only, never written) into --work, builds the
app's masked models on the copy (`dbt run --select path:models/marts/masked`,
own target folder), publishes it to a serving warehouse, starts the app on a
thread (masked mode) and times HTTP requests: the profile page of the profiles
with the most identity links, and of a random sample; the Custom View; a
search by phone; the segment explorer. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.app.data import MASKED, Warehouse  # noqa: E402
from orchestration.app.server import Running  # noqa: E402
from orchestration.lib.dbt import dbt_command  # noqa: E402
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR  # noqa: E402
from orchestration.lib.serving import publish  # noqa: E402

DATE_LINE = re.compile(r"^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \w+ \d{4}$")  # what `date` prints


def wait_for_build(log: Path) -> None:
    """Wait until the build log says BUILD DONE, or ends with a `date` line written after dbt finished."""
    while True:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
        if any("BUILD DONE" in line for line in lines[1:]) or (
                lines and DATE_LINE.match(lines[-1]) and any("Done." in line for line in lines)):
            return
        print(f"waiting for {log} to finish ...", flush=True)
        time.sleep(60)


def timed(url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        body = response.read()
        status = response.status
    return time.perf_counter() - started, status, len(body)


def summary(name: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (f"{name:<34} n={len(seconds):<3} median {statistics.median(seconds) * 1000:7.0f} ms   "
            f"p95 {p95 * 1000:7.0f} ms   max {max(seconds) * 1000:7.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=Path("/work/bench/p100k/warehouse.duckdb"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/profile360-app-bench"))
    parser.add_argument("--wait-log", type=Path, help="build log to wait for (ends with a `date` line)")
    parser.add_argument("--profiles", type=int, default=30, help="random profiles to time (default 30)")
    parser.add_argument("--skip-build", action="store_true", help="reuse the copy and serving file in --work")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    build, serving = args.work / "warehouse.duckdb", args.work / "serving.duckdb"
    if not args.skip_build:
        if args.wait_log:
            wait_for_build(args.wait_log)
        started = time.perf_counter()
        shutil.copyfile(args.source, build)
        print(f"copied {args.source} ({args.source.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(build),
               "PROFILE360_LANDING_DIR": str(args.source.parent / "landing")}
        started = time.perf_counter()
        result = subprocess.run(
            dbt_command("run", select="path:models/marts/masked",
                        extra=["--target-path", str(args.work / "target"), "--log-path", str(args.work / "logs")]),
            cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(result.stdout[-4000:] + result.stderr[-2000:])
        print(f"dbt run of models/marts/masked in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        publish(build, serving)
        print(f"published in {time.perf_counter() - started:.1f} s ({serving.stat().st_size / 1e9:.2f} GB)",
              flush=True)

    with duckdb.connect(str(serving), read_only=True) as con:
        persons = con.execute("select count(*) from marts_masked.dim_profiles").fetchone()[0]
        largest = con.execute("select profile_id, count(*) from marts_masked.fct_identity_links "
                              "group by 1 order by 2 desc, 1 limit 5").fetchall()
        sample = [row[0] for row in con.execute(
            f"select profile_id from marts_masked.dim_profiles using sample reservoir({int(args.profiles)} rows) "
            "repeatable (42)").fetchall()]
        links = con.execute("select count(*) from marts_masked.fct_identity_links").fetchone()[0]
    print(f"serving warehouse: {persons:,} profiles, {links:,} identity links; "
          f"largest profiles: {', '.join(f'{p} ({n:,} links)' for p, n in largest)}")

    with Running(Warehouse(serving, MASKED, key_db_path=build)) as url:
        first, status, size = timed(f"{url}/profile/{sample[0]}")
        print(f"first request (opens the file): {first * 1000:.0f} ms, status {status}, {size:,} bytes")
        figures = {
            "profile page, random profiles": [timed(f"{url}/profile/{p}")[0] for p in sample],
            "profile page, 5 largest profiles": [timed(f"{url}/profile/{p}")[0] for p, _ in largest],
            "custom view, random profiles": [timed(f"{url}/profile/{p}/custom")[0] for p in sample[:10]],
            "search (phone spelling)": [timed(f"{url}/?q=0912.345.678")[0] for _ in range(5)],
            "segment explorer (3 segments)": [timed(
                f"{url}/explorer?segment=champions&segment=vip_at_risk&segment=store_only_shoppers")[0]
                for _ in range(3)],
        }
    for name, seconds in figures.items():
        print(summary(name, seconds))


if __name__ == "__main__":
    main()
