"""Where a key query's CPU goes, in process: its SQL alone, the response cache's gzip, and the rest (Datasette's view
and JSON, our wrappers); with the rows and bytes it returns. For the queries of benchmarks/growth.py that stay above
20 ms at 100×: what a smaller page would save, and what no SQL change can.

Usage: .venv/bin/python benchmarks/query_cost_split.py [--db build/tnl.db] [--requests 20]
(a synthetic build: `benchmarks/growth.py --scales 100` keeps its builds under tmp/growth/build-100-*/tnl.db)

Each request has a distinct URL (an ignored `_n=`), so the response cache never answers; CPU is time.process_time,
every thread of the process (the SQL threads and the heavy requests' worker threads included). The SQL alone is the
same statements run with sqlite3 on the same file, fetching what Datasette fetches (up to max_returned_rows + 1).
Prints figures only; no pass/fail.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_load import MAP_QUERY  # noqa: E402

from tnl.build_layout import metadata_path  # noqa: E402
from tnl.site.http.serve import SETTINGS, datasette_app  # noqa: E402

ROWS = int(SETTINGS["max_returned_rows"]) + 1
FACETS = ("kind", "labellise", "region_code", "departement_code")  # the territories' facets in metadata.yml


def cases(database: Path, conn: sqlite3.Connection) -> dict[str, tuple[str, list[tuple[str, dict]]]]:
    """{name: (URL, [(SQL, parameters)] that Datasette runs for it)}."""
    queries = json.loads(metadata_path(database).read_text(encoding="utf-8"))["databases"]["tnl"]["queries"]
    columns = ", ".join(f"[{r[1]}]" for r in conn.execute("pragma table_info(territories)"))
    communes = f"select {columns} from territories where kind = :p0"
    facet = "select {c} as value, count(*) as count from ({s}) where {c} is not null group by {c} order by count desc, value limit 31"
    return {
        "palmares ?edition=2021": ("/tnl/palmares.json?edition=2021", [(queries["palmares"]["sql"], {"edition": "2021"})]),
        "derniere_distinction": ("/tnl/derniere_distinction.json?", [(queries["derniere_distinction"]["sql"], {})]),
        "map data": (f"/tnl/labelled_territories.json?{MAP_QUERY}&", [
            ("select * from labelled_territories order by latest_edition desc, id limit 2001", {}),
            ("select count(*) from labelled_territories", {})]),
        "faceted JSON (territories)": ("/tnl/territories.json?_facet=kind&_facet=region_code&kind=commune&", [
            (f"{communes} order by name limit 51", {"p0": "commune"}), (f"select count(*) from ({communes})", {"p0": "commune"}),
            *[(facet.format(c=c, s=communes), {"p0": "commune"}) for c in FACETS]]),
    }


async def measure(database: Path, requests: int) -> None:
    logging.disable(logging.CRITICAL)  # the access log
    datasette = datasette_app(database)
    await datasette.invoke_startup()
    conn = sqlite3.connect(f"file:{database}?immutable=1", uri=True)
    for name, (url, statements) in cases(database, conn).items():
        url = url if url.endswith(("?", "&")) else url + "&"
        body = (await datasette.client.get(f"{url}_n=-1")).content  # first request: lazy work such as table counts
        start = time.process_time()
        for k in range(requests):
            response = await datasette.client.get(f"{url}_n={k}", headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200, (url, response.status_code)
        whole = (time.process_time() - start) / requests * 1000
        start = time.process_time()
        for _ in range(requests):
            for sql, parameters in statements:
                conn.execute(sql, parameters).fetchmany(ROWS)
        sql_ms = (time.process_time() - start) / requests * 1000
        start = time.process_time()
        for _ in range(requests):
            gzipped = gzip.compress(body, compresslevel=6, mtime=0)
        gzip_ms = (time.process_time() - start) / requests * 1000
        rows = len(json.loads(body)["rows"])
        print(f"{name:27} {rows:5} rows, {len(body) / 1000:4.0f} kB JSON ({len(gzipped) / 1000:3.0f} kB gzipped): "
              f"CPU {whole:5.1f} ms/request = SQL {sql_ms:4.1f} + gzip {gzip_ms:4.1f} + Datasette and wrappers "
              f"{whole - sql_ms - gzip_ms:5.1f}", flush=True)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(measure(args.db.resolve(), args.requests))


if __name__ == "__main__":
    main()
