"""CPU time of the validation: tnl's whole `validate`, and frictionless' part with its own foreign-key check or ours.

Usage: .venv/bin/python benchmarks/validation_time.py [--runs 5] [--data data]
Runs on the small fixture package of the tests (tests/fixtures/package with data/'s descriptor) and on --data.
Median CPU seconds (time.process_time) of --runs runs after one warm-up run, in this process; the load average
is printed before and after, since the machine may be shared. Prints figures only; no pass/fail.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from frictionless import Package

from tnl.pipeline import datapackage
from tnl.pipeline.datapackage import DEFAULT_DATA_DIR
from tnl.pipeline.validate import _frictionless_problems, validate

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "package"


def cpu_seconds(work, runs: int) -> float:
    work()
    times = []
    for _ in range(runs):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def measure(name: str, data_dir: Path, runs: int) -> None:
    descriptor = datapackage.read(data_dir).descriptor
    figures = {
        "tnl validate": lambda: validate(data_dir),
        "frictionless, its own key check": lambda: Package(descriptor, basepath=str(data_dir)).validate(),
        "frictionless, keys by tnl/pipeline/foreign_keys.py": lambda: _frictionless_problems(descriptor, data_dir),
    }
    for label, work in figures.items():
        print(f"{name}: {label}: {cpu_seconds(work, runs):.3f} s CPU (median of {runs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    print("load average:", *os.getloadavg())
    with tempfile.TemporaryDirectory() as directory:
        fixture = Path(directory) / "data"
        shutil.copytree(FIXTURE, fixture)
        shutil.copy(args.data / datapackage.DESCRIPTOR_NAME, fixture)
        measure("fixture package", fixture, args.runs)
    measure(str(args.data), args.data, args.runs)
    print("load average:", *os.getloadavg())


if __name__ == "__main__":
    main()
