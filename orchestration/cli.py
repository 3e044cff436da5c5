"""profile360: the command line for people and schedulers.

    profile360 demo       generate the demo landing zone (if missing), build, summarise
    profile360 generate   write a demo landing zone
    profile360 build      dbt build (all or a selection) into the warehouse
    profile360 summary    print row counts of the warehouse
    profile360 backfill-segments   recompute segment membership as of each past day
    profile360 freeze-segment      freeze a segment's current members under a name

Exit codes: 0 success, 1 the build or its tests failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from orchestration.lib.project import Paths, apply_environment

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--landing-dir", help="landing zone (default: $PROFILE360_LANDING_DIR or demo_data/landing)")
    parser.add_argument("--db-path", help="DuckDB file (default: $PROFILE360_DB_PATH or warehouse/profile360.duckdb)")


def _add_generator(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--persons", type=int, default=2000, help="simulated persons (default 2000)")
    parser.add_argument("--days", type=int, default=180, help="days of daily drops (default 180)")
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 11, 22),
                        help="last drop day, YYYY-MM-DD (default 2026-11-22)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--gzip", action="store_true", help="write .csv.gz / .jsonl.gz drops")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="profile360", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="generate demo data if missing, build it, print a summary")
    _add_paths(demo)
    _add_generator(demo)
    demo.add_argument("--regenerate", action="store_true", help="rewrite the demo landing zone first")

    generate = commands.add_parser("generate", help="write a demo landing zone")
    _add_paths(generate)
    _add_generator(generate)

    build = commands.add_parser("build", help="dbt build: seeds, models and their tests")
    _add_paths(build)
    build.add_argument("--select", "-s", help="dbt selection, e.g. 'staging' or 'stg_web__events+'")
    build.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")

    summary = commands.add_parser("summary", help="print row counts of the warehouse")
    _add_paths(summary)

    backfill = commands.add_parser(
        "backfill-segments",
        help="recompute traits and segment membership as of each day from --start to --end "
             "(point in time) and rebuild the membership history from it")
    _add_paths(backfill)
    backfill.add_argument("--start", type=date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    backfill.add_argument("--end", type=date.fromisoformat, required=True, help="last day, YYYY-MM-DD")
    backfill.add_argument("--step-days", type=int, default=1,
                          help="days between computed days (default 1; 7 for a weekly history)")
    backfill.add_argument("--append", action="store_true",
                          help="continue the recorded history instead of starting it afresh at --start")

    freeze = commands.add_parser("freeze-segment",
                                 help="copy a segment's current members into segments.segment_snapshots")
    _add_paths(freeze)
    freeze.add_argument("--segment", required=True, help="segment key (see segments.dim_segments)")
    freeze.add_argument("--name", required=True, help="snapshot name, e.g. black_friday_2026")
    return parser


def _generate(paths: Paths, args: argparse.Namespace) -> None:
    from orchestration.demo import generate

    report = generate(paths.landing_dir, persons=args.persons, days=args.days,
                      end_date=args.end_date, seed=args.seed, gzip=args.gzip)
    print(report.summary())


def _build(paths: Paths, select: str | None = None, full_refresh: bool = False) -> None:
    from orchestration.lib.dbt import run_dbt

    started = time.perf_counter()
    run_dbt(paths, "build", select=select, full_refresh=full_refresh)
    print(f"dbt build finished in {time.perf_counter() - started:.1f} s")


def _backfill_segments(paths: Paths, args: argparse.Namespace) -> None:
    from orchestration.lib.segments import backfill_plan, run_plan

    try:
        plan = backfill_plan(args.start, args.end, args.step_days, fresh=not args.append)
    except ValueError as error:
        raise UsageError(str(error)) from error
    started = time.perf_counter()
    run_plan(paths, plan)
    print(f"backfilled {len(plan)} days in {time.perf_counter() - started:.1f} s")


def _freeze_segment(paths: Paths, args: argparse.Namespace) -> None:
    from orchestration.lib.dbt import run_dbt
    from orchestration.lib.segments import freeze_args

    run_dbt(paths, "run-operation", extra=["freeze_segment", "--args", freeze_args(args.segment, args.name)])


class UsageError(ValueError):
    """Arguments that parse but make no sense together."""


def _summary(paths: Paths) -> None:
    from orchestration.lib.summary import read_summary

    if not paths.db_path.exists():
        raise FileNotFoundError(f"no warehouse at {paths.db_path}: run `profile360 build` first")
    print(read_summary(paths.db_path).render())


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = Paths.from_env(args.landing_dir, args.db_path)
    apply_environment(paths)
    from orchestration.lib.dbt import DbtError

    try:
        if args.command == "generate":
            _generate(paths, args)
        elif args.command == "demo":
            if args.regenerate or not any(Path(paths.landing_dir).glob("*/*")):
                _generate(paths, args)
            _build(paths)
            _summary(paths)
        elif args.command == "build":
            _build(paths, args.select, args.full_refresh)
        elif args.command == "summary":
            _summary(paths)
        elif args.command == "backfill-segments":
            _backfill_segments(paths, args)
        elif args.command == "freeze-segment":
            _freeze_segment(paths, args)
    except UsageError as error:
        print(f"profile360: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DbtError as error:
        print(f"profile360: {error}", file=sys.stderr)
        return EXIT_FAILED
    except FileNotFoundError as error:
        print(f"profile360: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
