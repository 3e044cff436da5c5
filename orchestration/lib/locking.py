"""One build at a time per build warehouse.

A build takes an exclusive ``flock`` on ``<build warehouse>.lock`` (a file
beside it) for as long as it writes the build warehouse and publishes. A
second build either waits for the first (``wait=True``: the Dagster steps)
or stops at once with ``BuildLocked`` (the CLI: one line, exit code 2).
Readers (``summary``, ``explain``, BI tools, the app) never take it: they
read the serving warehouse.

The lock is re-entrant within a process (the CLI holds it around a Dagster
run executed in the same process, whose steps take it again), and the
kernel releases it when the process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class BuildLocked(RuntimeError):
    """Another build holds the build warehouse."""


_held: dict[Path, int] = {}  # lock file -> depth, for this process
_guard = threading.Lock()


def lock_path(db_path: str | Path) -> Path:
    build = Path(db_path).resolve()
    return build.with_name(build.name + ".lock")


@contextmanager
def build_lock(db_path: str | Path, *, wait: bool = False) -> Iterator[Path]:
    """Hold the build lock of a build warehouse (see the module doc)."""
    path = lock_path(db_path)
    with _guard:
        if path in _held:
            _held[path] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield path
        finally:
            with _guard:
                _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 64, 0).decode(errors="replace").strip() or "another process"
            raise BuildLocked(f"another build is running on {Path(db_path).resolve()} (process {holder}, "
                              f"lock {path}); try again when it has finished") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode(), 0)
        with _guard:
            _held[path] = 1
        try:
            yield path
        finally:
            with _guard:
                del _held[path]
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
