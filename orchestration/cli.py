"""profile360: the command line for people and schedulers.

    profile360 demo       generate the demo landing zone (if missing), build, summarise
    profile360 generate   write a demo landing zone
    profile360 build      dbt build (all or a selection) into the warehouse; with
                          --date or --from/--to: the Dagster daily build of those
                          drop days (partitions), quality checks included
    profile360 validate   run the Great Expectations suites on the warehouse
    profile360 summary    the headline: profiles, known share, top segments by revenue,
                          where the exports and UIs are (--tables: every table's rows)
    profile360 ui         start the Dagster UI (http://127.0.0.1:3000)
    profile360 backfill-segments   segment membership as of past days, beside the live one
    profile360 freeze-segment      freeze a segment's current members under a name
    profile360 explain A B         why two records are (or are not) one profile
    profile360 train-matcher       re-estimate the probabilistic identity model (Splink)
    profile360 app        the Profile 360 app (search, profiles, segment explorer), masked
    profile360 accept-drop SOURCE DAY --reason ...   let a blocked drop into the next build

Exit codes: 0 success, 1 the build or its tests failed, 2 bad usage (or no
warehouse yet), 3 a blocking data-quality check failed (later layers were not
rebuilt; the tables they published before are unchanged).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from orchestration.lib.project import Paths, apply_environment

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_QUALITY = 0, 1, 2, 3


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


def _add_days(parser: argparse.ArgumentParser, help_date: str) -> None:
    days = parser.add_mutually_exclusive_group()
    days.add_argument("--date", type=date.fromisoformat, help=f"YYYY-MM-DD: {help_date}")
    days.add_argument("--from", dest="date_from", type=date.fromisoformat,
                      help="YYYY-MM-DD: first drop day of a range (with --to; one run for the range)")
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, help="YYYY-MM-DD: last drop day of a range")


def _days(args: argparse.Namespace) -> tuple[date, date] | None:
    if getattr(args, "date_to", None) and not args.date_from:
        raise ValueError("--to needs --from")
    if getattr(args, "date", None):
        return args.date, args.date
    if getattr(args, "date_from", None):
        end = args.date_to or args.date_from
        if end < args.date_from:
            raise ValueError("--to is before --from")
        return args.date_from, end
    return None


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error on one line (no usage block) and exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="profile360", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

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
    _add_days(build, "build through Dagster for this drop day (a daily partition)")

    validate = commands.add_parser("validate", help="run the Great Expectations suites (results and data docs "
                                                    "in $PROFILE360_QUALITY_DIR, default beside the warehouse)")
    _add_paths(validate)
    _add_days(validate, "validate only this drop day's rows (default: every drop)")
    validate.add_argument("--suite", action="append", help="a suite (table or model name); repeatable")

    ui = commands.add_parser("ui", help="start the Dagster UI (dagster dev) on this project")
    _add_paths(ui)
    ui.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    ui.add_argument("--port", type=int, default=3000, help="port (default 3000)")

    summary = commands.add_parser("summary", help="print the headline of the warehouse (profiles, known "
                                                   "share, top segments, where exports and UIs are)")
    _add_paths(summary)
    summary.add_argument("--tables", action="store_true",
                         help="also the row counts of every table and the quarantine by source and reason")

    backfill = commands.add_parser(
        "backfill-segments",
        help="compute traits and segment membership as of each day from --start to --end "
             "(point in time) into traits_backfill / segments_backfill, with their membership history; "
             "a Dagster run of profile360_segment_backfill. The live segments are not touched")
    _add_paths(backfill)
    backfill.add_argument("--start", type=date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    backfill.add_argument("--end", type=date.fromisoformat, required=True, help="last day, YYYY-MM-DD")
    backfill.add_argument("--step-days", type=int, default=1,
                          help="days between computed days (default 1; 7 for a weekly history)")
    backfill.add_argument("--append", action="store_true",
                          help="continue the backfill history instead of starting it afresh at --start")

    freeze = commands.add_parser("freeze-segment",
                                 help="copy a segment's current members into segments.segment_snapshots")
    _add_paths(freeze)
    freeze.add_argument("--segment", required=True, help="segment key (see segments.dim_segments)")
    freeze.add_argument("--name", required=True, help="snapshot name, e.g. black_friday_2026")

    explain = commands.add_parser("explain", help="why two records are one profile (the chain of "
                                                  "identifier links), or why not")
    _add_paths(explain)
    explain.add_argument("first", help="SOURCE:RECORD_KEY, e.g. web_events:we_000000001")
    explain.add_argument("second", help="SOURCE:RECORD_KEY, e.g. crm_contacts:CT12345678")

    train = commands.add_parser("train-matcher", help="re-estimate the probabilistic identity model (Splink: "
                                                     "u by random sampling, m by EM) on the built records")
    _add_paths(train)
    train.add_argument("--out", type=Path, default=None,
                       help="model JSON to write (default: the versioned one, models/identity/probabilistic/)")

    accept = commands.add_parser("accept-drop", help="let a drop blocked by a failed quality check into "
                                                     "the next build, recording who, when and why")
    _add_paths(accept)
    accept.add_argument("source", help="landing source folder, e.g. pos_transactions")
    accept.add_argument("day", type=date.fromisoformat, help="drop day, YYYY-MM-DD")
    accept.add_argument("--reason", required=True, help="why the drop may be built as it is")
    accept.add_argument("--by", help="who accepts it (default: $PROFILE360_OPERATOR, else the login name)")

    app = commands.add_parser("app", help="start the Profile 360 app on the serving warehouse (masked)")
    _add_paths(app)
    app.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    app.add_argument("--port", type=int, default=8360, help="port (default 8360; 0 picks a free one)")
    app.add_argument("--view", help="Custom View file (default: $PROFILE360_APP_VIEW or the app's custom_view.yml)")
    app.add_argument("--personal-data", action="store_true",
                     help="show personal data: read the build warehouse (--db-path) instead of the serving one")
    return parser


def _generate(paths: Paths, args: argparse.Namespace) -> None:
    from orchestration.demo import generate

    report = generate(paths.landing_dir, persons=args.persons, days=args.days,
                      end_date=args.end_date, seed=args.seed, gzip=args.gzip)
    print(report.summary())


def _build(paths: Paths, select: str | None = None, full_refresh: bool = False) -> None:
    from orchestration.lib.dbt import run_dbt
    from orchestration.lib.locking import build_lock
    from orchestration.lib.serving import after_build, protect_build_warehouse

    with build_lock(paths.db_path):
        protect_build_warehouse(paths.db_path)
        started = time.perf_counter()
        _read_unblocked_drops(paths, select, full_refresh)
        run_dbt(paths, "build", select=select, full_refresh=full_refresh)
        print(f"dbt build finished in {time.perf_counter() - started:.1f} s")
        _report_blocked_drops(paths)
        # Only a whole build that passed every test is exported and published.
        for line in after_build(paths.db_path, complete=select is None):
            print(line)


# Rebuilt from the landing files when a blocked drop is let in (accepted or
# replaced): the layers that read each file once. The merge/split log and the
# segment history keep their past (they are not rebuilt).
UNBLOCK_REBUILD = "path:models/staging path:models/identity path:models/profiles path:models/traits"
UNBLOCK_KEEP = "fct_profile_id_changes"


def _read_unblocked_drops(paths: Paths, select: str | None, full_refresh: bool) -> None:
    """Blocked drops let in since the last build (orchestration/lib/drops.py) are read only
    by a rebuild of the layers that read each landing file once: run it first."""
    from orchestration.lib.dbt import run_dbt
    from orchestration.lib.drops import unblocked_since_last_build

    if select is not None or full_refresh:
        return
    unblocked = unblocked_since_last_build(paths.db_path, paths.landing_dir)
    if unblocked:
        print(f"drops let in since the last build (accepted or replaced): {', '.join(unblocked)}; "
              "rebuilding staging, identity, profiles and traits from the landing files to read them", flush=True)
        run_dbt(paths, "run", select=UNBLOCK_REBUILD, full_refresh=True, extra=["--exclude", UNBLOCK_KEEP])


def _report_blocked_drops(paths: Paths) -> None:
    from orchestration.lib.drops import blocked_in_force

    for verdict in blocked_in_force(paths.landing_dir):
        source, day = verdict["source"], verdict["drop_date"]
        print(f"blocked drop, not read: {verdict['source_file']} (failed {verdict.get('check', 'a blocking check')}"
              f"); replace it, or `profile360 accept-drop {source} {day} --reason ...`")


def _accept_drop(paths: Paths, args: argparse.Namespace) -> None:
    from orchestration.lib.drops import accept_drop

    record = accept_drop(paths.landing_dir, args.source, args.day, args.reason, who=args.by)
    print(f"accepted {record['source_file']} (content {record['content_hash'][:12]}) by {record['accepted_by']} "
          f"at {record['accepted_at']}: {record['reason']}")
    print("the next `profile360 build` reads it (it rebuilds the layers that read each drop once)")


class _Progress:
    """One line per step of a long run, with the time since the start."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:7.1f} s] {message}", flush=True)


