"""Median wall time of `tnl build` from a clean output (5 runs), the share spent validating, and its peak memory.

Usage: .venv/bin/python benchmarks/build_time.py [--runs 5] [--data data]
Each build runs in a fresh process, as `tnl build` does, so that its peak resident memory is its own.
Prints figures only; no pass/fail.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tnl.pipeline import build as build_module
from tnl.pipeline.datapackage import DEFAULT_DATA_DIR


def timed_build(data_dir: Path, output: Path) -> tuple[float, float, float]:
    """(total seconds, seconds spent in validation, peak resident MB) of one build, in a fresh process."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_timed_build, Path(data_dir), Path(output)).result()


def _timed_build(data_dir: Path, output: Path) -> tuple[float, float, float]:
    spent = {}
    original = build_module.read_valid

    def timed_validate(directory):
        start = time.perf_counter()
        try:
            return original(directory)
        finally:
            spent["validate"] = time.perf_counter() - start

    build_module.read_valid = timed_validate
    start = time.perf_counter()
    build_module.build(data_dir, output)
    total = time.perf_counter() - start
    return total, spent["validate"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    totals, validations, peaks = [], [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as directory:
            output = Path(directory) / "tnl.db"
            total, validation, peak = timed_build(args.data, output)
            size = output.stat().st_size
        totals.append(total)
        validations.append(validation)
        peaks.append(peak)
        print(f"run {run + 1}: {total:.2f} s (validation {validation:.2f} s), peak memory {peak:.0f} MB")
    median = statistics.median(totals)
    share = statistics.median(v / t for v, t in zip(validations, totals))
    print(f"build median of {args.runs}: {median:.2f} s; validation share: {share:.0%}; database: {size / 1e6:.1f} MB; "
          f"peak memory: {max(peaks):.0f} MB")


if __name__ == "__main__":
    main()
