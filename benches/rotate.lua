-- wrk script: every request takes the next line of a targets file, so the
-- load rotates across tenants, sessions, rows and (in a mixed file) request
-- kinds. Usage: wrk ... -s benches/rotate.lua <url> -- <targets file>
--
-- A line is either
--   <path> <token>                                  a GET (the original format)
-- or
--   <METHOD> <path> <token> [<json-body>]           any method, optional body
-- <token> is an access token sent as "Authorization: Bearer <token>", or "-"
-- for none (login). The body is everything after the token (run.sh writes
-- it without spaces) and is sent with Content-Type: application/json.
-- In a body, every "{seq}" becomes a value unique to this request within
-- the run ("<thread>x<counter>"), so creates and updates always write
-- something new.
local targets = {}
local i = 0
local seq = 0
local threads = 0

-- Runs in the main Lua state once per thread: number the threads.
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local function parse(line)
  local fields = {}
  for f in line:gmatch("%S+") do fields[#fields + 1] = f end
  if #fields == 2 then
    return { method = "GET", path = fields[1], token = fields[2] }
  end
  if #fields >= 3 and fields[1]:match("^[A-Z]+$") then
    local body = line:match("^%s*%S+%s+%S+%s+%S+%s+(.-)%s*$")
    if body == "" then body = nil end
    return { method = fields[1], path = fields[2], token = fields[3], body = body }
  end
  return nil
end

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open targets file " .. tostring(args[1]))
  for line in file:lines() do
    local t = parse(line)
    if t then
      t.headers = { ["Accept"] = "application/json" }
      if t.token ~= "-" then t.headers["Authorization"] = "Bearer " .. t.token end
      if t.body then t.headers["Content-Type"] = "application/json" end
      t.dynamic = t.body ~= nil and t.body:find("{seq}", 1, true) ~= nil
      if not t.dynamic then
        -- Fixed requests are formatted once.
        t.request = wrk.format(t.method, t.path, t.headers, t.body)
      end
      targets[#targets + 1] = t
    end
  end
  file:close()
  assert(#targets > 0, "no targets in " .. args[1])
  -- Threads start at different offsets so they do not move in lock-step.
  i = ((tid or 1) - 1) * 7919 % #targets
end

function request()
  i = i % #targets + 1
  local t = targets[i]
  if t.request then return t.request end
  local body = t.body
  if t.dynamic then
    seq = seq + 1
    body = body:gsub("{seq}", (tid or 1) .. "x" .. seq)
  end
  return wrk.format(t.method, t.path, t.headers, body)
end

-- One machine-readable line for run.sh (latencies in microseconds).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