def _build_days(paths: Paths, days: tuple[date, date], select: str | None) -> int:
    from orchestration.lib.locking import build_lock
    from orchestration.lib.serving import protect_build_warehouse
    from orchestration.runs import check_partitions

    check_partitions(*days)
    with build_lock(paths.db_path):
        protect_build_warehouse(paths.db_path)
        return _run_days(days, select)


def _run_days(days: tuple[date, date], select: str | None) -> int:
    from orchestration.lib.dagster_home import prepare_dagster_home
    from orchestration.runs import run_daily_build

    progress = _Progress()
    home = prepare_dagster_home()
    label = days[0].isoformat() if days[0] == days[1] else f"{days[0]} .. {days[1]}"
    progress(f"daily build of drop day(s) {label} (runs kept in {home}; see them with `profile360 ui`)")
    outcome = run_daily_build(days[0], days[1], select=select)
    progress(f"{len(outcome.materialized)} assets materialised")
    for check in outcome.failed_checks:
        progress(f"check failed: {check}")
    if outcome.failed_quality:
        progress("blocking data-quality checks failed: later layers were not rebuilt")
    elif outcome.failed_steps:
        progress(f"failed steps: {', '.join(outcome.failed_steps)}")
    for drop in outcome.blocked_drops:
        progress(f"blocked drop, not read: {drop}; replace it, or `profile360 accept-drop <source> <day> "
                 "--reason ...` then `profile360 build`")
    for line in outcome.publish_report:
        progress(line)
    progress(f"run {outcome.run_id}: {'succeeded' if outcome.success else 'FAILED'}")
    return outcome.exit_code


