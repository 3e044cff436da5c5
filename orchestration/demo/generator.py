"""generate(): write a demo landing zone and its ground truth.

The population is split into fixed-size shards (see simulation.SHARD_SIZE),
each simulated day by day with its own seeded generator. Shards run in this
process or in forked worker processes; either way the main process writes
day d's files from the shards' chunks in shard order, so the bytes depend on
the arguments only, never on the number of workers.
"""

from __future__ import annotations

import csv
import gzip as gzip_module
import json
import multiprocessing
import os
import queue
import re
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from orchestration.demo.catalog import Catalog
from orchestration.demo.contract import CSV, ERROR_CODES, SOURCES, TRUTH_DIR, file_name
from orchestration.demo.emitter import csv_encoder
from orchestration.demo.population import Population
from orchestration.demo.shard_base import World
from orchestration.demo.simulation import DayChunk, Shard, ShardTruth, shard_ranges

DEFAULT_END_DATE = date(2026, 11, 22)
_DROP_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.(csv|jsonl)(\.gz)?$")
_TRUTH_FILES = ("person_map.csv", "fuzzy_duplicates.csv", "broken_rows.csv", "shared_identifiers.csv",
                "generation_report.json")


@dataclass
class GenerationReport:
    """What one generate() call wrote."""

    out_dir: Path
    persons: int
    days: int
    start_date: date
    end_date: date
    seed: int
    gzip: bool
    rows_per_source: dict[str, int] = field(default_factory=dict)
    """Data rows written per source (duplicates and broken rows included)."""
    broken_rows: dict[tuple[str, str], int] = field(default_factory=dict)
    """(source, error code) -> broken rows injected."""
    files_written: int = 0
    person_map_rows: int = 0
    shared_identifiers: int = 0
    workers: int = 1
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows_per_source.values())

    @property
    def total_broken(self) -> int:
        return sum(self.broken_rows.values())

    def summary(self) -> str:
        """A few lines for people."""
        share = self.total_broken / self.total_rows * 100 if self.total_rows else 0.0
        per_source = ", ".join(f"{source} {rows:,}" for source, rows in self.rows_per_source.items())
        codes: dict[str, int] = {}
        for (_, code), count in self.broken_rows.items():
            codes[code] = codes.get(code, 0) + count
        return "\n".join((
            f"Demo landing zone written to {self.out_dir}",
            f"  {self.persons:,} persons over {self.days} days ({self.start_date} .. {self.end_date}), "
            f"seed {self.seed}, {'gzip' if self.gzip else 'plain'} files",
            f"  {self.total_rows:,} rows in {self.files_written:,} files, {self.total_broken:,} broken rows "
            f"({share:.2f}%), {self.seconds:.1f} s with {self.workers} worker(s)",
            f"  rows: {per_source}",
            "  broken: " + ", ".join(f"{code} {count:,}" for code, count in sorted(codes.items())),
            f"  truth: {self.person_map_rows:,} person-map rows, {self.shared_identifiers} shared identifiers "
            f"in {self.out_dir / TRUTH_DIR}",
        ))

    def as_json(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir), "persons": self.persons, "days": self.days,
            "start_date": self.start_date.isoformat(), "end_date": self.end_date.isoformat(),
            "seed": self.seed, "gzip": self.gzip, "files_written": self.files_written,
            "total_rows": self.total_rows, "rows_per_source": self.rows_per_source,
            "broken_rows": [{"source": s, "error_code": c, "rows": n} for (s, c), n in self.broken_rows.items()],
            "total_broken_rows": self.total_broken, "person_map_rows": self.person_map_rows,
            "shared_identifiers": self.shared_identifiers,
        }


