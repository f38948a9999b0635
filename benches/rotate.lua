-- wrk script: every request takes the next line of a targets file
-- ("<path> <access token>" per line), so the load rotates across tenants
-- and sessions. Usage: wrk ... -s benches/rotate.lua <url> -- <targets file>
local targets = {}
local i = 0
local threads = 0

-- Runs in the main Lua state once per thread: number the threads.
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open targets file " .. tostring(args[1]))
  for line in file:lines() do
    local path, token = line:match("^(%S+)%s+(%S+)$")
    if path then targets[#targets + 1] = { path = path, auth = "Bearer " .. token } end
  end
  file:close()
  assert(#targets > 0, "no targets in " .. args[1])
  -- Threads start at different offsets so they do not move in lock-step.
  i = ((tid or 1) - 1) * 7919 % #targets
end

function request()
  i = i % #targets + 1
  local t = targets[i]
  return wrk.format("GET", t.path, { ["Authorization"] = t.auth, ["Accept"] = "application/json" })
end

-- One machine-readable line for run.sh (latencies in microseconds).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