def _validate(paths: Paths, days: tuple[date, date] | None, suites: list[str] | None) -> int:
    from orchestration.quality.runner import Window, validate

    if not paths.db_path.exists():
        raise FileNotFoundError(f"no warehouse at {paths.db_path}: run `profile360 build` first")
    progress = _Progress()
    progress("validating " + (f"drop days {days[0]} .. {days[1]}" if days else "every drop"))
    run = validate(paths.db_path, Window(*days) if days else None, names=suites, progress=progress)
    progress(f"results: {run.results_path}")
    if run.docs_index:
        progress(f"data docs: {run.docs_index}")
    failed = [o.table for o in run.outcomes if not o.success]
    progress(f"{len(run.outcomes) - len(failed)}/{len(run.outcomes)} suites passed in {run.seconds:.1f} s")
    return EXIT_OK if not failed else EXIT_QUALITY


# Seconds `dagster dev` gets to stop after SIGTERM before its process group is killed.
UI_STOP_GRACE_S = 10


def _ui(args: argparse.Namespace) -> int:
    """`dagster dev` (code location from [tool.dagster] in pyproject.toml), in its own
    process group, stopped with all its children on SIGTERM or SIGINT: `dagster dev`
    alone does not exit on either while its code server and daemon run."""
    import signal
    import subprocess

    from orchestration.lib.dagster_home import prepare_dagster_home
    from orchestration.lib.project import PROJECT_DIR

    home = prepare_dagster_home()
    dagster = Path(sys.executable).parent / "dagster"
    command = [str(dagster) if dagster.exists() else "dagster", "dev", "-h", args.host, "-p", str(args.port)]
    print(f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={home}); Ctrl-C stops it", flush=True)
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=os.environ.copy(), start_new_session=True)
    stopping: list[int] = []

    def stop(signum, _frame) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while process.poll() is None and not stopping:
            try:
                process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop_process_group(process, UI_STOP_GRACE_S)
    if stopping:
        print(f"Dagster UI stopped ({signal.Signals(stopping[0]).name})", flush=True)
        return EXIT_OK
    return EXIT_OK if process.returncode == 0 else EXIT_FAILED