def generate(out_dir: str | Path, persons: int = 2000, days: int = 180, end_date: date = DEFAULT_END_DATE,
             seed: int = 42, gzip: bool = False, workers: int | None = None,
             fuzzy_duplicates: float = 0.0) -> GenerationReport:
    """Write a deterministic demo landing zone (and `_truth/`) under out_dir.

    One file per source per day over [end_date - days + 1, end_date]
    (products and stores: one drop on the first day). Earlier drop files of
    the landing sources and the truth files in out_dir are replaced.
    workers: processes to simulate in (default: one per CPU); never changes the output.
    fuzzy_duplicates: share of CRM persons typed in again as a contact without e-mail or phone,
    with a typo, dropped diacritics, swapped day and month... (_truth/fuzzy_duplicates.csv);
    0 (default) leaves the output as before.
    """
    started = time.perf_counter()
    if persons < 1 or days < 1:
        raise ValueError("persons and days must be at least 1")
    out = Path(out_dir)
    first_day = end_date - timedelta(days=days - 1)
    _clear(out)
    catalog = Catalog(seed, persons, days, first_day)
    world = World(seed, days, first_day, catalog, Population(seed, persons, days, first_day, catalog))
    world.fuzzy_duplicates = fuzzy_duplicates
    ranges = shard_ranges(persons)
    if workers is None:
        workers = os.cpu_count() or 1
    if "fork" not in multiprocessing.get_all_start_methods():
        workers = 1  # workers share the population by forking
    workers = max(1, min(workers, len(ranges)))
    report = GenerationReport(out, persons, days, first_day, end_date, seed, gzip,
                              rows_per_source={name: 0 for name in SOURCES},
                              broken_rows={}, workers=workers)
    truth = _TruthWriter(out / TRUTH_DIR, gzip)
    run = _run_in_workers(world, ranges, workers) if workers > 1 else _run_here(world, ranges)
    encode = csv_encoder()
    try:
        for day, chunks in run:
            _write_day(out, world, day, chunks, report, encode, gzip)
            truth.add(day, first_day, chunks, report)
        shard_truths = run.shard_truths  # type: ignore[attr-defined]
    finally:
        run.close()
    report.shared_identifiers = truth.finish(world, shard_truths)
    report.broken_rows = dict(sorted(report.broken_rows.items()))
    report.seconds = round(time.perf_counter() - started, 2)
    truth.write_report(report)
    return report


# ------------------------------------------------------------------ writing
def _clear(out: Path) -> None:
    """Remove earlier drop files of the landing sources and the truth files."""
    for source in SOURCES:
        folder = out / source
        if folder.is_dir():
            for path in folder.iterdir():
                if _DROP_FILE.match(path.name):
                    path.unlink()
    for name in _TRUTH_FILES:
        (out / TRUTH_DIR / name).unlink(missing_ok=True)
    for source in SOURCES:
        (out / source).mkdir(parents=True, exist_ok=True)
    (out / TRUTH_DIR).mkdir(parents=True, exist_ok=True)


def _write_day(out: Path, world: World, day: int, chunks: list[DayChunk], report: GenerationReport,
               encode: Any, gzip: bool) -> None:
    """Write every source's file of one drop day."""
    day_iso = (world.first_day + timedelta(days=day)).isoformat()
    catalog = world.catalog
    extra: dict[str, list[list[Any]]] = {"marketing_spend": catalog.spend_rows(day)}
    if day == 0:
        extra["products"], extra["stores"] = catalog.product_rows(), catalog.store_rows()
    for name, spec in SOURCES.items():
        if not spec.daily and day != 0:
            continue
        parts = [",".join(spec.columns) + "\n"] if spec.fmt == CSV else []
        rows = 0
        for chunk in chunks:
            text = chunk.text.get(name)
            if text:
                parts.append(text)
                rows += chunk.rows[name]
        for row in extra.get(name, ()):
            parts.append(encode(row))
            rows += 1
        data = "".join(parts).encode("utf-8")
        path = out / file_name(name, day_iso, gzip)
        path.write_bytes(gzip_module.compress(data, compresslevel=5, mtime=0) if gzip else data)
        report.rows_per_source[name] += rows
        report.files_written += 1


