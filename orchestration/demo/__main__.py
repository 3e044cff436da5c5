"""python -m orchestration.demo --out DIR [--persons N] [--days D] [--seed S] [--end-date YYYY-MM-DD] [--gzip]"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from orchestration.demo.generator import DEFAULT_END_DATE, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.demo",
                                     description="Write a deterministic demo landing zone and its ground truth.")
    parser.add_argument("--out", required=True, help="landing zone folder to write")
    parser.add_argument("--persons", type=int, default=2000, help="simulated persons (default 2000)")
    parser.add_argument("--days", type=int, default=180, help="daily drops (default 180)")
    parser.add_argument("--end-date", type=date.fromisoformat, default=DEFAULT_END_DATE,
                        help=f"last drop day, YYYY-MM-DD (default {DEFAULT_END_DATE})")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--gzip", action="store_true", help="write .csv.gz / .jsonl.gz files")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: one per CPU; the output is the same)")
    parser.add_argument("--fuzzy-duplicates", type=float, default=0.0,
                        help="share of CRM persons re-entered as a fuzzy duplicate contact (default 0)")
    args = parser.parse_args(argv)
    if args.persons < 1 or args.days < 1:
        parser.error("--persons and --days must be at least 1")
    report = generate(args.out, persons=args.persons, days=args.days, end_date=args.end_date,
                      seed=args.seed, gzip=args.gzip, workers=args.workers,
                      fuzzy_duplicates=args.fuzzy_duplicates)
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