def stop_process_group(process, grace_s: float) -> None:
    """SIGTERM to the process group, SIGKILL to what is left of it after grace_s."""
    import signal
    import subprocess

    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            continue
        if sig == signal.SIGTERM:  # the leader left; its children may not have
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            break
    _wait_group_gone(process.pid, grace_s)


def _wait_group_gone(pgid: int, grace_s: float) -> None:
    """Return once no process of the group is still running (a killed process
    takes a moment to die; zombies left for init to reap no longer run)."""
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        running = False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                running = True
                break
        if not running:
            return
        time.sleep(0.1)


def _backfill_segments(paths: Paths, args: argparse.Namespace) -> int:
    """A Dagster run of profile360_segment_backfill (partitions = as-of days):
    traits and segments into traits_backfill / segments_backfill, the live
    warehouse untouched."""
    from orchestration.lib.dagster_home import prepare_dagster_home
    from orchestration.runs import check_partitions, run_segment_backfill

    try:
        check_partitions(args.start, args.end)
    except ValueError as error:
        raise UsageError(str(error)) from error
    progress = _Progress()
    home = prepare_dagster_home()
    progress(f"segment backfill {args.start} .. {args.end} (Dagster run kept in {home}; `profile360 ui`)")
    outcome = run_segment_backfill(args.start, args.end, args.step_days, append=args.append)
    if not outcome.success:
        progress(f"run {outcome.run_id}: FAILED {outcome.error[:300]}")
        return EXIT_FAILED
    meta = outcome.metadata
    progress(f"backfilled {len(meta.get('as_of_days', []))} days into traits_backfill and segments_backfill "
             f"in {meta.get('seconds')} s ({meta.get('dbt_full_parses')} dbt parse); the live segments "
             f"are unchanged")
    progress(f"run {outcome.run_id}: succeeded")
    return EXIT_OK


def _freeze_segment(paths: Paths, args: argparse.Namespace) -> None:
    from orchestration.lib.dbt import run_dbt
    from orchestration.lib.segments import freeze_args

    run_dbt(paths, "run-operation", extra=["freeze_segment", "--args", freeze_args(args.segment, args.name)])


class UsageError(ValueError):
    """Arguments that parse but make no sense together."""


def _explain(paths: Paths, args: argparse.Namespace) -> None:
    import duckdb

    from orchestration.lib.identity_audit import explain_masked, parse_record
    from orchestration.lib.serving import lookup_key

    first, second = parse_record(args.first), parse_record(args.second)
    # The serving warehouse (masked link audit), never the build warehouse: no lock.
    con = duckdb.connect(str(_serving(paths)), read_only=True)
    try:
        print(explain_masked(con, lookup_key(paths.db_path), first, second).report())
    finally:
        con.close()


def _train_matcher(paths: Paths, args: argparse.Namespace) -> None:
    import duckdb

    from orchestration.lib import probabilistic

    con = duckdb.connect(str(paths.db_path), read_only=True)
    try:
        records = con.sql("select * from identity.int_identity_probabilistic_records").df()
    finally:
        con.close()
    out = args.out or probabilistic.MODEL_PATH
    model = probabilistic.train(records, out)
    print(f"train-matcher: {len(records):,} records, prior match probability "
          f"{model['probability_two_random_records_match']:.2e}; model written to {out}")


def _app(paths: Paths, args: argparse.Namespace) -> None:
    import os

    from orchestration.app.data import MASKED, PERSONAL, Warehouse
    from orchestration.app.server import serve
    from orchestration.lib.serving import serving_db_path

    path = paths.db_path if args.personal_data else serving_db_path(paths.db_path)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `profile360 build` (or `make demo`) first")
    warehouse = Warehouse(path, PERSONAL if args.personal_data else MASKED, key_db_path=paths.db_path)
    serve(warehouse, args.host, args.port, args.view or os.environ.get("PROFILE360_APP_VIEW"))


def _serving(paths: Paths) -> Path:
    """The serving warehouse that read-only commands open (never the build warehouse: no lock)."""
    from orchestration.lib.serving import serving_db_path

    serving = serving_db_path(paths.db_path)
    if not serving.exists():
        raise FileNotFoundError(f"no published warehouse at {serving} (build warehouse {paths.db_path}): "
                                "run `profile360 build` first")
    return serving


