"""Figures of issue 25 (docs/deploiement.md): the yearly update under load, then the edge cache's warm-up.

    .venv/bin/python benchmarks/annual_and_warm.py [--warm-pages 600] [--rate 50]

1. `tnl annual --apply` on a SYNTHETIC 2026 edition of the small fixture package (tmp folders only), while a local
   cluster (nginx + 2 replicas) serving the previous release is under load from 8 clients: duration of each stage,
   requests answered and failed during the whole procedure (roll included).
2. The warm-up on the real build (build/tnl.db) behind nginx: pages per second at a bounded rate, and the latency of
   the first visit of territory pages, never asked (before) against warmed ones (after). Loopback only.
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from tnl.deploy import annual, warm  # noqa: E402
from tnl.deploy.cluster import Cluster, free_port  # noqa: E402
from tnl.pipeline.build import build  # noqa: E402


def timed_get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"}), timeout=30) as r:
        r.read()
    return (time.perf_counter() - start) * 1000


def annual_under_load(scratch: Path) -> None:
    from conftest import DATA, FIXTURE_PACKAGE
    from test_annual import EDITION, OFFICIAL, SOURCE
    from tnl.dev.questionnaire_synthetic import add_questions, export_rows, write_xlsx

    data = scratch / "data"
    shutil.copytree(FIXTURE_PACKAGE, data)
    shutil.copy(DATA / "datapackage.yaml", data)
    for name in annual.COMPANIONS:
        shutil.copy(ROOT / name, scratch / name)
    with open(data / "editions.csv", "a", encoding="utf-8") as f:
        f.write(f"{EDITION},{EDITION}-06-01,{EDITION}-10-31,{EDITION}-12-01,{EDITION}-12-01,Cérémonie synthétique,,3,"
                f"{SOURCE},niveaux_1_5,,{SOURCE},Édition SYNTHÉTIQUE\n")
    questions = add_questions(data, EDITION, 4)
    export = write_xlsx(scratch / "export.xlsx", export_rows(["210500617", "210500740", "213801517", "213801855"],
                                                             EDITION, questions, 0.75, seed=3))
    (scratch / "liste.csv").write_text(OFFICIAL, encoding="utf-8")
    cluster = Cluster(scratch / "cluster")
    cluster.start(build(data, scratch / "served" / "tnl.db"), replicas=2, port=free_port())
    outcomes, running = [], threading.Event()
    running.set()
    paths = ["/", "/territoire/213801517", "/territoire/210500617", "/tnl/results.json", "/-/sante.json"]

    def visitor(offset: int) -> None:
        n = offset
        while running.is_set():
            try:
                urllib.request.urlopen(cluster.url + paths[n % len(paths)], timeout=10).read()
                outcomes.append("ok")
            except OSError as error:
                outcomes.append(repr(error))
            n += 1

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(8)]
    try:
        for thread in threads:
            thread.start()
        result = annual.run(EDITION, scratch / "liste.csv", export, SOURCE, data_dir=data, work_root=scratch / "work",
                            apply=True, cluster=cluster, report=lambda line: None)
    finally:
        running.clear()
        for thread in threads:
            thread.join()
        cluster.stop()
    failed = [o for o in outcomes if o != "ok"]
    print("Mise à jour annuelle (édition synthétique, paquet d'essai), sous la charge de 8 clients :")
    for stage in result.stages:
        print(f"  {stage.name} : {stage.seconds:.1f} s")
    print(f"  requêtes pendant la procédure : {len(outcomes)}, en échec : {len(failed)} {failed[:3]}")


def warm_up(scratch: Path, pages: int, rate: float) -> None:
    cluster = Cluster(scratch / "warm-cluster")
    cluster.start(ROOT / "build" / "tnl.db", replicas=2, port=free_port())
    try:
        sitemap = [p for p in warm.pages(cluster.url) if p.startswith("/territoire/")]
        with sqlite3.connect(ROOT / "build" / "tnl.db") as connection:
            count = connection.execute("select count(*) from territories").fetchone()[0]
        before = [timed_get(cluster.url + p) for p in sitemap[-50:]]  # never asked: the end of the sitemap
        outcome = warm.warm(cluster.url, rate=rate, concurrency=2, limit=pages)
        warmed = [p for p in warm.pages(cluster.url)[:pages] if p.startswith("/territoire/")][-50:]
        after = [timed_get(cluster.url + p) for p in warmed]
    finally:
        cluster.stop()
    print(f"Chauffe : {outcome.pages} pages en {outcome.seconds:.1f} s, {outcome.per_second:.1f} pages/s "
          f"(débit borné à {rate}/s), {len(outcome.failed)} en erreur ; {len(sitemap)} pages de territoire au plan "
          f"({count} territoires) : {len(sitemap) / outcome.per_second / 60:.0f} min pour tout chauffer à ce débit")
    for label, values in (("avant (jamais demandées)", before), ("après la chauffe", after)):
        print(f"  première visite d'une page de territoire, {label} : médiane {statistics.median(values):.1f} ms, "
              f"max {max(values):.1f} ms ({len(values)} pages)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm-pages", type=int, default=600)
    parser.add_argument("--rate", type=float, default=50.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tnl-annual-bench-") as scratch:
        annual_under_load(Path(scratch))
        warm_up(Path(scratch), args.warm_pages, args.rate)


if __name__ == "__main__":
    main()
