"""One wrk run on loopback, parsed: requests, rate, latency percentiles, errors (non-2xx/3xx, socket errors, timeouts),
bytes read and responses completed in each second. A list of paths is walked once per thread stride (each URL asked at most once)."""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

WALK_LUA = r"""
-- Responses are also counted per second since the thread started (LuaJIT's FFI for a clock), printed at the end.
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } tnl_timeval; int gettimeofday(tnl_timeval *tv, void *tz); ]]
local tv = ffi.new("tnl_timeval")
local function now() ffi.C.gettimeofday(tv, nil); return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6 end
local paths = {}
for line in io.lines(os.getenv("WALK_FILE")) do paths[#paths + 1] = line end
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  stride = tonumber(os.getenv("WALK_THREADS"))
  position = offset + 1
  start = now()
  buckets = {}
end
function response(status, headers, body)
  local second = math.floor(now() - start) + 1
  buckets[second] = (buckets[second] or 0) + 1
end
function done(summary, latency, requests)
  local total, out = {}, {}
  for _, thread in ipairs(threads) do
    for second, count in pairs(thread:get("buckets")) do total[second] = (total[second] or 0) + count end
  end
  for second = 1, 3600 do if total[second] then out[#out + 1] = second .. ":" .. total[second] end end
  io.write("PER_SECOND " .. table.concat(out, " ") .. "\n")
end
function request()
  local path = paths[position] or paths[((position - 1) % #paths) + 1]
  position = position + stride
  return wrk.format("GET", path, HEADERS)
end
"""
UNITS = {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}
SIZES = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * UNITS[unit]


def wrk(base: str, paths: list[str], connections: int, seconds: float, timeout: float = 2,
        headers: dict | None = None) -> dict:
    """Run wrk against base; one path is repeated, several are walked (at most once each while the list lasts)."""
    threads = min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", f"--timeout={timeout}s"]
    with tempfile.TemporaryDirectory() as tmp:
        walk = Path(tmp) / "paths.txt"
        walk.write_text("\n".join(paths) + "\n", encoding="utf-8")
        lua_headers = "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in (headers or {}).items()) + "}"
        script = Path(tmp) / "walk.lua"
        script.write_text(WALK_LUA.replace("HEADERS", lua_headers), encoding="utf-8")
        env = os.environ | {"WALK_FILE": str(walk), "WALK_THREADS": str(threads)}
        output = subprocess.run(command + ["-s", str(script), base + paths[0]],
                                capture_output=True, text=True, env=env, check=True).stdout
    return parse(output)


def parse(output: str) -> dict:
    def number(pattern: str, default="0") -> str:
        found = re.search(pattern, output, re.M)
        return found.group(1) if found else default

    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    connect, read, write, timeouts = (int(x) for x in socket.groups()) if socket else (0, 0, 0, 0)
    read_size = re.search(r"requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read", output)
    completed = re.search(r"^\s+50%\s+(\S+)", output, re.M) if re.search(r"^\s*[1-9]\d* requests in", output, re.M) else None
    return {
        "requests": int(number(r"(\d+) requests in")),
        "rps": float(number(r"Requests/sec:\s+([\d.]+)")),
        "p50": to_ms(completed.group(1)) if completed else float("nan"),
        "p99": to_ms(number(r"^\s+99%\s+(\S+)")) if completed else float("nan"),
        "non2xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": connect + read + write,
        "timeouts": timeouts,
        "bytes": float(read_size.group(1)) * SIZES[read_size.group(2)] if read_size else 0.0,
        "per_second": [int(pair.split(":")[1]) for pair in number(r"^PER_SECOND (.*)$", "").split()],
    }


def machine_load() -> str:
    """The load average (1, 5, 15 minutes), printed beside figures: on a shared machine it says how far to trust them."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def line(name: str, r: dict) -> str:
    """Socket errors are connections closed under wrk (e.g. keep-alive connections closed by an nginx reload), which
    a browser retries; HTTP errors are 4xx/5xx responses. The machine's load average at the end of the run beside."""
    return (f"{name:44} {r['requests']:7} req {r['rps']:8.0f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms  "
            f"timeouts {r['timeouts']:3}  HTTP errors {r['non2xx']:3}  socket errors {r['socket_errors']:3}  "
            f"load {machine_load()}")