def _summary(paths: Paths, tables: bool = False) -> None:
    from orchestration.lib.summary import read_summary

    print(read_summary(_serving(paths)).render(tables=tables))


# Commands that read an existing warehouse: checked before anything runs, so
# that none of them creates an empty database file as a side effect of an error.
NEEDS_WAREHOUSE = ("validate", "summary", "backfill-segments", "freeze-segment", "explain", "train-matcher")
# Commands that read the landing zone (demo generates it when missing).
NEEDS_LANDING = ("build",)


def check_preconditions(args: argparse.Namespace, paths: Paths) -> None:
    """Raise UsageError (one line, exit 2) before any work starts: a missing
    warehouse or landing folder, or arguments that make no sense together."""
    if args.command in NEEDS_WAREHOUSE and not paths.db_path.is_file():
        raise UsageError(f"no warehouse at {paths.db_path}: run `profile360 build` first "
                         "(or set --db-path / PROFILE360_DB_PATH)")
    if args.command in NEEDS_LANDING and not paths.landing_dir.is_dir():
        raise UsageError(f"no landing folder at {paths.landing_dir}: run `profile360 generate` "
                         "or set --landing-dir / PROFILE360_LANDING_DIR")
    if args.command in ("build", "validate"):
        _days(args)
    if args.command == "backfill-segments":
        from orchestration.lib.segments import backfill_days

        backfill_days(args.start, args.end, args.step_days)
    if args.command == "explain":
        from orchestration.lib.identity_audit import parse_record

        parse_record(args.first), parse_record(args.second)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 400 else text[:397] + "..."


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = Paths.from_env(args.landing_dir, args.db_path)
    try:
        check_preconditions(args, paths)
    except (ValueError, KeyError) as error:
        print(f"profile360 {args.command}: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    apply_environment(paths)
    try:
        return _run(args, paths)
    except KeyboardInterrupt:
        print(f"profile360 {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last resort: one line, no traceback
        if os.environ.get("PROFILE360_DEBUG"):
            raise
        print(f"profile360 {args.command}: {type(error).__name__}: {_one_line(error)} "
              "(PROFILE360_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_FAILED


def _run(args: argparse.Namespace, paths: Paths) -> int:
    from orchestration.lib.dbt import DbtError
    from orchestration.lib.locking import BuildLocked

    try:
        if args.command == "generate":
            _generate(paths, args)
        elif args.command == "demo":
            if args.regenerate or not any(Path(paths.landing_dir).glob("*/*")):
                _generate(paths, args)
            _build(paths)
            _summary(paths)
        elif args.command == "build":
            days = _days(args)
            if days is None:
                _build(paths, args.select, args.full_refresh)
            else:
                return _build_days(paths, days, args.select)
        elif args.command == "validate":
            return _validate(paths, _days(args), args.suite)
        elif args.command == "ui":
            return _ui(args)
        elif args.command == "summary":
            _summary(paths, args.tables)
        elif args.command == "backfill-segments":
            return _backfill_segments(paths, args)
        elif args.command == "freeze-segment":
            _freeze_segment(paths, args)
        elif args.command == "explain":
            _explain(paths, args)
        elif args.command == "app":
            _app(paths, args)
        elif args.command == "accept-drop":
            _accept_drop(paths, args)
        elif args.command == "train-matcher":
            _train_matcher(paths, args)
    except (ValueError, KeyError) as error:
        print(f"profile360 {args.command}: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except BuildLocked as error:
        print(f"profile360: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DbtError as error:
        print(f"profile360 {args.command}: {_one_line(error)}", file=sys.stderr)
        return EXIT_FAILED
    except FileNotFoundError as error:
        print(f"profile360 {args.command}: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def console_main() -> None:
    """The `profile360` command: main(), then leave without the interpreter's
    teardown. DuckDB's bindings (nanobind) print dozens of "nanobind: leaked"
    lines when the interpreter tears down with DuckDB objects still held by
    Great Expectations' and SQLAlchemy's caches; every file and connection is
    closed by then (the commands close their own), so nothing is lost."""
    import logging

    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console_main()
