"""Median wall time of `tnl build` from a clean output (5 runs) and the share spent validating.

Usage: .venv/bin/python benchmarks/build_time.py [--runs 5] [--data data]
Prints figures only; no pass/fail.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tnl import build as build_module
from tnl.datapackage import DEFAULT_DATA_DIR


def timed_build(data_dir: Path, output: Path) -> tuple[float, float]:
    """(total seconds, seconds spent in validation) for one build."""
    spent = {}
    original = build_module.validate

    def timed_validate(directory):
        start = time.perf_counter()
        try:
            return original(directory)
        finally:
            spent["validate"] = time.perf_counter() - start

    build_module.validate = timed_validate
    try:
        start = time.perf_counter()
        build_module.build(data_dir, output)
        return time.perf_counter() - start, spent["validate"]
    finally:
        build_module.validate = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    totals, validations = [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as directory:
            output = Path(directory) / "tnl.db"
            total, validation = timed_build(args.data, output)
            size = output.stat().st_size
        totals.append(total)
        validations.append(validation)
        print(f"run {run + 1}: {total:.2f} s (validation {validation:.2f} s)")
    median = statistics.median(totals)
    share = statistics.median(v / t for v, t in zip(validations, totals))
    print(f"build median of {args.runs}: {median:.2f} s; validation share: {share:.0%}; database: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
