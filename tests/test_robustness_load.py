"""A short load run (3 s, 64 connections) on the key pages of the real server, on loopback: no error, no 5xx.

wrk (Debian package, as `make bench` installs it) when present, else a bounded asyncio/httpx client. Speed is not
asserted here (benchmarks/serve_load.py measures it, longer); only that every request got a good answer: the
connections all start at once, so a longer run would add requests, not a new situation.
"""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time

import httpx

DURATION_S, CONNECTIONS = 3, 64
KEY_PATHS = [
    "/",
    "/tnl/results.json",
    "/tnl/results.json?edition=2021&_shape=array",
    "/territoire/213801517",
    "/territoire/213801517.json",
    "/territoire/213801855",
    "/-/recherche.json?q=saint",
    "/-/recherche.json?q=gre",
    "/-/recherche.json?q=38151",
    "/tnl/labelled_territories.json?_shape=objects&_size=max",  # the map's data
    "/tnl/results_map.json?_shape=objects&_size=max&edition=2025",
    "/-/fond-de-carte/departements.geojson",
]
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
local statuses = {}
response = function(status, headers, body)
  if status >= 500 then statuses[#statuses + 1] = status end
end
"""


def test_key_pages_under_load_answer_without_error(live_server, tmp_path):
    for path in KEY_PATHS:  # every page is good before the run (a 404 would count as an error below)
        assert httpx.get(live_server + path, timeout=60).status_code == 200, path
    if shutil.which("wrk"):
        errors, count = run_wrk(live_server, tmp_path)
    else:
        errors, count = asyncio.run(run_httpx(live_server))
    assert count > 0
    assert errors == {}, errors


def run_wrk(url: str, tmp_path) -> tuple[dict, int]:
    script = tmp_path / "paths.lua"
    script.write_text(LUA % ", ".join(f'"{p}"' for p in KEY_PATHS), encoding="utf-8")
    result = subprocess.run(
        ["wrk", "-t", "4", "-c", str(CONNECTIONS), "-d", f"{DURATION_S}s", "--timeout", "30s", "-s", str(script), url],
        capture_output=True, text=True, timeout=DURATION_S + 60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    errors = {}
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors and any(int(n) for n in socket_errors.groups()):
        errors["socket"] = socket_errors.group(0)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors["non-2xx/3xx"] = int(non_2xx.group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    return errors, count


async def run_httpx(url: str) -> tuple[dict, int]:
    errors: dict = {}
    count = 0
    deadline = time.monotonic() + DURATION_S
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        async def worker(offset: int) -> None:
            nonlocal count
            i = offset
            while time.monotonic() < deadline:
                path = KEY_PATHS[i % len(KEY_PATHS)]
                i += 1
                try:
                    response = await client.get(path)
                    if response.status_code >= 400:
                        errors[f"{response.status_code} {path}"] = errors.get(f"{response.status_code} {path}", 0) + 1
                except httpx.HTTPError as error:
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                count += 1

        await asyncio.gather(*(worker(i) for i in range(CONNECTIONS)))
    return errors, count
