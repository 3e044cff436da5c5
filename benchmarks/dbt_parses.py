"""How many dbt commands a test run made, and how many of them parsed the whole project.

A full dbt parse of this project costs ~7 s more than a partial one (docs/issue
notes; `dbt parse --no-partial-parse` vs again). dbt reuses a saved parse only
when the target folder holds one (partial_parse.msgpack) and the warehouse path
(part of the profile), the landing zone (read in dbt_project.yml) and the
`--vars` are the same as when it was saved. This script reads every dbt log
file under a folder (by default pytest's newest base temp folder, after
`make test`) and counts the commands and the reason dbt gave for each full parse.

    .venv/bin/python benchmarks/dbt_parses.py [FOLDER] [--by-folder]

The suite writes dbt's log file at info (tests/python/conftest.py), where
these lines are kept; a log rotated at 10 MB loses its older commands.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

START = "Running with dbt="
FULL = re.compile(r"Unable to do partial parsing because (.*?)(?:\. Starting full parse\.?)?$")


def _messages(path: Path):
    """The messages of a dbt log file, text or JSON lines."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("{"):
                try:
                    yield json.loads(line)["info"]["msg"]
                except (ValueError, KeyError):
                    continue
            else:
                yield line.rstrip("\n")


def log_files(root: Path):
    """dbt.log (and rotated dbt.log.N) under root, not through symbolic links (pytest's
    `<name>current` links point at folders already walked)."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [name for name in dirs if not (Path(folder) / name).is_symlink()]
        for name in files:
            if name == "dbt.log" or name.startswith("dbt.log."):
                yield Path(folder) / name


def count(root: Path) -> tuple[list[tuple[Path, str]], Counter]:
    """Every command found ((log file, 'partial', or 'full: ' and dbt's reason)) and the
    tally. A command whose log has no full-parse line reused a saved parse."""
    commands: list[tuple[Path, str]] = []
    for path in sorted(log_files(root)):
        for message in _messages(path):
            if START in message:
                commands.append((path, "partial"))
            elif commands and commands[-1][0] == path and "Unable to do partial parsing" in message:
                found = FULL.search(message.strip())
                commands[-1] = (path, "full: " + (found.group(1) if found else message.strip()))
    return commands, Counter(kind for _, kind in commands)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Path(tempfile.gettempdir()) / f"pytest-of-{getpass.getuser()}" / "pytest-current"
    parser.add_argument("folder", nargs="?", type=Path, default=default)
    parser.add_argument("--by-folder", action="store_true", help="one line per log file as well")
    args = parser.parse_args(argv)
    root = args.folder.resolve()
    if not root.is_dir():
        parser.error(f"{root}: no such folder")
    commands, tally = count(root)
    full = sum(n for kind, n in tally.items() if kind.startswith("full"))
    print(f"{root}: {len(commands)} dbt commands logged, {full} full parses, "
          f"{tally['partial']} without one (a saved parse reused)")
    for kind, n in tally.most_common():
        if kind.startswith("full"):
            print(f"  {n:4d}  {kind}")
    if args.by_folder:
        per_file = Counter((path, kind) for path, kind in commands)
        for (path, kind), n in sorted(per_file.items()):
            print(f"  {n:4d}  {kind[:50]:50s}  {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