class _TruthWriter:
    """Streams _truth/person_map.csv and broken_rows.csv; writes the rest at the end."""

    def __init__(self, folder: Path, gzip: bool) -> None:
        self.folder, self.gzip = folder, gzip
        self._person_map = open(folder / "person_map.csv", "w", encoding="utf-8", newline="")
        self._person_map.write("source,record_key,person_id\n")
        self._broken_file = open(folder / "broken_rows.csv", "w", encoding="utf-8", newline="")
        self._broken = csv.writer(self._broken_file, lineterminator="\n")
        self._broken.writerow(("source", "file", "record_key", "error_code"))
        self.person_map_rows = 0

    def add(self, day: int, first_day: date, chunks: list[DayChunk], report: GenerationReport) -> None:
        for chunk in chunks:
            if chunk.person_map:
                self._person_map.write(chunk.person_map)
                report.person_map_rows += chunk.person_map.count("\n")
            for source, file_day, key, code in chunk.broken:
                day_iso = (first_day + timedelta(days=file_day)).isoformat()
                self._broken.writerow((source, file_name(source, day_iso, self.gzip), key, code))
                report.broken_rows[(source, code)] = report.broken_rows.get((source, code), 0) + 1

    def finish(self, world: World, shard_truths: list[ShardTruth]) -> int:
        """Close the streams and write shared_identifiers.csv; returns its row count."""
        self._person_map.close()
        self._broken_file.close()
        junk: dict[tuple[str, str], int] = {}
        kiosk: dict[str, int] = {}
        cookies: dict[str, int] = {}
        for truth in shard_truths:
            for key, count in truth.junk.items():
                junk[key] = junk.get(key, 0) + count
            for device, count in truth.kiosk.items():
                kiosk[device] = kiosk.get(device, 0) + count
            for cookie, count in truth.cookies.items():
                cookies[cookie] = cookies.get(cookie, 0) + count
        rows: list[tuple[str, str, str, int]] = [
            ("junk", kind, value, count) for (kind, value), count in sorted(junk.items())]
        for group in world.population.shared_groups():
            if group.case == "kiosk_device":
                count = kiosk.get(group.raw_value, 0)
            elif group.case == "shared_cookie":
                count = cookies.get(group.raw_value, 0)
            else:
                count = len(group.members)
            if count:
                rows.append((group.case, group.identifier_type, group.raw_value, count))
        with open(self.folder / "shared_identifiers.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("case", "identifier_type", "raw_value", "person_count"))
            writer.writerows(rows)
        fuzzy = sorted(row for truth in shard_truths for row in truth.fuzzy)
        if world.fuzzy_duplicates:
            with open(self.folder / "fuzzy_duplicates.csv", "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(("contact_id", "person_id", "original_contact_id", "fuzz"))
                writer.writerows(fuzzy)
        return len(rows)

    def write_report(self, report: GenerationReport) -> None:
        data = report.as_json()
        data["seconds"] = report.seconds
        data["error_codes"] = list(ERROR_CODES)
        with open(self.folder / "generation_report.json", "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False)
            handle.write("\n")


# ------------------------------------------------------------------ running
class _RunHere:
    """All shards in this process, day by day."""

    def __init__(self, world: World, ranges: list[tuple[int, int]]) -> None:
        self.world = world
        self.shards = [Shard(world, s, low, high) for s, (low, high) in enumerate(ranges)]
        self.shard_truths: list[ShardTruth] = []

    def __iter__(self) -> Iterator[tuple[int, list[DayChunk]]]:
        for day in range(self.world.days):
            yield day, [shard.step(day) for shard in self.shards]
        self.shard_truths = [shard.truth() for shard in self.shards]

    def close(self) -> None:
        self.shards = []


def _run_here(world: World, ranges: list[tuple[int, int]]) -> _RunHere:
    return _RunHere(world, ranges)


def _worker(world: World, ranges: list[tuple[int, int]], shard_ids: list[int], out: Any) -> None:
    """Worker process: simulate its shards, sending each day's chunks in shard order."""
    try:
        shards = [Shard(world, s, *ranges[s]) for s in shard_ids]
        for day in range(world.days):
            for shard in shards:
                out.put(shard.step(day))
        out.put(("truths", [shard.truth() for shard in shards]))
    except BaseException:  # report to the parent, which raises
        out.put(("error", traceback.format_exc()))


class _RunInWorkers:
    """Shards spread over forked worker processes (shard s on worker s % workers)."""

    def __init__(self, world: World, ranges: list[tuple[int, int]], workers: int) -> None:
        self.world, self.ranges, self.workers = world, ranges, workers
        context = multiprocessing.get_context("fork")
        self.queues = [context.Queue(maxsize=4 * (len(ranges) // workers + 1)) for _ in range(workers)]
        self.processes = [
            context.Process(target=_worker, args=(world, ranges, list(range(w, len(ranges), workers)),
                                                  self.queues[w]), daemon=True)
            for w in range(workers)]
        for process in self.processes:
            process.start()
        self.shard_truths: list[ShardTruth] = []
        self.finished = False

    def _get(self, w: int) -> Any:
        while True:
            try:
                item = self.queues[w].get(timeout=5)
            except queue.Empty:
                if not self.processes[w].is_alive():
                    raise RuntimeError(f"demo generator worker {w} died") from None
                continue
            if isinstance(item, tuple) and item[0] == "error":
                raise RuntimeError(f"demo generator worker {w} failed:\n{item[1]}")
            return item

    def __iter__(self) -> Iterator[tuple[int, list[DayChunk]]]:
        n = len(self.ranges)
        for day in range(self.world.days):
            yield day, [self._get(s % self.workers) for s in range(n)]
        truths: dict[int, ShardTruth] = {}
        for w in range(self.workers):
            _, shard_truths = self._get(w)
            for s, truth in zip(range(w, n, self.workers), shard_truths):
                truths[s] = truth
        self.shard_truths = [truths[s] for s in range(n)]
        self.finished = True

    def close(self) -> None:
        """Join the workers after a complete run; stop them after a failure."""
        for process in self.processes:
            if not self.finished and process.is_alive():
                process.terminate()
            process.join()


def _run_in_workers(world: World, ranges: list[tuple[int, int]], workers: int) -> _RunInWorkers:
    return _RunInWorkers(world, ranges, workers)
